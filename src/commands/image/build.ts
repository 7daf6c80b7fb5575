import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

const POLICIES = ['always', 'missing', 'never', 'newer', 'true', 'false'];

export default class ImageBuild extends TspodCommand {
  static override summary = 'Build an image from a Containerfile or Dockerfile';
  static override description = 'Builds an image rootless, without a daemon: each RUN runs in a container under runc, each step is cached as a layer.';
  static override aliases = ['build'];
  static override args = { context: Args.string({ ignoreStdin: true, description: 'context directory, or - to read a tar archive (or a bare Containerfile) from stdin', required: false }) };
  static override flags = {
    tag: Flags.string({ char: 't', multiple: true, multipleNonGreedy: true, description: 'Name (and tag) for the resulting image; may be repeated' }),
    file: Flags.string({ char: 'f', description: 'Containerfile to use (default: Containerfile, else Dockerfile, in the context); - reads stdin' }),
    'build-arg': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'ARG value KEY=VALUE (KEY alone takes it from the environment)' }),
    'build-arg-file': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'File of KEY=VALUE build args, one per line' }),
    target: Flags.string({ description: 'Build this stage (and the stages it needs) and make it the image' }),
    'no-cache': Flags.boolean({ description: 'Do not use cached layers: run every step again' }),
    pull: Flags.string({ description: 'Pull the base images: missing (default), always, never or newer' }),
    'pull-always': Flags.boolean({ hidden: true, description: 'Same as --pull=always' }),
    'pull-never': Flags.boolean({ hidden: true, description: 'Same as --pull=never' }),
    label: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Add a label KEY=VALUE to the image' }),
    annotation: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Add an annotation KEY=VALUE to the image manifest (oci format)' }),
    network: Flags.string({ description: 'Network for RUN instructions: slirp4netns (default, outbound access), host or none' }),
    secret: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Secret for RUN --mount=type=secret: id=ID,src=PATH (or env=VAR)' }),
    platform: Flags.string({ description: 'Target platform (only the native linux/amd64 is supported)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print only the image ID' }),
    layers: Flags.string({ description: 'Cache intermediate layers (true, default); false runs without the cache and commits one layer' }),
    squash: Flags.boolean({ description: 'Squash the layers the build adds into one' }),
    iidfile: Flags.string({ description: 'Write the image ID to this file' }),
    format: Flags.string({ description: 'Manifest and config format: oci (default) or docker' }),
    rm: Flags.string({ description: 'Remove intermediate containers after a build (default true; tspod leaves none behind)' }),
    'force-rm': Flags.boolean({ description: 'Always remove intermediate containers (tspod leaves none behind)' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates when pulling base images' }),
  };
  static override examples = [
    '<%= config.bin %> build -t myapp:1 .',
    '<%= config.bin %> build -f Containerfile.dev --build-arg VERSION=2 --target runtime -t app .',
    'tar -c . | <%= config.bin %> build -t app -',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ImageBuild);
    let context = args.context;
    let pull: string | undefined = flags.pull;
    // `--pull DIR` (Podman's bare --pull means always)
    if (pull !== undefined && !POLICIES.includes(pull.toLowerCase())) {
      if (context === undefined) { context = pull; pull = 'always'; } else this.fail(`invalid --pull "${pull}": use missing, always, never or newer`);
    }
    if (flags['pull-always']) pull = 'always';
    if (flags['pull-never']) pull = 'never';
    const bool = (v: string | undefined, name: string, dflt: boolean): boolean => {
      if (v === undefined || v === '') return dflt;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      return this.fail(`invalid --${name} "${v}": use true or false`);
    };
    const { buildImage } = await import('../../engine/build.js');
    const { abortOnSignals, signalExitCode } = await import('../../cli/signals.js');
    const interrupt = abortOnSignals();
    const r = await buildImage({
      context, file: flags.file, tags: flags.tag, buildArgs: flags['build-arg'], buildArgFiles: flags['build-arg-file'],
      target: flags.target, noCache: flags['no-cache'], pull: pull?.toLowerCase(), labels: flags.label, annotations: flags.annotation,
      network: flags.network, secrets: flags.secret, platform: flags.platform, quiet: flags.quiet, layers: bool(flags.layers, 'layers', true),
      squash: flags.squash, iidfile: flags.iidfile, format: flags.format, tlsVerify: flags['tls-verify'], signal: interrupt.signal,
    }).catch((err: unknown) => {
      const sig = interrupt.received();
      if (!sig) throw err;
      throw Object.assign(new Error(`build interrupted (${sig})`), { exitCode: signalExitCode(sig) });
    }).finally(() => interrupt.dispose());
    bool(flags.rm, 'rm', true);
    this.out(r.id);
  }
}
