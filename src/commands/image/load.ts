import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { loadImages } from '../../engine/archive.js';
import { withSpinner } from '../../cli/spinner.js';

export default class ImageLoad extends TspodCommand {
  static override summary = 'Load image(s) from a tar archive';
  static override description = 'Read images from a docker-archive or oci-archive (plain or gzip-compressed), or from an oci-dir or docker-dir directory, as written by `tspod save`, `podman save`, `docker save` or `skopeo copy`. Every layer is verified against the image config before anything is stored.';
  static override aliases = ['load'];
  static override args = {};
  static override flags = {
    input: Flags.string({ char: 'i', description: 'Read from specified archive file or directory, or an http(s) URL to download it from (default: stdin)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress the progress output' }),
  };
  static override examples = ['<%= config.bin %> load -i busybox.tar', '<%= config.bin %> load < busybox.tar', 'podman save busybox | <%= config.bin %> load'];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ImageLoad);
    const rep = await withSpinner(`Loading images from ${flags.input ?? 'stdin'}`, { quiet: flags.quiet }, () => loadImages({ input: flags.input }),
      (r) => `Loaded ${r.images.length} image${r.images.length === 1 ? '' : 's'} from ${flags.input ?? 'stdin'}`);
    const lines: string[] = [];
    for (const img of rep.images) {
      if (img.names.length === 0) lines.push(`Loaded image: sha256:${img.id}`);
      for (const n of img.names) lines.push(`Loaded image: ${n}`);
    }
    this.out(lines.join('\n'));
  }
}
