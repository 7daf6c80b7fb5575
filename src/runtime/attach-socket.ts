// conmon's attach protocol, client side.
//
// conmon (started with --full-attach) listens on <bundle>/attach, a
// SOCK_SEQPACKET unix socket, and writes the container's control fifo
// <bundle>/ctl. Facts from conmon 2.1 (src/conn_sock.c, src/ctrl.c):
//   - every packet conmon sends is one chunk of container output: byte 0 is the
//     stream (2 = stdout, 3 = stderr; with a terminal everything is stdout), the
//     rest is the data. Output produced while no client is connected is only
//     logged, so a client that must see everything connects before `runc start`.
//   - what a client sends is raw stdin bytes (no header); conmon reads at most
//     CONN_SOCK_BUF_SIZE - 1 bytes per packet (a longer packet is truncated), so
//     we send small packets.
//   - when a client's read side ends (we shut down our write side, or close),
//     conmon started with -i and without --leave-stdin-open closes the
//     container's stdin: that is how EOF of `echo hi | tspod run -i IMAGE cat`
//     reaches the container.
//   - the ctl fifo takes lines "<type> <height> <width>\n"; type 1 resizes the
//     terminal (type 2 reopens the logs); sizes above 1000 are refused.
//
// Node's `net` cannot open SOCK_SEQPACKET sockets, so the socket comes from the
// npm package node-unix-socket (napi-rs; its prebuilt linux-x64-gnu binary is an
// npm optional dependency, nothing is downloaded from elsewhere). It is imported
// lazily: only interactive commands pay for loading the addon.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, TspodError } from '../util/errors.js';

export const STREAM_STDIN = 1;
export const STREAM_STDOUT = 2;
export const STREAM_STDERR = 3;

/** Largest stdin packet we send (conmon's buffer is 32 KiB; stay well below it). */
export const MAX_STDIN_PACKET = 8192;

/** conmon refuses window sizes outside 0..1000. */
const MAX_WINSIZE = 1000;

export interface OutputChunk { stream: 'stdout' | 'stderr'; data: Buffer }

/** One packet from conmon -> its stream and data; undefined for packets that carry no output. */
export function decodePacket(packet: Buffer): OutputChunk | undefined {
  if (packet.length < 1) return undefined;
  const kind = packet[0];
  if (kind === STREAM_STDOUT) return { stream: 'stdout', data: packet.subarray(1) };
  if (kind === STREAM_STDERR) return { stream: 'stderr', data: packet.subarray(1) };
  return undefined;
}

/** Split stdin data into packets conmon reads whole. */
export function stdinPackets(data: Buffer, max = MAX_STDIN_PACKET): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += max) out.push(data.subarray(i, i + max));
  return out;
}

/** The ctl fifo line that resizes the container's terminal. */
export function resizeMessage(rows: number, cols: number): string {
  const clamp = (n: number) => Math.max(0, Math.min(MAX_WINSIZE, Math.floor(Number.isFinite(n) ? n : 0)));
  return `1 ${clamp(rows)} ${clamp(cols)}\n`;
}

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/**
 * Docker's/Podman's detach key syntax -> the byte sequence: comma-separated keys,
 * each a single character or `ctrl-<c>` with <c> one of a-z @ [ \ ] ^ _.
 * The empty string disables detaching.
 */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length === 1) { bytes.push(k.charCodeAt(0)); continue; }
    const m = /^ctrl-(.)$/i.exec(k);
    if (m) {
      const c = m[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') { bytes.push(c.charCodeAt(0) - 96); continue; }
      const special = '@[\\]^_'.indexOf(c);
      if (special >= 0) { bytes.push(special === 0 ? 0 : 27 + special - 1); continue; }
    }
    throw new InvalidArgumentError(`invalid detach keys "${spec}": use a comma-separated list of characters or ctrl-<value> with <value> one of a-z, @, ^, [, \\, ], _`);
  }
  return Buffer.from(bytes);
}

/**
 * Watches stdin for the detach sequence. Bytes that might start the sequence are
 * held back until it is clear whether they do; a mismatch releases them.
 */
export class DetachScanner {
  private held: number[] = [];
  constructor(private readonly keys: Buffer) {}

  /** Feed a chunk; returns the bytes to forward, and whether the sequence was completed. */
  push(chunk: Buffer): { data: Buffer; detached: boolean } {
    if (!this.keys.length) return { data: chunk, detached: false };
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held.length]) {
        this.held.push(b);
        if (this.held.length === this.keys.length) return { data: Buffer.from(out), detached: true };
        continue;
      }
      // mismatch: the held bytes were ordinary input; the current byte may start a new match
      out.push(...this.held);
      this.held = [];
      if (b === this.keys[0]) { this.held.push(b); if (this.keys.length === 1) return { data: Buffer.from(out), detached: true }; } else out.push(b);
    }
    return { data: Buffer.from(out), detached: false };
  }

  /** Bytes held back at end of input (a partial sequence is ordinary input after all). */
  flush(): Buffer {
    const b = Buffer.from(this.held);
    this.held = [];
    return b;
  }
}

