// COPY and ADD: find the sources (in the build context, never outside it, or
// in another stage's/image's root filesystem), hash them for the layer cache
// (paths, types, modes and contents: never mtimes or owners), and copy them
// into a container root filesystem without ever writing outside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { secureJoin } from '../container/rootfs.js';
import { InvalidArgumentError, NotFoundError, TspodError } from '../util/errors.js';
import type { IgnoreMatcher } from './ignore.js';
import { globToRegExp } from '../util/glob.js';

/** Where sources come from: the build context (with its ignore file) or a root filesystem. */
export interface SourceRoot {
  dir: string;
  /** context: refuse paths outside it, apply ignore, ownership becomes 0:0 (or --chown) */
  kind: 'context' | 'rootfs';
  ignore?: IgnoreMatcher | undefined;
}

export interface Source {
  /** host path of the entry to copy */
  abs: string;
  /** path relative to the source root, "/" separated ("." for the root) */
  rel: string;
  st: fs.Stats;
}

const GLOB = /[*?[]/;

/** Clean a source path; context paths that climb out of the context are refused. */
export function cleanSourcePath(p: string, kind: SourceRoot['kind']): string {
  const n = path.posix.normalize(p.replace(/^\/+/, '') || '.');
  if (n === '..' || n.startsWith('../')) {
    if (kind === 'context') throw new InvalidArgumentError(`forbidden path outside the build context: ${p}`);
    return '.';
  }
  return n.replace(/\/+$/, '') || '.';
}

function realInside(root: string, p: string): string | undefined {
  let real: string;
  try { real = fs.realpathSync(p); } catch { return undefined; }
  const r = fs.realpathSync(root);
  return real === r || real.startsWith(`${r}/`) ? real : undefined;
}

/** Resolve one (non-glob) source path to a host path. */
function resolveOne(root: SourceRoot, rel: string): Source | undefined {
  if (root.kind === 'rootfs') {
    // symlinks resolve inside the root filesystem, as the container would see them
    const abs = secureJoin(root.dir, rel);
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    return st ? { abs, rel, st } : undefined;
  }
  if (rel !== '.' && root.ignore?.ignored(rel)) return undefined;
  const parent = path.posix.dirname(rel);
  let parentAbs = path.join(root.dir, parent);
  if (parent !== '.') {
    const inside = realInside(root.dir, parentAbs);
    if (!inside) {
      if (!fs.existsSync(parentAbs)) return undefined;
      throw new InvalidArgumentError(`forbidden path outside the build context: ${rel} (a parent directory is a symbolic link leaving the context)`);
    }
    parentAbs = inside;
  }
  const abs = rel === '.' ? root.dir : path.join(parentAbs, path.posix.basename(rel));
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (st.isSymbolicLink()) {
    // follow a symlink named as a source only while it stays inside the context; else copy the link itself
    const real = realInside(root.dir, abs);
    if (real) return { abs: real, rel, st: fs.statSync(real) };
  }
  return { abs, rel, st };
}

/** Expand source paths (globs included) to sources. Errors when nothing matches. */
export function resolveSources(root: SourceRoot, patterns: string[]): Source[] {
  const out: Source[] = [];
  for (const p of patterns) {
    const rel = cleanSourcePath(p, root.kind);
    if (!GLOB.test(rel)) {
      const s = resolveOne(root, rel);
      if (!s) throw new NotFoundError(root.kind === 'context'
        ? `no such file or directory: "${p}" is not in the build context or is excluded by .containerignore/.dockerignore`
        : `no such file or directory: "${p}"`);
      out.push(s);
      continue;
    }
    const segs = rel.split('/');
    let cands = ['.'];
    for (const seg of segs) {
      const next: string[] = [];
      for (const c of cands) {
        if (!GLOB.test(seg)) { next.push(c === '.' ? seg : `${c}/${seg}`); continue; }
        const re = globToRegExp(seg);
        const dirAbs = root.kind === 'rootfs' ? secureJoin(root.dir, c) : path.join(root.dir, c);
        let names: string[] = [];
        try { if (fs.statSync(dirAbs).isDirectory()) names = fs.readdirSync(dirAbs); } catch { names = []; }
        for (const n of names.sort()) if (re.test(n)) next.push(c === '.' ? n : `${c}/${n}`);
      }
      cands = next;
    }
    let found = 0;
    for (const c of cands) {
      const s = resolveOne(root, c);
      if (s) { out.push(s); found++; }
    }
    if (!found) throw new NotFoundError(`no source files were specified: "${p}" matches no file in the ${root.kind === 'context' ? 'build context' : 'source image'}`);
  }
  return out;
}

export interface WalkEntry { rel: string; abs: string; st: fs.Stats }

/** Entries below a directory source (not the directory itself), parents first, sorted; ignored paths skipped. */
export function walkSource(root: SourceRoot, src: Source, fn: (e: WalkEntry) => void): void {
  const walk = (dirAbs: string, rel: string): void => {
    for (const name of fs.readdirSync(dirAbs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const ctxRel = src.rel === '.' ? r : `${src.rel}/${r}`;
      const abs = path.join(dirAbs, name);
      const st = fs.lstatSync(abs);
      if (root.ignore && root.kind === 'context' && root.ignore.ignored(ctxRel)) {
        if (st.isDirectory() && !root.ignore.canSkipDir(ctxRel)) walk(abs, r); // an exception may re-include something below
        continue;
      }
      fn({ rel: r, abs, st });
      if (st.isDirectory()) walk(abs, r);
    }
  };
  walk(src.abs, '');
}

function hashFile(h: ReturnType<typeof createHash>, file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally { fs.closeSync(fd); }
}

function describe(h: ReturnType<typeof createHash>, rel: string, st: fs.Stats, abs: string, withOwner: boolean): void {
  const owner = withOwner ? ` ${st.uid}:${st.gid}` : '';
  if (st.isDirectory()) h.update(`d ${rel} ${(st.mode & 0o7777).toString(8)}${owner}\n`);
  else if (st.isSymbolicLink()) h.update(`l ${rel} ${fs.readlinkSync(abs)}${owner}\n`);
  else if (st.isFile()) {
    h.update(`f ${rel} ${(st.mode & 0o7777).toString(8)} ${st.size}${owner}\n`);
    hashFile(h, abs);
    h.update('\n');
  }
}

/**
 * A digest of what COPY would copy: relative paths, types, modes, sizes,
 * contents and symlink targets (owners too for root filesystem sources,
 * whose ownership is preserved). Not mtimes.
 */
export function hashSources(root: SourceRoot, sources: Source[]): string {
  const h = createHash('sha256');
  const withOwner = root.kind === 'rootfs';
  for (const s of sources) {
    h.update(`source ${s.rel}\n`);
    describe(h, '.', s.st, s.abs, withOwner);
    if (s.st.isDirectory()) walkSource(root, s, (e) => describe(h, e.rel, e.st, e.abs, withOwner));
  }
  return `sha256:${h.digest('hex')}`;
}

export interface CopyOptions {
  /** --chown (uid/gid) */
  owner?: { uid: number; gid: number } | undefined;
  /** --chmod */
  mode?: number | undefined;
  /** keep the sources' owners (COPY --from, ADD archives); otherwise 0:0 */
  preserveOwner?: boolean;
}

/** Create a directory (and its parents) inside the container root; returns its host path. */
export function mkdirInRoot(root: string, containerDir: string, owner: { uid: number; gid: number }): string {
  const parts = containerDir.split('/').filter((p) => p && p !== '.');
  let cur = '/';
  let host = root;
  for (const p of parts) {
    cur = path.posix.join(cur, p);
    host = secureJoin(root, cur);
    const st = fs.lstatSync(host, { throwIfNoEntry: false });
    if (!st) {
      fs.mkdirSync(host, { mode: 0o755 });
      fs.chownSync(host, owner.uid, owner.gid);
      fs.chmodSync(host, 0o755);
    } else if (!st.isDirectory()) {
      throw new TspodError(`cannot copy to ${containerDir}: ${cur} exists and is not a directory`, 'ECOPY');
    }
  }
  return host;
}

function removeExisting(p: string): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) throw new TspodError(`cannot overwrite directory ${p} with a non-directory`, 'ECOPY');
  fs.unlinkSync(p);
}

