import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeReporter } from '../../cli/compose-project.js';
import { abortOnSignals } from '../../cli/signals.js';

export default class ComposeBuild extends TspodCommand {
  static override summary = 'Build the images of a Compose project\'s services';
  static override description = 'Builds every service that has a build: section (context, dockerfile, args, target, labels, no_cache, pull), tagged with its image: or <project>-<service>. Services without build: are skipped.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Rebuild web from scratch', command: '<%= config.bin %> compose build --no-cache web' }];
  static override flags = {
    ...composeFlags,
    'no-cache': Flags.boolean({ description: 'Do not use the build cache' }),
    pull: Flags.boolean({ description: 'Always pull the base images' }),
    'build-arg': Flags.string({ multiple: true, description: 'Set a build argument (KEY=VALUE), over the service\'s args' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print nothing but errors' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeBuild);
    const c = await import('../../compose/index.js');
    const { buildServices } = await import('../../compose/images.js');
    const services = argv as string[];
    const project = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of project.warnings) this.warn2(w);
    const sig = abortOnSignals();
    try {
      await buildServices(project, { services, noCache: flags['no-cache'], pull: flags.pull, buildArgs: flags['build-arg'], quiet: flags.quiet, stdout: process.stdout, stderr: process.stderr, signal: sig.signal }, composeReporter(this));
    } finally { sig.dispose(); }
  }
}
