import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';

export default class ComposeUp extends TspodCommand {
  static override summary = 'Create and start the containers of a Compose project';
  static override description = 'Converges the project: creates its networks and volumes, pulls or builds missing images, and creates and starts each service\'s containers in dependency order. A container whose configuration hash still matches is left alone; one whose service changed is recreated. Everything is validated before anything is created.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services to start (default: all), with their dependencies' }) };
  static override examples = [{ description: 'Start the project in the background', command: '<%= config.bin %> compose up -d' }];
  static override flags = {
    ...composeFlags,
    detach: Flags.boolean({ char: 'd', description: 'Detached mode: start the containers and return (required for now)' }),
    build: Flags.boolean({ description: 'Build images before starting containers', exclusive: ['no-build'] }),
    'no-build': Flags.boolean({ description: 'Do not build images, even when missing' }),
    'force-recreate': Flags.boolean({ description: 'Recreate containers even if their configuration has not changed', exclusive: ['no-recreate'] }),
    'no-recreate': Flags.boolean({ description: 'Keep existing containers even if their configuration changed' }),
    'no-deps': Flags.boolean({ description: 'Do not start the services the named services depend on' }),
    'no-start': Flags.boolean({ description: 'Create the containers without starting them' }),
    'remove-orphans': Flags.boolean({ description: 'Remove containers of services no longer in the Compose file' }),
    timeout: Flags.integer({ char: 't', description: 'Seconds to wait for a container to stop when it is replaced' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeUp);
    if (!flags.detach) this.fail('tspod compose up runs detached only for now: use "tspod compose up -d", then "tspod compose logs -f"');
    const c = await import('../../compose/index.js');
    const { up } = await import('../../compose/executor.js');
    const services = argv as string[];
    const project = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of project.warnings) this.warn2(w);
    await up(project, {
      services, noDeps: flags['no-deps'], forceRecreate: flags['force-recreate'], noRecreate: flags['no-recreate'], removeOrphans: flags['remove-orphans'],
      noStart: flags['no-start'], build: flags.build, noBuild: flags['no-build'], timeout: flags.timeout,
    }, { onEvent: (l) => process.stderr.write(` ${l}\n`), onWarning: (l) => this.warn2(l) });
  }
}
