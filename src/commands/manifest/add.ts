import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestAdd extends TspodCommand {
  static override summary = 'Add an image to a manifest list or image index';
  static override description = 'Adds the image\'s manifest descriptor, with the platform from its configuration unless overridden, and prints the list\'s ID. '
    + 'IMAGE is a local image (name or ID; containers-storage:NAME for local only) or else a registry reference (docker://NAME for a registry only). '
    + 'An entry with the same digest is replaced.';
  static override strict = false;
  static override args = {
    list: Args.string({ ignoreStdin: true, description: 'the manifest list', required: true }),
    image: Args.string({ ignoreStdin: true, description: 'image(s) to add', required: true }),
  };
  static override flags = {
    all: Flags.boolean({ description: 'From an image that is itself a list, add all of its entries' }),
    annotation: Flags.string({ multiple: true, description: 'Set an annotation KEY=VALUE on the entry' }),
    arch: Flags.string({ description: 'Override the architecture recorded for the image' }),
    os: Flags.string({ description: 'Override the OS recorded for the image' }),
    'os-version': Flags.string({ description: 'The OS version the image requires' }),
    variant: Flags.string({ description: 'Override the architecture variant recorded for the image' }),
    features: Flags.string({ multiple: true, description: 'Features the image requires (rarely used)' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
    'cert-dir': Flags.string({ description: 'Path to a directory of certificates (*.crt) for the registry' }),
    creds: Flags.string({ description: 'Credentials USERNAME:PASSWORD for the registry' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
  };
  static override examples = ['<%= config.bin %> manifest add mylist:v1 localhost/app:amd64', '<%= config.bin %> manifest add --arch arm64 --variant v8 mylist:v1 docker://127.0.0.1:5000/app:arm64'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ManifestAdd);
    const [list, ...images] = argv as string[];
    const r = await manifests.add({
      list: list!, images, all: flags.all, annotations: flags.annotation, arch: flags.arch, os: flags.os, osVersion: flags['os-version'], variant: flags.variant,
      features: flags.features, authfile: flags.authfile, certDir: flags['cert-dir'], creds: flags.creds, tlsVerify: flags['tls-verify'],
    });
    this.out(r.id);
  }
}
