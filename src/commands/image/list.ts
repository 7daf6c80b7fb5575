import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { imagesAction } from '../../cli/actions/images.js';

export default class ImageList extends TspodCommand {
  static override summary = 'List images in local storage';
  static override aliases = ['images', 'image:ls'];
  static override args = { image: Args.string({ ignoreStdin: true, description: 'only this image (a reference, as --filter reference=)', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all images (default hides intermediate images)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Display only image IDs' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output based on conditions provided (dangling, label, reference, id, digest, before, since, containers)' }),
    format: Flags.string({ description: "Pretty-print images using a Go template, or 'json'" }),
    digests: Flags.boolean({ description: 'Show digests' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate output' }),
    noheading: Flags.boolean({ char: 'n', description: 'Do not print column headings' }),
    sort: Flags.option({ options: ['created', 'id', 'repository', 'size', 'tag'] as const, default: 'created', description: 'Sort by created, id, repository, size or tag' })(),
  };
  static override examples = ['<%= config.bin %> images', '<%= config.bin %> images --format "{{.Repository}}:{{.Tag}} {{.ID}}"', '<%= config.bin %> images -q --filter dangling=true'];

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ImageList);
    await imagesAction(flags as Record<string, unknown>, argv as string[]);
  }
}
