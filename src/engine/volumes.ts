// Engine API for named volumes: create, ls, inspect, rm, prune, exists,
// export, import. Volumes live in <root>/volumes/<name>/_data (a bind volume's
// mountpoint is its host directory). Whether a volume is in use is read from
// the containers' own configuration: a volume is used by every container that
// mounts it, running or not (as in Podman).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { VolumeStore, type VolumeRecord } from '../volume/store.js';
import { ContainerStore } from '../container/store.js';
import { ConflictError, InUseError, InvalidArgumentError, NotFoundError, TspodError, errorMessage, isErrno } from '../util/errors.js';
import { groupFilters, pruneFilter } from '../util/filters.js';
import { parseKeyValues } from '../container/options.js';
import { volumeEvent } from './events.js';
import { parseTimeFilterMs } from '../util/time-filter.js';

export interface VolumeInspect {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
  Options: Record<string, string>;
  MountCount: number;
  NeedsCopyUp: boolean;
  NeedsChown: boolean;
  Anonymous: boolean;
}

export function toInspect(v: VolumeRecord): VolumeInspect {
  return {
    Name: v.name, Driver: v.driver, Mountpoint: v.mountpoint, CreatedAt: v.created, Labels: v.labels, Scope: 'local', Options: v.options,
    MountCount: 0, NeedsCopyUp: !v.populated, NeedsChown: !(v.chowned ?? v.populated), Anonymous: v.anonymous,
  };
}

// ---------------------------------------------------------------- create

/** Option keys of the local driver (Podman's set). */
const LOCAL_OPTS = new Set(['type', 'o', 'device', 'uid', 'gid', 'size', 'inodes', 'copy', 'nocopy', 'noquota']);

export interface VolumeCreateOptions {
  name?: string | undefined;
  driver?: string | undefined;
  labels?: string[] | undefined;
  opts?: string[] | undefined;
  ignore?: boolean | undefined;
}

/** Validate driver options; say what the volume's mountpoint is. */
export function planVolume(options: Record<string, string>): { kind: 'plain' | 'bind' | 'tmpfs'; device?: string; owner?: { uid: number; gid: number } } {
  for (const k of Object.keys(options)) {
    if (!LOCAL_OPTS.has(k.toLowerCase())) throw new InvalidArgumentError(`invalid mount option ${k} for driver local: use type, o, device, uid, gid, size, inodes, copy or nocopy`);
  }
  const lower = Object.fromEntries(Object.entries(options).map(([k, v]) => [k.toLowerCase(), v]));
  const type = lower['type'] ?? '';
  const o = (lower['o'] ?? '').split(',').filter(Boolean);
  let owner: { uid: number; gid: number } | undefined;
  if (lower['uid'] !== undefined || lower['gid'] !== undefined) {
    const uid = Number(lower['uid'] ?? 0), gid = Number(lower['gid'] ?? 0);
    if (!Number.isInteger(uid) || uid < 0 || !Number.isInteger(gid) || gid < 0) throw new InvalidArgumentError('uid and gid volume options must be non-negative integers');
    owner = { uid, gid };
  }
  if (type === 'tmpfs') {
    for (const x of o) if (!/^(size=\d+[kmg]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|noexec|nosuid|nodev|exec|suid|dev|ro|rw)$/i.test(x)) throw new InvalidArgumentError(`invalid tmpfs volume option "${x}"`);
    return { kind: 'tmpfs', owner };
  }
  if (type === 'bind' || ((type === 'none' || type === '') && o.includes('bind'))) {
    const device = lower['device'];
    if (!device) throw new InvalidArgumentError('a bind volume needs --opt device=/host/path');
    if (!path.isAbsolute(device)) throw new InvalidArgumentError(`bind volume device "${device}" must be an absolute path`);
    let st: fs.Stats;
    try { st = fs.statSync(device); } catch (err) {
      throw new NotFoundError(`invalid volume option device for driver 'local': stat ${device}: ${isErrno(err, 'ENOENT') ? 'no such file or directory' : errorMessage(err)}`);
    }
    if (!st.isDirectory()) throw new InvalidArgumentError(`bind volume device ${device} is not a directory`);
    return { kind: 'bind', device: path.resolve(device), owner };
  }
  if (type !== '' || lower['device'] !== undefined) {
    throw new InvalidArgumentError(`unsupported volume type "${type || '(none)'}" with device "${lower['device'] ?? ''}": rootless tspod supports --opt type=tmpfs and --opt type=bind,device=/host/dir`);
  }
  return { kind: 'plain', owner };
}

