import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';

export default class ContainerRestart extends TspodCommand {
  static override summary = 'Restart one or more containers';
  static override aliases = ['restart'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    time: Flags.integer({ char: 't', description: 'Seconds to wait for stop before killing the container' }),
    all: Flags.boolean({ char: 'a', description: 'Restart all containers' }),
    running: Flags.boolean({ description: 'Restart only running containers' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRestart);
    const { restartContainers } = await import('../../engine/container/stop.js');
    const reps = await restartContainers(argv as string[], { timeout: flags.time, all: flags.all, running: flags.running });
    reportTargets(reps, (r) => (r.error ? undefined : r.input));
  }
}
