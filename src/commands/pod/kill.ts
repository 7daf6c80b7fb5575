import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { podTargetFlags, podTargets, reportPods } from '../../cli/pod-verbs.js';

export default class PodKill extends TspodCommand {
  static override summary = 'Send a signal to the running containers of one or more pods';
  static override examples = ['tspod pod kill web', 'tspod pod kill -s HUP web'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = { ...podTargetFlags, signal: Flags.string({ char: 's', description: 'Signal to send (default SIGKILL)' }) };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodKill);
    const pods = await podTargets(argv as string[], flags);
    const engine = await import('../../engine/pod/index.js');
    reportPods(await engine.killPods({ pods, all: flags.all, signal: flags.signal }));
  }
}
