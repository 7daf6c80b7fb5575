// cp: copying between a container and the host, between two containers, or from/to a tar
// stream (`tspod cp`, the API's archive endpoints). Paths in a container are resolved by
// files.ts resolveInContainer (never out of its root or mounts); data moves as a tar written
// by the safe layer unpacker (src/storage/unpack.ts): nothing lands outside the destination.
//
// Podman's rules and words (scripts match on them):
//  - a missing source: `"PATH" could not be found on container NAME: no such file or directory`
//    (`... on the host: ...`);
//  - a missing destination: created with DEST's name when its parent exists; a DEST ending in
//    "/" must exist; in a container a dangling symlink DEST creates its target;
//  - a directory onto a file: `destination must be a directory when copying a directory`;
//  - a tar on stdin must be a (compressed) tar archive and DEST a directory;
//  - a host DEST that exists must be a directory or a regular file (`-` is stdout);
//  - without --overwrite a directory is not replaced by a non-directory nor the reverse:
//    `error creating "PATH": ...: file exists`.
// Ownership: with --archive (default) what lands in a container belongs to the container's
// user; without, a tar's owners are kept. Either way the ids are the container's: a container
// with a user namespace of its own (--userns=keep-id) has them mapped into tspod's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import { ContainerStore } from '../container/store.js';
import { containerIdMappings, toContainerId, toNamespaceId, type IdMapping } from '../container/keep-id.js';
import { resolveUser } from '../container/user.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../util/errors.js';
import { hostGid, hostUid } from '../util/paths.js';
import { containerMounts, containerRootPid, mapTar, resolveInContainer, streamTo, tarOfPath, withContainerRoot, type MountedContainer } from './files.js';

export type CpEndpoint = { kind: 'host'; path: string } | { kind: 'container'; container: string; path: string } | { kind: 'stream' };

/** Podman's parsing: CONTAINER:PATH unless the argument starts with / or . ; "-" is a tar stream. */
export function parseCpArg(arg: string): CpEndpoint {
  if (arg === '-') return { kind: 'stream' };
  if (arg.startsWith('/') || arg.startsWith('.')) return { kind: 'host', path: arg };
  const i = arg.indexOf(':');
  if (i > 0) return { kind: 'container', container: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
  return { kind: 'host', path: arg };
}

export interface CpOptions {
  /** chown what lands in a container to the container's user (default true, as Podman's --archive) */
  archive?: boolean;
  /** allow replacing a directory by a file and a file by a directory */
  overwrite?: boolean;
  stdin?: Readable;
  stdout?: Writable;
}

function trailingSlash(p: string): boolean { return p.endsWith('/'); }
function dotSuffix(p: string): boolean { return p === '.' || p.endsWith('/.'); }

/** The name a copied source gets: the basename as typed, else the resolved one. */
function sourceName(typed: string, resolvedPath: string): string {
  const b = path.posix.basename(typed.replace(/\/+$/, ''));
  if (b && b !== '.' && b !== '..') return b;
  return path.posix.basename(resolvedPath);
}

function statOrUndef(p: string): fs.Stats | undefined {
  try { return fs.statSync(p); } catch { return undefined; }
}

/** A resolved location: its host path, the path its side knows it by, and what messages show. */
interface Loc { host: string; path: string; display: string; readonly: boolean }

interface Side {
  /** `container NAME` or `the host`, for "could not be found on ..." */
  where: string;
  resolve(p: string, followFinal?: boolean): Loc;
  /** the container (a container side) and its id mappings (a user namespace of its own) */
  ctr?: MountedContainer | undefined;
  ids?: { uid: IdMapping[]; gid: IdMapping[] } | undefined;
  recheck?: (() => void) | undefined;
}

function notFound(typed: string, side: Side, why = 'no such file or directory'): NotFoundError {
  return new NotFoundError(`"${typed}" could not be found on ${side.where}: ${why}`);
}

async function withSide<T>(ep: CpEndpoint, fn: (side: Side) => Promise<T>): Promise<T> {
  if (ep.kind !== 'container') {
    // host paths: symlinks resolved (the unpacker wants a real directory to write into); the
    // kernel's realpath, so a link to what has no path (/dev/stdout to a pipe) stays as it is
    const real = (p: string): string => { try { return fs.realpathSync.native(p); } catch { return p; } };
    return fn({
      where: 'the host',
      resolve: (p, followFinal = true) => {
        const abs = path.resolve(p);
        return { host: followFinal ? real(abs) : path.join(real(path.dirname(abs)), path.basename(abs)), path: abs, display: p, readonly: false };
      },
    });
  }
  const store = new ContainerStore();
  return withContainerRoot(ep.container, async (c) => {
    // a running container's tmpfs mounts are reached through its init's root
    const pid = containerRootPid(c);
    const mounts = containerMounts(c.cfg, store.userdata(c.entry.id), undefined, c.running ? { pid } : undefined);
    const m = containerIdMappings(c.cfg.userns, hostUid(), hostGid());
    return fn({
      where: `container ${ep.container}`,
      ctr: c,
      // just before data moves: the pid whose root reaches the tmpfs is still the container's
      recheck: () => { if (pid !== undefined && containerRootPid(c) !== pid) throw new ConflictError(`container ${ep.container} stopped while copying`); },
      ids: m ? { uid: m.uidMappings, gid: m.gidMappings } : undefined,
      resolve: (p, followFinal = true) => {
        const r = resolveInContainer(c.root, mounts, p.startsWith('/') ? p : `${c.cfg.workdir || '/'}/${p}`, followFinal);
        return { host: r.host, path: r.ctrPath, display: `${c.cfg.name}:${r.ctrPath}`, readonly: !!r.mount?.readonly };
      },
    });
  }, store, { idMapped: true });
}

// ---------------------------------------------------------------- tar input on stdin

const TAR_BLOCK = 512;

/** Does this 512-byte block look like a tar header (its checksum adds up)? */
export function isTarHeader(b: Buffer): boolean {
  if (b.length < TAR_BLOCK) return false;
  const field = b.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === parseInt(field, 8);
}

/** The tar inside a spooled file: plain or gzip-compressed. */
function openTar(file: string): Readable {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  const n = fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = zlib.createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  return raw;
}

/** The first block of the tar in file (decompressed), or what there is of it. */
async function firstBlock(file: string): Promise<Buffer> {
  const s = openTar(file);
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const c of s as AsyncIterable<Buffer>) { chunks.push(c); len += c.length; if (len >= TAR_BLOCK) break; }
  } catch { /* a broken compressed stream: not an archive */ } finally { s.destroy(); }
  return Buffer.concat(chunks).subarray(0, TAR_BLOCK);
}

