import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';
import { humanSize, renderList } from '../../cli/output.js';

export default class ComposeImages extends TspodCommand {
  static override summary = 'List the images used by a Compose project\'s containers';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'The images of the project', command: '<%= config.bin %> compose images' }];
  static override flags = {
    ...composeFlags,
    quiet: Flags.boolean({ char: 'q', description: 'Only display image IDs' }),
    format: Flags.option({ options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format: table or json' })(),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeImages);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { serviceContainers } = await import('../../compose/lifecycle.js');
    const { containerImages } = await import('../../compose/inventory.js');
    const list = await containerImages(await serviceContainers(name, project, { services: argv as string[] }));
    if (flags.quiet) return this.out([...new Set(list.map((i) => i.ID))].join('\n'));
    if (flags.format === 'json') return this.out(JSON.stringify(list));
    const items = list.map((i) => ({ ...i, ID: i.ID.slice(0, 12), Size: humanSize(i.Size) }));
    this.out(renderList(items, { columns: [{ header: 'CONTAINER', field: 'ContainerName' }, { header: 'REPOSITORY', field: 'Repository' }, { header: 'TAG', field: 'Tag' }, { header: 'IMAGE ID', field: 'ID' }, { header: 'SIZE', field: 'Size' }] }));
  }
}
