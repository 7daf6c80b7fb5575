import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportImageRemoval } from '../../cli/report.js';
import { removeImages } from '../../engine/images.js';

export default class ImageRm extends TspodCommand {
  static override summary = 'Remove one or more images from local storage';
  static override aliases = ['rmi', 'image:remove'];
  static override strict = false;
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: false }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Force removal of the image and any containers using it' }),
    all: Flags.boolean({ char: 'a', description: 'Remove all images' }),
    ignore: Flags.boolean({ char: 'i', description: 'Ignore errors if a specified image does not exist' }),
  };
  static override examples = ['<%= config.bin %> rmi busybox', '<%= config.bin %> image rm -f 1a2b3c4d5e6f'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ImageRm);
    const reports = await removeImages(argv as string[], { force: flags.force, all: flags.all, ignore: flags.ignore || flags.force }); // as Podman: --force also ignores images that do not exist
    reportImageRemoval(reports);
  }
}
