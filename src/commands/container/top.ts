import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { tabwrite } from '../../format/tabwriter.js';

export default class ContainerTop extends TspodCommand {
  static override summary = 'Display the running processes of a container';
  static override aliases = ['top'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ContainerTop);
    const { topContainer } = await import('../../engine/container/inspect.js');
    const rows = await topContainer((argv as string[])[0]!);
    this.out(tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n', { padding: 2 }));
  }
}
