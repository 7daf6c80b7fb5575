// Where an archive's files are read from: a tar file (indexed for random
// access) or a directory (oci-dir / docker-dir). Member names are always
// relative, "/"-separated; symlinks and hardlinks inside a tar are followed
// (docker-archive writers link <legacy-id>/layer.tar to ../<hex>.tar), but
// never out of the archive.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isErrno, errorMessage, NotFoundError } from '../../util/errors.js';
import { cleanName, indexTar, type TarMember } from './tar-index.js';
import { ArchiveFormatError, MAX_JSON } from './types.js';

export interface ArchiveSource {
  /** for messages: the path given by the user */
  readonly label: string;
  has(name: string): boolean;
  size(name: string): number;
  open(name: string): Readable;
  /** first n bytes of a member (fewer if it is shorter) */
  head(name: string, n: number): Promise<Buffer>;
  /** whole member into memory (JSON documents only: capped at MAX_JSON) */
  read(name: string): Promise<Buffer>;
}

function missing(label: string, name: string): ArchiveFormatError {
  return new ArchiveFormatError(`${label}: the archive has no file "${name}"`);
}

export class TarSource implements ArchiveSource {
  private readonly members: Map<string, TarMember>;
  constructor(readonly file: string, readonly label: string = file) {
    try {
      this.members = indexTar(file);
    } catch (err) {
      if (err instanceof ArchiveFormatError) err.message = `${label}: ${err.message}`;
      throw err;
    }
  }

  /** Follow links to a regular file member. */
  private resolve(name: string): TarMember {
    let cur = cleanName(name);
    for (let hops = 0; hops < 16; hops++) {
      const m = this.members.get(cur);
      if (!m) throw missing(this.label, name);
      if (m.type === 'file') return m;
      if (m.type === 'symlink' || m.type === 'link') {
        const target = m.type === 'symlink' && !m.linkname.startsWith('/') ? path.posix.join(path.posix.dirname(cur), m.linkname) : m.linkname;
        const norm = path.posix.normalize(target).replace(/^\/+/, '');
        if (norm.startsWith('..')) throw new ArchiveFormatError(`${this.label}: "${name}" links outside the archive`);
        cur = cleanName(norm);
        continue;
      }
      throw new ArchiveFormatError(`${this.label}: "${name}" is not a regular file in the archive`);
    }
    throw new ArchiveFormatError(`${this.label}: too many levels of links at "${name}"`);
  }

  has(name: string): boolean {
    try { this.resolve(name); return true; } catch { return false; }
  }

  size(name: string): number { return this.resolve(name).size; }

  open(name: string): Readable {
    const m = this.resolve(name);
    if (m.size === 0) return Readable.from([]);
    return fs.createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 256 * 1024 });
  }

  async head(name: string, n: number): Promise<Buffer> {
    const m = this.resolve(name);
    const len = Math.min(n, m.size);
    const b = Buffer.alloc(len);
    const fh = await fs.promises.open(this.file, 'r');
    try { await fh.read(b, 0, len, m.offset); } finally { await fh.close(); }
    return b;
  }

  async read(name: string): Promise<Buffer> {
    const m = this.resolve(name);
    if (m.size > MAX_JSON) throw new ArchiveFormatError(`${this.label}: "${name}" is too large (${m.size} bytes) for a JSON document`);
    const b = Buffer.alloc(m.size);
    const fh = await fs.promises.open(this.file, 'r');
    try { await fh.read(b, 0, m.size, m.offset); } finally { await fh.close(); }
    return b;
  }
}

export class DirSource implements ArchiveSource {
  constructor(readonly dir: string, readonly label: string = dir) {}

  private p(name: string): string {
    const clean = cleanName(name);
    if (clean.split('/').includes('..')) throw new ArchiveFormatError(`${this.label}: invalid member name "${name}"`);
    return path.join(this.dir, clean);
  }

  private stat(name: string): fs.Stats {
    try {
      const st = fs.statSync(this.p(name));
      if (!st.isFile()) throw new ArchiveFormatError(`${this.label}: "${name}" is not a regular file`);
      return st;
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw missing(this.label, name);
      throw err;
    }
  }

  has(name: string): boolean {
    try { this.stat(name); return true; } catch { return false; }
  }

  size(name: string): number { return this.stat(name).size; }

  open(name: string): Readable {
    this.stat(name);
    return fs.createReadStream(this.p(name), { highWaterMark: 256 * 1024 });
  }

  async head(name: string, n: number): Promise<Buffer> {
    const fh = await fs.promises.open(this.p(name), 'r');
    try {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, 0);
      return b.subarray(0, bytesRead);
    } finally { await fh.close(); }
  }

  async read(name: string): Promise<Buffer> {
    const size = this.size(name);
    if (size > MAX_JSON) throw new ArchiveFormatError(`${this.label}: "${name}" is too large (${size} bytes) for a JSON document`);
    return fs.promises.readFile(this.p(name));
  }
}

function sniff(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(6);
    const n = fs.readSync(fd, b, 0, 6, 0);
    return b.subarray(0, n);
  } finally { fs.closeSync(fd); }
}

export function isGzip(b: Buffer): boolean { return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b; }
export function isZstd(b: Buffer): boolean { return b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd; }
function isXz(b: Buffer): boolean { return b.length >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])); }
function isBzip2(b: Buffer): boolean { return b.length >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh'; }

/**
 * Open what the user gave to `load`: a directory (oci layout or dir transport),
 * a tar file, or a gzip-compressed tar file (decompressed into `workDir` first).
 */
export async function openSource(input: string, workDir: string, label = input): Promise<ArchiveSource> {
  let st: fs.Stats;
  try { st = fs.statSync(input); } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${label}: no such file or directory`);
    throw new ArchiveFormatError(`${label}: ${errorMessage(err)}`);
  }
  if (st.isDirectory()) return new DirSource(input, label);
  const head = sniff(input);
  if (isGzip(head)) {
    const out = path.join(workDir, 'archive.tar');
    try {
      await pipeline(fs.createReadStream(input), zlib.createGunzip(), fs.createWriteStream(out, { mode: 0o600 }));
    } catch (err) {
      throw new ArchiveFormatError(`${label}: the archive is gzip-compressed but cannot be decompressed: ${errorMessage(err)}`);
    }
    return new TarSource(out, label);
  }
  if (isXz(head) || isBzip2(head) || isZstd(head)) {
    throw new ArchiveFormatError(`${label}: xz, bzip2 and zstd compressed archives are not supported: decompress it first (or use gzip)`);
  }
  return new TarSource(input, label);
}
