// The events log: one append-only JSON-lines file under the runroot
// (<runroot>/events/events.log, like Podman's `file` events backend), written
// by every tspod process (conmon's exit command included) and read by
// `tspod events` and watchEvents. This module is the one way to write it and
// the one parser of its lines.
//
// Concurrent writers: each event is one line, written with ONE write(2) on an
// O_APPEND descriptor. On Linux the append offset and the copy are done under
// the inode's lock for the whole write (generic_file_write_iter), so writes of
// other processes never interleave inside a line, whatever its length; PIPE_BUF
// is a pipe limit and does not apply to regular files. A write can still come
// up short: ENOSPC, or SIGKILL between two pages of a multi-page copy. Then the
// writer (if alive) ends the fragment with a newline, and readers, which parse
// only newline-terminated lines, skip a line that is not an event and resync at
// the last event that starts inside it (a fragment followed by the next
// writer's line is recovered that way). Lines are capped at MAX_LINE.
//
// Rotation: past maxSize (default 1 MiB, Podman's events_logfile_max_size)
// the file is renamed to events.log.1 (replacing the older one) under a lock,
// after checking that nobody rotated it first; the next write creates a fresh
// events.log. A writer that opened the old file just before the rename still
// writes into it (now events.log.1); readers read .1 then the current file.
//
// Cheap to import: node:fs/node:path and two small util modules; the lock
// module (node:net, node:crypto) loads only when a rotation is due.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from '../util/paths.js';
import { log } from '../util/log.js';
import { nowNs } from '../util/time-filter.js';
import { EVENT_STATUSES, EVENT_TYPES, type EventInput, type TspodEvent } from './types.js';

/** Rotate past this size, keeping one old file. */
export const DEFAULT_MAX_SIZE = 1024 * 1024;
/** A longer line drops its Attributes (labels) to stay small; the event itself is kept. */
export const MAX_LINE = 64 * 1024;

export interface LogOptions {
  /** The log file (default <runroot>/events/events.log). */
  path?: string | undefined;
  /** Rotate when the file grows past this many bytes. */
  maxSize?: number | undefined;
}

/** The events log's path for the current runroot. */
export function eventsLogPath(): string {
  return path.join(paths().runroot, 'events', 'events.log');
}

/** The rotated (older) file next to a log. */
export function rotatedPath(file: string): string {
  return `${file}.1`;
}

function maxSizeFrom(opts: LogOptions): number {
  if (opts.maxSize !== undefined) return opts.maxSize;
  const env = Number(process.env['TSPOD_EVENTS_MAX_SIZE']);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_MAX_SIZE;
}

// ---------------------------------------------------------------- time

