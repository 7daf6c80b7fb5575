import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeExec extends TspodCommand {
  static override summary = 'Run a command in a running container of a service';
  static override description = `Runs COMMAND in the service's container number --index (default 1). A terminal is allocated when standard input is one (unless -T); standard input is forwarded.

Exit status: the command's exit code; 125 when the service has no running container.`;
  static override strict = false;
  static override args = {
    service: Args.string({ description: 'The service', required: true }),
    command: Args.string({ description: 'Command and arguments' }),
  };
  static override examples = [
    { description: 'A shell in web', command: '<%= config.bin %> compose exec web sh' },
    { description: 'A query in the second db container, without a terminal', command: '<%= config.bin %> compose exec -T --index 2 db psql -c "select 1"' },
  ];
  static override flags = {
    ...composeFlags,
    'no-TTY': Flags.boolean({ char: 'T', description: 'Do not allocate a terminal (default: one when standard input is a terminal)' }),
    detach: Flags.boolean({ char: 'd', description: 'Run the command in the background' }),
    env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'Set an environment variable (KEY=VALUE)' }),
    user: Flags.string({ char: 'u', description: 'Run as this user' }),
    workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
    index: Flags.integer({ description: 'Container number of the service (default 1)', min: 1 }),
    privileged: Flags.boolean({ description: 'Give the process extended privileges' }),
    interactive: Flags.boolean({ char: 'i', default: true, allowNo: true, description: 'Keep standard input open (default true)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeExec);
    const [service, ...command] = argv as string[];
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { execService } = await import('../../compose/oneoff.js');
    const tty = !flags['no-TTY'] && !flags.detach && !!process.stdin.isTTY;
    process.exitCode = await execService(name, project, {
      service: service!, command, index: flags.index, tty, interactive: flags.interactive && !flags.detach, detach: flags.detach,
      env: flags.env, user: flags.user, workdir: flags.workdir, privileged: flags.privileged,
      io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    });
  }
}
