import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerExec extends TspodCommand {
  static override summary = 'Run a process in a running container';
  static override aliases = ['exec'];
  static override strict = false;
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }),
    command: Args.string({ ignoreStdin: true, description: 'command and arguments', required: false }),
  };
  static override flags = {
    interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open' }),
    tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY' }),
    detach: Flags.boolean({ char: 'd', description: 'Run the exec session in detached mode' }),
    env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'Set environment variables' }),
    'env-file': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Read environment variables from a file' }),
    user: Flags.string({ char: 'u', description: 'Run as this user (name|uid[:group|gid])' }),
    workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
    privileged: Flags.boolean({ description: 'Give extended privileges to the process' }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerExec);
    const words = argv as string[];
    let container: string | undefined;
    if (flags.latest) {
      // -l: the latest container; every word is the command
      const { listContainers } = await import('../../engine/container/state.js');
      container = (await listContainers({ latest: true }))[0]?.Id;
      if (!container) this.fail('no containers to act on with --latest');
    } else container = words.shift();
    const command = words;
    const { execInContainer } = await import('../../engine/container/exec.js');
    process.exitCode = await execInContainer(container!, {
      command, interactive: flags.interactive, tty: flags.tty, detach: flags.detach, env: flags.env, envFile: flags['env-file'], user: flags.user, workdir: flags.workdir, privileged: flags.privileged,
    });
  }
}
