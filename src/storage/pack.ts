// Layer packer: a directory -> an OCI layer tar (commit, build, push of local
// layers, export). Deterministic: entries are sorted byte-wise, parents before
// children; uid/gid/mode/mtime come from lstat (so run it inside the user
// namespace to get container ids), hardlinks are detected by (dev, ino).
//
// Overlay upper dirs are converted to OCI whiteouts unless rootfsMode:
//  - a character device 0:0 (overlayfs / fuse-overlayfs whiteout) -> empty file `.wh.NAME`;
//  - an opaque directory -> the directory, then an empty `.wh..wh..opq` in it. Opaque
//    is recorded by fuse-overlayfs in the xattr `user.fuseoverlayfs.opaque` (or
//    `trusted.overlay.opaque` when privileged; native overlay in a user namespace uses
//    `user.overlay.opaque`), or, on filesystems without xattrs, by a `.wh..wh..opq`
//    file, which passes through unchanged like any existing `.wh.` file. (fuse-overlayfs
//    1.10 in a user namespace sets the user xattr AND writes a `.wh..wh..opq` file plus a
//    0:0 device named `.wh..opq`; we emit the marker exactly once.)
//    Node cannot read xattrs, so they are read with one `getfattr -R` run (package
//    `attr`); without getfattr a warning is logged and only marker files are seen, which
//    is enough for fuse-overlayfs but not for native overlayfs (xattr only).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { TspodError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { HashCounter } from './digest.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** xattrs meaning "this directory is opaque" when their value is "y" */
export const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque', 'user.fuseoverlayfs.opaque'] as const;

export interface PackOptions {
  /** paths relative to dir (leading "/" allowed) left out together with everything below them */
  exclude?: string[];
  /** pack a merged root filesystem (export): no whiteout/opaque conversion */
  rootfsMode?: boolean;
  /** look for opaque-directory xattrs with getfattr (default: !rootfsMode) */
  opaqueXattrs?: boolean;
}

export interface CompressedPackOptions extends PackOptions {
  /** gzip level 0-9 (default: zlib's default, 6) */
  gzipLevel?: number;
}

export interface PackResult {
  /** "sha256:<hex>" of the gzip blob */
  digest: string;
  /** gzip blob size */
  size: number;
  /** "sha256:<hex>" of the uncompressed tar */
  diffID: string;
  /** uncompressed tar size */
  diffSize: number;
}

const SMALL_FILE = 1 << 20;

function normRel(p: string): string {
  return p.split('/').filter((c) => c !== '' && c !== '.').join('/');
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Linux dev_t -> [major, minor] (glibc encoding). */
function devNumbers(rdev: number): [number, number] {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev >>> 0;
  const major = ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0);
  const minor = (lo & 0xff) | ((lo >>> 12) & 0xfff00);
  return [major, minor];
}

/** Decode getfattr's octal escapes (we run it with LC_ALL=C, so every non-ASCII byte is escaped). */
function decodeGetfattrPath(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (c === 0x5c && s[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

let warnedNoGetfattr = false;

/**
 * Directories under dir (relative paths) carrying an opaque xattr with value "y".
 * One `getfattr -R -P` run; an empty set (and a warning) when getfattr is missing.
 */
export async function findOpaqueDirs(dir: string): Promise<Set<string>> {
  const { run, which } = await import('../util/exec.js');
  const out = new Set<string>();
  const getfattr = which('getfattr');
  if (!getfattr) {
    if (!warnedNoGetfattr) {
      warnedNoGetfattr = true;
      log.warn('getfattr not found (install the "attr" package): directories made opaque in a container '
        + '(e.g. "rm -rf /d && mkdir /d") are only detected when marked with .wh..wh..opq files');
    }
    return out;
  }
  const root = path.resolve(dir);
  const pattern = `^(${OPAQUE_XATTRS.map((x) => x.replace(/\./g, '\\.')).join('|')})$`;
  const r = await run(getfattr, ['-R', '-P', '-h', '--absolute-names', '-d', '-m', pattern, root],
    { reject: false, env: { LC_ALL: 'C' }, maxBuffer: 256 * 1024 * 1024 });
  if (r.exitCode !== 0 && r.stderr) log.warn(`getfattr ${root}: ${r.stderr.split('\n').slice(-2).join('; ')}`);
  let current: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = decodeGetfattrPath(line.slice('# file: '.length));
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq < 0) continue;
    const value = line.slice(eq + 1);
    if (value !== '"y"' && value !== '0x79') continue;
    if (current === root) continue;
    if (current.startsWith(`${root}/`)) out.add(current.slice(root.length + 1));
  }
  return out;
}

function entryDone(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, buffer?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null): void => { if (err) reject(err); else resolve(); };
    if (buffer) pack.entry(header, buffer, cb);
    else pack.entry(header, cb);
  });
}

