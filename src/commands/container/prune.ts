import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerPrune extends TspodCommand {
  static override summary = 'Remove all non-running containers';
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Provide filter values (label=<key>[=<value>], label!=<key>[=<value>], until=<timestamp>)' }),
  };
  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ContainerPrune);
    const { pruneContainers } = await import('../../engine/container/inspect.js');
    this.out((await pruneContainers(flags.filter)).join('\n'));
  }
}
