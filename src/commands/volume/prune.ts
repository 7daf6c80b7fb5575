import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';
import { confirm } from '../../cli/confirm.js';

export default class VolumePrune extends TspodCommand {
  static override summary = 'Remove all unused volumes';
  static override description = 'Removes every volume that no container (running or not) uses, after a confirmation unless --force.';
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Provide filter values (e.g. label=<key>=<value>, until=<timestamp>)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(VolumePrune);
    const { pruneCandidates, pruneVolumes } = await import('../../engine/volumes.js');
    if (!flags.force) {
      const names = pruneCandidates(flags.filter);
      if (!(await confirm(`WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:${names.map((n) => `\n${n}`).join('')}`))) return;
    }
    const reps = await pruneVolumes(flags.filter);
    reportTargets(reps, (r) => (r.error ? undefined : r.name));
  }
}

