// A read-only view of a root filesystem made of overlay layers, for shell
// completion of paths inside an image or a container without mounting it:
// the layer directories (top first: a container's upper directory, then the
// image's layers from the top one down) are merged as overlayfs does.
//
//  - a whiteout hides the name in every lower layer: an empty `.wh.NAME` file
//    (how layers are unpacked) or a 0:0 character device (what fuse-overlayfs
//    leaves in an upper directory);
//  - a directory holding `.wh..wh..opq` is opaque: lower layers add nothing to it;
//  - a name that is not a directory in a layer hides the lower layers' entries
//    under it.
//
// Paths are resolved inside the view the way the kernel would inside the
// container (symlinks followed within the view, an absolute target starts
// again at its root, `..` never climbs above it): nothing outside the layer
// directories is ever read, and no symlink on the host is followed (lstat,
// readlink and readdir only).
//
// Only node:fs and node:path: this runs on the completion fast path.
import * as fs from 'node:fs';
import * as path from 'node:path';

const WH = '.wh.';
const OPQ = '.wh..wh..opq';
/** fuse-overlayfs also leaves a 0:0 device of this name in an opaque directory */
const OPQ_DEVICE = '.wh..opq';
const MAX_LINKS = 40;

export interface Entry {
  name: string;
  isDir: boolean;
  isLink: boolean;
  /** Where the entry is on the host (in the topmost layer that has it). */
  host: string;
}

function lstat(p: string): fs.Stats | undefined {
  try { return fs.lstatSync(p); } catch { return undefined; }
}

function isWhiteoutDevice(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export class LayeredRoot {
  /** Which layers hold each directory (as a list of components joined by '/'), top first. */
  private readonly holders = new Map<string, string[]>();

  /** `layers`: host directories, the topmost first. */
  constructor(readonly layers: string[]) {
    this.holders.set('', layers.filter((l) => lstat(l)?.isDirectory()));
  }

  /** The host directories (top first) that make up the merged directory `comps`. */
  private dirHolders(comps: string[]): string[] {
    const key = comps.join('/');
    const known = this.holders.get(key);
    if (known) return known;
    const name = comps[comps.length - 1]!;
    const out: string[] = [];
    for (const parent of this.dirHolders(comps.slice(0, -1))) {
      if (lstat(path.join(parent, WH + name))) break;
      const here = path.join(parent, name);
      const st = lstat(here);
      if (st) {
        if (!st.isDirectory()) break;
        out.push(here);
        if (lstat(path.join(here, OPQ))) break;
      }
    }
    this.holders.set(key, out);
    return out;
  }

  /**
   * The merged entries of the directory `comps` (none when it is not a
   * directory); undefined when a layer's part of it cannot be read (a directory
   * of another user's, mode 0700): its entries are unknown, not absent.
   */
  list(comps: string[]): Entry[] | undefined {
    const seen = new Map<string, Entry>();
    const hidden = new Set<string>();
    for (const dir of this.dirHolders(comps)) {
      let ents: fs.Dirent[];
      try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch { return undefined; }
      const gone: string[] = [];
      for (const e of ents) {
        if (e.name === OPQ || e.name === OPQ_DEVICE) continue;
        if (e.name.startsWith(WH)) { gone.push(e.name.slice(WH.length)); continue; }
        if (seen.has(e.name) || hidden.has(e.name)) continue;
        const host = path.join(dir, e.name);
        if (e.isCharacterDevice()) {
          const st = lstat(host);
          if (st && isWhiteoutDevice(st)) { gone.push(e.name); continue; }
        }
        seen.set(e.name, { name: e.name, isDir: e.isDirectory(), isLink: e.isSymbolicLink(), host });
      }
      for (const g of gone) hidden.add(g);
    }
    return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One entry of the view, without following a final symlink. */
  entry(comps: string[]): Entry | undefined {
    if (comps.length === 0) return this.holders.get('')!.length ? { name: '', isDir: true, isLink: false, host: this.holders.get('')![0]! } : undefined;
    const name = comps[comps.length - 1]!;
    for (const parent of this.dirHolders(comps.slice(0, -1))) {
      if (lstat(path.join(parent, WH + name))) return undefined;
      const host = path.join(parent, name);
      const st = lstat(host);
      if (st) {
        if (isWhiteoutDevice(st)) return undefined;
        return { name, isDir: st.isDirectory(), isLink: st.isSymbolicLink(), host };
      }
    }
    return undefined;
  }

  /**
   * Resolve `p` (absolute or relative to the root) inside the view: the
   * components of the path it names. Components that do not exist are kept as
   * typed (as securejoin does); a symlink loop stops the resolution there.
   */
  resolve(p: string): string[] {
    const todo = p.split('/').filter((x) => x && x !== '.');
    const out: string[] = [];
    let links = 0;
    while (todo.length) {
      const part = todo.shift()!;
      if (part === '..') { out.pop(); continue; }
      out.push(part);
      const e = this.entry(out);
      if (!e?.isLink) continue;
      if (++links > MAX_LINKS) break;
      let target: string;
      try { target = fs.readlinkSync(e.host); } catch { continue; }
      out.pop();
      if (target.startsWith('/')) out.length = 0;
      todo.unshift(...target.split('/').filter((x) => x && x !== '.'));
    }
    return out;
  }

  /** Whether `comps` (already resolved) is a directory of the view. */
  isDir(comps: string[]): boolean {
    return this.entry(comps)?.isDir ?? false;
  }
}

export interface PathCompletion {
  candidates: string[];
  /** No space after the candidate: a directory, or several candidates. */
  nospace: boolean;
}

/** `p1` and `p2` joined with one slash, without cleaning (the candidate must extend what was typed). */
function join(p1: string, p2: string): string {
  return p1.endsWith('/') ? p1 + p2 : `${p1}/${p2}`;
}

/**
 * Candidates for the path `typed` inside the view, as Podman completes paths
 * in an image or a container: an empty word is `/`; a word naming a directory
 * lists it (`/etc` -> `/etc/os-release`, ...); otherwise the entries of its
 * directory that start with its last component. Directories get a trailing
 * slash. An empty directory answers itself with a slash. Undefined when there is
 * nothing to offer (the caller falls back to the shell's own completion).
 */
export function completePath(view: LayeredRoot, typed: string): PathCompletion | undefined {
  let prefix = typed === '' ? '/' : typed;
  let base = '';
  let dir = view.resolve(prefix);
  if (!view.isDir(dir)) {
    const cut = prefix.lastIndexOf('/') + 1;
    base = prefix.slice(cut);
    prefix = prefix.slice(0, cut);
    dir = view.resolve(prefix);
    if (!view.isDir(dir)) return undefined;
  }
  const entries = view.list(dir);
  if (!entries) return undefined;
  if (entries.length === 0) return { candidates: [prefix.endsWith('/') ? prefix : `${prefix}/`], nospace: true };
  const candidates: string[] = [];
  let weight = 0;
  for (const e of entries) {
    if (!e.name.startsWith(base)) continue;
    // prefix is '' for a bare relative name: the candidate is the name itself
    candidates.push(prefix === '' ? e.name + (e.isDir ? '/' : '') : join(prefix, e.name + (e.isDir ? '/' : '')));
    weight += e.isDir ? 2 : 1;
  }
  if (candidates.length === 0) return undefined;
  return { candidates, nospace: weight > 1 };
}
