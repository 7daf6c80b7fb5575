// conmon's k8s-file log format, one record per line:
//   <RFC3339Nano timestamp> <stdout|stderr> <F|P> <text>
// F ends a line of the container's output; P is a partial piece (conmon splits
// long lines and writes what it has when the stream pauses or the container exits
// without a trailing newline). A line's text is the concatenation of its P
// records and the final F record.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { watchForWrites } from '../util/wake.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** The timestamp as written. */
  time: string;
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  stream: LogStream;
  partial: boolean;
  text: string;
}

export interface LogEntry {
  time: string;
  timeNs: bigint;
  stream: LogStream;
  /** The output, with its trailing newline when the container wrote one. */
  text: string;
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** RFC 3339 (nanosecond precision) -> nanoseconds since the epoch; undefined if malformed. */
export function parseTimestamp(ts: string): bigint | undefined {
  const m = TS_RE.exec(ts);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const nanos = BigInt((frac ?? '').padEnd(9, '0') || '0');
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + nanos;
}

/** Parse one record; undefined for a malformed line. */
export function parseLogRecord(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  if (a < 0) return undefined;
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // The tag may be followed by the text or, for an empty line, end the record.
  const tag = line.slice(b + 1, b + 2);
  if (tag !== 'F' && tag !== 'P') return undefined;
  const rest = line.slice(b + 2);
  if (rest.length && !rest.startsWith(' ')) return undefined;
  const time = line.slice(0, a);
  const timeNs = parseTimestamp(time);
  if (timeNs === undefined) return undefined;
  return { time, timeNs, stream, partial: tag === 'P', text: rest.slice(1) };
}

/**
 * Join records into entries. Partial records are held per stream until that
 * stream's F record; partials left at the end (a container that exited without a
 * newline) are returned without a newline.
 */
export class LogJoiner {
  private pending = new Map<LogStream, LogRecord[]>();

  push(rec: LogRecord): LogEntry | undefined {
    const parts = this.pending.get(rec.stream) ?? [];
    if (rec.partial) {
      parts.push(rec);
      this.pending.set(rec.stream, parts);
      return undefined;
    }
    this.pending.delete(rec.stream);
    const first = parts[0] ?? rec;
    return { time: first.time, timeNs: first.timeNs, stream: rec.stream, text: parts.map((p) => p.text).join('') + rec.text + '\n' };
  }

  /** Flush incomplete lines. */
  flush(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [stream, parts] of this.pending) {
      const first = parts[0];
      if (first) out.push({ time: first.time, timeNs: first.timeNs, stream, text: parts.map((p) => p.text).join('') });
    }
    this.pending.clear();
    return out.sort((x, y) => (x.timeNs < y.timeNs ? -1 : x.timeNs > y.timeNs ? 1 : 0));
  }
}

/** Parse a whole log (malformed lines are skipped). */
export function parseK8sLog(data: string): LogEntry[] {
  const joiner = new LogJoiner();
  const out: LogEntry[] = [];
  for (const line of data.split('\n')) {
    if (!line) continue;
    const rec = parseLogRecord(line);
    if (!rec) continue;
    const e = joiner.push(rec);
    if (e) out.push(e);
  }
  return out.concat(joiner.flush());
}

export interface ReadLogOptions {
  /** Only entries at or after / before this time. */
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only the last N entries. */
  tail?: number | undefined;
}

function filterEntries(entries: LogEntry[], opts: ReadLogOptions): LogEntry[] {
  const since = opts.since ? BigInt(opts.since.getTime()) * 1_000_000n : undefined;
  const until = opts.until ? BigInt(opts.until.getTime()) * 1_000_000n : undefined;
  let out = entries.filter((e) => (since === undefined || e.timeNs >= since) && (until === undefined || e.timeNs <= until));
  if (opts.tail !== undefined && opts.tail >= 0) out = opts.tail === 0 ? [] : out.slice(-opts.tail);
  return out;
}

/**
 * Read a k8s-file log up to its last complete line (conmon may be writing the next one): its entries,
 * and the byte offset after that line, where following the log goes on. A missing file is an empty log.
 * (Reading the file and then taking its size as the offset lost a line written in between.)
 */
export function readK8sLogAt(file: string, opts: ReadLogOptions = {}): { entries: LogEntry[]; offset: number } {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], offset: 0 };
    throw err;
  }
  const offset = data.lastIndexOf(0x0a) + 1;
  return { entries: filterEntries(parseK8sLog(data.toString('utf8', 0, offset)), opts), offset };
}

/** Read a k8s-file log's complete lines; a missing file is an empty log. */
export function readK8sLog(file: string, opts: ReadLogOptions = {}): LogEntry[] {
  return readK8sLogAt(file, opts).entries;
}

/** Render entries as `tspod logs` prints them. */
export function formatLogEntry(e: LogEntry, timestamps = false): string {
  return timestamps ? `${e.time} ${e.text}` : e.text;
}

export interface FollowOptions {
  onEntry: (e: LogEntry) => void;
  /** Polled between reads; following ends once it returns true and the file is drained. */
  isDone: () => boolean;
  /** Start at this byte offset (default 0). */
  offset?: number;
  pollMs?: number;
  /** More paths whose writes wake the follower (as the log's own do), e.g. the directory of conmon's exit files. */
  watch?: string[];
  signal?: AbortSignal;
}

/**
 * Follow a log as conmon writes it (`logs -f`, or streaming a non-interactive
 * `run`). Polls with a short interval: conmon only appends, so reading from the
 * last offset is enough. Resolves with the final offset.
 */
export async function followK8sLog(file: string, opts: FollowOptions): Promise<number> {
  let offset = opts.offset ?? 0;
  let carry = '';
  const decoder = new StringDecoder('utf8');
  const joiner = new LogJoiner();
  const pollMs = opts.pollMs ?? 20;
  const readMore = (): boolean => {
    let fd: number;
    try { fd = fs.openSync(file, 'r'); } catch { return false; }
    let got = false;
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        got = true;
        carry += decoder.write(buf.subarray(0, n));
        let nl: number;
        while ((nl = carry.indexOf('\n')) >= 0) {
          const line = carry.slice(0, nl);
          carry = carry.slice(nl + 1);
          const rec = parseLogRecord(line);
          if (!rec) continue;
          const e = joiner.push(rec);
          if (e) opts.onEntry(e);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return got;
  };
  // woken by conmon's writes to the log (and whatever else says it is done), pollMs at the latest
  const written = watchForWrites(file, ...(opts.watch ?? []));
  try {
    for (;;) {
      if (opts.signal?.aborted) break;
      const done = opts.isDone();
      const got = readMore();
      if (done && !got) break;
      if (!got) await written.sleep(pollMs);
    }
  } finally {
    written.close();
  }
  for (const e of joiner.flush()) opts.onEntry(e);
  return offset;
}
