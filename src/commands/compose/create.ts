import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions, parallelLimit } from '../../cli/compose-flags.js';
import { composeReporter } from '../../cli/compose-project.js';

export default class ComposeCreate extends TspodCommand {
  static override summary = 'Create the containers of a Compose project without starting them';
  static override description = 'As "compose up --no-start": networks, volumes, images and containers are made ready, nothing runs. Exit status: 0, or 125 with one line.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all), with their dependencies' }) };
  static override examples = [{ description: 'Create everything, start nothing', command: '<%= config.bin %> compose create' }];
  static override flags = {
    ...composeFlags,
    build: Flags.boolean({ description: 'Build images before creating containers', exclusive: ['no-build'] }),
    'no-build': Flags.boolean({ description: 'Do not build images, even when missing' }),
    pull: Flags.option({ options: ['always', 'missing', 'never', 'build'] as const, description: 'Pull images: always, missing (default), never, or build' })(),
    'force-recreate': Flags.boolean({ description: 'Recreate containers even if their configuration has not changed', exclusive: ['no-recreate'] }),
    'no-recreate': Flags.boolean({ description: 'Keep existing containers even if their configuration changed' }),
    'remove-orphans': Flags.boolean({ description: 'Remove containers of services no longer in the Compose file' }),
    scale: Flags.string({ multiple: true, description: 'Scale SERVICE to NUM containers (SERVICE=NUM)' }),
    'dry-run': Flags.boolean({ description: 'Say what would be done, create nothing' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeCreate);
    const c = await import('../../compose/index.js');
    const { withOverrides } = await import('../../compose/plan.js');
    const { up } = await import('../../compose/executor.js');
    const services = argv as string[];
    const loaded = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of loaded.warnings) this.warn2(w);
    const project = withOverrides(loaded, { scale: flags.scale, pull: flags.pull });
    await up(project, {
      services, noStart: true, build: flags.build, noBuild: flags['no-build'], forceRecreate: flags['force-recreate'], noRecreate: flags['no-recreate'],
      removeOrphans: flags['remove-orphans'], dryRun: flags['dry-run'], parallel: parallelLimit(flags),
    }, composeReporter(this));
  }
}