/** Stdin spooled to a private temp file (as Podman), so its kind is known before anything is written. */
async function spool(input: Readable): Promise<{ file: string; done: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-cp-'));
  const file = path.join(dir, 'stdin.tar');
  const done = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const { pipeline } = await import('node:stream/promises');
    await pipeline(input, fs.createWriteStream(file, { mode: 0o600 }));
    if (!isTarHeader(await firstBlock(file))) throw new InvalidArgumentError('source must be a (compressed) tar archive when copying from stdin');
    return { file, done };
  } catch (err) { done(); throw err; }
}

// ---------------------------------------------------------------- cp

async function extractTar(input: Readable, destDir: string, preserveOwnership: boolean): Promise<void> {
  const { unpackLayer } = await import('../storage/unpack.js');
  await unpackLayer(input, destDir, { compression: 'auto', preserveOwnership });
}

interface Owner { uid: number; gid: number }
type IdMapper = (h: { uid?: number | undefined; gid?: number | undefined }) => Owner;

/** Refuse (without --overwrite) to replace a directory by a non-directory or the reverse, with Podman's words. */
function checkReplace(destDir: string, name: string, srcIsDir: boolean, shown: string, overwrite: boolean): void {
  if (overwrite || !name) return;
  const existing = statOrUndef(path.join(destDir, name));
  if (!existing || existing.isDirectory() === srcIsDir) return;
  throw new ConflictError(`error creating "${shown}": ${srcIsDir ? `cannot replace a non-directory with a directory (--overwrite does)` : `cannot replace a directory with a non-directory (--overwrite does)`}: file exists`);
}

/**
 * Copy between a container and the host (or a tar stream), following Docker's rules:
 *  - SRC a file: DEST missing -> created with DEST's name (DEST ending in "/" must be an existing directory);
 *    DEST a file -> overwritten; DEST a directory -> copied into it.
 *  - SRC a directory: DEST missing -> created, with SRC's content; DEST a file -> error;
 *    DEST a directory -> SRC copied into it, or, when SRC ends in "/.", SRC's content copied into it.
 *  - "-" as DEST writes a tar of SRC to stdout; "-" as SRC extracts a tar from stdin into the DEST directory.
 */
