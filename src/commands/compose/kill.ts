import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeKill extends TspodCommand {
  static override summary = 'Send a signal to the running containers of a Compose project\'s services';
  static override description = 'Default signal SIGKILL. Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Send SIGHUP to web', command: '<%= config.bin %> compose kill -s SIGHUP web' }];
  static override flags = {
    ...composeFlags,
    signal: Flags.string({ char: 's', default: 'SIGKILL', description: 'Signal to send (name or number)' }),
    'remove-orphans': Flags.boolean({ description: 'Accepted for Docker Compose compatibility (kill removes nothing)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeKill);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'kill', { services: argv as string[], signal: flags.signal }, r);
    if (failed) process.exitCode = 1;
  }
}