interface SeqpacketSocketLike {
  on(ev: 'data', cb: (b: Buffer) => void): unknown;
  on(ev: 'end' | 'close' | 'connect', cb: () => void): unknown;
  on(ev: 'error', cb: (e: Error) => void): unknown;
  connect(p: string, cb?: () => void): void;
  write(buf: Buffer, offset?: number, length?: number, cb?: () => void): void;
  end(cb?: () => void): void;
  destroy(): void;
}

async function loadSeqpacket(): Promise<new () => SeqpacketSocketLike> {
  try {
    const m = (await import('node-unix-socket')) as unknown as { SeqpacketSocket?: new () => SeqpacketSocketLike; default?: { SeqpacketSocket: new () => SeqpacketSocketLike } };
    const S = m.SeqpacketSocket ?? m.default?.SeqpacketSocket;
    if (!S) throw new Error('SeqpacketSocket missing');
    return S;
  } catch (err) {
    throw new TspodError(`cannot load node-unix-socket (needed to attach to containers): ${(err as Error).message}; reinstall tspod's npm dependencies`, 'EPREREQ');
  }
}

/**
 * A connection to conmon's attach socket. Output packets arrive through
 * `onOutput`; `ended` resolves when conmon closes the connection (the container
 * exited, or conmon is gone).
 */
export class AttachConnection {
  private pending = 0;
  private drainWaiters: Array<() => void> = [];
  private inputEnded = false;
  private closed = false;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(private readonly sock: SeqpacketSocketLike, onOutput: (c: OutputChunk) => void) {
    this.ended = new Promise((r) => { this.resolveEnded = r; });
    sock.on('data', (b) => { const c = decodePacket(b); if (c && c.data.length) onOutput(c); });
    sock.on('end', () => this.resolveEnded());
    sock.on('close', () => { this.closed = true; this.resolveEnded(); this.releaseWaiters(); });
    sock.on('error', () => { this.closed = true; this.resolveEnded(); this.releaseWaiters(); });
  }

  private releaseWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  /** Packets written but not yet handed to the kernel. */
  get backlog(): number { return this.pending; }

  /** Send stdin bytes; resolves when they are in the kernel (use it to pace the reader). */
  write(data: Buffer): Promise<void> {
    if (this.closed || this.inputEnded || !data.length) return Promise.resolve();
    const packets = stdinPackets(data);
    return new Promise((resolve) => {
      let left = packets.length;
      for (const p of packets) {
        this.pending++;
        try {
          this.sock.write(p, 0, p.length, () => {
            this.pending--;
            if (--left === 0) resolve();
            if (this.pending === 0) this.releaseWaiters();
          });
        } catch {
          // the socket is gone (container exited): drop the input, as a closed pipe would
          this.pending--;
          this.closed = true;
          resolve();
          return;
        }
      }
    });
  }

  /** Wait until everything written is in the kernel. */
  drained(): Promise<void> {
    if (this.pending === 0 || this.closed) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  /** Half-close: conmon then closes the container's stdin (EOF). Output keeps flowing. */
  async endInput(): Promise<void> {
    if (this.inputEnded || this.closed) return;
    await this.drained();
    this.inputEnded = true;
    try { this.sock.end(); } catch { /* already gone */ }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { this.sock.destroy(); } catch { /* gone */ }
    this.resolveEnded();
    this.releaseWaiters();
  }
}

/**
 * Connect to <bundle>/attach. Unix socket paths are limited to 108 bytes and
 * bundle paths are longer, so we connect through /proc/self/fd/<dirfd>/attach,
 * as conmon itself binds it.
 */
export async function connectAttach(bundle: string, onOutput: (c: OutputChunk) => void): Promise<AttachConnection> {
  const Seqpacket = await loadSeqpacket();
  const file = path.join(bundle, 'attach');
  let dirFd: number;
  try {
    dirFd = fs.openSync(bundle, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (err) {
    throw new TspodError(`cannot open the container's bundle ${bundle}: ${(err as Error).message}`, 'EATTACH');
  }
  try {
    const target = file.length < 100 ? file : `/proc/self/fd/${dirFd}/attach`;
    const sock = new Seqpacket();
    let conn: AttachConnection | undefined;
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) => reject(e);
      sock.on('error', onErr);
      try {
        sock.connect(target, () => resolve());
      } catch (e) { reject(e as Error); }
    }).catch((e: Error) => {
      throw new TspodError(`cannot attach to the container through ${file}: ${e.message}`, 'EATTACH');
    });
    conn = new AttachConnection(sock, onOutput);
    return conn;
  } finally {
    fs.closeSync(dirFd);
  }
}

/**
 * Resize the container's terminal through conmon's ctl fifo. Best effort: a
 * missing fifo (conmon gone) is ignored.
 */
export function sendResize(bundle: string, rows: number, cols: number): boolean {
  let fd: number | undefined;
  try {
    // conmon holds a writer open itself, so this never blocks; O_NONBLOCK fails fast when nobody reads
    fd = fs.openSync(path.join(bundle, 'ctl'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.writeSync(fd, resizeMessage(rows, cols));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
