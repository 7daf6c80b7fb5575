import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList } from '../../cli/output.js';

export default class VolumeLs extends TspodCommand {
  static override summary = 'List volumes';
  static override aliases = ['volume:list'];
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter volume output (name, label, dangling, driver, opt, scope, until, anonymous)' }),
    format: Flags.string({ description: "Format volume output using JSON or a Go template" }),
    quiet: Flags.boolean({ char: 'q', description: 'Print volume output in quiet mode (names only)' }),
    noheading: Flags.boolean({ description: 'Do not print headers' }),
  };
  static override examples = ['<%= config.bin %> volume ls --filter label=app=web', "<%= config.bin %> volume ls --format '{{.Name}} {{.Mountpoint}}'"];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(VolumeLs);
    const { listVolumes } = await import('../../engine/volumes.js');
    const rows = listVolumes({ filters: flags.filter });
    this.out(renderList(rows, {
      format: flags.format, quiet: flags.quiet, quietField: 'Name', noHeading: flags.noheading,
      columns: [{ header: 'DRIVER', field: 'Driver' }, { header: 'VOLUME NAME', field: 'Name' }],
      headers: { Name: 'VOLUME NAME', CreatedAt: 'CREATED AT' },
    }));
  }
}
