import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeStop extends TspodCommand {
  static override summary = 'Stop the running containers of a Compose project\'s services';
  static override description = 'Sends each container its stop signal, then SIGKILL after the timeout; dependents stop before what they depend on. The containers are kept (see "compose rm", "compose down"). Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Stop the project, waiting at most 2 seconds per container', command: '<%= config.bin %> compose stop -t 2' }];
  static override flags = {
    ...composeFlags,
    timeout: Flags.integer({ char: 't', description: 'Seconds to wait for a container to stop before killing it' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeStop);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'stop', { services: argv as string[], timeout: flags.timeout }, r);
    if (failed) process.exitCode = 1;
  }
}
