import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { podTargetFlags, podTargets, reportPods } from '../../cli/pod-verbs.js';

export default class PodUnpause extends TspodCommand {
  static override summary = 'Unpause the paused containers of one or more pods';
  static override examples = ['tspod pod unpause web'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = { ...podTargetFlags,  };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodUnpause);
    const pods = await podTargets(argv as string[], flags);
    const engine = await import('../../engine/pod/index.js');
    reportPods(await engine.pausePods({ pods, all: flags.all }, false));
  }
}
