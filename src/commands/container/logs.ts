import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { stdoutSink, stderrSink } from '../../util/stdio.js';

export default class ContainerLogs extends TspodCommand {
  static override summary = 'Fetch the logs of one or more containers';
  static override aliases = ['logs'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Follow log output' }),
    tail: Flags.integer({ description: 'Output the specified number of lines at the end of the logs (-1 for all)', default: -1 }),
    since: Flags.string({ description: 'Show logs since TIMESTAMP or duration (e.g. 10m)' }),
    until: Flags.string({ description: 'Show logs until TIMESTAMP or duration' }),
    timestamps: Flags.boolean({ char: 't', description: 'Output the timestamps in the log' }),
    names: Flags.boolean({ char: 'n', description: 'Output the container name in the log' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerLogs);
    const { containerLogs } = await import('../../engine/container/logs.js');
    const { parseTimeFilterMs } = await import('../../util/time-filter.js');
    const at = (v: string | undefined, what: string) => (v === undefined ? undefined : new Date(parseTimeFilterMs(v, what)));
    const since = at(flags.since, '--since');
    const until = at(flags.until, '--until');
    for (const name of argv as string[]) {
      await containerLogs(name, {
        follow: flags.follow, since, until, tail: flags.tail >= 0 ? flags.tail : undefined, timestamps: flags.timestamps,
        prefix: flags.names ? `${name} ` : '', stdout: stdoutSink, stderr: stderrSink,
      });
    }
  }
}
