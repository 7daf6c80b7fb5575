import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeLogs extends TspodCommand {
  static override summary = 'Show the output of a Compose project\'s containers';
  static override description = 'Each line is prefixed with the container\'s name and " | " (names aligned).';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Only these services' }) };
  static override flags = {
    ...composeFlags,
    // -f is --follow here, as in Docker Compose (the file is -f only before the subcommand)
    file: Flags.string({ multiple: true, helpGroup: 'COMPOSE', description: composeFlags.file.description }),
    follow: Flags.boolean({ char: 'f', description: 'Follow the output until the containers stop' }),
    tail: Flags.integer({ description: 'Only the last N lines of each container (default: all)' }),
    timestamps: Flags.boolean({ char: 't', description: 'Show timestamps' }),
    'no-log-prefix': Flags.boolean({ description: 'Do not prefix lines with the container name' }),
    'no-color': Flags.boolean({ description: 'Plain output (tspod prints no colour in logs)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeLogs);
    const { name } = await composeProjectName(composeLoadOptions(flags), () => undefined);
    const { logs } = await import('../../compose/executor.js');
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    await logs(name, { services: argv as string[], follow: flags.follow, tail: flags.tail, timestamps: flags.timestamps, noLogPrefix: flags['no-log-prefix'], stdout: process.stdout, stderr: process.stderr, signal: ac.signal });
  }
}
