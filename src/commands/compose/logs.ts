import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeLogs extends TspodCommand {
  static override summary = 'Show the output of a Compose project\'s containers';
  static override description = 'Each line is prefixed with the container\'s name without the project (web-1) and " | ", names aligned, coloured per container on a terminal.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Only these services' }) };
  static override flags = {
    ...composeFlags,
    // -f is --follow here, as in Docker Compose (the file is -f only before the subcommand)
    file: Flags.string({ multiple: true, helpGroup: 'COMPOSE', description: composeFlags.file.description }),
    follow: Flags.boolean({ char: 'f', description: 'Follow the output until the containers stop: a restarted container is followed again, and containers up creates later are picked up' }),
    tail: Flags.integer({ description: 'Only the last N lines of each container (default: all)' }),
    timestamps: Flags.boolean({ char: 't', description: 'Show timestamps' }),
    since: Flags.string({ description: 'Only lines since TIMESTAMP or duration (e.g. 10m)' }),
    until: Flags.string({ description: 'Only lines until TIMESTAMP or duration' }),
    index: Flags.integer({ description: 'Only the container with this number of each service', min: 1 }),
    'no-log-prefix': Flags.boolean({ description: 'Do not prefix lines with the container name' }),
    'no-color': Flags.boolean({ description: 'Plain prefixes, no colour (the default when the output is not a terminal)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeLogs);
    const { name } = await composeProjectName(composeLoadOptions(flags), () => undefined);
    const { logs } = await import('../../compose/executor.js');
    const { parseTimeFilterMs } = await import('../../util/time-filter.js');
    const at = (v: string | undefined, what: string) => (v === undefined ? undefined : new Date(parseTimeFilterMs(v, what)));
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    await logs(name, { services: argv as string[], since: at(flags.since, '--since'), until: at(flags.until, '--until'), index: flags.index, follow: flags.follow, tail: flags.tail, timestamps: flags.timestamps, noLogPrefix: flags['no-log-prefix'], color: !flags['no-color'] && !!process.stdout.isTTY && !process.env['NO_COLOR'], stdout: process.stdout, stderr: process.stderr, signal: ac.signal });
  }
}
