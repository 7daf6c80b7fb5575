import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerCleanup extends TspodCommand {
  static override summary = 'Clean up after a container exited (run by conmon; rarely needed by hand)';
  static override hidden = true;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container ID', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(ContainerCleanup);
    const { cleanupContainer } = await import('../../engine/container/cleanup.js');
    await cleanupContainer(args.container);
  }
}