async function produce(pack: tar.Pack, root: string, opts: PackOptions): Promise<void> {
  const rootfsMode = opts.rootfsMode === true;
  const exclude = new Set((opts.exclude ?? []).map(normRel).filter((p) => p !== ''));
  const opaque = (opts.opaqueXattrs ?? !rootfsMode) ? await findOpaqueDirs(root) : new Set<string>();
  const inodes = new Map<string, string>();

  const walk = async (rel: string): Promise<void> => {
    const absDir = rel === '' ? root : `${root}/${rel}`;
    const names = fs.readdirSync(absDir).sort(byteOrder);
    const present = new Set(names);
    if (!rootfsMode && rel !== '' && opaque.has(rel) && !present.has(OPAQUE_MARKER)) {
      const st = fs.lstatSync(absDir);
      await entryDone(pack, { name: `${rel}/${OPAQUE_MARKER}`, type: 'file', mode: 0o100600, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 }, Buffer.alloc(0));
    }
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (exclude.has(r)) continue;
      const abs = `${root}/${r}`;
      const st = fs.lstatSync(abs);
      // full st.mode: tar-stream replaces a falsy mode (0000) by a default; only 07777 is encoded
      const base = { mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (st.isDirectory()) {
        await entryDone(pack, { ...base, name: `${r}/`, type: 'directory' });
        await walk(r);
      } else if (st.isFile()) {
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          const first = inodes.get(key);
          if (first !== undefined) {
            await entryDone(pack, { ...base, name: r, type: 'link', linkname: first });
            continue;
          }
          inodes.set(key, r);
        }
        if (st.size <= SMALL_FILE) {
          const data = fs.readFileSync(abs);
          await entryDone(pack, { ...base, name: r, type: 'file', size: data.length }, data);
        } else {
          let copied: Promise<void> = Promise.resolve();
          const entryCb = new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...base, name: r, type: 'file', size: st.size }, (err) => { if (err) reject(err); else resolve(); });
            copied = pipeline(fs.createReadStream(abs), sink as unknown as NodeJS.WritableStream);
          });
          await Promise.all([copied, entryCb]);
        }
      } else if (st.isSymbolicLink()) {
        await entryDone(pack, { ...base, name: r, type: 'symlink', linkname: fs.readlinkSync(abs) });
      } else if (st.isCharacterDevice() && st.rdev === 0 && !rootfsMode) {
        // overlay whiteout -> OCI whiteout file. fuse-overlayfs also leaves a 0:0 device named
        // ".wh..opq" next to the ".wh..wh..opq" file of an opaque dir: never emit a name twice.
        const wname = `${WHITEOUT_PREFIX}${name}`;
        if (present.has(wname) || (wname === OPAQUE_MARKER && opaque.has(rel))) continue;
        await entryDone(pack, { ...base, mode: 0o100600, name: rel === '' ? wname : `${rel}/${wname}`, type: 'file', size: 0 }, Buffer.alloc(0));
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const [devmajor, devminor] = devNumbers(st.rdev);
        await entryDone(pack, { ...base, name: r, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor, devminor });
      } else if (st.isFIFO()) {
        await entryDone(pack, { ...base, name: r, type: 'fifo' });
      } else {
        log.debug(`pack: skipping socket ${abs}`);
      }
    }
  };
  await walk('');
}

/**
 * A tar stream of dir's contents (dir itself is not an entry). The stream is a
 * streamx readable (tar-stream): it works with pipe(), stream.pipeline() and for-await.
 * Errors (unreadable file, file changing size while read) destroy the stream.
 */
export function packLayer(dir: string, opts: PackOptions = {}): Readable {
  const root = path.resolve(dir);
  const pack = tar.pack();
  produce(pack, root, opts).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err instanceof TspodError ? err : new TspodError(`packing ${root}: ${errorMessage(err)}`, 'EPACK')),
  );
  return pack as unknown as Readable;
}

/**
 * A gzip-compressed layer stream of dir, plus its digests once the stream has
 * been consumed to the end. (`result` rejects if packing fails; the stream is destroyed too.)
 */
export function packLayerCompressed(dir: string, opts: CompressedPackOptions = {}): { stream: Readable; result: Promise<PackResult> } {
  const diff = new HashCounter();
  const gz = zlib.createGzip(opts.gzipLevel === undefined ? {} : { level: opts.gzipLevel });
  const comp = new HashCounter();
  const result = pipeline(packLayer(dir, opts), diff, gz, comp).then(() => ({
    digest: comp.digest(), size: comp.bytes, diffID: diff.digest(), diffSize: diff.bytes,
  }));
  result.catch(() => { /* reported through the stream too; avoid an unhandled rejection */ });
  return { stream: comp, result };
}

/** Pack dir as a gzip layer into outFile (created/truncated); returns digests and sizes. */
export async function packLayerToFile(dir: string, outFile: string, opts: CompressedPackOptions = {}): Promise<PackResult> {
  const diff = new HashCounter();
  const gz = zlib.createGzip(opts.gzipLevel === undefined ? {} : { level: opts.gzipLevel });
  const comp = new HashCounter();
  try {
    await pipeline(packLayer(dir, opts), diff, gz, comp, fs.createWriteStream(outFile));
  } catch (err) {
    fs.rmSync(outFile, { force: true });
    throw err;
  }
  return { digest: comp.digest(), size: comp.bytes, diffID: diff.digest(), diffSize: diff.bytes };
}
