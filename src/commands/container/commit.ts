import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerCommit extends TspodCommand {
  static override summary = 'Create new image based on the changed container';
  static override description = 'The new image is the container\'s image plus one layer holding the container\'s changes, with the container\'s command, '
    + 'entrypoint, environment, working directory, user, labels and exposed ports as its configuration (then --change applied). '
    + 'Rootless containers cannot be paused on cgroups v1, so --pause is accepted and the container is committed as it runs.';
  static override aliases = ['commit'];
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }),
    image: Args.string({ ignoreStdin: true, description: 'name of the new image (default: none, only an ID)', required: false }),
  };
  static override flags = {
    author: Flags.string({ char: 'a', description: 'Set the author for the image committed' }),
    change: Flags.string({ char: 'c', multiple: true, multipleNonGreedy: true, description: 'Apply the following possible instructions to the created image: CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR' }),
    format: Flags.option({ char: 'f', options: ['oci', 'docker'] as const, default: 'oci', description: 'Format of the image manifest and metadata' })(),
    message: Flags.string({ char: 'm', description: 'Set commit message for imported image' }),
    pause: Flags.boolean({ char: 'p', description: 'Pause container during commit (not possible rootless on cgroups v1: ignored with a warning)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress output' }),
    squash: Flags.boolean({ char: 's', description: 'squash newly built layers into a single new layer (not supported)' }),
    'include-volumes': Flags.boolean({ description: 'Include container volumes as image volumes' }),
  };
  static override examples = [
    '<%= config.bin %> commit web myweb:v2',
    "<%= config.bin %> commit -q -m 'add config' -c 'CMD [\"httpd\",\"-f\"]' web localhost/web:v3",
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerCommit);
    if (flags.squash) this.fail('--squash is not supported by tspod commit');
    const { commitContainer } = await import('../../engine/files.js');
    const rep = await commitContainer({
      container: args.container, image: args.image, author: flags.author, changes: flags.change, format: flags.format,
      message: flags.message, pause: flags.pause, includeVolumes: flags['include-volumes'],
      onProgress: flags.quiet ? undefined : (l) => process.stderr.write(`${l}\n`),
    });
    for (const w of rep.warnings) this.warn2(w);
    this.out(rep.id);
  }
}
