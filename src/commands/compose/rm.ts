import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeRm extends TspodCommand {
  static override summary = 'Remove the stopped containers of a Compose project\'s services';
  static override description = 'Removes the stopped containers of the services (with -s, stops running ones first). Asks first unless -f. Networks and named volumes are kept (see "compose down"). Exit status: 0, or 1 when a container could not be removed.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [
    { description: 'Remove every stopped container of the project without asking', command: '<%= config.bin %> compose rm -f' },
    { description: 'Stop and remove web with its anonymous volumes', command: '<%= config.bin %> compose rm -s -v -f web' },
  ];
  static override flags = {
    ...composeFlags,
    // -f is --force here, as in Docker Compose (the file is -f only before the subcommand)
    file: Flags.string({ multiple: true, helpGroup: 'COMPOSE', description: composeFlags.file.description }),
    force: Flags.boolean({ char: 'f', description: 'Do not ask for confirmation' }),
    stop: Flags.boolean({ char: 's', description: 'Stop the containers first, if needed' }),
    volumes: Flags.boolean({ char: 'v', description: 'Remove the anonymous volumes of the containers' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeRm);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { rmCandidates, removeContainers } = await import('../../compose/lifecycle.js');
    const o = { services: argv as string[], stop: flags.stop, volumes: flags.volumes };
    const rows = await rmCandidates(name, project, o);
    if (!rows.length) { process.stderr.write('No stopped containers\n'); return; }
    if (!flags.force) {
      const { confirm } = await import('../../cli/confirm.js');
      if (!(await confirm(`Going to remove ${rows.map((c) => c.Names).join(', ')}`))) return;
    }
    if (await removeContainers(rows, o, r)) process.exitCode = 1;
  }
}
