import { Args, Flags } from '@oclif/core';
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
    const { startContainer, followUntilExit } = await import('../../engine/container/index.js');
    const names = argv as string[];
    if (flags.attach && names.length > 1) this.fail('you cannot start and attach multiple containers at once');
    let failed: Error | undefined;
    for (const n of names) {
      try {
        const { ContainerStore } = await import('../../container/store.js');
        const store = new ContainerStore();
        const before = store.resolve(n);
        const fs = await import('node:fs');
        let offset = 0;
        try { offset = fs.statSync(store.readConfig(before.id).logPath).size; } catch { /* no log yet */ }
        if (flags.attach && (flags.interactive || store.readConfig(before.id).tty)) {
          // attach first, then `runc start` (attachContainer's start option), so no output is lost
          const { attachContainer } = await import('../../engine/attach.js');
          process.exitCode = await attachContainer(before.id, { stdin: flags.interactive, tty: false, detachKeys: flags['detach-keys'], waitExit: true, start: true });
          continue;
        }
        const r = await startContainer(n);
        if (flags.attach) process.exitCode = await followUntilExit(r.id, { stdout: process.stdout, stderr: process.stderr }, offset);
        else { await r.notified; this.out(n); }
      } catch (err) {
        if (failed) process.stderr.write(`Error: ${failed.message}\n`);
        failed = err as Error;
      }
    }
    if (failed) throw failed;
  }
}
