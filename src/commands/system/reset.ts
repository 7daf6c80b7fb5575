import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { confirm } from '../../cli/confirm.js';
import { reset } from '../../engine/system.js';
import { paths } from '../../util/paths.js';

export default class SystemReset extends TspodCommand {
  static override summary = 'Reset tspod storage: remove all containers, images, volumes and state';
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }) };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(SystemReset);
    if (!flags.force && process.stdin.isTTY) {
      if (!(await confirm(`WARNING! This will remove all containers, images, volumes and state under ${paths().root} and ${paths().runroot}.`))) return;
    }
    await reset();
  }
}
