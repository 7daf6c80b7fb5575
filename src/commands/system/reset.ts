import { Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { reset } from '../../engine/system.js';
import { paths } from '../../util/paths.js';

export default class SystemReset extends TspodCommand {
  static override summary = 'Reset tspod storage: remove all containers, images, volumes and state';
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }) };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(SystemReset);
    if (!flags.force && process.stdin.isTTY) {
      process.stderr.write(`WARNING! This will remove all containers, images, volumes and state under ${paths().root} and ${paths().runroot}.\nAre you sure you want to continue? [y/N] `);
      const answer = await new Promise<string>((resolve) => process.stdin.once('data', (d) => resolve(String(d))));
      process.stdin.pause();
      if (!/^y(es)?$/i.test(answer.trim())) return;
    }
    await reset();
  }
}
