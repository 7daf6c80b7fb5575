import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeRestart extends TspodCommand {
  static override summary = 'Restart the containers of a Compose project\'s services';
  static override description = 'Stops (when running) and starts each container of the services again. Configuration changes are not applied: use "compose up" for that. Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Restart web', command: '<%= config.bin %> compose restart web' }];
  static override flags = {
    ...composeFlags,
    timeout: Flags.integer({ char: 't', description: 'Seconds to wait for a container to stop before killing it' }),
    'no-deps': Flags.boolean({ description: 'Restart only the named services (the default: tspod never restarts dependencies)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeRestart);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'restart', { services: argv as string[], timeout: flags.timeout }, r);
    if (failed) process.exitCode = 1;
  }
}
