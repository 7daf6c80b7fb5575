import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList } from '../../cli/output.js';

export default class ComposeLs extends TspodCommand {
  static override summary = 'List the Compose projects';
  static override description = 'Projects are found by their containers\' com.docker.compose.project label: NAME, STATUS (containers per state, e.g. "running(2)") and CONFIG FILES. Only projects with a running container unless -a.';
  static override examples = [
    { description: 'Every project, stopped ones too', command: '<%= config.bin %> compose ls -a' },
    { description: 'As JSON', command: '<%= config.bin %> compose ls --format json' },
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show stopped projects too' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only display project names' }),
    format: Flags.option({ options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format: table or json' })(),
    filter: Flags.string({ multiple: true, description: 'Filter: name=NAME' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ComposeLs);
    const { listProjects } = await import('../../compose/inventory.js');
    let list = await listProjects(flags.all);
    for (const f of flags.filter ?? []) {
      const m = /^name=(.*)$/.exec(f);
      if (!m) this.fail(`invalid filter "${f}": only name=NAME is supported`);
      list = list.filter((p) => p.Name.includes(m[1]!));
    }
    if (flags.quiet) return this.out(list.map((p) => p.Name).join('\n'));
    if (flags.format === 'json') return this.out(JSON.stringify(list));
    this.out(renderList(list, { columns: [{ header: 'NAME', field: 'Name' }, { header: 'STATUS', field: 'Status' }, { header: 'CONFIG FILES', field: 'ConfigFiles' }] }));
  }
}
