import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';

export default class ContainerPause extends TspodCommand {
  static override summary = 'Pause all the processes in one or more containers';
  static override aliases = ['pause'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ContainerPause);
    const { pauseContainers } = await import('../../engine/container/stop.js');
    reportTargets(await pauseContainers(argv as string[], true), (r) => (r.error ? undefined : r.input));
  }
}