export async function copy(srcArg: string, dstArg: string, o: CpOptions = {}): Promise<void> {
  const src = parseCpArg(srcArg);
  const dst = parseCpArg(dstArg);
  if (src.kind === 'stream' && dst.kind === 'stream') throw new InvalidArgumentError('source and destination cannot both be "-"');
  if (src.kind !== 'container' && dst.kind !== 'container') throw new InvalidArgumentError('one of the source or the destination must be a container (CONTAINER:PATH)');
  const archive = o.archive ?? true;

  await withSide(src, async (s) => {
    // the source: dereferenced (Podman follows symlinks in the source path), must exist
    let srcHost = '', srcName = '', contentsOnly = false, srcStat: fs.Stats | undefined;
    if (src.kind !== 'stream') {
      const r = s.resolve(src.path);
      srcHost = r.host;
      srcStat = statOrUndef(srcHost);
      if (!srcStat) throw notFound(src.path, s);
      if ((trailingSlash(src.path) || dotSuffix(src.path)) && !srcStat.isDirectory()) throw notFound(src.path, s, 'not a directory');
      contentsOnly = srcStat.isDirectory() && dotSuffix(src.path);
      srcName = contentsOnly ? '' : sourceName(src.path, r.host);
      if (srcStat.isDirectory() && srcName === '') contentsOnly = true;
    }
    // a source container's ids as the container knows them
    const fromSrc = (h: { uid?: number | undefined; gid?: number | undefined }): Owner => ({
      uid: s.ids ? toContainerId(s.ids.uid, h.uid ?? 0) : h.uid ?? 0, gid: s.ids ? toContainerId(s.ids.gid, h.gid ?? 0) : h.gid ?? 0,
    });

    if (dst.kind === 'stream') {
      const out = o.stdout ?? process.stdout;
      if (out === process.stdout && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: redirect stdout');
      s.recheck?.();
      const t = await tarOfPath(srcHost, srcName);
      await streamTo(s.ids ? mapTar(t, (h) => ({ ...h, ...fromSrc(h) })) : t, out);
      return;
    }

    await withSide(dst, async (d) => {
      const intoContainer = dst.kind === 'container';
      const loc = d.resolve(dst.path);
      let dstStat = statOrUndef(loc.host);
      // "x/" names a directory: a file there is as missing as nothing
      if (dstStat && !dstStat.isDirectory() && trailingSlash(dst.path)) dstStat = undefined;
      if (loc.readonly) throw new ConflictError(`cannot copy to ${loc.display}: it is on a read-only mount`);
      if (dstStat && !intoContainer && !dstStat.isDirectory() && !dstStat.isFile()) {
        throw new InvalidArgumentError(`invalid destination: "${loc.path}" must be a directory or a regular file`);
      }

      // the owner of what lands in a container, in tspod's namespace
      let toDst: IdMapper | undefined;
      if (intoContainer) {
        const nsIds = (u: number, g: number): Owner => ({ uid: d.ids ? toNamespaceId(d.ids.uid, u) : u, gid: d.ids ? toNamespaceId(d.ids.gid, g) : g });
        if (archive) {
          let user: Owner;
          try { const u = resolveUser(d.ctr!.root, d.ctr!.cfg.user); user = { uid: u.uid, gid: u.gid }; } catch { user = { uid: 0, gid: 0 }; }
          const owner = nsIds(user.uid, user.gid);
          toDst = () => owner;
        } else if (d.ids || s.ids) {
          toDst = (h) => { const c = fromSrc(h); return nsIds(c.uid, c.gid); };
        }
      }

      if (src.kind === 'stream') {
        if (!dstStat) throw trailingSlash(dst.path) ? notFound(dst.path, d) : new InvalidArgumentError('destination must be a directory when copying from stdin');
        if (!dstStat.isDirectory()) throw new InvalidArgumentError('destination must be a directory when copying from stdin');
        const spooled = await spool(o.stdin ?? process.stdin);
        try {
          const input = toDst ? mapTar(openTar(spooled.file), (h) => ({ ...h, ...toDst!(h) })) : fs.createReadStream(spooled.file);
          d.recheck?.();
          await extractTar(input, loc.host, intoContainer);
        } finally { spooled.done(); }
        return;
      }

      const srcIsDir = srcStat!.isDirectory();
      let destDir: string, name: string, shownDir: string;
      if (dstStat) {
        if (dstStat.isDirectory()) {
          destDir = loc.host;
          shownDir = intoContainer ? loc.path : '/';
          name = contentsOnly ? '' : srcName;
        } else {
          if (srcIsDir) throw new InvalidArgumentError('destination must be a directory when copying a directory');
          destDir = path.dirname(loc.host);
          name = path.basename(loc.host);
          shownDir = intoContainer ? path.posix.dirname(loc.path) : '/';
        }
      } else {
        if (trailingSlash(dst.path)) throw notFound(dst.path, d);
        // the parent must exist; the new entry takes DEST's name (in a container, a dangling
        // symlink's target: Podman creates the file the link points to)
        const typed = dst.path.replace(/\/+$/, '') || '/';
        const target = intoContainer ? loc : d.resolve(typed, false);
        destDir = path.dirname(target.host);
        name = path.basename(target.host);
        shownDir = intoContainer ? path.posix.dirname(target.path) : '/';
        if (!statOrUndef(destDir)?.isDirectory()) throw notFound(dst.path, d);
      }
      const overwrite = !!o.overwrite;
      const shown = (n: string) => path.posix.join(shownDir, n);
      if (name) checkReplace(destDir, name, srcIsDir, shown(name), overwrite);
      else if (srcIsDir) for (const child of fs.readdirSync(srcHost, { withFileTypes: true })) checkReplace(destDir, child.name, child.isDirectory(), shown(child.name), overwrite);
      s.recheck?.();
      d.recheck?.();
      const t = await tarOfPath(srcHost, name);
      await extractTar(toDst ? mapTar(t, (h) => ({ ...h, ...toDst!(h) })) : t, destDir, intoContainer);
    });
  });
}
