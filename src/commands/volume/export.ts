import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class VolumeExport extends TspodCommand {
  static override summary = 'Export the content of a volume as a tar archive';
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: true }) };
  static override flags = { output: Flags.string({ char: 'o', description: 'Write to a specified file (default: stdout, which must be redirected)' }) };
  static override examples = ['<%= config.bin %> volume export mydata > mydata.tar', '<%= config.bin %> volume export -o mydata.tar mydata'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(VolumeExport);
    const { exportVolume } = await import('../../engine/volumes.js');
    const file = flags.output && flags.output !== '-' && flags.output !== '/dev/stdout' ? flags.output : undefined;
    await exportVolume(args.volume, { file });
  }
}
