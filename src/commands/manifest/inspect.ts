import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestInspect extends TspodCommand {
  static override summary = 'Display a manifest list or image index';
  static override description = 'Prints a local manifest list\'s index as JSON; for a name that is not a local list, the manifest the registry has for it.';
  static override args = { list: Args.string({ ignoreStdin: true, description: 'manifest list name or ID, or a registry reference', required: true }) };
  static override flags = {
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
  };
  static override examples = ['<%= config.bin %> manifest inspect mylist:v1'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ManifestInspect);
    this.out(await manifests.inspect({ name: args.list, tlsVerify: flags['tls-verify'], authfile: flags.authfile }));
  }
}
