import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { podTargetFlags, podTargets, reportPods } from '../../cli/pod-verbs.js';

export default class PodStop extends TspodCommand {
  static override summary = 'Stop one or more pods (the members, then the infra container)';
  static override examples = ['tspod pod stop web', 'tspod pod stop -t 0 --all'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = { ...podTargetFlags, time: Flags.integer({ char: 't', description: 'Seconds to wait for each container to stop before killing it' }), ignore: Flags.boolean({ char: 'i', description: 'Ignore errors when a specified pod is missing' }) };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodStop);
    const pods = await podTargets(argv as string[], flags);
    const engine = await import('../../engine/pod/index.js');
    reportPods(await engine.stopPods({ pods, all: flags.all, ignore: flags.ignore, timeout: flags.time }));
  }
}
