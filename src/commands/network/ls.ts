import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList } from '../../cli/output.js';

export default class NetworkLs extends TspodCommand {
  static override summary = 'List networks';
  static override aliases = ['network:list'];
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output (name, id, driver, label, until, dangling)' }),
    format: Flags.string({ description: "Pretty-print networks to JSON or using a Go template" }),
    quiet: Flags.boolean({ char: 'q', description: 'Display only network names' }),
    noheading: Flags.boolean({ description: 'Do not print headers' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate the network ID' }),
  };
  static override examples = ['<%= config.bin %> network ls --filter label=app=web', "<%= config.bin %> network ls --format '{{.Name}} {{.Subnets}}'", '<%= config.bin %> network ls --format json'];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(NetworkLs);
    const { listNetworks, toRow } = await import('../../engine/networks.js');
    const nets = listNetworks({ filters: flags.filter });
    const { isJSONFormat } = await import('../../format/render.js');
    if (!flags.quiet && isJSONFormat(flags.format)) {
      // as Podman: the JSON form is the network records themselves (snake_case), templates see Go field names
      this.out(JSON.stringify(nets, null, 4));
      return;
    }
    this.out(renderList(nets.map((n) => toRow(n, flags['no-trunc'])), {
      format: flags.format, quiet: flags.quiet, quietField: 'Name', noHeading: flags.noheading,
      columns: [{ header: 'NETWORK ID', field: 'ID' }, { header: 'NAME', field: 'Name' }, { header: 'DRIVER', field: 'Driver' }],
      headers: { ID: 'NETWORK ID', NetworkInterface: 'NETWORK INTERFACE', IPv6Enabled: 'IPV6 ENABLED', DNSEnabled: 'DNS ENABLED' },
    }));
  }
}
