// Dynamic completion candidates, from index files only: no lock is taken,
// nothing is written. (Paths inside an image or a container: inside.ts.)
// Every reader is tolerant: a missing, partial or differently shaped file
// gives fewer candidates, never an error (completion must not print noise).
//
//   <root>/storage/storage.json        { images: [{ id, names[] }] }
//   <root>/containers/containers.json  { containers: [{ id, names[] | name, state }] }
//   <root>/volumes/volumes.json        { volumes: [{ name }] }
//   <root>/networks/networks.json      { networks: [{ name }] }
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Kind } from './kinds.js';

export type Rec = Record<string, unknown>;

export function readList(file: string, key: string): Rec[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  let list: unknown = data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    list = (data as Rec)[key];
    // A map keyed by id is accepted too.
    if (list && typeof list === 'object' && !Array.isArray(list)) {
      list = Object.entries(list as Rec).map(([id, v]) => (v && typeof v === 'object' ? { id, ...(v as Rec) } : { id }));
    }
  }
  return Array.isArray(list) ? list.filter((x): x is Rec => !!x && typeof x === 'object') : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function names(r: Rec): string[] {
  const out: string[] = [];
  const n = r['names'] ?? r['Names'];
  if (Array.isArray(n)) for (const x of n) { const s = str(x); if (s) out.push(s.replace(/^\//, '')); }
  const one = str(r['name']) ?? str(r['Name']);
  if (one) out.push(one.replace(/^\//, ''));
  return out;
}

export function id(r: Rec): string {
  return (str(r['id']) ?? str(r['ID']) ?? str(r['Id']) ?? '').replace(/^sha256:/, '');
}

/** A container's state word, lower-case, from `state`, `state.status` or `status`. */
export function containerState(r: Rec): string {
  const s = r['state'] ?? r['State'];
  if (typeof s === 'string') return s.toLowerCase();
  if (s && typeof s === 'object') {
    const st = str((s as Rec)['status']) ?? str((s as Rec)['Status']);
    if (st) return st.toLowerCase();
  }
  return (str(r['status']) ?? '').toLowerCase();
}

const STOPPED = new Set(['created', 'configured', 'initialized', 'exited', 'stopped']);

function stateMatches(kind: Kind, state: string): boolean {
  switch (kind) {
    case 'containers-running': return state === 'running';
    case 'containers-stopped': return STOPPED.has(state);
    case 'containers-paused': return state === 'paused';
    default: return true;
  }
}

/** IDs are offered (as 12-character short IDs) once two characters are typed, as Podman does. */
function withIds(out: string[], recs: Rec[], cur: string): void {
  if (cur.length < 2) return;
  for (const r of recs) {
    const i = id(r);
    if (i && i.startsWith(cur)) out.push(i.slice(0, 12));
  }
}

export function containers(root: string, kind: Kind, cur: string): string[] {
  const recs = readList(path.join(root, 'containers', 'containers.json'), 'containers').filter((r) => stateMatches(kind, containerState(r)));
  const out: string[] = [];
  for (const r of recs) { const n = names(r)[0]; if (n) out.push(n); }
  withIds(out, recs, cur);
  return out;
}

/** Short forms a user types for a stored name: docker.io/library/x:t -> x:t, localhost/x:t -> x:t. */
function shortForms(name: string): string[] {
  for (const p of ['docker.io/library/', 'localhost/']) if (name.startsWith(p)) return [name.slice(p.length)];
  return [];
}

export function images(root: string, cur: string): string[] {
  const recs = readList(path.join(root, 'storage', 'storage.json'), 'images');
  const out: string[] = [];
  for (const r of recs) for (const n of names(r)) out.push(n, ...shortForms(n));
  withIds(out, recs, cur);
  return out;
}

export function volumes(root: string): string[] {
  return readList(path.join(root, 'volumes', 'volumes.json'), 'volumes').flatMap((r) => names(r).slice(0, 1));
}

export function networks(root: string): string[] {
  return readList(path.join(root, 'networks', 'networks.json'), 'networks').flatMap((r) => names(r).slice(0, 1));
}

export function pods(root: string): string[] {
  return readList(path.join(root, 'pods', 'pods.json'), 'pods').flatMap((r) => names(r).slice(0, 1));
}

/** Candidates of a dynamic kind that start with `cur`, each once, in a stable order. */
export function candidatesFor(kind: Kind, root: string, cur: string): string[] {
  let out: string[];
  switch (kind) {
    case 'containers':
    case 'containers-running':
    case 'containers-stopped':
    case 'containers-paused':
      out = containers(root, kind, cur); break;
    case 'images': out = images(root, cur); break;
    case 'volumes': out = volumes(root); break;
    case 'networks': out = networks(root); break;
    case 'pods': out = pods(root); break;
    case 'objects': out = [...containers(root, 'containers', cur), ...images(root, cur), ...volumes(root), ...networks(root)]; break;
    default: out = [];
  }
  return [...new Set(out.filter((c) => c.startsWith(cur)))].sort();
}
