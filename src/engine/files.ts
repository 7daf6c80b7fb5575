// Moving files in and out of containers: cp, diff, commit, export, mount,
// unmount. Runs inside tspod's user and mount namespace (every command here is
// in USERNS_COMMANDS), where the containers' fuse-overlayfs mounts live.
//
// Safety rules for paths inside a container (cp):
//  - every container path is resolved by resolveInContainer, which follows
//    symlinks the way the kernel would inside the container (an absolute
//    target restarts at the container's root, ".." stops at the root), and
//    maps paths under the container's volume and bind mounts to their host
//    directories. Nothing resolves outside the container's root or mounts.
//  - data is moved as a tar stream and written by the safe layer unpacker
//    (src/storage/unpack.ts): no entry leaves the destination directory, no
//    parent symlink is followed, files are created with O_NOFOLLOW.
// Known limit: a running container could swap a directory for a symlink
// between resolution and writing (Podman closes that race with a chroot'd
// helper process). The unpacker still refuses symlinked parents below the
// destination directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ContainerStore, containerLockKey } from '../container/store.js';
import { isMounted, mountRootfs, rootfsPaths, unmountRootfs, walkContainerPath } from '../container/rootfs.js';
import type { ContainerConfig, ContainerEntry, MountSpec } from '../container/types.js';
import { containerIdMappings, fuseMapping } from '../container/keep-id.js';
import { hostGid, hostUid } from '../util/paths.js';
import { ImageStore } from '../image/store.js';
import { VolumeStore } from '../volume/store.js';
import { withLock } from '../state/lock.js';
import { InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';


export function isLive(e: ContainerEntry): boolean {
  return e.state === 'running' || e.state === 'paused' || e.state === 'stopping';
}

export async function syncedEntry(store: ContainerStore, input: string): Promise<ContainerEntry> {
  const { syncedState } = await import('./container/index.js');
  return syncedState(store.resolve(input));
}

export interface MountedContainer { entry: ContainerEntry; cfg: ContainerConfig; root: string; running: boolean }

/**
 * Run fn with the container's root filesystem mounted (mounting it for the
 * duration when it is not: a stopped container), holding the container's lock
 * so it is not started, removed or cleaned up meanwhile.
 */
export async function withContainerRoot<T>(input: string, fn: (c: MountedContainer) => Promise<T>, store = new ContainerStore(), o: { idMapped?: boolean } = {}): Promise<T> {
  const e0 = store.resolve(input);
  return withLock(containerLockKey(e0.id), async () => {
    const e = await syncedEntry(store, e0.id);
    const cfg = store.readConfig(e.id);
    const ctrDir = store.ctrDir(e.id);
    const merged = rootfsPaths(ctrDir).merged;
    const wasMounted = isMounted(merged);
    if (!wasMounted && isLive(e)) throw new TspodError(`the root filesystem of running container ${cfg.name} is not mounted in this mount namespace`, 'EMOUNT');
    // idMapped: a container with a user namespace of its own (keep-id) shown as when it runs,
    // its ids mapped into tspod's namespace (what its volumes and tmpfs hold too)
    const m = o.idMapped ? containerIdMappings(cfg.userns, hostUid(), hostGid()) : undefined;
    const root = wasMounted ? merged : await mountRootfs(new ImageStore(), e.layers, ctrDir, m ? { uid: fuseMapping(m.uidMappings), gid: fuseMapping(m.gidMappings) } : undefined);
    try {
      return await fn({ entry: e, cfg, root, running: isLive(e) });
    } finally {
      if (!wasMounted) await unmountRootfs(ctrDir).catch((err) => log.warn(`unmounting ${merged}: ${errorMessage(err)}`));
    }
  });
}

/** Stream src into out; process.stdout is never ended (oclif still writes to it). */
export async function streamTo(src: Readable, out: Writable): Promise<void> {
  if (out !== process.stdout) { await pipeline(src, out); return; }
  // (tar-stream's streams are streamx streams, whose pipe() cannot leave the destination open)
  for await (const chunk of src as AsyncIterable<Buffer>) {
    if (!out.write(chunk)) await new Promise<void>((resolve, reject) => { out.once('drain', resolve); out.once('error', reject); });
  }
}

// ---------------------------------------------------------------- path resolution

export interface MountPoint { destination: string; host: string | undefined; readonly: boolean; what: string }

export function splitPath(p: string): string[] { return p.split('/').filter((x) => x && x !== '.'); }

/**
 * The container's mounts as seen by cp: volumes and binds map to host directories. A tmpfs
 * exists only in a running container's mount namespace: with `live` (the container runs) it
 * is reached through its init's /proc/PID/root; without, it is left out, so paths under it
 * land in the root filesystem below, which the tmpfs copies up when the container starts.
 */
export function containerMounts(cfg: ContainerConfig, userdata: string, vols = new VolumeStore(), live?: { pid: number | undefined }): MountPoint[] {
  const out: MountPoint[] = [];
  for (const m of cfg.mounts) {
    const mp = mountPointOf(m, vols, live);
    if (mp) out.push(mp);
  }
  // --read-only: tmpfs on /tmp, /var/tmp and /run unless a mount of the user's is there
  if (cfg.readOnly && live) {
    for (const d of ['/tmp', '/var/tmp', '/run']) {
      if (!out.some((m) => m.destination === d)) out.push({ destination: d, host: live.pid ? tmpfsPath(live.pid, d) : undefined, readonly: false, what: `tmpfs ${d}` });
    }
  }
  // the files tspod bind-mounts into every container (present once it has been started)
  for (const [dest, file] of [['/etc/hosts', 'hosts'], ['/etc/hostname', 'hostname'], ['/etc/resolv.conf', 'resolv.conf'], ['/run/.containerenv', '.containerenv']] as const) {
    if (cfg.mounts.some((m) => m.destination === dest)) continue;
    const host = path.join(userdata, file);
    if (fs.existsSync(host)) out.push({ destination: dest, host, readonly: false, what: dest });
  }
  return out;
}

/**
 * The pid whose /proc/PID/root is the running container's root (its init), or undefined: the
 * root seen there must be the container's root filesystem itself (same device and inode), so a
 * pid that has meanwhile gone to another process never leads cp to that process's files.
 */
export function containerRootPid(c: MountedContainer): number | undefined {
  const pid = c.entry.pid;
  if (!c.running || !(pid > 0)) return undefined;
  try {
    const a = fs.statSync(`/proc/${pid}/root/`), b = fs.statSync(c.root);
    return a.dev === b.dev && a.ino === b.ino ? pid : undefined;
  } catch { return undefined; }
}

/** A path in a running container's own mount namespace (its init's root). */
function tmpfsPath(pid: number, destination: string): string { return path.join(`/proc/${pid}/root`, ...splitPath(destination)); }

function mountPointOf(m: MountSpec, vols: VolumeStore, live: { pid: number | undefined } | undefined): MountPoint | undefined {
  const destination = `/${splitPath(m.destination).join('/')}`;
  // (a running container whose init cannot be reached: its tmpfs cannot be either)
  if (m.type === 'tmpfs') return live ? { destination, host: live.pid ? tmpfsPath(live.pid, destination) : undefined, readonly: m.readonly, what: `tmpfs ${destination}` } : undefined;
  if (m.type === 'bind') return { destination, host: m.source, readonly: m.readonly, what: `bind mount ${destination}` };
  let host: string;
  try { host = vols.get(m.source).mountpoint; } catch { host = vols.dataDir(m.source); }
  return { destination, host, readonly: m.readonly, what: `volume ${m.source}` };
}

export interface Resolved {
  /** host path of the resolved location */
  host: string;
  /** the resolved path inside the container */
  ctrPath: string;
  /** the mount it is on (undefined: the root filesystem) */
  mount: MountPoint | undefined;
}

/**
 * Resolve path p inside a container whose root filesystem is at root, with
 * the container's mounts: like secureJoin (the same walk, container/rootfs.ts
 * walkContainerPath), but a path under a mount destination lives in the mount's
 * host directory. With followFinal false the last component is not dereferenced.
 */
export function resolveInContainer(root: string, mounts: MountPoint[], p: string, followFinal = true): Resolved {
  const sorted = mounts.slice().sort((a, b) => b.destination.length - a.destination.length);
  const mountOf = (comps: string[]): MountPoint | undefined => {
    const cp = `/${comps.join('/')}`;
    return sorted.find((m) => m.destination === '/' ? true : cp === m.destination || cp.startsWith(`${m.destination}/`));
  };
  const hostOf = (comps: string[]): string => {
    const m = mountOf(comps);
    if (!m) return path.join(root, ...comps);
    if (m.host === undefined) throw new InvalidArgumentError(`cannot copy through /${comps.join('/')}: it is on a ${m.what} of the container, which is not reachable from outside it`);
    const rest = comps.slice(splitPath(m.destination).length);
    // below the mount's own directory the rules are the same (secureJoin keeps it inside)
    return rest.length ? path.join(m.host, ...rest) : m.host;
  };
  const out = walkContainerPath(p, hostOf, followFinal);
  return { host: hostOf(out), ctrPath: `/${out.join('/')}`, mount: mountOf(out) };
}

// ---------------------------------------------------------------- tar helpers

type Header = Partial<tar.Header> & { name: string };

/**
 * Re-stream a tar, mapping each header (null drops the entry), after some
 * leading entries. Entry data is streamed through, never buffered whole.
 */
export function mapTar(input: Readable, fn: (h: Header) => Header | null, leading: Header[] = []): Readable {
  const ex = tar.extract();
  const pk = tar.pack();
  const fail = (err: unknown) => pk.destroy(err instanceof Error ? err : new Error(String(err)));
  for (const h of leading) pk.entry(h);
  ex.on('entry', (h, stream, next) => {
    const nh = fn({ ...h });
    const s = stream as unknown as Readable;
    if (!nh) { s.on('end', () => next()); s.resume(); return; }
    const isFile = nh.type === 'file' || nh.type === 'contiguous-file' || nh.type === undefined;
    if (isFile && (nh.size ?? 0) > 0) {
      const sink = pk.entry(nh, (err) => { if (err) next(err); else next(); });
      s.pipe(sink as unknown as Writable);
    } else {
      // an empty file gets an empty body (without one, tar-stream waits for the entry's data for ever)
      const done = (err?: Error | null) => { if (err) { next(err); return; } s.on('end', () => next()); s.resume(); };
      if (isFile) pk.entry(nh, Buffer.alloc(0), done); else pk.entry(nh, done);
    }
  });
  ex.on('finish', () => pk.finalize());
  ex.on('error', fail);
  input.on('error', fail);
  input.pipe(ex as unknown as Writable);
  return pk as unknown as Readable;
}

interface Owner { uid: number; gid: number }

/**
 * A tar of the file or directory at abs (already resolved), with its top entry
 * named name ('' for a directory: its contents only). Symlinks below a
 * directory are archived as links; the top one was already dereferenced.
 */
export async function tarOfPath(abs: string, name: string, owner?: Owner): Promise<Readable> {
  const st = fs.statSync(abs);
  const own = (h: Header): Header => (owner ? { ...h, uid: owner.uid, gid: owner.gid } : h);
  if (st.isDirectory()) {
    const { packLayer } = await import('../storage/pack.js');
    const inner = packLayer(abs, { rootfsMode: true, opaqueXattrs: false });
    const prefix = name ? `${name}/` : '';
    const leading: Header[] = name ? [own({ name: `${name}/`, type: 'directory', mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime })] : [];
    return mapTar(inner, (h) => own({ ...h, name: prefix + h.name, ...(h.type === 'link' && h.linkname ? { linkname: prefix + h.linkname } : {}) }), leading);
  }
  if (!name) throw new InvalidArgumentError(`${abs} is not a directory`);
  const pk = tar.pack();
  const h = own({ name, mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime });
  if (st.isFile()) {
    const sink = pk.entry({ ...h, type: 'file', size: st.size }, (err) => { if (err) pk.destroy(err); else pk.finalize(); });
    pipeline(fs.createReadStream(abs), sink as unknown as Writable).catch((err: unknown) => pk.destroy(err as Error));
  } else if (st.isFIFO()) {
    pk.entry({ ...h, type: 'fifo' });
    pk.finalize();
  } else {
    throw new InvalidArgumentError(`cannot copy ${abs}: not a regular file or directory`);
  }
  return pk as unknown as Readable;
}

function statOrUndef(p: string): fs.Stats | undefined {
  try { return fs.statSync(p); } catch { return undefined; }
}

/** What Docker's archive endpoints report of a path in a container (X-Docker-Container-Path-Stat). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: permissions, plus 1<<31 for a directory, 1<<27 for a symlink */
  mode: number;
  mtime: string;
  /** the resolved path in the container, when the path is a symlink */
  linkTarget: string;
}

