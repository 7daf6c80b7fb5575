import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerCp extends TspodCommand {
  static override summary = 'Copy files/folders between a container and the local filesystem';
  static override description = 'SRC and DEST are CONTAINER:PATH or a local path (a local path containing ":" must start with "/" or "./"); "-" is a tar stream on stdin or stdout. '
    + 'Works for running and stopped containers. Docker\'s rules apply: a directory copied onto an existing directory goes into it, or only its content with SRC ending in "/."; '
    + 'a DEST ending in "/" must be an existing directory when SRC is a file. Paths inside the container are resolved inside it: its symlinks never lead out of it, '
    + 'and paths under its volumes, bind mounts and (running) tmpfs mounts reach those; a stopped container\'s tmpfs gets what is copied below it when it starts. '
    + 'A tar on stdin may be gzip-compressed; what lands in a container belongs to its user (--archive, the default), in the container\'s own ids.';
  static override aliases = ['cp'];
  static override args = {
    src: Args.string({ ignoreStdin: true, description: 'source: CONTAINER:PATH, a local path, or - (a tar stream on stdin)', required: true }),
    dest: Args.string({ ignoreStdin: true, description: 'destination: CONTAINER:PATH, a local path, or - (a tar stream on stdout)', required: true }),
  };
  static override flags = {
    archive: Flags.boolean({ char: 'a', description: 'Chown copied files to the primary uid/gid of the destination container', default: true, allowNo: true }),
    pause: Flags.boolean({ allowNo: true, default: true, description: 'Pause the container while copying (accepted for Podman compatibility; tspod copies through the container\'s mounted filesystem without pausing)' }),
    overwrite: Flags.boolean({ description: 'Allow to overwrite directories with non-directories and vice versa' }),
  };
  static override examples = [
    '<%= config.bin %> cp web:/etc/nginx/nginx.conf ./nginx.conf',
    '<%= config.bin %> cp ./site/. web:/usr/share/nginx/html',
    '<%= config.bin %> cp web:/var/log - | tar -t',
    'tar -c conf | <%= config.bin %> cp - web:/etc',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerCp);
    const { copy } = await import('../../engine/cp.js');
    await copy(args.src, args.dest, { archive: flags.archive, overwrite: flags.overwrite });
  }
}
