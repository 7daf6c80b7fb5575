import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeReporter } from '../../cli/compose-project.js';

export default class ComposePush extends TspodCommand {
  static override summary = 'Push the images of a Compose project\'s services';
  static override description = 'Pushes the image: of each service that names one (typically built with "compose build"). Exit status: 0; 1 when an image failed with --ignore-push-failures; 125 otherwise on failure.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Build and push web', command: '<%= config.bin %> compose build web && <%= config.bin %> compose push web' }];
  static override flags = {
    ...composeFlags,
    'ignore-push-failures': Flags.boolean({ description: 'Push what can be pushed, warn about the rest' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print nothing but errors' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposePush);
    const c = await import('../../compose/index.js');
    const { pushServices } = await import('../../compose/images.js');
    const services = argv as string[];
    const project = c.enableServices(c.loadProject(composeLoadOptions(flags)), services);
    for (const w of project.warnings) this.warn2(w);
    if (await pushServices(project, { services, ignoreFailures: flags['ignore-push-failures'], quiet: flags.quiet }, composeReporter(this))) process.exitCode = 1;
  }
}
