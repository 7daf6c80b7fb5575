import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { pruneImages } from '../../engine/images.js';

export default class ImagePrune extends TspodCommand {
  static override summary = 'Remove unused images';
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all images not in use by containers, not just dangling ones' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Provide filter values' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ImagePrune);
    const pruned = await pruneImages({ all: flags.all, filters: flags.filter });
    this.out(pruned.map((p) => p.id).join('\n'));
  }
}
