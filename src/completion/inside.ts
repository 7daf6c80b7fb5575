// Paths inside an image (`run IMAGE <path>`, `create IMAGE <path>`) and inside
// a container (`cp CONTAINER:<path>`), as Podman completes them, read from
// tspod's own storage without mounting anything: the image's unpacked layer
// directories, and for a container its upper directory on top (so a stopped
// container's own changes show too), merged by layered.ts.
//
//   <root>/storage/storage.json           images: { id, names[], layers[] (diffIDs, bottom first) }
//   <root>/storage/layers/<hex>/diff      an unpacked layer
//   <root>/containers/containers.json     containers: { id, names[], layers[] }
//   <root>/containers/<id>/upper          the container's own changes
//
// The layer directories belong to the user (they were unpacked as root of
// tspod's user namespace, which is the user on the host): reading them needs
// no namespace. Entries owned by other mapped ids that the user may not read
// are left out, as a failed readdir is.
import * as path from 'node:path';
import { LayeredRoot, completePath, type PathCompletion } from './layered.js';
import { candidatesFor, id, names, readList, str, type Rec } from './sources.js';

function hexOf(digest: string): string {
  const i = digest.indexOf(':');
  return i >= 0 ? digest.slice(i + 1) : digest;
}

function layerDirs(root: string, rec: Rec): string[] | undefined {
  const layers = rec['layers'];
  if (!Array.isArray(layers)) return undefined;
  const ids = layers.map(str).filter((x): x is string => !!x && /^[a-z0-9]+:[a-f0-9]+$|^[a-f0-9]+$/.test(x));
  return ids.reverse().map((d) => path.join(root, 'storage', 'layers', hexOf(d), 'diff'));
}

/** An image as a user names it: a full or short name (`:latest` implied), or an ID (prefix). */
export function findImageRecord(root: string, ref: string): Rec | undefined {
  const recs = readList(path.join(root, 'storage', 'storage.json'), 'images');
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const byDigest = ref.includes('@');
  const tagged = byDigest || last.includes(':') ? ref : `${ref}:latest`;
  const wanted = [tagged, `docker.io/library/${tagged}`, `localhost/${tagged}`, `docker.io/${tagged}`];
  for (const w of wanted) {
    const hit = recs.find((r) => names(r).includes(w) || (byDigest && Array.isArray(r['repoDigests']) && (r['repoDigests'] as unknown[]).includes(w)));
    if (hit) return hit;
  }
  const suffix = recs.filter((r) => names(r).some((n) => n.endsWith(`/${tagged}`)));
  if (suffix.length === 1) return suffix[0];
  const hex = ref.replace(/^sha256:/, '');
  if (/^[a-f0-9]{3,64}$/.test(hex)) {
    const hits = recs.filter((r) => id(r).startsWith(hex));
    if (hits.length === 1) return hits[0];
  }
  return undefined;
}

/** A container by name, ID or unique ID prefix. */
export function findContainerRecord(root: string, ref: string): Rec | undefined {
  const recs = readList(path.join(root, 'containers', 'containers.json'), 'containers');
  const exact = recs.find((r) => names(r).includes(ref) || id(r) === ref);
  if (exact) return exact;
  const hits = ref.length >= 3 ? recs.filter((r) => id(r).startsWith(ref)) : [];
  return hits.length === 1 ? hits[0] : undefined;
}

export function imageView(root: string, ref: string): LayeredRoot | undefined {
  const rec = findImageRecord(root, ref);
  const dirs = rec && layerDirs(root, rec);
  return dirs ? new LayeredRoot(dirs) : undefined;
}

export function containerView(root: string, ref: string): LayeredRoot | undefined {
  const rec = findContainerRecord(root, ref);
  const dirs = rec && layerDirs(root, rec);
  if (!rec || !dirs) return undefined;
  return new LayeredRoot([path.join(root, 'containers', id(rec), 'upper'), ...dirs]);
}

/** `run IMAGE <path>`: undefined when the shell should complete host paths instead. */
export function imagePath(root: string, image: string | undefined, cur: string): PathCompletion | undefined {
  const view = image ? imageView(root, image) : undefined;
  return view && completePath(view, cur);
}

/**
 * `cp <src> <dest>`: `CONTAINER:path` completes the path inside the container;
 * a word that starts a container's name is offered as `NAME:`; anything else is
 * a host path (undefined).
 */
export function cpPath(root: string, cur: string): PathCompletion | undefined {
  const colon = cur.indexOf(':');
  if (colon >= 0) {
    const view = containerView(root, cur.slice(0, colon));
    const c = view && completePath(view, cur.slice(colon + 1));
    return c && { ...c, candidates: c.candidates.map((x) => cur.slice(0, colon + 1) + x) };
  }
  const ctrs = candidatesFor('containers', root, cur);
  return ctrs.length ? { candidates: ctrs.map((n) => `${n}:`), nospace: true } : undefined;
}
