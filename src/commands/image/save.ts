import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { saveImages, type SaveFormat } from '../../engine/archive.js';
import { withSpinner } from '../../cli/spinner.js';

export default class ImageSave extends TspodCommand {
  static override summary = 'Save image(s) to an archive';
  static override description = 'Write one or more images to a docker-archive (default), oci-archive, oci-dir or docker-dir, on a file or on stdout. The archive can be read by `tspod load`, `podman load`, `docker load` and `skopeo copy`.';
  static override aliases = ['save'];
  static override strict = false;
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID (more names: extra tags, or images with -m)', required: true }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Write to a specified file (default: stdout, which must be redirected)' }),
    format: Flags.string({ description: 'Save image to docker-archive, oci-archive (OCI layout in a tar), oci-dir (OCI layout directory) or docker-dir (dir transport)', default: 'docker-archive' }),
    compress: Flags.boolean({ description: 'Compress tarball image layers when saving to a directory using the dir transport (docker-dir)' }),
    'multi-image-archive': Flags.boolean({ char: 'm', description: 'Interpret additional arguments as images not tags and create a multi-image archive (docker-archive only)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress the output' }),
    uncompressed: Flags.boolean({ description: 'Write the layers uncompressed (oci-archive, oci-dir)' }),
  };
  static override examples = [
    '<%= config.bin %> save -o busybox.tar busybox',
    '<%= config.bin %> save --format oci-archive -o busybox-oci.tar busybox',
    '<%= config.bin %> save -m -o both.tar busybox alpine',
    '<%= config.bin %> save busybox | gzip > busybox.tar.gz',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ImageSave);
    const what = `${(argv as string[]).join(', ')} (${flags.format}) to ${flags.output ?? 'stdout'}`;
    await withSpinner(`Writing ${what}`, { quiet: flags.quiet }, () => saveImages({
      names: argv as string[],
      output: flags.output,
      format: flags.format as SaveFormat,
      compress: flags.compress,
      uncompressed: flags.uncompressed,
      multiImageArchive: flags['multi-image-archive'],
    }), () => `Wrote ${what}`);
  }
}
