import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { podTargetFlags, podTargets, reportPods } from '../../cli/pod-verbs.js';

export default class PodRm extends TspodCommand {
  static override summary = 'Remove one or more pods with their containers';
  static override description = 'A pod with running containers is removed only with --force (its containers are stopped first). '
    + 'Exit status: 0 when every pod was removed, 1 when some named pod does not exist, 2 when some pod could not be removed because it runs, 125 otherwise.';
  static override aliases = ['pod:remove'];
  static override examples = ['tspod pod rm web', 'tspod pod rm -f -t 0 web', 'tspod pod rm --all --force --ignore'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = {
    ...podTargetFlags,
    force: Flags.boolean({ char: 'f', description: 'Stop running containers and remove the pod' }),
    ignore: Flags.boolean({ char: 'i', description: 'Ignore errors when a specified pod is missing' }),
    time: Flags.integer({ char: 't', description: 'Seconds to wait for containers to stop before killing them (with --force)' }),
  };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodRm);
    const pods = await podTargets(argv as string[], flags);
    if (!pods.length && !flags.all) return;
    const { removePods } = await import('../../engine/pod/index.js');
    reportPods(await removePods({ pods, all: flags.all, force: flags.force, ignore: flags.ignore, timeout: flags.time }), { removal: true });
  }
}
