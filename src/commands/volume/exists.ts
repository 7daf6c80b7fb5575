import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class VolumeExists extends TspodCommand {
  static override summary = 'Check if a volume exists (exit 0 if it does, 1 if not)';
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: true }) };
  async run(): Promise<void> {
    const { args } = await this.parseCmd(VolumeExists);
    const { volumeExists } = await import('../../engine/volumes.js');
    if (!volumeExists(args.volume)) process.exitCode = 1;
  }
}
