import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions, parallelLimit } from '../../cli/compose-flags.js';
import { composeReporter, interruptSignals } from '../../cli/compose-project.js';

export default class ComposeUp extends TspodCommand {
  static override summary = 'Create and start the containers of a Compose project';
  static override description = `Converges the project: creates its networks and volumes, pulls or builds missing images, and creates and starts each service's containers, a service once the services it depends on are started (or healthy, or completed, as its depends_on condition says); independent services start in parallel. A container whose configuration hash still matches is left alone; one whose service changed is recreated, and the services that depend on it with restart: true (or share its namespaces) are stopped before it and started after it. Everything is validated before anything is created.

Attached (without -d), the output of every container is shown (with SERVICE..., only the named services' output, unless --attach-dependencies), each line prefixed with the container's name (coloured on a terminal), until the containers stop; Ctrl-C (or SIGTERM) stops them gracefully, a second Ctrl-C kills them, and up exits with 130.

Exit status: 0 on success; 125 when the project is invalid or a step failed (one line names it); with --exit-code-from or --abort-on-container-exit, the exit code of that container.`;
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services to start (default: all), with their dependencies' }) };
  static override examples = [
    { description: 'Start the project in the background', command: '<%= config.bin %> compose up -d' },
    { description: 'Start it in the foreground, following every container\'s output (Ctrl-C stops it)', command: '<%= config.bin %> compose up' },
    { description: 'Three containers of web, and wait until all are running and healthy', command: '<%= config.bin %> compose up -d --scale web=3 --wait' },
    { description: 'Run the tests and exit with their exit code', command: '<%= config.bin %> compose up --exit-code-from tests' },
    { description: 'Start web and what it depends on, showing the output of all of them', command: '<%= config.bin %> compose up --attach-dependencies web' },
    { description: 'Say what would be created, create nothing', command: '<%= config.bin %> compose up --dry-run' },
  ];
  static override flags = {
    ...composeFlags,
    detach: Flags.boolean({ char: 'd', description: 'Detached mode: start the containers in the background and return' }),
    build: Flags.boolean({ description: 'Build images before starting containers', exclusive: ['no-build'] }),
    'no-build': Flags.boolean({ description: 'Do not build images, even when missing' }),
    pull: Flags.option({ options: ['always', 'missing', 'never', 'build'] as const, description: 'Pull images before starting: always, missing (default), never, or build' })(),
    'quiet-pull': Flags.boolean({ description: 'Pull without printing progress' }),
    'force-recreate': Flags.boolean({ description: 'Recreate containers even if their configuration has not changed', exclusive: ['no-recreate'] }),
    'no-recreate': Flags.boolean({ description: 'Keep existing containers even if their configuration changed' }),
    'no-deps': Flags.boolean({ description: 'Do not start the services the named services depend on' }),
    'no-start': Flags.boolean({ description: 'Create the containers without starting them' }),
    'remove-orphans': Flags.boolean({ description: 'Remove containers of services no longer in the Compose file' }),
    scale: Flags.string({ multiple: true, description: 'Scale SERVICE to NUM containers (SERVICE=NUM; overrides deploy.replicas and scale)' }),
    wait: Flags.boolean({ description: 'Wait until every container is running, and healthy when it has a healthcheck (implies -d)' }),
    'wait-timeout': Flags.integer({ description: 'With --wait: give up after this many seconds' }),
    'abort-on-container-exit': Flags.boolean({ description: 'Stop all containers when one stops (attached mode)', exclusive: ['detach'] }),
    'exit-code-from': Flags.string({ description: 'Exit with the exit code of this service\'s container (implies --abort-on-container-exit)', exclusive: ['detach'] }),
    attach: Flags.string({ multiple: true, description: 'Show only these services\' output (attached mode)' }),
    'no-attach': Flags.string({ multiple: true, description: 'Do not show these services\' output (attached mode)' }),
    'attach-dependencies': Flags.boolean({ description: 'Also show the output of the services the named services depend on (attached mode; by default only the named services\' output is shown)', exclusive: ['detach'] }),
    'no-color': Flags.boolean({ description: 'Plain prefixes, no colour' }),
    'no-log-prefix': Flags.boolean({ description: 'Do not prefix the output with the container name' }),
    timestamps: Flags.boolean({ description: 'Show timestamps (attached mode)' }),
    timeout: Flags.integer({ char: 't', description: 'Seconds to wait for a container to stop when it is replaced or stopped' }),
    'dry-run': Flags.boolean({ description: 'Say what would be done, without creating, pulling, building or starting anything' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeUp);
    const c = await import('../../compose/index.js');
    const { withOverrides } = await import('../../compose/plan.js');
    const { up } = await import('../../compose/executor.js');
    const services = argv as string[];
    let project = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of project.warnings) this.warn2(w);
    project = withOverrides(project, { scale: flags.scale, pull: flags.pull });
    const exitFrom = flags['exit-code-from'];
    if (exitFrom && !project.services[exitFrom]) this.fail(`--exit-code-from: no such service: ${exitFrom}`);
    for (const s of [...(flags.attach ?? []), ...(flags['no-attach'] ?? [])]) if (!project.services[s]) this.fail(`no such service: ${s}`);
    const detach = flags.detach || flags.wait || flags['dry-run'];
    const reporter = composeReporter(this);
    const started = await up(project, {
      services, noDeps: flags['no-deps'], forceRecreate: flags['force-recreate'], noRecreate: flags['no-recreate'], removeOrphans: flags['remove-orphans'],
      noStart: flags['no-start'], build: flags.build, noBuild: flags['no-build'], timeout: flags.timeout, dryRun: flags['dry-run'], parallel: parallelLimit(flags),
    }, reporter);
    if (flags['dry-run'] || flags['no-start']) return;
    const att = await import('../../compose/attached.js');
    if (flags.wait) {
      const sig = interruptSignals();
      try {
        await att.waitReady(project, [...new Set(started.map((x) => x.service))], flags['wait-timeout'] !== undefined ? flags['wait-timeout'] * 1000 : undefined, sig.stop);
      } finally { sig.dispose(); }
      return;
    }
    if (detach) return;
    // as Compose: `up SERVICE...` shows the named services' output, their dependencies' too with --attach-dependencies
    const shown = services.length && !flags['attach-dependencies'] ? started.map((x) => x.service).filter((s) => services.includes(s)) : started.map((x) => x.service);
    const attachTo = flags.attach ?? shown.filter((s) => !(flags['no-attach'] ?? []).includes(s));
    const sig = interruptSignals();
    try {
      process.exitCode = await att.attachUp({
        project: project.name, containers: started, attach: attachTo, color: !flags['no-color'] && !!process.stdout.isTTY && !process.env['NO_COLOR'],
        noLogPrefix: flags['no-log-prefix'], timestamps: flags.timestamps, abortOnExit: flags['abort-on-container-exit'], exitCodeFrom: exitFrom,
        timeout: flags.timeout, stdout: process.stdout, stderr: process.stderr, stop: sig.stop, kill: sig.kill, onEvent: reporter.onEvent,
      });
    } finally { sig.dispose(); }
  }
}
