import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';
import { renderObjects } from '../../cli/output.js';

export default class NetworkInspect extends TspodCommand {
  static override summary = 'Display detailed information on one or more networks';
  static override strict = false;
  static override args = { network: Args.string({ ignoreStdin: true, description: 'network name or ID', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(NetworkInspect);
    const { inspectNetwork } = await import('../../engine/networks.js');
    const out: object[] = [];
    const reps = await eachTarget(argv as string[], async (n) => inspectNetwork(n));
    for (const r of reps) if (r.value) out.push(r.value);
    if (out.length || !reps.some((r) => r.error)) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    reportTargets(reps, () => undefined);
  }
}
