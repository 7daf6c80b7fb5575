import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class VolumeCreate extends TspodCommand {
  static override summary = 'Create a new volume';
  static override description = 'Creates an empty volume under the storage root (volumes/NAME/_data) and prints its name; without NAME a random name is used. '
    + 'With --opt type=bind --opt device=/host/dir the volume is that host directory; with --opt type=tmpfs the volume is a tmpfs mounted when a container uses it.';
  static override args = { name: Args.string({ ignoreStdin: true, description: 'volume name (default: random)', required: false }) };
  static override flags = {
    driver: Flags.string({ char: 'd', description: 'Specify volume driver name', default: 'local' }),
    label: Flags.string({ char: 'l', multiple: true, multipleNonGreedy: true, description: 'Set metadata for a volume (e.g., --label mykey=value)' }),
    opt: Flags.string({ char: 'o', multiple: true, multipleNonGreedy: true, description: 'Set driver specific options: type=tmpfs|bind, device=PATH, o=OPTIONS, uid=N, gid=N, nocopy' }),
    ignore: Flags.boolean({ description: "Don't fail if volume already exists" }),
  };
  static override examples = [
    '<%= config.bin %> volume create mydata',
    '<%= config.bin %> volume create --label app=web --opt type=tmpfs --opt o=size=64m scratch',
    '<%= config.bin %> volume create --opt type=bind --opt device=/srv/data hostdata',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(VolumeCreate);
    const { createVolume } = await import('../../engine/volumes.js');
    const v = await createVolume({ name: args.name, driver: flags.driver, labels: flags.label, opts: flags.opt, ignore: flags.ignore });
    this.out(v.Name);
  }
}
