import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class NetworkExists extends TspodCommand {
  static override summary = 'Check if a network exists (exit 0 if it does, 1 if not)';
  static override args = { network: Args.string({ ignoreStdin: true, description: 'network name or ID', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(NetworkExists);
    const { networkExists } = await import('../../engine/networks.js');
    if (!networkExists(args.network)) process.exitCode = 1;
  }
}
