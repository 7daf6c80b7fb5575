import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class NetworkCreate extends TspodCommand {
  static override summary = 'Create a network';
  static override description = 'Creates a user-defined bridge network (netavark) and prints its name. Containers run with --network NAME reach each other by '
    + 'container name and --network-alias through aardvark-dns, and reach the outside world. Rootless, the bridges live in one network namespace '
    + 'linked to the host by slirp4netns; it exists only while containers are attached. Without --subnet, the first free 10.89.N.0/24 is used.';
  static override args = { name: Args.string({ ignoreStdin: true, description: 'network name (default: tspodN)', required: false }) };
  static override flags = {
    driver: Flags.string({ char: 'd', description: 'Driver to manage the network (bridge)', default: 'bridge' }),
    subnet: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Subnet in CIDR format (e.g. 10.89.5.0/24)' }),
    gateway: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'IPv4 gateway for the subnet (default: its first address)' }),
    'ip-range': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Allocate container IPs from this range (CIDR or START-END) inside the subnet' }),
    internal: Flags.boolean({ description: 'Restrict external access from this network' }),
    'disable-dns': Flags.boolean({ description: 'Disable DNS (aardvark-dns) on this network' }),
    ipv6: Flags.boolean({ description: 'Enable IPv6 (not supported yet)' }),
    label: Flags.string({ char: 'l', multiple: true, multipleNonGreedy: true, description: 'Set metadata on a network (e.g. --label key=value)' }),
    opt: Flags.string({ char: 'o', multiple: true, multipleNonGreedy: true, description: 'Set driver specific options: mtu=N, vlan=N, isolate=true' }),
    'interface-name': Flags.string({ description: 'Name of the bridge interface (default: tspodN)' }),
    ignore: Flags.boolean({ description: "Don't fail if the network already exists" }),
  };
  static override examples = [
    '<%= config.bin %> network create appnet',
    '<%= config.bin %> network create --subnet 10.90.0.0/24 --gateway 10.90.0.254 --ip-range 10.90.0.128/25 backend',
    '<%= config.bin %> run -d --name web --network appnet IMAGE httpd -f -p 80',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(NetworkCreate);
    const { createNetwork } = await import('../../engine/networks.js');
    const n = await createNetwork({
      name: args.name, driver: flags.driver, subnets: flags.subnet, gateways: flags.gateway, ipRanges: flags['ip-range'], internal: flags.internal,
      disableDns: flags['disable-dns'], ipv6: flags.ipv6, labels: flags.label, opts: flags.opt, interfaceName: flags['interface-name'], ignore: flags.ignore,
    });
    this.out(n.name);
  }
}
