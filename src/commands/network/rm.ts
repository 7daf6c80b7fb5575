import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, removalExitCode } from '../../cli/report.js';

export default class NetworkRm extends TspodCommand {
  static override summary = 'Remove one or more networks';
  static override description = 'A network used by a container (running or not) is not removed unless --force is given, which removes those containers first. '
    + 'Exit status: 0 all removed, 1 a network did not exist, 2 a network is in use, 125 other errors.';
  static override aliases = ['network:remove'];
  static override strict = false;
  static override args = { network: Args.string({ ignoreStdin: true, description: 'network name or ID', required: true }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Remove the containers using the network, then the network' }),
    time: Flags.integer({ char: 't', description: 'Seconds to wait for running containers to stop before killing them' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(NetworkRm);
    const { removeNetworks } = await import('../../engine/networks.js');
    const reps = await removeNetworks(argv as string[], { force: flags.force, timeout: flags.time });
    reportTargets(reps, (r) => (r.error ? undefined : r.name), { exitCode: removalExitCode });
  }
}
