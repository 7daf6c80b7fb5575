// --userns=keep-id (rootless, as Podman's): the container gets a user namespace
// of its own in which the invoking user's uid and gid (or uid=/gid= given) are
// the user's own host ids, so files on bind mounts keep their owner inside.
// Inside tspod's rootless namespace, id 0 is the user and 1..N the subordinate
// ids; the container's mapping moves the user to U and everyone else around it:
//   container 0..U-1 -> ns 1..U,  container U -> ns 0,  container U+1.. -> ns U+1..
// fuse-overlayfs presents the image's files through the same mapping
// (uidmapping=/gidmapping=), so the image's root still owns what root owned.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../util/errors.js';
import { secureJoin } from './rootfs.js';

export interface IdMapping { containerID: number; hostID: number; size: number }
export interface KeepId { uid: number; gid: number }

/** Parse --userns: '' (tspod's namespace), 'host' (the same), or keep-id[:uid=N,gid=N]. */
export function parseUserns(value: string, hostUid: number, hostGid: number): { mode: '' | 'host' | 'keep-id'; keepId?: KeepId } {
  if (value === '' || value === 'host') return { mode: value };
  const m = /^keep-id(?::(.*))?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`unsupported --userns "${value}": use host or keep-id[:uid=N,gid=N]`);
  const k: KeepId = { uid: hostUid, gid: hostGid };
  for (const opt of (m[1] ?? '').split(',').filter(Boolean)) {
    const [key, v] = opt.split('=', 2) as [string, string | undefined];
    if ((key !== 'uid' && key !== 'gid') || v === undefined || !/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid --userns option "${opt}": use uid=N or gid=N`);
    k[key] = Number(v);
  }
  return { mode: 'keep-id', keepId: k };
}

/** How many ids a uid_map/gid_map file maps (the size of tspod's rootless namespace). */
export function mappedSize(mapFile: string): number {
  const text = fs.readFileSync(mapFile, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) { const f = line.trim().split(/\s+/); if (f.length === 3) n += Number(f[2]); }
  return n;
}

/** The container's mapping that puts `id` at ns 0 (the user), in a namespace of `size` ids. */
export function keepIdMapping(id: number, size: number): IdMapping[] {
  if (!Number.isInteger(id) || id < 1 || id >= size) throw new InvalidArgumentError(`--userns=keep-id: id ${id} must be between 1 and ${size - 1} (the ids tspod's namespace maps)`);
  const out: IdMapping[] = [{ containerID: 0, hostID: 1, size: id }, { containerID: id, hostID: 0, size: 1 }];
  if (id + 1 < size) out.push({ containerID: id + 1, hostID: id + 1, size: size - id - 1 });
  return out;
}

/** The uid and gid mappings of a keep-id container in tspod's rootless namespace (read from /proc/self). */
export function keepIdMappings(k: KeepId): { uidMappings: IdMapping[]; gidMappings: IdMapping[] } {
  return { uidMappings: keepIdMapping(k.uid, mappedSize('/proc/self/uid_map')), gidMappings: keepIdMapping(k.gid, mappedSize('/proc/self/gid_map')) };
}

/** The uid and gid mappings of a container created with --userns=value; undefined without a user namespace of its own. */
export function containerIdMappings(value: string, hostUid: number, hostGid: number): { uidMappings: IdMapping[]; gidMappings: IdMapping[] } | undefined {
  const ns = parseUserns(value, hostUid, hostGid);
  return ns.keepId ? keepIdMappings(ns.keepId) : undefined;
}

/** An id inside the container as tspod's namespace sees it (unmapped ids are returned as they are). */
export function toNamespaceId(m: IdMapping[], id: number): number {
  const r = m.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return r ? r.hostID + (id - r.containerID) : id;
}

/** An id of tspod's namespace as the container sees it (unmapped ids are returned as they are). */
export function toContainerId(m: IdMapping[], id: number): number {
  const r = m.find((x) => id >= x.hostID && id < x.hostID + x.size);
  return r ? r.containerID + (id - r.hostID) : id;
}

/** fuse-overlayfs's uidmapping=/gidmapping= value: CONTAINER:HOST:SIZE triples joined by ':'. */
export function fuseMapping(m: IdMapping[]): string {
  return m.map((x) => `${x.containerID}:${x.hostID}:${x.size}`).join(':');
}

/**
 * Give the keep-id user an entry in the container's /etc/passwd and /etc/group
 * when it has none (as Podman does), with `home` as its home directory (not
 * created: the caller picks one a mount or the working directory provides);
 * `root` is the mounted root filesystem (paths resolved inside it: an image's
 * symlinks cannot point these writes elsewhere). `rootOwner` is the container's
 * root as the mount shows it (tspod's namespace ids): new files belong to it.
 * Returns the entry's home.
 */
export function addKeepIdUser(root: string, k: KeepId, name: string, home: string, rootOwner: { uid: number; gid: number }): string {
  const passwd = secureJoin(root, '/etc/passwd');
  const group = secureJoin(root, '/etc/group');
  const read = (f: string) => { try { return fs.readFileSync(f, 'utf8'); } catch { return undefined; } };
  const records = (text: string | undefined) => (text ?? '').split('\n').filter(Boolean).map((l) => l.split(':'));
  // a new line of its own, a missing file created as root's
  const append = (f: string, text: string | undefined, line: string) => {
    if (text === undefined) { fs.writeFileSync(f, '', { mode: 0o644 }); fs.chownSync(f, rootOwner.uid, rootOwner.gid); }
    fs.appendFileSync(f, `${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`);
  };
  const pwText = read(passwd);
  const pw = records(pwText);
  const existing = pw.find((f) => f[2] === String(k.uid));
  if (existing) return existing[5] || '/';
  const user = pw.some((f) => f[0] === name) ? `${name}${k.uid}` : name;
  const etc = path.dirname(passwd);
  if (!fs.existsSync(etc)) { fs.mkdirSync(etc, { recursive: true, mode: 0o755 }); fs.chownSync(etc, rootOwner.uid, rootOwner.gid); }
  append(passwd, pwText, `${user}:*:${k.uid}:${k.gid}:${user}:${home}:/bin/sh`);
  const grText = read(group);
  const gr = records(grText);
  if (!gr.some((f) => f[2] === String(k.gid))) append(group, grText, `${gr.some((f) => f[0] === user) ? `${user}${k.gid}` : user}:x:${k.gid}:`);
  return home;
}
