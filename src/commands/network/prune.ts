import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { confirm } from '../../cli/confirm.js';

export default class NetworkPrune extends TspodCommand {
  static override summary = 'Remove all unused networks';
  static override description = 'Removes every user-defined network that no container (running or not) uses, after a confirmation unless --force.';
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Provide filter values (label=<key>[=<value>], until=<timestamp>)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(NetworkPrune);
    const { pruneCandidates, pruneNetworks } = await import('../../engine/networks.js');
    if (!flags.force) {
      const names = pruneCandidates(flags.filter);
      if (!(await confirm(`WARNING! This will remove all networks not used by at least one container. The following networks will be removed:${names.map((n) => `\n${n}`).join('')}`))) return;
    }
    const reps = await pruneNetworks(flags.filter);
    const ok = reps.filter((r) => !r.error).map((r) => r.name);
    if (ok.length) this.out(ok.join('\n'));
    const failed = reps.find((r) => r.error);
    if (failed) throw failed.error;
  }
}

