import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class NetworkDisconnect extends TspodCommand {
  static override summary = 'Disconnect a container from a network';
  static override description = 'A running container loses that network\'s interface at once (except the network its published ports go through: stop it first); '
    + 'a stopped one starts without it. A container left without user networks has loopback only (--network none).';
  static override args = {
    network: Args.string({ ignoreStdin: true, description: 'network name or ID', required: true }),
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }),
  };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Accepted for compatibility' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parseCmd(NetworkDisconnect);
    const { disconnectNetwork } = await import('../../engine/networks.js');
    await disconnectNetwork(args.network, args.container);
  }
}
