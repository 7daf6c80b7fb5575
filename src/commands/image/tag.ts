import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { tagImage } from '../../engine/images.js';

export default class ImageTag extends TspodCommand {
  static override summary = 'Add an additional name to a local image';
  static override aliases = ['tag'];
  static override strict = false;
  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }),
    target: Args.string({ ignoreStdin: true, description: 'new name(s)', required: true }),
  };
  static override examples = ['<%= config.bin %> tag busybox 127.0.0.1:5000/me/busybox:v1'];

  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ImageTag);
    const [image, ...targets] = argv as string[];
    await tagImage(image!, targets);
  }
}
