import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';
import { renderList } from '../../cli/output.js';

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

export default class ComposePs extends TspodCommand {
  static override summary = 'List the containers of a Compose project';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Only these services' }) };
  static override flags = {
    ...composeFlags,
    all: Flags.boolean({ char: 'a', description: 'Show all containers: stopped ones, and one-off containers of compose run' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only display container IDs' }),
    services: Flags.boolean({ description: 'Display the services' }),
    format: Flags.string({ default: 'table', description: 'Output format: table, json (one object per line), or a Go template ({{.Name}} {{.Service}} {{.State}} ...)' }),
    status: Flags.option({ options: STATES, multiple: true, description: 'Only containers in this state (repeatable; implies -a)' })(),
    filter: Flags.string({ multiple: true, description: 'Filter: status=STATE' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposePs);
    const { name } = await composeProjectName(composeLoadOptions(flags), () => undefined);
    const { projectContainers } = await import('../../compose/executor.js');
    const { LABELS } = await import('../../compose/names.js');
    const wanted = argv as string[];
    const states: string[] = [...(flags.status ?? [])];
    for (const f of flags.filter ?? []) {
      const m = /^status=(.+)$/.exec(f);
      if (!m || !STATES.includes(m[1]!)) this.fail(`invalid filter "${f}": use status=STATE (${STATES.join(', ')})`);
      states.push(m[1]!);
    }
    const rows = (await projectContainers(name, !!flags.all || states.length > 0))
      // one-off (`run`) containers only with -a, as Compose
      .filter((r) => flags.all || r.Labels[LABELS.oneoff] !== 'True')
      .filter((r) => (!wanted.length || wanted.includes(r.Labels[LABELS.service] ?? '')) && (!states.length || states.includes(r.State)));
    const service = (r: (typeof rows)[number]) => r.Labels[LABELS.service] ?? '';
    if (flags.quiet) return this.out(rows.map((r) => r.Id).join('\n'));
    if (flags.services) return this.out([...new Set(rows.map(service))].join('\n'));
    if (flags.format === 'json') {
      return this.out(rows.map((r) => JSON.stringify({
        ID: r.Id, Name: r.Names, Image: r.Image, Command: r.Command, Project: name, Service: service(r), State: r.State, Status: r.Status,
        ExitCode: r.ExitCode, Ports: r.Ports, Labels: r.Labels, CreatedAt: r.CreatedAt,
      })).join('\n'));
    }
    const items = rows.map((r) => ({ ID: r.Id, Name: r.Names, Names: r.Names, Image: r.Image, Command: `"${r.Command}"`, Project: name, Service: service(r), State: r.State, Status: r.Status, Health: /\((healthy|unhealthy|starting)\)/.exec(r.Status)?.[1] ?? '', ExitCode: r.ExitCode, Ports: r.Ports, Publishers: r.Ports, Labels: r.Labels, CreatedAt: r.CreatedAt }));
    this.out(renderList(items, { format: flags.format === 'table' ? undefined : flags.format, columns: ['Name', 'Image', 'Command', 'Service', 'Status', 'Ports'].map((f) => ({ header: f.toUpperCase(), field: f })) }));
  }
}
