import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeStart extends TspodCommand {
  static override summary = 'Start the existing containers of a Compose project\'s services';
  static override description = 'Starts the services\' stopped or created containers, dependencies first. Creates nothing: use "compose up" for that. Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Start every service', command: '<%= config.bin %> compose start' }, { description: 'Start web only', command: '<%= config.bin %> compose start web' }];
  static override flags = { ...composeFlags };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeStart);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'start', { services: argv as string[] }, r);
    if (failed) process.exitCode = 1;
  }
}