/** Stat a path inside a container (the last component not followed), resolved as cp resolves it. */
export async function statPath(container: string, p: string): Promise<PathStat> {
  const store = new ContainerStore();
  return withContainerRoot(container, async (c) => {
    const mounts = containerMounts(c.cfg, store.userdata(c.entry.id), undefined, c.running ? { pid: containerRootPid(c) } : undefined);
    const abs = p.startsWith('/') ? p : `${c.cfg.workdir || '/'}/${p}`;
    const r = resolveInContainer(c.root, mounts, abs, false);
    const st = statOrUndef(r.host) ?? (() => { try { return fs.lstatSync(r.host); } catch { return undefined; } })();
    const lst = (() => { try { return fs.lstatSync(r.host); } catch { return undefined; } })();
    if (!st || !lst) throw new NotFoundError(`Could not find the file ${p} in container ${c.cfg.name}`);
    const link = lst.isSymbolicLink();
    const mode = (lst.mode & 0o7777) + (lst.isDirectory() ? 0x80000000 : 0) + (link ? 0x08000000 : 0);
    const linkTarget = link ? resolveInContainer(c.root, mounts, abs, true).ctrPath : '';
    return { name: path.posix.basename(r.ctrPath) || '/', size: lst.size, mode, mtime: lst.mtime.toISOString(), linkTarget };
  }, store);
}

