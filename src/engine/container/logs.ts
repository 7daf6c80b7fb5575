// Logs: a container's output as conmon recorded it (k8s-file), written to the
// caller's streams; with `follow`, until the container stops or the caller aborts.
import { ContainerStore } from '../../container/store.js';
import { InvalidArgumentError } from '../../util/errors.js';
import { isRunning } from './exec.js';
import type { TextSink } from '../../util/stdio.js';

/** Options of {@link containerLogs}. */
export interface LogsOptions {
  /** Keep streaming new output until the container stops (or `signal` aborts). */
  follow?: boolean | undefined;
  /** Only entries at or after this time. */
  since?: Date | undefined;
  /** Only entries at or before this time. */
  until?: Date | undefined;
  /** Only the last N entries of what is already logged (undefined: all). */
  tail?: number | undefined;
  /** Prefix each entry with its RFC 3339 timestamp. */
  timestamps?: boolean | undefined;
  /** A prefix written before each entry (e.g. the container's name). */
  prefix?: string | undefined;
  /** Where the container's stdout entries go (a stream, or anything that takes text). */
  stdout: TextSink;
  /** Where the container's stderr entries go. */
  stderr: TextSink;
  /** Stops following. */
  signal?: AbortSignal | undefined;
}

/** One log entry as a callback receives it. */
export interface LogEntryReport { stream: 'stdout' | 'stderr'; text: string; time: string }

/** Write a container's logs to the given streams. Resolves when done (or, following, when it stops). */
export async function containerLogs(input: string, o: LogsOptions): Promise<void> {
  const store = new ContainerStore();
  const e = store.resolve(input);
  const cfg = store.readConfig(e.id);
  if (cfg.logDriver === 'none' || cfg.logDriver === 'passthrough' || !cfg.logPath) throw new InvalidArgumentError(`this container is using the '${cfg.logDriver === 'passthrough' ? 'passthrough' : 'none'}' log driver, cannot read logs: this container is not logging output`);
  const { readK8sLogAt, followK8sLog } = await import('../../runtime/k8s-log.js');
  const write = (x: { stream: string; text: string; time: string }) => {
    if (o.until && Date.parse(x.time) > o.until.getTime()) return;
    (x.stream === 'stderr' ? o.stderr : o.stdout).write(`${o.prefix ?? ''}${o.timestamps ? `${x.time} ` : ''}${x.text}`);
  };
  // following goes on from where this read ended, so a line written meanwhile is neither lost nor shown twice
  const { entries, offset } = readK8sLogAt(cfg.logPath, { since: o.since, until: o.until, tail: o.tail !== undefined && o.tail >= 0 ? o.tail : undefined });
  for (const x of entries) write(x);
  if (o.follow && !o.signal?.aborted) {
    await followK8sLog(cfg.logPath, { offset, isDone: () => !isRunning(e.id) || (o.until !== undefined && Date.now() > o.until.getTime()), onEntry: write, pollMs: 50, signal: o.signal });
  }
}
