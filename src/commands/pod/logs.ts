import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

export default class PodLogs extends TspodCommand {
  static override summary = 'Fetch the logs of the containers of a pod';
  static override description = 'Each line is prefixed with its container\'s short ID (or, with --names, its name).';
  static override examples = ['tspod pod logs web', 'tspod pod logs -f -c web-app web'];
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: true }) };
  static override flags = {
    container: Flags.string({ char: 'c', description: 'Show only the logs of this container of the pod' }),
    follow: Flags.boolean({ char: 'f', description: 'Follow log output' }),
    tail: Flags.integer({ description: 'Output the specified number of lines at the end of the logs (-1 for all)', default: -1 }),
    since: Flags.string({ description: 'Show logs since TIMESTAMP or duration (e.g. 10m)' }),
    until: Flags.string({ description: 'Show logs until TIMESTAMP or duration' }),
    timestamps: Flags.boolean({ char: 't', description: 'Output the timestamps in the log' }),
    names: Flags.boolean({ char: 'n', description: 'Prefix each line with the container name instead of its ID' }),
  };
  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(PodLogs);
    const { podLogs } = await import('../../engine/pod/index.js');
    const { parseTimeFilterMs } = await import('../../util/time-filter.js');
    const at = (v: string | undefined, what: string) => (v === undefined ? undefined : new Date(parseTimeFilterMs(v, what)));
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await podLogs({
      pod: args.pod, container: flags.container, follow: flags.follow, since: at(flags.since, '--since'), until: at(flags.until, '--until'),
      tail: flags.tail >= 0 ? flags.tail : undefined, timestamps: flags.timestamps, names: flags.names, stdout: process.stdout, stderr: process.stderr, signal: ac.signal,
    });
  }
}
