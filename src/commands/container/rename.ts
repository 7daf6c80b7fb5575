import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerRename extends TspodCommand {
  static override summary = 'Rename an existing container';
  static override aliases = ['rename'];
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }),
    name: Args.string({ ignoreStdin: true, description: 'new name', required: true }),
  };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(ContainerRename);
    const { renameContainer } = await import('../../engine/container/inspect.js');
    await renameContainer(args.container, args.name);
  }
}
