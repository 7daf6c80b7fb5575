import { Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { renderList } from '../cli/output.js';

export default class Events extends TspodCommand {
  static override summary = 'Show tspod events';
  static override description = 'Print the events tspod records (container create, start, died, remove; image pull, tag, remove; volume and network changes) from its log under the runroot. By default it follows the log and prints new events as they happen; --stream=false prints the recorded ones and exits.';
  static override aliases = ['system:events'];
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter events (container, event, image, label, network, pod, type, volume); the same key ORs, different keys AND' }),
    format: Flags.string({ description: 'Format the output as JSON lines (json) or with a Go template' }),
    since: Flags.string({ description: 'Show events after this time: a timestamp, unix seconds or a duration ago (10m)' }),
    until: Flags.string({ description: 'Show events before this time: a timestamp, unix seconds or a duration from now (10s)' }),
    stream: Flags.boolean({ default: true, allowNo: true, description: 'Follow the log and print new events (--stream=false: print the recorded events and exit)' }),
    'no-trunc': Flags.boolean({ default: true, allowNo: true, description: 'Do not truncate IDs in the default output' }),
  };
  static override examples = [
    '<%= config.bin %> events --stream=false --filter container=web',
    "<%= config.bin %> events --filter type=container --filter event=died --format '{{.Name}} {{.ContainerExitCode}}'",
    '<%= config.bin %> events --since 10m --until 5m --stream=false --format json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(Events);
    const ev = await import('../engine/events.js');
    const { jsonLine, templateView, humanLine } = await import('../format/events.js');
    const fmt = flags.format;
    const json = fmt !== undefined && fmt.trim().toLowerCase() === 'json';
    const print = (e: import('../engine/events.js').TspodEvent): string => {
      if (json) return jsonLine(e) + '\n';
      if (fmt) return renderList([templateView(e)], { format: fmt, columns: [] });
      return humanLine(e, !flags['no-trunc']) + '\n';
    };
    // a bad template fails now, with exit 125, not at the first event
    if (fmt && !json) print({ Type: 'system', Status: 'refresh', Time: '1970-01-01T00:00:00Z', timeNano: 0n, Attributes: {} });
    process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
    const opts = { filters: flags.filter, since: flags.since, until: flags.until };
    if (!flags.stream) {
      for (const e of await ev.readEvents(opts)) process.stdout.write(print(e));
      return;
    }
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of ev.watchEvents({ ...opts, signal: ac.signal })) process.stdout.write(print(e));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
