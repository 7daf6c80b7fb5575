import { Args } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

export default class PodExists extends TspodCommand {
  static override summary = 'Check if a pod exists (exit 0 if it does, 1 if not)';
  static override examples = ['tspod pod exists web && echo yes'];
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(PodExists);
    const { podExists } = await import('../../engine/pod/index.js');
    if (!podExists(args.pod)) process.exitCode = 1;
  }
}
