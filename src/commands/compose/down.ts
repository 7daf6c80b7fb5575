import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeDown extends TspodCommand {
  static override summary = 'Stop and remove the containers and networks of a Compose project';
  static override description = 'Finds the project\'s containers, networks and (with -v) volumes by their com.docker.compose.project label, so it works when the Compose file is gone (name the project with -p then).';
  static override examples = [{ description: 'Remove the project and its named volumes', command: '<%= config.bin %> compose down -v' }];
  static override flags = {
    ...composeFlags,
    volumes: Flags.boolean({ char: 'v', description: 'Remove the named volumes declared in the volumes section and anonymous volumes of the containers' }),
    'remove-orphans': Flags.boolean({ description: 'Remove containers of services not in the Compose file' }),
    timeout: Flags.integer({ char: 't', description: 'Seconds to wait for a container to stop before killing it' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ComposeDown);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { down } = await import('../../compose/executor.js');
    await down(name, { project, volumes: flags.volumes, removeOrphans: flags['remove-orphans'], timeout: flags.timeout },
      { onEvent: (l) => process.stderr.write(` ${l}\n`), onWarning: (l) => this.warn2(l) });
  }
}