class Copier {
  private dirTimes: Array<[string, fs.Stats]> = [];
  constructor(private readonly root: string, private readonly opts: CopyOptions) {}

  private owner(st: fs.Stats): { uid: number; gid: number } {
    if (this.opts.owner) return this.opts.owner;
    if (this.opts.preserveOwner) return { uid: st.uid, gid: st.gid };
    return { uid: 0, gid: 0 };
  }

  private mode(st: fs.Stats): number {
    return this.opts.mode ?? (st.mode & 0o7777);
  }

  /** Copy one non-directory entry to host path dst (its parent exists). */
  entry(src: string, st: fs.Stats, dst: string): void {
    const o = this.owner(st);
    if (st.isSymbolicLink()) {
      removeExisting(dst);
      fs.symlinkSync(fs.readlinkSync(src), dst);
      fs.lchownSync(dst, o.uid, o.gid);
      try { fs.lutimesSync(dst, st.atime, st.mtime); } catch { /* not supported */ }
      return;
    }
    if (st.isFile()) {
      removeExisting(dst);
      fs.copyFileSync(src, dst);
      fs.chownSync(dst, o.uid, o.gid);
      fs.chmodSync(dst, this.mode(st));
      fs.utimesSync(dst, st.atime, st.mtime);
    }
    // sockets, fifos and devices are not copied (as Docker)
  }

