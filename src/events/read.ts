// Reading the events log: readEvents (what is there now) and watchEvents (an
// async iterator that follows the log as other processes append to it,
// across rotations). Read-only: works outside the user namespace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTimeFilter, nowNs } from '../util/time-filter.js';
import { eventFilter, type EventPredicate } from './filter.js';
import { eventsLogPath, LineSplitter, openLogPair, parseEventLine, readFrom, rotatedPath } from './log.js';
import type { TspodEvent } from './types.js';

export interface ReadEventsOptions {
  /** Podman's `key=value` filters (container, image, event, type, label, volume, network, pod). */
  filters?: readonly string[] | undefined;
  /** Only events after this time: a Date, nanoseconds, or what --since accepts (10m, RFC 3339, unix seconds). */
  since?: string | Date | bigint | undefined;
  /** Only events before this time; as since, but a duration points ahead (10s = ten seconds from now), as in Podman. */
  until?: string | Date | bigint | undefined;
  /** The log file (default <runroot>/events/events.log). */
  path?: string | undefined;
}

export interface WatchEventsOptions extends ReadEventsOptions {
  /** Stop following (the iterator then ends). */
  signal?: AbortSignal | undefined;
  /** Fallback polling interval in ms when file notifications miss a change (default 250). */
  pollMs?: number | undefined;
}

function toNs(v: string | Date | bigint | undefined, what: string, relative: 'ago' | 'ahead'): bigint | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'bigint') return v;
  if (v instanceof Date) return BigInt(v.getTime()) * 1_000_000n;
  return parseTimeFilter(v, what, { relative });
}

interface Compiled { match: EventPredicate; since: bigint | undefined; until: bigint | undefined; file: string }

function compile(o: ReadEventsOptions): Compiled {
  const match = eventFilter(o.filters);
  const since = toNs(o.since, 'since', 'ago');
  const until = toNs(o.until, 'until', 'ahead');
  return {
    match: (e) => (since === undefined || e.timeNano > since) && (until === undefined || e.timeNano < until) && match(e),
    since, until, file: o.path ?? eventsLogPath(),
  };
}

/** The events in the log now that pass the filters and the since/until window, oldest first. */
export async function readEvents(o: ReadEventsOptions = {}): Promise<TspodEvent[]> {
  const c = compile(o);
  const { old, cur } = openLogPair(c.file);
  const out: TspodEvent[] = [];
  try {
    for (const fd of [old, cur]) {
      if (fd === undefined) continue;
      const sp = new LineSplitter();
      for (const line of sp.push(readFrom(fd, 0).data)) {
        const ev = parseEventLine(line);
        if (ev && c.match(ev)) out.push(ev);
      }
    }
  } finally {
    if (old !== undefined) fs.closeSync(old);
    if (cur !== undefined) fs.closeSync(cur);
  }
  return out;
}

const ino = (file: string): number | undefined => { try { return fs.statSync(file).ino; } catch { return undefined; } };

/** One file being followed. */
class Tail {
  readonly splitter = new LineSplitter();
  constructor(readonly fd: number, readonly ino: number, public offset: number) {}
  static open(file: string, atEnd: boolean): Tail | undefined {
    let fd: number;
    try { fd = fs.openSync(file, 'r'); } catch { return undefined; }
    const st = fs.fstatSync(fd);
    return new Tail(fd, st.ino, atEnd ? st.size : 0);
  }
  /** The new events since the last drain. */
  drain(): TspodEvent[] {
    const r = readFrom(this.fd, this.offset);
    this.offset = r.offset;
    const out: TspodEvent[] = [];
    for (const line of this.splitter.push(r.data)) {
      const ev = parseEventLine(line);
      if (ev) out.push(ev);
    }
    return out;
  }
  close(): void { try { fs.closeSync(this.fd); } catch { /* closed */ } }
}

/**
 * Follow the log: with `since`, first the events already there after that
 * time, then each event as it is appended; without, only new events (as
 * `podman events`). Rotation is followed: the old file is drained to its end
 * (and an intermediate generation read from events.log.1 if two rotations
 * passed between looks). Ends when `signal` aborts or `until` passes.
 * Bad filters or times throw before anything is read.
 */
export async function* watchEvents(o: WatchEventsOptions = {}): AsyncGenerator<TspodEvent, void, undefined> {
  const c = compile(o);
  const pollMs = o.pollMs ?? 250;
  const signal = o.signal;
  const dir = path.dirname(c.file);
  let cur: Tail | undefined;
  // files drained after a rotation: a writer that opened one just before the rename may still append to it
  let retired: Array<{ tail: Tail; until: number }> = [];
  let watcher: fs.FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const poke = () => { const w = wake; wake = undefined; w?.(); };
  signal?.addEventListener('abort', poke, { once: true });

  const setupWatch = () => {
    if (watcher) return;
    try {
      watcher = fs.watch(dir, { persistent: false }, poke);
      watcher.on('error', () => { watcher?.close(); watcher = undefined; });
    } catch { /* no directory yet, or no inotify: polling covers it */ }
  };

  try {
    if (c.since !== undefined) {
      const { old, cur: fd } = openLogPair(c.file);
      if (old !== undefined) {
        const t = new Tail(old, fs.fstatSync(old).ino, 0);
        for (const ev of t.drain()) if (c.match(ev)) yield ev;
        t.close();
      }
      if (fd !== undefined) cur = new Tail(fd, fs.fstatSync(fd).ino, 0);
    } else {
      cur = Tail.open(c.file, true);
    }
    setupWatch();

    for (;;) {
      if (signal?.aborted) return;
      const batch: TspodEvent[] = [];
      for (const r of retired) batch.push(...r.tail.drain());
      if (cur) batch.push(...cur.drain());
      const now = Date.now();
      retired = retired.filter((r) => (r.until > now ? true : (r.tail.close(), false)));

      // rotated (or created) since the last look?
      const pathIno = ino(c.file);
      if (pathIno !== undefined && pathIno !== cur?.ino) {
        if (cur) {
          // two rotations between looks: the middle generation is events.log.1 now
          const oldIno = ino(rotatedPath(c.file));
          if (oldIno !== undefined && oldIno !== cur.ino && oldIno !== pathIno) {
            const mid = Tail.open(rotatedPath(c.file), false);
            if (mid && mid.ino !== pathIno) { batch.push(...mid.drain()); retired.push({ tail: mid, until: now + 2000 }); } else mid?.close();
          }
          retired.push({ tail: cur, until: now + 2000 });
        }
        cur = Tail.open(c.file, false);
        if (cur) batch.push(...cur.drain());
        setupWatch();
      }
      for (const ev of batch) {
        if (signal?.aborted) return;
        if (c.match(ev)) yield ev;
      }
      if (c.until !== undefined && nowNs() >= c.until) return;

      await new Promise<void>((resolve) => {
        let ms = pollMs;
        if (c.until !== undefined) ms = Math.max(1, Math.min(ms, Number((c.until - nowNs()) / 1_000_000n) + 1));
        const timer = setTimeout(() => { wake = undefined; resolve(); }, ms);
        wake = () => { clearTimeout(timer); resolve(); };
        if (signal?.aborted) poke();
      });
    }
  } finally {
    signal?.removeEventListener('abort', poke);
    watcher?.close();
    cur?.close();
    for (const r of retired) r.tail.close();
  }
}
