import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';

export default class ContainerUnpause extends TspodCommand {
  static override summary = 'Unpause the processes in one or more containers';
  static override aliases = ["unpause"];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ContainerUnpause);
    const { pauseContainers } = await import('../../engine/container/stop.js');
    reportTargets(await pauseContainers(argv as string[], false), (r) => (r.error ? undefined : r.input));
  }
}
