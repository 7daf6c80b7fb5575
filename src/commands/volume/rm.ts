import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, removalExitCode } from '../../cli/report.js';

export default class VolumeRm extends TspodCommand {
  static override summary = 'Remove one or more volumes';
  static override description = 'A volume used by a container (running or not) is not removed unless --force is given, which removes those containers first. '
    + 'Exit status: 0 all removed, 1 a volume did not exist, 2 a volume is in use, 125 other errors.';
  static override aliases = ['volume:remove'];
  static override strict = false;
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all volumes' }),
    force: Flags.boolean({ char: 'f', description: 'Remove a volume by force: also remove the containers using it' }),
    time: Flags.integer({ char: 't', description: 'Seconds to wait for running containers to stop before killing them' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(VolumeRm);
    const names = argv as string[];
    if (!names.length && !flags.all) this.fail('choose either one or more volumes or all');
    if (names.length && flags.all) this.fail('choose either one or more volumes or all');
    const { removeVolumes } = await import('../../engine/volumes.js');
    const reps = await removeVolumes(names, { force: flags.force, all: flags.all, timeout: flags.time });
    reportTargets(reps, (r) => (r.error ? undefined : r.name), { exitCode: removalExitCode });
  }
}
