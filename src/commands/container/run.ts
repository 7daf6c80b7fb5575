import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { createFlags } from '../../cli/create-flags.js';
import { runAction } from '../../cli/actions/run.js';
import { Flags } from '../../cli/params.js';

export default class ContainerRun extends TspodCommand {
  static override summary = 'Run a command in a new container';
  static override aliases = ['run'];
  static override strict = false;
  // ignoreStdin: oclif would otherwise read a piped stdin as a missing argument (the
  // container's command, which is split off before oclif sees it) and swallow it:
  // `echo hi | tspod run -i IMAGE cat` must give stdin to the container
  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'image to run', required: true }),
    command: Args.string({ ignoreStdin: true, description: 'command and arguments (default: the image ENTRYPOINT/CMD)', required: false }),
  };
  static override flags = {
    ...createFlags,
    detach: Flags.boolean({ char: 'd', description: 'Run the container in the background and print its ID' }),
    attach: Flags.string({ char: 'a', multiple: true, multipleNonGreedy: true, description: 'Attach only these streams (stdin, stdout, stderr; repeatable or comma-separated); with neither stdout nor stderr the container ID is printed' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress output information when pulling images' }),
    'preserve-fds': Flags.integer({ min: 0, description: 'Pass N more file descriptors (3 to 3+N-1) to the container process' }),
    rmi: Flags.boolean({ description: 'Remove the image after the container exits, unless another container uses it (implies --rm)' }),
  };
  static override examples = [
    '<%= config.bin %> run --rm 127.0.0.1:5000/library/busybox echo hello',
    '<%= config.bin %> run -d --name web -p 8080:80 IMAGE httpd -f -p 80',
    '<%= config.bin %> run -it IMAGE sh',
    '<%= config.bin %> run -a stderr IMAGE sh -c "echo out; echo err >&2"',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRun);
    await runAction(flags as Record<string, unknown>, argv as string[]);
  }
}
