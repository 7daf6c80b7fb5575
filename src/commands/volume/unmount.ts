import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';

export default class VolumeUnmount extends TspodCommand {
  static override summary = 'Unmount a volume (local volumes stay where they are)';
  static override description = 'The counterpart of `volume mount`: local volumes are directories, so there is nothing to unmount; prints each volume that exists.';
  static override aliases = ['volume:umount'];
  static override strict = false;
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: false }) };
  static override examples = ['<%= config.bin %> volume unmount data'];

  async run(): Promise<void> {
    const { argv } = await this.parseCmd(VolumeUnmount);
    const names = argv as string[];
    if (!names.length) this.fail('provide one or more volume names');
    const { inspectVolume } = await import('../../engine/volumes.js');
    const reps = await eachTarget(names, (n) => inspectVolume(n));
    reportTargets(reps, (r) => (r.value ? r.input : undefined));
  }
}
