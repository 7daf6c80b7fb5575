import { Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { reportPods } from '../../cli/pod-verbs.js';

export default class PodPrune extends TspodCommand {
  static override summary = 'Remove all stopped pods and their containers';
  static override examples = ['tspod pod prune -f'];
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not ask for confirmation' }) };
  async run(): Promise<void> {
    const { flags } = await this.parseCmd(PodPrune);
    if (!flags.force) {
      const { confirm } = await import('../../cli/confirm.js');
      if (!(await confirm('WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] '))) return;
    }
    const { prunePods } = await import('../../engine/pod/index.js');
    reportPods(await prunePods());
  }
}
