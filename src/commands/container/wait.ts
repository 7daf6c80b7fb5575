import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerWait extends TspodCommand {
  static override summary = 'Block until one or more containers stop, then print their exit codes';
  static override aliases = ['wait'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = {
    condition: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Condition to wait on (stopped: not running, exited, running, created, paused)', default: ['stopped'] }),
    ignore: Flags.boolean({ description: 'Ignore missing containers and print -1' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerWait);
    const { waitContainer } = await import('../../engine/container/exec.js');
    for (const n of argv as string[]) {
      try { this.out(String(await waitContainer(n, flags.condition))); } catch (err) {
        if (flags.ignore) { this.out('-1'); continue; }
        throw err;
      }
    }
  }
}
