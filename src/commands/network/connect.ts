import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class NetworkConnect extends TspodCommand {
  static override summary = 'Connect a container to a network';
  static override description = 'A running container that is on user networks gets the new interface (eth1, eth2, ...) at once, and its /etc/hosts and /etc/resolv.conf are updated; '
    + 'a stopped one joins the network at its next start. A container on the default slirp4netns network can join only while stopped (it then moves to the user network).';
  static override args = {
    network: Args.string({ ignoreStdin: true, description: 'network name or ID', required: true }),
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }),
  };
  static override flags = {
    alias: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Add a network-scoped DNS alias for the container' }),
    ip: Flags.string({ description: 'Static IPv4 address on the network' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(NetworkConnect);
    const { connectNetwork } = await import('../../engine/networks.js');
    await connectNetwork(args.network, args.container, { aliases: flags.alias, ip: flags.ip });
  }
}
