import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestAnnotate extends TspodCommand {
  static override summary = 'Add or update information about an entry in a manifest list or image index';
  static override description = 'Changes the platform or annotations recorded for the entry with that digest, and prints the list\'s ID.';
  static override args = {
    list: Args.string({ ignoreStdin: true, description: 'the manifest list', required: true }),
    digest: Args.string({ ignoreStdin: true, description: 'digest of the entry (sha256:...)', required: true }),
  };
  static override flags = {
    annotation: Flags.string({ multiple: true, description: 'Set an annotation KEY=VALUE on the entry' }),
    arch: Flags.string({ description: 'Override the architecture' }),
    os: Flags.string({ description: 'Override the OS' }),
    'os-features': Flags.string({ multiple: true, description: 'The OS features the image requires' }),
    'os-version': Flags.string({ description: 'The OS version the image requires' }),
    variant: Flags.string({ description: 'Override the architecture variant' }),
    features: Flags.string({ multiple: true, description: 'Features the image requires (rarely used)' }),
  };
  static override examples = ['<%= config.bin %> manifest annotate --arch arm64 --variant v8 mylist:v1 sha256:59eec8837a4d942cc19a52b8c09ea75121acc38114a2c68b98983ce9356b8610'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ManifestAnnotate);
    const r = await manifests.annotate({
      list: args.list, digest: args.digest, annotations: flags.annotation, arch: flags.arch, os: flags.os, osFeatures: flags['os-features'],
      osVersion: flags['os-version'], variant: flags.variant, features: flags.features,
    });
    this.out(`${r.id}: ${args.digest}`);
  }
}
