import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeReporter } from '../../cli/compose-project.js';

export default class ComposePull extends TspodCommand {
  static override summary = 'Pull the images of a Compose project\'s services';
  static override description = 'Pulls the image: of each service. A service that can also be built only warns when its image cannot be pulled. Exit status: 0; 1 when an image failed with --ignore-pull-failures; 125 otherwise on failure.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Pull every image of the project', command: '<%= config.bin %> compose pull' }];
  static override flags = {
    ...composeFlags,
    'ignore-buildable': Flags.boolean({ description: 'Skip the services that have a build: section' }),
    'ignore-pull-failures': Flags.boolean({ description: 'Pull what can be pulled, warn about the rest' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print nothing but errors' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposePull);
    const c = await import('../../compose/index.js');
    const { pullServices } = await import('../../compose/images.js');
    const services = argv as string[];
    const project = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of project.warnings) this.warn2(w);
    if (await pullServices(project, { services, ignoreBuildable: flags['ignore-buildable'], ignoreFailures: flags['ignore-pull-failures'], quiet: flags.quiet }, composeReporter(this))) process.exitCode = 1;
  }
}
