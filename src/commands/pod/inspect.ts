import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { eachTarget, reportTargets } from '../../cli/report.js';
import { renderObjects } from '../../cli/output.js';

export default class PodInspect extends TspodCommand {
  static override summary = 'Display the configuration of one or more pods';
  static override description = 'One pod prints as one JSON object (as Podman 4 does), several as an array.';
  static override examples = ['tspod pod inspect web', 'tspod pod inspect --format "{{.InfraContainerID}}" web'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: true }) };
  static override flags = { format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }) };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodInspect);
    const { inspectPod } = await import('../../engine/pod/index.js');
    const reps = await eachTarget(argv as string[], (n) => inspectPod(n));
    const found = reps.filter((r) => r.value).map((r) => r.value!);
    const template = flags.format && flags.format.trim().toLowerCase() !== 'json' ? flags.format : undefined;
    if (found.length === 1 && !template) this.out(JSON.stringify(found[0], null, 4));
    else if (found.length) this.out(renderObjects(found, template));
    reportTargets(reps, () => undefined);
  }
}
