import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

function parseTime(s: string | undefined, what: string): Date | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(s);
  if (m) return new Date(Date.now() - Number(m[1]) * ({ s: 1000, m: 60000, h: 3600000 } as Record<string, number>)[m[2] ?? 's']!);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw Object.assign(new Error(`invalid ${what} "${s}": use a timestamp or a duration like 10m`), { exitCode: 125 });
  return new Date(t);
}

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
    const since = parseTime(flags.since, '--since');
    const until = parseTime(flags.until, '--until');
    for (const name of argv as string[]) {
      await containerLogs(name, {
        follow: flags.follow, since, until, tail: flags.tail >= 0 ? flags.tail : undefined, timestamps: flags.timestamps,
        prefix: flags.names ? `${name} ` : '', stdout: process.stdout, stderr: process.stderr,
      });
    }
  }
}
