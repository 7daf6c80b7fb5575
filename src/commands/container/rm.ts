import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, removalExitCode } from '../../cli/report.js';
import { cidfileFlagDescription, readCidFiles } from '../../cli/cidfile.js';

export default class ContainerRm extends TspodCommand {
  static override summary = 'Remove one or more containers';
  static override aliases = ['rm', 'container:remove'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Force removal of a running or unusable container' }),
    volumes: Flags.boolean({ char: 'v', description: 'Remove anonymous volumes associated with the container' }),
    all: Flags.boolean({ char: 'a', description: 'Remove all containers' }),
    ignore: Flags.boolean({ char: 'i', description: 'Ignore errors when a specified container is missing' }),
    time: Flags.integer({ char: 't', aliases: ['timeout'], description: 'Seconds to wait for stop before killing the container' }),
    cidfile: Flags.string({ multiple: true, description: cidfileFlagDescription }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container tspod is aware of' }),
    depend: Flags.boolean({ description: "Remove the container and every container that depends on it (shares its namespaces); a pod's infra container takes its whole pod" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRm);
    const { removeContainers } = await import('../../engine/container/remove.js');
    const { latestTargets } = await import('../../cli/latest.js');
    const names = await latestTargets([...(argv as string[]), ...readCidFiles(flags.cidfile, !!flags.ignore)], flags.latest);
    if (!names.length && !flags.all) {
      if (flags.cidfile?.length) return; // --ignore: the ID files are gone, so are the containers
      this.fail('you must provide at least one container name or ID');
    }
    const reps = await removeContainers(names, { force: flags.force, volumes: flags.volumes, all: flags.all, ignore: flags.ignore, timeout: flags.time, depend: flags.depend });
    // Podman prints what was asked for (the name, or the full ID with -a)
    // an ID file whose container is gone is gone too (a unit's ExecStopPost leaves nothing behind)
    if (flags.cidfile?.length) {
      const { removeStaleCidFiles } = await import('../../cli/cidfile.js');
      const { listContainers } = await import('../../engine/container/state.js');
      const ids = new Set((await listContainers({ all: true })).map((c) => c.Id));
      removeStaleCidFiles(flags.cidfile, ids);
    }
    reportTargets(reps, (r) => (r.error ? undefined : r.input), { exitCode: removalExitCode });
  }
}
