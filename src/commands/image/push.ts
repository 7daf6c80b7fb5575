import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { makeProgress } from '../../cli/progress.js';
import { pushImage } from '../../engine/push.js';

export default class ImagePush extends TspodCommand {
  static override summary = 'Push an image to a registry';
  static override aliases = ['push'];
  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'local image name or ID', required: true }),
    destination: Args.string({ ignoreStdin: true, description: 'destination reference (default: the image name)', required: false }),
  };
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'Suppress progress output' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
    creds: Flags.string({ description: 'Credentials USERNAME:PASSWORD for the registry' }),
    'cert-dir': Flags.string({ description: 'Path to a directory of certificates (*.crt) for the registry' }),
    format: Flags.option({ char: 'f', options: ['oci', 'v2s2'] as const, description: 'Manifest type to push (oci or v2s2); default: as stored' })(),
    'digestfile': Flags.string({ description: 'Write the digest of the pushed manifest to this file' }),
    'remove-signatures': Flags.boolean({ description: 'Discard any signatures (tspod stores none)' }),
  };
  static override examples = ['<%= config.bin %> push 127.0.0.1:5000/me/app:1', '<%= config.bin %> push busybox 127.0.0.1:5000/mirror/busybox:latest'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ImagePush);
    const progress = makeProgress({ quiet: flags.quiet });
    try {
      await pushImage({
        source: args.image, destination: args.destination, tlsVerify: flags['tls-verify'], authfile: flags.authfile, creds: flags.creds,
        certDir: flags['cert-dir'], format: flags.format, digestfile: flags.digestfile, onEvent: (e) => progress.event(e),
      });
    } finally {
      progress.stop();
    }
  }
}
