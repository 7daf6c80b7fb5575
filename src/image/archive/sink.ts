// Where an archive is written: a tar stream (to a file or stdout) or a
// directory. Members are added one at a time, in order; a stream member's
// length must be known up front (tar headers carry the size).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { TspodError, errorMessage } from '../../util/errors.js';

export interface ArchiveSink {
  addDir(name: string): Promise<void>;
  addBuffer(name: string, data: Buffer): Promise<void>;
  /** `size` must be the exact number of bytes `data` yields */
  addStream(name: string, size: number, data: Readable): Promise<void>;
  addSymlink(name: string, target: string): Promise<void>;
  /** Flush and close; the archive is complete when this resolves. */
  finish(): Promise<void>;
  /** Stop after a failure (the caller removes the partial output). */
  abort(err: Error): void;
}

/** Fixed metadata so the same image always makes the same bytes (Podman writes epoch 0 too). */
const EPOCH = new Date(0);

interface WritableLike {
  write(chunk: Buffer): boolean;
  end(): void;
  once(ev: 'drain' | 'error' | 'close', fn: (...a: unknown[]) => void): unknown;
  off?(ev: string, fn: (...a: unknown[]) => void): unknown;
  destroyed?: boolean;
}

export class TarSink implements ArchiveSink {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;
  private failed: Error | undefined;

  /**
   * `end: false` leaves `out` open when the archive is complete: for process.stdout, which
   * must stay usable (oclif flushes it on exit).
   */
  constructor(out: Writable, private readonly fileMode = 0o444, end = true) {
    const piped = end ? pipeline(this.pack as unknown as Readable, out) : pump(this.pack as unknown as Readable, out);
    this.done = piped.catch((err: unknown) => {
      this.failed ??= err instanceof Error ? err : new Error(String(err));
      throw this.failed;
    });
    this.done.catch(() => { /* surfaced by the next add or finish */ });
  }

  private check(): void {
    if (this.failed) throw new TspodError(`writing the archive: ${errorMessage(this.failed)}`);
  }

  private header(name: string, extra: Partial<tar.Header>): Partial<tar.Header> & { name: string } {
    return { name, mode: this.fileMode, uid: 0, gid: 0, mtime: EPOCH, ...extra };
  }

  async addDir(name: string): Promise<void> {
    this.check();
    await new Promise<void>((res, rej) => this.pack.entry(this.header(name.endsWith('/') ? name : `${name}/`, { type: 'directory', mode: 0o755 }), (e) => (e ? rej(e) : res())));
  }

  async addBuffer(name: string, data: Buffer): Promise<void> {
    this.check();
    await new Promise<void>((res, rej) => this.pack.entry(this.header(name, { size: data.length }), data, (e) => (e ? rej(e) : res())));
  }

  async addSymlink(name: string, target: string): Promise<void> {
    this.check();
    await new Promise<void>((res, rej) => this.pack.entry(this.header(name, { type: 'symlink', linkname: target, mode: 0o777 }), (e) => (e ? rej(e) : res())));
  }

  async addStream(name: string, size: number, data: Readable): Promise<void> {
    this.check();
    let settle!: (e?: Error | null) => void;
    const entryDone = new Promise<void>((res, rej) => { settle = (e) => (e ? rej(e) : res()); });
    const entry = this.pack.entry(this.header(name, { size }), (e) => settle(e)) as unknown as WritableLike & { on(ev: 'error', fn: () => void): unknown };
    entry.on('error', () => { /* reported through the entry callback */ });
    entryDone.catch(() => { /* awaited below */ });
    try {
      for await (const chunk of data) {
        this.check();
        if (!entry.write(chunk as Buffer)) {
          await new Promise<void>((res, rej) => {
            const onErr = (e: unknown): void => rej(e);
            entry.once('drain', () => { entry.off?.('error', onErr); res(); });
            entry.once('error', onErr);
          });
        }
      }
    } catch (err) {
      data.destroy();
      throw err;
    }
    entry.end();
    await entryDone;
  }

  async finish(): Promise<void> {
    this.check();
    this.pack.finalize();
    await this.done;
  }

  abort(err: Error): void {
    this.failed ??= err;
    (this.pack as unknown as { destroy(e?: Error): void }).destroy(err);
  }
}

/** Copy `src` into `out` with backpressure, leaving `out` open. */
function pump(src: Readable, out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => { src.resume(); };
    const cleanup = (): void => { out.off('drain', onDrain); out.off('error', fail); };
    const fail = (err: unknown): void => { cleanup(); reject(err instanceof Error ? err : new Error(String(err))); };
    src.on('data', (chunk: Buffer) => { if (!out.write(chunk)) src.pause(); });
    out.on('drain', onDrain);
    out.on('error', fail);
    src.on('error', fail);
    src.on('end', () => {
      cleanup();
      if (!out.writableNeedDrain) { resolve(); return; }
      out.once('drain', () => resolve());
    });
  });
}

export class DirSink implements ArchiveSink {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  private p(name: string): string {
    const full = path.join(this.dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true, mode: 0o755 });
    return full;
  }

  async addDir(name: string): Promise<void> { fs.mkdirSync(path.join(this.dir, name), { recursive: true, mode: 0o755 }); }

  async addBuffer(name: string, data: Buffer): Promise<void> { fs.writeFileSync(this.p(name), data, { mode: 0o644 }); }

  async addStream(name: string, size: number, data: Readable): Promise<void> {
    const file = this.p(name);
    await pipeline(data, fs.createWriteStream(file, { mode: 0o644 }));
    const got = fs.statSync(file).size;
    if (got !== size) throw new TspodError(`writing ${name}: expected ${size} bytes, got ${got}`);
  }

  async addSymlink(name: string, target: string): Promise<void> { fs.symlinkSync(target, this.p(name)); }

  async finish(): Promise<void> { /* nothing buffered */ }

  abort(): void { /* the caller removes the directory */ }
}
