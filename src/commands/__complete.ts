// Hidden: `tspod __complete <words...>`, called by the shell completion
// scripts for arguments whose candidates live in tspod's state (containers,
// images, volumes, networks). Prints one candidate per line, or `:files` /
// `:dirs` to ask the shell for path completion. bin/tspod normally answers
// this through src/completion/fast.ts without loading oclif; this command is
// the same answer through the ordinary path.
import { Command } from '@oclif/core';
import { answer } from '../completion/fast.js';

export default class Complete extends Command {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Print completion candidates for a partial command line';
  static override args = {};
  static override flags = {};

  async run(): Promise<void> {
    // No this.parse(): the words are a command line being typed, not our flags.
    let text = '';
    try {
      text = answer(this.argv, this.config.root);
    } catch (err) {
      if (process.env['TSPOD_LOG_LEVEL'] === 'debug') process.stderr.write(`Error: completion failed: ${String((err as Error)?.message ?? err)}\n`);
    }
    if (text) process.stdout.write(text);
  }
}