// ---------------------------------------------------------------- diff

export interface Change { Path: string; Kind: 'A' | 'C' | 'D' }

/** Paths every container gets from the engine (Podman's diff leaves them out). */
const INIT_PATHS = new Set(['/dev', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/proc', '/run', '/run/notify', '/run/.containerenv', '/run/secrets', '/sys', '/etc/mtab']);

/** Does rel (no leading slash) exist in the stack of lower layers (diff dirs, bottom to top)? */
export function existsInLowers(lowers: string[], rel: string): boolean {
  const comps = rel.split('/').filter(Boolean);
  for (let li = lowers.length - 1; li >= 0; li--) {
    const dir = lowers[li]!;
    // a whiteout of the path or of a parent, or an opaque parent, in this layer hides the layers below
    let hidden = false;
    for (let i = 0; i < comps.length; i++) {
      const parent = path.join(dir, ...comps.slice(0, i));
      if (fs.existsSync(path.join(parent, `.wh.${comps[i]}`))) return false;
      if (i > 0 && fs.existsSync(path.join(parent, '.wh..wh..opq'))) hidden = true;
    }
    try { fs.lstatSync(path.join(dir, ...comps)); return true; } catch { /* not in this layer */ }
    if (hidden) return false;
  }
  return false;
}

/** The changes in an upper directory relative to its lower layers, sorted by path. */
export function upperChanges(upper: string, lowers: string[]): Change[] {
  const out: Change[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try { names = fs.readdirSync(rel ? path.join(upper, rel) : upper); } catch { return; }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      if (n === '.wh..wh..opq' || n === '.wh..opq') continue;
      const st = fs.lstatSync(path.join(upper, r));
      if (n.startsWith('.wh.')) { out.push({ Path: `/${rel ? `${rel}/` : ''}${n.slice(4)}`, Kind: 'D' }); continue; }
      if (st.isCharacterDevice() && st.rdev === 0) { out.push({ Path: `/${r}`, Kind: 'D' }); continue; }
      const inLower = existsInLowers(lowers, r);
      out.push({ Path: `/${r}`, Kind: inLower ? 'C' : 'A' });
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  const seen = new Set<string>();
  return out.filter((c) => { const k = `${c.Kind}${c.Path}`; if (seen.has(k)) return false; seen.add(k); return true; })
    .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}

export async function diffContainer(input: string, store = new ContainerStore()): Promise<Change[]> {
  const e = store.resolve(input);
  const cfg = store.readConfig(e.id);
  const images = new ImageStore();
  const lowers = e.layers.map((l) => images.layerDiff(l));
  const mountDests = new Set(cfg.mounts.map((m) => `/${splitPath(m.destination).join('/')}`));
  return upperChanges(rootfsPaths(store.ctrDir(e.id)).upper, lowers).filter((c) => !INIT_PATHS.has(c.Path) && !mountDests.has(c.Path));
}

/** `tspod diff IMAGE`: a layer's own content is all additions (and whiteouts deletions). */
export function diffImage(input: string, images = new ImageStore()): Change[] {
  const img = images.resolve(input);
  const top = img.layers[img.layers.length - 1];
  if (!top) return [];
  const lowers = img.layers.slice(0, -1).map((l) => images.layerDiff(l));
  return upperChanges(images.layerDiff(top), lowers);
}

export { commitContainer, type CommitOptions, type CommitReport } from './commit.js';

// ---------------------------------------------------------------- export

/** The container's root filesystem as a tar, to a file or stdout. */
export async function exportContainer(input: string, out: { file?: string | undefined; stream?: Writable }): Promise<void> {
  const sink: Writable | undefined = out.file ? undefined : out.stream ?? process.stdout;
  if (sink === process.stdout && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: use -o FILE or redirect stdout');
  await withContainerRoot(input, async (c) => {
    const { packLayer } = await import('../storage/pack.js');
    const tarStream = packLayer(c.root, { rootfsMode: true, opaqueXattrs: false });
    if (out.file) {
      const tmp = `${out.file}.tmp-${process.pid}`;
      try {
        await pipeline(tarStream, fs.createWriteStream(tmp, { mode: 0o644 }));
        fs.renameSync(tmp, out.file);
      } catch (err) { fs.rmSync(tmp, { force: true }); throw err; }
    } else {
      await streamTo(tarStream, sink!);
    }
  });
}

// ---------------------------------------------------------------- mount / unmount

export interface MountReport { id: string; name: string; path: string; error?: TspodError }

export async function mountContainers(inputs: string[], store = new ContainerStore()): Promise<MountReport[]> {
  const out: MountReport[] = [];
  for (const input of inputs) {
    try {
      const e0 = store.resolve(input);
      const p = await withLock(containerLockKey(e0.id), async () => {
        const e = await syncedEntry(store, e0.id);
        return mountRootfs(new ImageStore(), e.layers, store.ctrDir(e.id));
      });
      out.push({ id: e0.id, name: e0.names[0] ?? '', path: p });
    } catch (err) {
      out.push({ id: '', name: input, path: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

/** Containers whose root filesystem is mounted (in tspod's mount namespace). */
export function mountedContainers(store = new ContainerStore()): MountReport[] {
  return store.list().filter((c) => isMounted(rootfsPaths(store.ctrDir(c.id)).merged))
    .map((c) => ({ id: c.id, name: c.names[0] ?? '', path: rootfsPaths(store.ctrDir(c.id)).merged }));
}

export async function unmountContainers(inputs: string[], o: { all?: boolean; force?: boolean } = {}, store = new ContainerStore()): Promise<MountReport[]> {
  const targets = o.all ? mountedContainers(store).map((m) => m.id) : inputs;
  const out: MountReport[] = [];
  for (const input of targets) {
    try {
      const e0 = store.resolve(input);
      await withLock(containerLockKey(e0.id), async () => {
        const e = await syncedEntry(store, e0.id);
        // a running container keeps its root filesystem (as Podman: the mount is in use)
        if (isLive(e)) { if (!o.all && !o.force) log.debug(`container ${e.id} is running: its root filesystem stays mounted`); return; }
        await unmountRootfs(store.ctrDir(e.id));
      });
      out.push({ id: e0.id, name: e0.names[0] ?? '', path: '' });
    } catch (err) {
      out.push({ id: '', name: input, path: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

