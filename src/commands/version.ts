import { Flags } from '@oclif/core';
import { TspodCommand } from '../cli/base.js';
import { renderObjects } from '../cli/output.js';
import { version } from '../engine/system.js';

export default class Version extends TspodCommand {
  static override summary = 'Display the tspod version information';
  static override aliases = ['system:version'];
  static override flags = { format: Flags.string({ char: 'f', description: "Change the output format to JSON or a Go template" }) };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(Version);
    const v = version();
    if (flags.format === 'json') { this.out(JSON.stringify(v, null, 4)); return; }
    if (flags.format) { this.out(renderObjects([v], flags.format)); return; }
    const c = v.Client;
    this.out([`Version:      ${c.Version}`, `API Version:  ${c.APIVersion}`, `Node Version: ${c.NodeVersion}`, `OS/Arch:      ${c.OsArch}`].join('\n'));
  }
}