/** nanoseconds since the epoch -> RFC 3339 with nine fraction digits stripped of trailing zeros (Go's RFC3339Nano), UTC. */
export function rfc3339Nano(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-12-07T00:21:07.123Z
  const frac = String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? '.' + frac : ''}Z`;
}

let lastNs = 0n;
let anchor: { wall: bigint; hr: bigint } | undefined;
/**
 * Now in nanoseconds: the wall clock (microseconds) refined by the monotonic
 * clock, re-anchored when they drift apart by over a millisecond (clock
 * steps); strictly increasing within this process, so two events of one
 * process never share a time.
 */
function eventNow(): bigint {
  const wall = nowNs(), hr = process.hrtime.bigint();
  if (!anchor) anchor = { wall, hr };
  let t = anchor.wall + (hr - anchor.hr);
  if (t - wall > 1_000_000n || wall - t > 1_000_000n) { anchor = { wall, hr }; t = wall; }
  if (t <= lastNs) t = lastNs + 1n;
  lastNs = t;
  return t;
}

// ---------------------------------------------------------------- writing

/** The log line for an event (with its newline), in Podman's field order. */
export function serializeEvent(ev: EventInput): string {
  const t = ev.time === undefined ? eventNow() : typeof ev.time === 'bigint' ? ev.time : BigInt(ev.time.getTime()) * 1_000_000n;
  const o: Record<string, unknown> = {};
  if (ev.exitCode !== undefined) o['ContainerExitCode'] = ev.exitCode;
  if (ev.id) o['ID'] = ev.id;
  if (ev.image) o['Image'] = ev.image;
  if (ev.name) o['Name'] = ev.name;
  if (ev.network) o['Network'] = ev.network;
  o['Status'] = ev.status;
  o['Time'] = rfc3339Nano(t);
  o['Type'] = ev.type;
  if (ev.healthStatus) o['HealthStatus'] = ev.healthStatus;
  if (ev.error) o['Error'] = ev.error;
  if (ev.podId) o['PodID'] = ev.podId;
  o['Attributes'] = ev.attributes && Object.keys(ev.attributes).length ? ev.attributes : null;
  let line = JSON.stringify(o);
  if (Buffer.byteLength(line) > MAX_LINE) {
    o['Attributes'] = null;
    if (typeof o['Error'] === 'string' && o['Error'].length > MAX_LINE / 2) o['Error'] = `${o['Error'].slice(0, MAX_LINE / 2)}...`;
    line = JSON.stringify(o);
  }
  return line + '\n';
}

/**
 * Append one line with a single write(2). Throws on failure; a short write is
 * terminated with a newline so the fragment never swallows the next line.
 * Returns the file's size after the write (for the rotation check).
 */
export function appendLine(file: string, line: string): number {
  const buf = Buffer.from(line);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  }
  try {
    const n = fs.writeSync(fd, buf);
    if (n < buf.length) fs.writeSync(fd, '\n');
    return fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

/** Rotate `file` to file.1 if it is still over maxSize, under a lock so two writers never both rotate. */
export async function rotateIfNeeded(file: string, maxSize: number): Promise<void> {
  const { withLock } = await import('../state/lock.js');
  await withLock(`events-log:${file}`, () => {
    let st: fs.Stats;
    try { st = fs.statSync(file); } catch { return; }
    // someone else rotated while we waited for the lock: the new file is small
    if (st.size <= maxSize) return;
    fs.renameSync(file, rotatedPath(file));
  }, 10_000);
}

/**
 * Record an event. Never throws and never rejects: an event that cannot be
 * written must not fail the container operation that caused it (a debug line
 * says why). The line is written before this returns; the promise settles
 * when a rotation, if one was due, is done (awaiting it is optional).
 */
export function recordEvent(ev: EventInput, opts: LogOptions = {}): Promise<void> {
  const file = opts.path ?? eventsLogPath();
  let size: number;
  try {
    size = appendLine(file, serializeEvent(ev));
  } catch (err) {
    log.debug(`events: cannot record ${ev.type} ${ev.status} ${ev.name ?? ev.id ?? ''} in ${file}: ${(err as Error).message}`);
    return Promise.resolve();
  }
  const max = maxSizeFrom(opts);
  if (size <= max) return Promise.resolve();
  return rotateIfNeeded(file, max).catch((err: unknown) => {
    log.debug(`events: cannot rotate ${file}: ${(err as Error).message}`);
  });
}

// ---------------------------------------------------------------- parsing

const TYPES = new Set<string>(EVENT_TYPES);
const STATUSES = new Set<string>(EVENT_STATUSES);

function toEvent(o: unknown): TspodEvent | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  if (typeof r['Type'] !== 'string' || !TYPES.has(r['Type']) || typeof r['Status'] !== 'string' || !STATUSES.has(r['Status'])) return undefined;
  if (typeof r['Time'] !== 'string') return undefined;
  const ns = parseEventTime(r['Time']);
  if (ns === undefined) return undefined;
  const ev: TspodEvent = { Type: r['Type'] as TspodEvent['Type'], Status: r['Status'] as TspodEvent['Status'], Time: r['Time'], timeNano: ns, Attributes: {} };
  for (const k of ['ID', 'Name', 'Image', 'Network', 'PodID', 'HealthStatus', 'Error'] as const) {
    if (typeof r[k] === 'string' && r[k]) ev[k] = r[k] as string;
  }
  if (typeof r['ContainerExitCode'] === 'number') ev.ContainerExitCode = r['ContainerExitCode'];
  const attrs = r['Attributes'];
  if (typeof attrs === 'object' && attrs !== null && !Array.isArray(attrs)) {
    for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') ev.Attributes[k] = v;
  }
  return ev;
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

function parseEventTime(s: string): bigint | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function tryParse(text: string): TspodEvent | undefined {
  try { return toEvent(JSON.parse(text)); } catch { return undefined; }
}

/**
 * Parse one complete line (without its newline). A line that is not an event
 * (a torn write's fragment, garbage) gives undefined, unless an event starts
 * later inside it: a fragment left by a writer killed mid-write, followed by
 * the next writer's whole line, yields that next event.
 */
export function parseEventLine(line: string): TspodEvent | undefined {
  if (!line) return undefined;
  const ev = tryParse(line);
  if (ev) return ev;
  for (let i = line.indexOf('{"', 1); i > 0; i = line.indexOf('{"', i + 1)) {
    const rest = tryParse(line.slice(i));
    if (rest) return rest;
  }
  return undefined;
}

/**
 * Splits bytes into complete lines. A line without its newline yet (a write
 * in progress or torn at the end of the file) is held back until it completes.
 */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Feed bytes; returns the lines they complete. */
  push(chunk: Buffer): string[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      lines.push(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    this.pending = Buffer.from(buf.subarray(start));
    return lines;
  }

  /** Bytes held back (an incomplete last line). */
  get held(): number { return this.pending.length; }
}

/** Read a whole file descriptor from `offset`, returning the bytes and the new offset. */
export function readFrom(fd: number, offset: number): { data: Buffer; offset: number } {
  const chunks: Buffer[] = [];
  for (;;) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    if (n <= 0) break;
    chunks.push(buf.subarray(0, n));
    offset += n;
  }
  return { data: Buffer.concat(chunks), offset };
}

/** Parse every complete line of a buffer into events (skipping what is not one). */
export function parseEvents(data: Buffer, splitter = new LineSplitter()): TspodEvent[] {
  const out: TspodEvent[] = [];
  for (const line of splitter.push(data)) {
    const ev = parseEventLine(line);
    if (ev) out.push(ev);
  }
  return out;
}

function openRead(file: string): number | undefined {
  try { return fs.openSync(file, 'r'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const inode = (fd: number | undefined): number | undefined => (fd === undefined ? undefined : fs.fstatSync(fd).ino);
function pathInode(file: string): number | undefined {
  try { return fs.statSync(file).ino; } catch { return undefined; }
}

/**
 * Open the rotated and the current file as one consistent pair: if a rotation
 * happens between the two opens (the current file would then be read twice,
 * or a generation missed), try again.
 */
export function openLogPair(file: string): { old: number | undefined; cur: number | undefined } {
  for (let attempt = 0; ; attempt++) {
    const old = openRead(rotatedPath(file));
    const cur = openRead(file);
    if (inode(old) === pathInode(rotatedPath(file)) || attempt >= 5) {
      if (old !== undefined && inode(old) === inode(cur)) { fs.closeSync(old); return { old: undefined, cur }; }
      return { old, cur };
    }
    if (old !== undefined) fs.closeSync(old);
    if (cur !== undefined) fs.closeSync(cur);
  }
}

/** Every event in the log (the rotated file, then the current one), in the order written. */
export function readAllEvents(file = eventsLogPath()): TspodEvent[] {
  const { old, cur } = openLogPair(file);
  try {
    const out: TspodEvent[] = [];
    if (old !== undefined) out.push(...parseEvents(readFrom(old, 0).data));
    if (cur !== undefined) out.push(...parseEvents(readFrom(cur, 0).data));
    return out;
  } finally {
    if (old !== undefined) fs.closeSync(old);
    if (cur !== undefined) fs.closeSync(cur);
  }
}
