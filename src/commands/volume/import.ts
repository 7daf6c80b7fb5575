import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class VolumeImport extends TspodCommand {
  static override summary = 'Import a tar archive into a volume';
  static override description = 'Unpacks a tar archive (plain or gzip) into an existing volume, on top of its content. SOURCE "-" reads the archive from stdin.';
  static override args = {
    volume: Args.string({ ignoreStdin: true, description: 'volume name', required: true }),
    source: Args.string({ ignoreStdin: true, description: 'tar archive, or - for stdin', required: true }),
  };
  static override examples = ['<%= config.bin %> volume import mydata mydata.tar', 'gzip -dc data.tgz | <%= config.bin %> volume import mydata -'];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(VolumeImport);
    const { importVolume } = await import('../../engine/volumes.js');
    await importVolume(args.volume, args.source);
  }
}
