import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestExists extends TspodCommand {
  static override summary = 'Check if a manifest list exists in local storage (exit 0 if it does, 1 if not)';
  static override args = { list: Args.string({ ignoreStdin: true, description: 'manifest list name or ID', required: true }) };
  static override examples = ['<%= config.bin %> manifest exists mylist:v1'];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(ManifestExists);
    if (!await manifests.exists({ name: args.list })) process.exitCode = 1;
  }
}
