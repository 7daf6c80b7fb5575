import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerStart extends TspodCommand {
  static override summary = 'Start one or more containers';
  static override aliases = ['start'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = {
    attach: Flags.boolean({ char: 'a', description: "Attach the container's STDOUT and STDERR" }),
    interactive: Flags.boolean({ char: 'i', description: 'Attach STDIN' }),
    'detach-keys': Flags.string({ description: 'Key sequence for detaching' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerStart);
    const { startContainer } = await import('../../engine/container/start.js');
    const names = argv as string[];
    if (flags.attach && names.length > 1) this.fail('you cannot start and attach multiple containers at once');
    let failed: Error | undefined;
    for (const n of names) {
      try {
        if (flags.attach) { const { startAttached } = await import('../../engine/container/run.js'); process.exitCode = await startAttached(n, { interactive: flags.interactive, detachKeys: flags['detach-keys'] }); continue; }
        const r = await startContainer(n);
        await r.notified;
        this.out(n);
      } catch (err) {
        if (failed) process.stderr.write(`Error: ${failed.message}\n`);
        failed = err as Error;
      }
    }
    if (failed) throw failed;
  }
}
