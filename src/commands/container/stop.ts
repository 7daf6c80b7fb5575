import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';
import { cidfileFlagDescription, readCidFiles } from '../../cli/cidfile.js';

export default class ContainerStop extends TspodCommand {
  static override summary = 'Stop one or more running containers (the stop signal, then SIGKILL after the timeout)';
  static override aliases = ['stop'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    time: Flags.integer({ char: 't', aliases: ['timeout'], description: 'Seconds to wait before killing the container (default: its stop timeout, 10)' }),
    all: Flags.boolean({ char: 'a', description: 'Stop all running containers' }),
    ignore: Flags.boolean({ char: 'i', description: 'Ignore errors when a specified container is missing' }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container tspod is aware of' }),
    cidfile: Flags.string({ multiple: true, description: cidfileFlagDescription }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerStop);
    const { stopContainers } = await import('../../engine/container/stop.js');
    let names = [...(argv as string[]), ...readCidFiles(flags.cidfile, !!flags.ignore)];
    if (flags.latest) names = [(await latestId())];
    if (!names.length && !flags.all) {
      if (flags.cidfile?.length) return; // --ignore: the ID files are gone, so are the containers
      this.fail('you must provide at least one container name or ID');
    }
    const reps = await stopContainers(names, { timeout: flags.time, all: flags.all, ignore: flags.ignore });
    reportTargets(reps, (r) => (r.error || !r.id ? undefined : r.input)); // --ignore: a missing one prints nothing
  }
}

export async function latestId(): Promise<string> {
  const { listContainers } = await import('../../engine/container/state.js');
  const rows = await listContainers({ latest: true });
  if (!rows[0]) throw Object.assign(new Error('no containers to act on with --latest'), { exitCode: 125 });
  return rows[0].Id;
}
