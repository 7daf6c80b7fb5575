import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { untagImage } from '../../engine/images.js';

export default class ImageUntag extends TspodCommand {
  static override summary = 'Remove a name from a local image';
  static override aliases = ['untag'];
  static override strict = false;
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }) };
  static override examples = ['<%= config.bin %> untag busybox localhost/busybox:old'];

  async run(): Promise<void> {
    const { argv } = await this.parseCmd(ImageUntag);
    const [image, ...names] = argv as string[];
    await untagImage(image!, names);
  }
}
