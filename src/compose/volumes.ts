// Service volumes: the short syntax [SOURCE:]TARGET[:MODE] and the long syntax, to ServiceVolume.
// A source that starts with '.', '/' or '~' is a bind mount (short binds create a missing host path, as
// Docker Compose does); any other source names a top-level volume; no source is an anonymous volume.
import { ComposeError } from './errors.js';
import { bytes } from './units.js';
import { isTree } from './yaml.js';
import type { ServiceVolume } from './types.js';

const TYPES = ['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image'];
const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

export function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

/** Parse a short-syntax volume string (host paths are left as written). */
export function parseVolumeSpec(spec: string): ServiceVolume {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') || parts.length > 3) throw new ComposeError(`invalid volume "${spec}": use [SOURCE:]TARGET[:MODE]`);
  if (parts.length === 1) return checkTarget({ type: 'volume', target: parts[0]! }, spec);
  const [source, target, mode] = parts as [string, string, string | undefined];
  const bind = isHostPath(source);
  const v: ServiceVolume = bind ? { type: 'bind', source, target, bind: { create_host_path: true } } : { type: 'volume', source, target };
  for (const opt of mode ? mode.split(',') : []) {
    if (opt === 'ro' || opt === 'rw') v.read_only = opt === 'ro';
    else if (opt === 'z' || opt === 'Z') { if (!bind) throw new ComposeError(`invalid volume "${spec}": "${opt}" applies to bind mounts only`); v.bind = { ...v.bind, selinux: opt }; }
    else if (opt === 'nocopy') { if (bind) throw new ComposeError(`invalid volume "${spec}": nocopy applies to named volumes only`); v.volume = { nocopy: true }; }
    else if (PROPAGATION.includes(opt)) { if (!bind) throw new ComposeError(`invalid volume "${spec}": propagation applies to bind mounts only`); v.bind = { ...v.bind, propagation: opt }; }
    else if (CONSISTENCY.includes(opt)) v.consistency = opt;
    else throw new ComposeError(`invalid volume "${spec}": unknown mode "${opt}" (use ro, rw, z, Z, nocopy or a propagation mode)`);
  }
  return checkTarget(v, spec);
}

function checkTarget(v: ServiceVolume, spec: string): ServiceVolume {
  if (!v.target.startsWith('/')) throw new ComposeError(`invalid volume "${spec}": the container path "${v.target}" must be absolute`);
  return v;
}

const bool = (x: unknown): boolean => x === true || x === 'true' || x === 'yes' || x === 'on' || x === '1';

/** Normalize a long-syntax volume mapping. */
export function longVolume(m: Record<string, unknown>): ServiceVolume {
  const type = String(m['type'] ?? '');
  if (!TYPES.includes(type)) throw new ComposeError(`invalid volume type "${type}" (use volume, bind, tmpfs or image)`);
  const target = String(m['target'] ?? '');
  const v: ServiceVolume = { type: type as ServiceVolume['type'], target };
  const source = m['source'];
  if (typeof source === 'string' && source !== '') v.source = source;
  if (type === 'bind' && !v.source) throw new ComposeError(`invalid bind mount for ${target}: a source is required`);
  if (type === 'tmpfs' && v.source) throw new ComposeError(`invalid tmpfs mount for ${target}: a tmpfs has no source`);
  if (m['read_only'] !== undefined) v.read_only = bool(m['read_only']);
  if (typeof m['consistency'] === 'string') v.consistency = m['consistency'];
  const b = m['bind'];
  if (isTree(b)) {
    v.bind = {};
    if (typeof b['propagation'] === 'string') {
      if (!PROPAGATION.includes(b['propagation'])) throw new ComposeError(`invalid bind mount for ${target}: unknown propagation "${b['propagation']}" (use ${PROPAGATION.join(', ')})`);
      v.bind.propagation = b['propagation'];
    }
    if (b['create_host_path'] !== undefined) v.bind.create_host_path = bool(b['create_host_path']);
    if (b['selinux'] === 'z' || b['selinux'] === 'Z') v.bind.selinux = b['selinux'];
    if (typeof b['recursive'] === 'string') v.bind.recursive = b['recursive'];
  }
  const vol = m['volume'];
  if (isTree(vol)) {
    v.volume = {};
    if (vol['nocopy'] !== undefined) v.volume.nocopy = bool(vol['nocopy']);
    if (typeof vol['subpath'] === 'string') v.volume.subpath = vol['subpath'];
  }
  const t = m['tmpfs'];
  if (isTree(t)) {
    v.tmpfs = {};
    if (t['size'] !== undefined) v.tmpfs.size = bytes(t['size'], `tmpfs size of ${target}`);
    if (t['mode'] !== undefined) v.tmpfs.mode = typeof t['mode'] === 'number' ? t['mode'] : parseInt(String(t['mode']), 8);
  }
  const img = m['image'];
  if (isTree(img) && typeof img['subpath'] === 'string') v.image = { subpath: img['subpath'] };
  return checkTarget(v, target);
}
