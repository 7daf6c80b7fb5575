import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';
import { renderObjects } from '../../cli/output.js';
import { inspectTargets } from '../../cli/latest.js';

export default class ContainerInspect extends TspodCommand {
  static override summary = 'Display the configuration of one or more containers';
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = { format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }), size: Flags.boolean({ char: 's', description: 'Display total file size' }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container tspod is aware of' }) };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerInspect);
    const { inspectContainer } = await import('../../engine/container/inspect.js');
    const out: object[] = [];
    const reps = await eachTarget(await inspectTargets(argv as string[], flags.latest), async (n) => await inspectContainer(n, { size: flags.size }));
    for (const r of reps) if (r.value) out.push(r.value);
    if (out.length) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    reportTargets(reps, () => undefined);
  }
}
