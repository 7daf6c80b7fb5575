import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerExists extends TspodCommand {
  static override summary = 'Check if a container exists (exit 0 if it does, 1 if not)';
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(ContainerExists);
    const { containerExists } = await import('../../engine/container/inspect.js');
    if (!containerExists(args.container)) process.exitCode = 1;
  }
}