async function createVolumeUnrecorded(o: VolumeCreateOptions, store = new VolumeStore()): Promise<VolumeInspect> {
  if (o.driver && o.driver !== 'local') throw new InvalidArgumentError(`volume driver "${o.driver}" is not supported: tspod has the "local" driver only`);
  const labels = parseKeyValues(o.labels, 'label');
  const options = parseKeyValues(o.opts, 'volume option', true);
  const plan = planVolume(options);
  if (o.name !== undefined) VolumeStore.validName(o.name);
  if (o.name !== undefined && o.ignore) {
    const existing = store.list().find((v) => v.name === o.name);
    if (existing) return toInspect(existing);
  }
  const rec = await store.create({
    name: o.name, labels, options, ifMissing: !!o.ignore,
    mountpoint: plan.kind === 'bind' ? plan.device : undefined,
    // bind and tmpfs volumes never receive the image's content
    populated: plan.kind !== 'plain' || 'nocopy' in options,
    // a volume made for a given owner, or the host's own directory, is not given to its first user
    chowned: plan.kind === 'bind' || !!plan.owner,
    owner: plan.kind === 'bind' ? undefined : plan.owner,
  });
  return toInspect(rec);
}

// ---------------------------------------------------------------- use by containers

/** IDs of the containers (any state) that mount the volume. */
export function volumeUsers(name: string, ctrs = new ContainerStore()): string[] {
  const out: string[] = [];
  for (const c of ctrs.list()) {
    let mounts;
    try { mounts = ctrs.readConfig(c.id).mounts; } catch { continue; }
    if (mounts.some((m) => m.type === 'volume' && m.source === name)) out.push(c.id);
  }
  return out;
}

export function usageMap(ctrs = new ContainerStore()): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of ctrs.list()) {
    let mounts;
    try { mounts = ctrs.readConfig(c.id).mounts; } catch { continue; }
    for (const x of mounts) if (x.type === 'volume' && x.source) m.set(x.source, [...(m.get(x.source) ?? []), c.id]);
  }
  return m;
}

// ---------------------------------------------------------------- ls / inspect / exists

const FILTERS = ['name', 'label', 'label!', 'dangling', 'driver', 'opt', 'scope', 'until', 'anonymous'];

function parseBool(k: string, v: string): boolean {
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw new InvalidArgumentError(`invalid ${k} filter value "${v}": use true or false`);
}

