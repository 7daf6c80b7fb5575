import { Flags } from '@oclif/core';
import { stringify } from 'yaml';
import { TspodCommand } from '../cli/base.js';
import { renderObjects } from '../cli/output.js';
import { info } from '../engine/system.js';

export default class Info extends TspodCommand {
  static override summary = 'Display tspod related system information';
  static override aliases = ['system:info'];
  static override flags = { format: Flags.string({ char: 'f', description: "Change the output format to JSON or a Go template" }) };
  static override examples = ['<%= config.bin %> info', '<%= config.bin %> info --format "{{.Host.OCIRuntime.Name}}"'];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(Info);
    const i = await info();
    if (flags.format === 'json') { this.out(JSON.stringify(i, null, 4)); return; }
    if (flags.format) { this.out(renderObjects([i], flags.format)); return; }
    this.out(stringify(i));
  }
}
