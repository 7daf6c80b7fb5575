import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposePause extends TspodCommand {
  static override summary = 'Pause the running containers of a Compose project\'s services';
  static override description = 'Freezes every process of the containers (cgroup freezer). Works from the containers\' labels, so -p alone is enough when the Compose file is gone. Exit status: 0, or 1 when a container failed (each is named).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'Pause the project', command: '<%= config.bin %> compose pause' }];
  static override flags = { ...composeFlags };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposePause);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceVerb } = await import('../../compose/lifecycle.js');
    const failed = await serviceVerb(name, project, 'pause', { services: argv as string[] }, r);
    if (failed) process.exitCode = 1;
  }
}
