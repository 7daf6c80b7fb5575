import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';
import { cidfileFlagDescription, readCidFiles } from '../../cli/cidfile.js';

export default class ContainerKill extends TspodCommand {
  static override summary = 'Kill one or more running containers with a signal';
  static override aliases = ['kill'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    signal: Flags.string({ char: 's', description: 'Signal to send to the container (default SIGKILL)' }),
    all: Flags.boolean({ char: 'a', description: 'Signal all running containers' }),
    cidfile: Flags.string({ multiple: true, description: cidfileFlagDescription }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerKill);
    const { killContainers } = await import('../../engine/container/stop.js');
    const names = [...(argv as string[]), ...readCidFiles(flags.cidfile, false)];
    if (!names.length && !flags.all) this.fail('you must provide at least one container name or ID');
    reportTargets(await killContainers(names, { signal: flags.signal, all: flags.all }), (r) => (r.error ? undefined : r.input));
  }
}
