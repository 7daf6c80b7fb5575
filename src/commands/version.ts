import { Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { versionAction } from '../cli/actions/version.js';

export default class Version extends TspodCommand {
  static override summary = 'Display the tspod version information';
  static override aliases = ['system:version'];
  static override flags = { format: Flags.string({ char: 'f', description: "Change the output format to JSON or a Go template" }) };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(Version);
    await versionAction(flags as Record<string, unknown>);
  }
}
