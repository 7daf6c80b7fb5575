import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

export default class PodStats extends TspodCommand {
  static override summary = 'Display resource usage of pods (not available for rootless containers on cgroups v1)';
  static override examples = ['tspod pod stats web'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show stats of all pods' }),
    'no-stream': Flags.boolean({ description: 'Disable streaming stats and only pull the first result' }),
    format: Flags.string({ description: 'Pretty-print using a Go template' }),
  };
  async run(): Promise<void> {
    const { argv } = await this.parseCmd(PodStats);
    // the pods named must exist: a typo gets "no such pod", not the cgroup explanation
    const { PodStore } = await import('../../engine/pod/index.js');
    const store = new PodStore();
    for (const p of argv as string[]) store.resolve(p);
    this.fail('pod stats is not supported for rootless containers on cgroups v1: the resource controllers are not delegated to unprivileged users (use "tspod pod top")');
  }
}
