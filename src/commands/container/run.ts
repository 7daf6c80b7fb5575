import { Args } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { createFlags, toCreateOptions } from '../../cli/create-flags.js';
import { makeProgress } from '../../cli/progress.js';
import { Flags } from '@oclif/core';

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
    quiet: Flags.boolean({ char: 'q', description: 'Suppress output information when pulling images' }),
  };
  static override examples = [
    '<%= config.bin %> run --rm 127.0.0.1:5000/library/busybox echo hello',
    '<%= config.bin %> run -d --name web -p 8080:80 IMAGE httpd -f -p 80',
    '<%= config.bin %> run -it IMAGE sh',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRun);
    const [image, ...command] = argv as string[];
    const opts = toCreateOptions(image!, command, flags as Record<string, unknown>);
    const { createContainer, startContainer, followUntilExit, removeContainers } = await import('../../engine/containers.js');
    const progress = makeProgress({ quiet: flags.quiet });
    const rep = await createContainer(opts, (e) => progress.event(e as never));
    progress.stop();
    for (const w of rep.warnings) this.warn2(w);
    try {
      await startContainer(rep.id);
    } catch (err) {
      if (opts.rm) await removeContainers([rep.id], { force: true }).catch(() => undefined);
      throw err;
    }
    if (flags.detach) { this.out(rep.id); return; }
    if (opts.interactive || opts.tty) {
      const { attachContainer } = await import('../../engine/attach.js');
      process.exitCode = await attachContainer(rep.id, { stdin: !!opts.interactive, tty: !!opts.tty, detachKeys: opts.detachKeys, waitExit: true });
      return;
    }
    process.exitCode = await followUntilExit(rep.id, { stdout: process.stdout, stderr: process.stderr });
  }
}
