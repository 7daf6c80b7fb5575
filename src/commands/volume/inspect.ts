import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';
import { renderObjects } from '../../cli/output.js';

export default class VolumeInspect extends TspodCommand {
  static override summary = 'Display detailed information on one or more volumes';
  static override strict = false;
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Inspect all volumes' }),
    format: Flags.string({ char: 'f', description: "Format volume output using a Go template, or 'json'" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(VolumeInspect);
    const { inspectVolume, listVolumes } = await import('../../engine/volumes.js');
    const names = argv as string[];
    if (!names.length && !flags.all) this.fail('provide one or more volume names or use --all');
    const out: object[] = [];
    const reps = flags.all ? [] : await eachTarget(names, (n) => inspectVolume(n));
    if (flags.all) out.push(...listVolumes());
    for (const r of reps) if (r.value) out.push(r.value);
    if (out.length || !reps.some((r) => r.error)) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    reportTargets(reps, () => undefined);
  }
}
