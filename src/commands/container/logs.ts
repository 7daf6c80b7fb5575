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
    const eng = await import('../../engine/containers.js');
    const { readK8sLog, followK8sLog } = await import('../../runtime/k8s-log.js');
    const fs = await import('node:fs');
    const since = parseTime(flags.since, '--since');
    const until = parseTime(flags.until, '--until');
    for (const name of argv as string[]) {
      const { id, logPath, driver } = eng.logPathOf(name);
      if (driver === 'none' || !logPath) this.fail(`container ${name} uses the "none" log driver: there are no logs to show`);
      const prefix = flags.names ? `${name} ` : '';
      const write = (e: { stream: string; text: string; time: string }) => {
        if (until && Date.parse(e.time) > until.getTime()) return;
        (e.stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix}${flags.timestamps ? `${e.time} ` : ''}${e.text}`);
      };
      for (const e of readK8sLog(logPath, { since, until, tail: flags.tail >= 0 ? flags.tail : undefined })) write(e);
      if (flags.follow) {
        let offset = 0;
        try { offset = fs.statSync(logPath).size; } catch { /* none yet */ }
        await followK8sLog(logPath, { offset, isDone: () => !eng.isRunning(id), onEntry: (e) => write(e), pollMs: 50 });
      }
    }
  }
}
