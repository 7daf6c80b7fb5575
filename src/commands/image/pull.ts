import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { pullAction } from '../../cli/actions/pull.js';

export default class ImagePull extends TspodCommand {
  static override summary = 'Pull an image from a registry';
  static override aliases = ['pull'];
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image reference: name[:tag], name@digest, host[:port]/path[:tag]', required: true }) };
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'Suppress progress output; print only the image ID' }),
    platform: Flags.string({ description: 'Pull the image for this platform (os/arch[/variant]) from a manifest list' }),
    arch: Flags.string({ description: 'Use this architecture instead of the host\'s' }),
    os: Flags.string({ description: 'Use this OS instead of the host\'s' }),
    variant: Flags.string({ description: 'Use this architecture variant' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
    creds: Flags.string({ description: 'Credentials USERNAME:PASSWORD for the registry' }),
    'cert-dir': Flags.string({ description: 'Path to a directory of certificates (*.crt) for the registry' }),
    'all-tags': Flags.boolean({ char: 'a', description: 'Not supported yet: pull every tag of the repository', hidden: true }),
  };
  static override examples = ['<%= config.bin %> pull 127.0.0.1:5000/library/busybox:latest', '<%= config.bin %> pull --platform linux/arm64 quay.io/ns/app:1'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ImagePull);
    await pullAction(flags as Record<string, unknown>, [args.image]);
  }
}