/** A predicate for --filter values (same key: any matches; different keys: all must). */
export function volumeFilter(filters: string[] | undefined, ctrs = new ContainerStore()): (v: VolumeRecord) => boolean {
  const groups = groupFilters(filters, FILTERS, 'volume');
  if (!groups.size) return () => true;
  const used = groups.has('dangling') ? usageMap(ctrs) : new Map<string, string[]>();
  const tests: Array<(v: VolumeRecord) => boolean> = [];
  for (const [k, vals] of groups) {
    const one: Array<(v: VolumeRecord) => boolean> = vals.map((val) => {
      switch (k) {
        case 'name': { let re: RegExp; try { re = new RegExp(val); } catch { re = new RegExp(val.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')); } return (v) => re.test(v.name); }
        case 'label': {
          const j = val.indexOf('=');
          const lk = j < 0 ? val : val.slice(0, j), lv = j < 0 ? undefined : val.slice(j + 1);
          return (v) => lk in v.labels && (lv === undefined || v.labels[lk] === lv);
        }
        case 'label!': { const has = pruneFilter([`label=${val}`], 'volume'); return (v) => !has(v); }
        case 'dangling': { const want = parseBool(k, val); return (v) => !used.has(v.name) === want; }
        case 'driver': return (v) => v.driver === val;
        case 'scope': return () => val === 'local';
        case 'anonymous': { const want = parseBool(k, val); return (v) => v.anonymous === want; }
        case 'opt': {
          const j = val.indexOf('=');
          const ok = j < 0 ? val : val.slice(0, j), ov = j < 0 ? undefined : val.slice(j + 1);
          return (v) => ok in v.options && (ov === undefined || v.options[ok] === ov);
        }
        default: { const t = parseTimeFilterMs(val, 'until filter'); return (v) => Date.parse(v.created) < t; }
      }
    });
    // label values must all match (Podman: "label is exclusive"); other keys' values OR
    tests.push(k === 'label' ? (v) => one.every((f) => f(v)) : (v) => one.some((f) => f(v)));
  }
  return (v) => tests.every((f) => f(v));
}

export function listVolumes(o: { filters?: string[] | undefined } = {}, store = new VolumeStore()): VolumeInspect[] {
  const keep = volumeFilter(o.filters);
  return store.list().filter(keep).map(toInspect);
}

export function inspectVolume(name: string, store = new VolumeStore()): VolumeInspect {
  return toInspect(store.get(name));
}

export function volumeExists(name: string, store = new VolumeStore()): boolean {
  return store.list().some((v) => v.name === name);
}

// ---------------------------------------------------------------- rm / prune

export interface VolumeRmReport { name: string; error?: TspodError }

async function removeVolumesUnrecorded(names: string[], o: { force?: boolean | undefined; all?: boolean | undefined; timeout?: number | undefined } = {}, store = new VolumeStore()): Promise<VolumeRmReport[]> {
  const targets = o.all ? store.list().map((v) => v.name) : names;
  const out: VolumeRmReport[] = [];
  for (const name of targets) {
    try {
      // --force: a volume that does not exist is not an error (as Podman), and says nothing
      if (o.force && !store.list().some((v) => v.name === name)) continue;
      store.get(name);
      const users = volumeUsers(name);
      if (users.length) {
        if (!o.force) throw new InUseError(`volume ${name} is being used by the following container(s): ${users.join(', ')}: volume is being used`);
        // as Podman: -f removes the containers that use the volume first
        const { removeContainers } = await import('./container/index.js');
        const reps = await removeContainers(users, { force: true, timeout: o.timeout ?? 0 });
        const failed = reps.find((r) => r.error);
        if (failed) throw new TspodError(`removing container ${failed.input} that uses volume ${name}: ${failed.error!.message}`);
      }
      await store.remove(name);
      out.push({ name });
    } catch (err) {
      out.push({ name, error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

/** Volumes prune would remove: unused by any container, matching the filters. */
export function pruneCandidates(filters: string[] | undefined, store = new VolumeStore()): string[] {
  const used = usageMap();
  const keep = volumeFilter(filters);
  return store.list().filter((v) => !used.has(v.name) && keep(v)).map((v) => v.name);
}

export async function pruneVolumes(filters: string[] | undefined, store = new VolumeStore()): Promise<VolumeRmReport[]> {
  const out: VolumeRmReport[] = [];
  for (const name of pruneCandidates(filters, store)) {
    // re-checked per volume: a container may have started using it meanwhile
    if (volumeUsers(name).length) continue;
    try { await store.remove(name); out.push({ name }); } catch (err) {
      if (err instanceof NotFoundError) continue;
      out.push({ name, error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

// ---------------------------------------------------------------- export / import

/** A tar of the volume's content (entries relative to its root) to a file or stream. */
export async function exportVolume(name: string, out: { file?: string | undefined; stream?: Writable }, store = new VolumeStore()): Promise<void> {
  const v = store.get(name);
  const { packLayer } = await import('../storage/pack.js');
  const tarStream = packLayer(v.mountpoint, { rootfsMode: true });
  if (out.file) {
    const tmp = `${out.file}.tmp-${process.pid}`;
    try {
      const { pipeline } = await import('node:stream/promises');
      await pipeline(tarStream, fs.createWriteStream(tmp, { mode: 0o644 }));
      fs.renameSync(tmp, out.file);
    } catch (err) { fs.rmSync(tmp, { force: true }); throw err; }
    return;
  }
  const sink = out.stream ?? process.stdout;
  if (sink === process.stdout && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: use -o FILE or redirect stdout');
  const { streamTo } = await import('./files.js');
  await streamTo(tarStream, sink);
}

/** Unpack a tar (plain or gzip) from a file or stdin into the volume, on top of what is there. */
export async function importVolume(name: string, source: string, stdin: Readable = process.stdin, store = new VolumeStore()): Promise<void> {
  const v = store.get(name);
  let input: Readable;
  if (source === '-') input = stdin;
  else {
    try { if (!fs.statSync(source).isFile()) throw new InvalidArgumentError(`${source} is not a file: import takes a tar archive`); } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${source}: no such file`);
      throw err;
    }
    input = fs.createReadStream(source);
  }
  if (volumeUsers(name).length) {
    // Podman refuses while a running container uses it; a stopped one is fine
    const { syncAll } = await import('./container/index.js');
    const running = (await syncAll()).filter((c) => (c.state === 'running' || c.state === 'paused') && volumeUsers(name).includes(c.id));
    if (running.length) throw new ConflictError(`volume ${name} is in use by running container ${running[0]!.names[0] ?? running[0]!.id}: stop it first`);
  }
  const { unpackLayer } = await import('../storage/unpack.js');
  await unpackLayer(input, v.mountpoint, { compression: 'auto' });
  await store.markPopulated(name);
}

/** {@link createVolumeUnrecorded}, recorded in the events log. */
export async function createVolume(...args: Parameters<typeof createVolumeUnrecorded>): Promise<VolumeInspect> {
  const r = await createVolumeUnrecorded(...args);
  volumeEvent('create', r.Name);
  return r;
}

/** {@link removeVolumesUnrecorded}, recorded in the events log. */
export async function removeVolumes(...args: Parameters<typeof removeVolumesUnrecorded>): Promise<VolumeRmReport[]> {
  const r = await removeVolumesUnrecorded(...args);
  for (const x of r) if (!x.error) volumeEvent('remove', x.name);
  return r;
}
