import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerPrune extends TspodCommand {
  static override summary = 'Remove all non-running containers';
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }) };
  async run(): Promise<void> {
    await this.parseCmd(ContainerPrune);
    const { pruneContainers } = await import('../../engine/container/inspect.js');
    this.out((await pruneContainers()).join('\n'));
  }
}
