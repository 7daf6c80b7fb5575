import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { podTargetFlags, podTargets, reportPods } from '../../cli/pod-verbs.js';

export default class PodStart extends TspodCommand {
  static override summary = 'Start one or more pods (the infra container first, then the members)';
  static override examples = ['tspod pod start web', 'tspod pod start --all'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = { ...podTargetFlags,  };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodStart);
    const pods = await podTargets(argv as string[], flags);
    const engine = await import('../../engine/pod/index.js');
    reportPods(await engine.startPods({ pods, all: flags.all }));
  }
}