  /** Make (or reuse) a directory at host path dst, given the container path for symlink resolution. */
  dir(containerPath: string, st: fs.Stats | undefined): string {
    let host = secureJoin(this.root, containerPath);
    const cur = fs.lstatSync(host, { throwIfNoEntry: false });
    if (cur && !cur.isDirectory()) { fs.unlinkSync(host); }
    if (!cur || !cur.isDirectory()) {
      host = secureJoin(this.root, containerPath);
      fs.mkdirSync(host, { mode: 0o755 });
      const o = st ? this.owner(st) : (this.opts.owner ?? { uid: 0, gid: 0 });
      fs.chownSync(host, o.uid, o.gid);
      fs.chmodSync(host, st ? this.mode(st) : 0o755);
      if (st) this.dirTimes.push([host, st]);
    } else if (st) {
      // an existing directory takes the source directory's metadata (Docker)
      const o = this.owner(st);
      fs.chownSync(host, o.uid, o.gid);
      fs.chmodSync(host, this.mode(st));
      this.dirTimes.push([host, st]);
    }
    return host;
  }

  finish(): void {
    for (const [p, st] of this.dirTimes.reverse()) { try { fs.utimesSync(p, st.atime, st.mtime); } catch { /* ignore */ } }
    this.dirTimes = [];
  }
}

/**
 * Copy sources to dest (a container path, absolute) inside root (host path of the
 * mounted root filesystem). Docker's rules: a directory source copies its
 * contents; several sources (or a dest ending in "/") need a directory dest;
 * a single file onto an existing directory lands inside it.
 */
export function copySources(srcRoot: SourceRoot, sources: Source[], root: string, dest: string, opts: CopyOptions): void {
  const destIsDir = dest.endsWith('/') || dest.endsWith('/.');
  if (sources.length > 1 && !destIsDir) throw new InvalidArgumentError('when using COPY with more than one source file, the destination must be a directory and end with a /');
  const destClean = path.posix.normalize(dest);
  const c = new Copier(root, opts);
  const created = opts.owner ?? { uid: 0, gid: 0 };
  for (const s of sources) {
    if (s.st.isDirectory()) {
      mkdirInRoot(root, destClean, created);
      walkSource(srcRoot, s, (e) => {
        const cp = path.posix.join(destClean, e.rel);
        if (e.st.isDirectory()) { c.dir(cp, e.st); return; }
        const parentHost = secureJoin(root, path.posix.dirname(cp));
        c.entry(e.abs, e.st, path.join(parentHost, path.posix.basename(cp)));
      });
      continue;
    }
    let target: string;
    const existing = secureJoin(root, destClean);
    const exSt = fs.statSync(existing, { throwIfNoEntry: false });
    if (destIsDir || exSt?.isDirectory()) {
      mkdirInRoot(root, destClean, created);
      target = path.posix.join(destClean, path.posix.basename(s.rel === '.' ? s.abs : s.rel));
    } else {
      mkdirInRoot(root, path.posix.dirname(destClean), created);
      target = destClean;
    }
    const parentHost = secureJoin(root, path.posix.dirname(target));
    c.entry(s.abs, s.st, path.join(parentHost, path.posix.basename(target)));
  }
  c.finish();
}

/** Write a file (COPY <<EOF, ADD URL downloads) into root at a container path. */
export function writeFileInRoot(root: string, dest: string, name: string, content: Buffer, opts: { owner?: { uid: number; gid: number } | undefined; mode: number; mtime?: Date }): void {
  const destClean = path.posix.normalize(dest);
  const owner = opts.owner ?? { uid: 0, gid: 0 };
  let target: string;
  const exSt = fs.statSync(secureJoin(root, destClean), { throwIfNoEntry: false });
  if (dest.endsWith('/') || exSt?.isDirectory()) {
    mkdirInRoot(root, destClean, owner);
    target = path.posix.join(destClean, name);
  } else {
    mkdirInRoot(root, path.posix.dirname(destClean), owner);
    target = destClean;
  }
  const host = path.join(secureJoin(root, path.posix.dirname(target)), path.posix.basename(target));
  removeExisting(host);
  fs.writeFileSync(host, content, { mode: opts.mode });
  fs.chownSync(host, owner.uid, owner.gid);
  fs.chmodSync(host, opts.mode);
  if (opts.mtime) fs.utimesSync(host, opts.mtime, opts.mtime);
}

/** Is this file a tar archive ADD should extract (plain, gzip, bzip2, xz or zstd compressed)? */
export function archiveKind(file: string): 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | undefined {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(512);
  let n = 0;
  try { n = fs.readSync(fd, head, 0, 512, 0); } finally { fs.closeSync(fd); }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (n >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (n >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Parse --chmod (octal). */
export function parseChmod(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(v)) throw new InvalidArgumentError(`invalid --chmod "${v}": use an octal mode like 755 or 0644`);
  return parseInt(v, 8);
}
