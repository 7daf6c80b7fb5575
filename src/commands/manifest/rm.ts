import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportImageRemoval } from '../../cli/report.js';
import { manifests } from '../../engine/index.js';

export default class ManifestRm extends TspodCommand {
  static override summary = 'Remove manifest lists or image indexes from local storage';
  static override description = 'Removes lists (not the images they name); an ordinary image is refused. Exit status: 0 all removed, 1 a list did not exist, 125 other errors.';
  static override strict = false;
  static override args = { list: Args.string({ ignoreStdin: true, description: 'manifest list name(s) or ID(s)', required: true }) };
  static override examples = ['<%= config.bin %> manifest rm mylist:v1'];

  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ManifestRm);
    const reports = await manifests.remove({ lists: argv as string[] });
    reportImageRemoval(reports);
  }
}
