import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeReporter } from '../../cli/compose-project.js';

export default class ComposeRun extends TspodCommand {
  static override summary = 'Run a one-off command on a service';
  static override description = `Creates a new container from the service's configuration, named <project>-<service>-run-<id> and labelled com.docker.compose.oneoff=True, starts the services it depends on (unless --no-deps) and runs COMMAND (default: the service's command) in it. The service's ports are published only with --service-ports; its restart policy does not apply. A terminal is allocated when standard input is one (unless -T).

Exit status: the command's exit code; 125 when the container could not be run.`;
  static override strict = false;
  static override args = {
    service: Args.string({ description: 'The service', required: true }),
    command: Args.string({ description: 'Command and arguments (default: the service\'s)' }),
  };
  static override examples = [
    { description: 'A shell in a new web container, removed on exit', command: '<%= config.bin %> compose run --rm web sh' },
    { description: 'A migration with an extra variable, without starting the dependencies', command: '<%= config.bin %> compose run --rm --no-deps -e DEBUG=1 web ./migrate' },
  ];
  static override flags = {
    ...composeFlags,
    // -p is --publish here, as in Docker Compose (the project is -p only before the subcommand)
    'project-name': Flags.string({ helpGroup: 'COMPOSE', description: composeFlags['project-name'].description }),
    rm: Flags.boolean({ description: 'Remove the container when it exits' }),
    detach: Flags.boolean({ char: 'd', description: 'Run in the background and print the container name' }),
    name: Flags.string({ description: 'Container name (default <project>-<service>-run-<id>)' }),
    env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'Set an environment variable (KEY=VALUE)' }),
    volume: Flags.string({ char: 'v', multiple: true, multipleNonGreedy: true, description: 'Bind mount a volume (as tspod run -v)' }),
    publish: Flags.string({ char: 'p', multiple: true, multipleNonGreedy: true, description: 'Publish a port (as tspod run -p)' }),
    'service-ports': Flags.boolean({ description: 'Publish the service\'s ports' }),
    user: Flags.string({ char: 'u', description: 'Run as this user' }),
    workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
    entrypoint: Flags.string({ description: 'Override the entrypoint' }),
    label: Flags.string({ char: 'l', multiple: true, multipleNonGreedy: true, description: 'Add a label (KEY=VALUE)' }),
    'no-deps': Flags.boolean({ description: 'Do not start the services it depends on' }),
    'no-TTY': Flags.boolean({ char: 'T', description: 'Do not allocate a terminal (default: one when standard input is a terminal)' }),
    interactive: Flags.boolean({ char: 'i', default: true, allowNo: true, description: 'Keep standard input open (default true)' }),
    build: Flags.boolean({ description: 'Build the image before running' }),
    'quiet-pull': Flags.boolean({ description: 'Pull without printing progress' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeRun);
    const [service, ...command] = argv as string[];
    const c = await import('../../compose/index.js');
    const { runService } = await import('../../compose/oneoff.js');
    const project = c.enableServices(c.loadProject(composeLoadOptions(flags)), [service!]);
    for (const w of project.warnings) this.warn2(w);
    const tty = !flags['no-TTY'] && !flags.detach && !!process.stdin.isTTY;
    const res = await runService(project, {
      service: service!, command, entrypoint: flags.entrypoint, name: flags.name, rm: flags.rm, detach: flags.detach,
      tty, interactive: flags.interactive && !flags.detach && (tty || !process.stdin.isTTY), env: flags.env, volume: flags.volume, publish: flags.publish,
      servicePorts: flags['service-ports'], user: flags.user, workdir: flags.workdir, labels: flags.label, noDeps: flags['no-deps'], build: flags.build,
    }, composeReporter(this));
    if (flags.detach) this.out(res.name);
    process.exitCode = res.exitCode;
  }
}
