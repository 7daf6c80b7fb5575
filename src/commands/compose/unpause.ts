import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeUnpause extends TspodCommand {
  static override summary = 'Unpause the paused containers of a Compose project\'s services';
  static override description = 'Thaws the containers "compose pause" froze. Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Unpause the project', command: '<%= config.bin %> compose unpause' }];
  static override flags = { ...composeFlags };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeUnpause);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'unpause', { services: argv as string[] }, r);
    if (failed) process.exitCode = 1;
  }
}
