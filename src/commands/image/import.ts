import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { importImage } from '../../engine/import.js';

export default class ImageImport extends TspodCommand {
  static override summary = 'Import a tarball (a root filesystem) to create an image';
  static override aliases = ['import'];
  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'tarball path, URL, or - for stdin', required: true }),
    reference: Args.string({ ignoreStdin: true, description: 'name for the new image', required: false }),
  };
  static override flags = {
    change: Flags.string({ char: 'c', multiple: true, multipleNonGreedy: true, description: 'Apply a Containerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' }),
    message: Flags.string({ char: 'm', description: 'Commit message for the imported image' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress output' }),
  };
  static override examples = ['<%= config.bin %> import rootfs.tar localhost/mybase:1', 'cat rootfs.tar | <%= config.bin %> import - mybase --change "CMD [\\"/bin/sh\\"]"'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ImageImport);
    const { withSpinner } = await import('../../cli/spinner.js');
    const rep = await withSpinner(`Importing ${args.path}`, { quiet: flags.quiet }, () => importImage({ source: args.path, reference: args.reference, changes: flags.change, message: flags.message }),
      (r) => `Imported ${args.path} as ${args.reference ?? r.id.slice(0, 12)}`);
    this.out(flags.quiet ? rep.id : `${rep.id}`);
  }
}
