import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';
import { renderList } from '../../cli/output.js';

export default class ComposePs extends TspodCommand {
  static override summary = 'List the containers of a Compose project';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Only these services' }) };
  static override flags = {
    ...composeFlags,
    all: Flags.boolean({ char: 'a', description: 'Show all containers, stopped ones too' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only display container IDs' }),
    services: Flags.boolean({ description: 'Display the services' }),
    format: Flags.option({ options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format: table, or json (one object per line)' })(),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposePs);
    const { name } = await composeProjectName(composeLoadOptions(flags), () => undefined);
    const { projectContainers } = await import('../../compose/executor.js');
    const { LABELS } = await import('../../compose/names.js');
    const wanted = argv as string[];
    const rows = (await projectContainers(name, !!flags.all)).filter((r) => !wanted.length || wanted.includes(r.Labels[LABELS.service] ?? ''));
    const service = (r: (typeof rows)[number]) => r.Labels[LABELS.service] ?? '';
    if (flags.quiet) return this.out(rows.map((r) => r.Id).join('\n'));
    if (flags.services) return this.out([...new Set(rows.map(service))].join('\n'));
    if (flags.format === 'json') {
      return this.out(rows.map((r) => JSON.stringify({
        ID: r.Id, Name: r.Names, Image: r.Image, Command: r.Command, Project: name, Service: service(r), State: r.State, Status: r.Status,
        ExitCode: r.ExitCode, Ports: r.Ports, Labels: r.Labels, CreatedAt: r.CreatedAt,
      })).join('\n'));
    }
    const items = rows.map((r) => ({ Name: r.Names, Image: r.Image, Command: `"${r.Command}"`, Service: service(r), Status: r.Status, Ports: r.Ports }));
    this.out(renderList(items, { columns: ['Name', 'Image', 'Command', 'Service', 'Status', 'Ports'].map((f) => ({ header: f.toUpperCase(), field: f })) }));
  }
}
