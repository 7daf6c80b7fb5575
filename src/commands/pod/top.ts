import { Args } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

export default class PodTop extends TspodCommand {
  static override summary = 'Display the running processes of the containers of a pod';
  static override examples = ['tspod pod top web'];
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(PodTop);
    const { topPod } = await import('../../engine/pod/index.js');
    const { tabwrite } = await import('../../format/tabwriter.js');
    const rows = await topPod(args.pod);
    this.out(tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n', { padding: 2 }));
  }
}
