import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { imageExists } from '../../engine/images.js';

export default class ImageExists extends TspodCommand {
  static override summary = 'Check if an image exists in local storage (exit 0 if it does, 1 if not)';
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parseCmd(ImageExists);
    if (!imageExists(args.image)) process.exitCode = 1;
  }
}
