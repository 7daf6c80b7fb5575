import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';
import { renderObjects } from '../../cli/output.js';
import { inspectImage } from '../../engine/images.js';

export default class ImageInspect extends TspodCommand {
  static override summary = 'Display the configuration of one or more images';
  static override strict = false;
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }),
  };
  static override examples = ['<%= config.bin %> image inspect busybox', '<%= config.bin %> image inspect --format "{{.Config.Cmd}}" busybox'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ImageInspect);
    const out: object[] = [];
    const reps = await eachTarget(argv as string[], async (name) => inspectImage(name));
    for (const r of reps) if (r.value) out.push(r.value);
    if (out.length) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    else if (!reps.some((r) => r.error)) this.out('[]');
    reportTargets(reps, () => undefined);
  }
}
