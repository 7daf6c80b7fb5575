// The image store: one index file (storage.json: images and layers) read by
// every listing, content-addressed blobs (manifests, configs, compressed
// layers kept for push/save), and one unpacked directory per layer shared by
// every image and container that uses it.
//
//   <root>/storage/storage.json            index (atomic writes, under lock)
//   <root>/storage/blobs/sha256/<hex>      manifests, configs, layer blobs
//   <root>/storage/layers/<hex>/diff       unpacked layer (hex of the diffID)
//   <root>/storage/tmp/                    work in progress (pid-tagged)
//   <root>/storage/trash/                  being deleted
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJSON, writeFileAtomic, writeJSONAtomic, cleanStaleTemps, pidAlive } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { paths } from '../util/paths.js';
import { AmbiguousError, CorruptStateError, InvalidArgumentError, NotFoundError, isErrno } from '../util/errors.js';
import { formatReference, normalize, parseReference, qualify, isDigest, repoName } from './reference.js';
import type { ImageRecord, LayerRecord } from './types.js';

export interface StorageIndex { version: 1; images: ImageRecord[]; layers: LayerRecord[] }


export function hexOf(digest: string): string {
  const i = digest.indexOf(':');
  return i >= 0 ? digest.slice(i + 1) : digest;
}

export class ImageStore {
  readonly root: string;
  readonly dir: string;
  constructor(root = paths().root) {
    this.root = root;
    this.dir = path.join(root, 'storage');
  }

  get indexFile(): string { return path.join(this.dir, 'storage.json'); }
  blobPath(digest: string): string { return path.join(this.dir, 'blobs', 'sha256', hexOf(digest)); }
  layerDir(diffID: string): string { return path.join(this.dir, 'layers', hexOf(diffID)); }
  layerDiff(diffID: string): string { return path.join(this.layerDir(diffID), 'diff'); }
  tmpDir(): string { return path.join(this.dir, 'tmp'); }

  /** A fresh private work directory, tagged with our pid so a killed run's leftovers can be cleaned. */
  makeTemp(kind: string): string {
    fs.mkdirSync(this.tmpDir(), { recursive: true, mode: 0o700 });
    return fs.mkdtempSync(path.join(this.tmpDir(), `${kind}.tmp-${process.pid}-`));
  }

  read(): StorageIndex {
    const idx = readJSON<StorageIndex>(this.indexFile, { version: 1, images: [], layers: [] });
    if (!idx || !Array.isArray(idx.images) || !Array.isArray(idx.layers)) throw new CorruptStateError(this.indexFile, 'missing images or layers list');
    return idx;
  }

  listImages(): ImageRecord[] { return this.read().images; }

  /** Read-modify-write the index under the storage lock. */
  async update<T>(fn: (idx: StorageIndex) => T | Promise<T>): Promise<T> {
    return withLock(`storage:${this.dir}`, async () => {
      const idx = this.read();
      const before = JSON.stringify(idx);
      const result = await fn(idx);
      // every name an image has had, current ones first, then the removed ones, latest first
      // (Podman's NamesHistory, `images --format {{.History}}`)
      for (const img of idx.images) img.namesHistory = [...new Set([...img.names, ...(img.namesHistory ?? [])])];
      // nothing changed (a cached build naming its image again, a tag it has): no write, no fsync
      if (JSON.stringify(idx) !== before) writeJSONAtomic(this.indexFile, idx);
      return result;
    });
  }

  hasBlob(digest: string): boolean {
    try { return fs.statSync(this.blobPath(digest)).isFile(); } catch { return false; }
  }

  readBlob(digest: string): Buffer {
    try {
      return fs.readFileSync(this.blobPath(digest));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`blob ${digest} is missing from the store (${this.blobPath(digest)})`);
      throw err;
    }
  }

  writeBlob(digest: string, data: Uint8Array): void {
    const p = this.blobPath(digest);
    if (fs.existsSync(p)) return;
    writeFileAtomic(p, data, 0o644);
  }

  /** Move a finished temp file into the blob store (atomic; first writer wins). */
  commitBlobFile(tmpFile: string, digest: string): void {
    const p = this.blobPath(digest);
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
    if (fs.existsSync(p)) { fs.rmSync(tmpFile, { force: true }); return; }
    fs.renameSync(tmpFile, p);
  }

  /** Move a finished unpacked layer into place; false when another process got there first. */
  commitLayerDir(tmpLayerDir: string, diffID: string): boolean {
    const final = this.layerDir(diffID);
    fs.mkdirSync(path.dirname(final), { recursive: true, mode: 0o700 });
    try {
      fs.renameSync(tmpLayerDir, final);
      return true;
    } catch (err) {
      if (isErrno(err, 'EEXIST', 'ENOTEMPTY')) { this.trash(tmpLayerDir); return false; }
      throw err;
    }
  }

  layerPresent(diffID: string): boolean {
    try { return fs.statSync(this.layerDiff(diffID)).isDirectory(); } catch { return false; }
  }

  /** Delete a directory tree: rename into trash (atomic), then remove. */
  trash(dir: string): void {
    const t = path.join(this.dir, 'trash');
    fs.mkdirSync(t, { recursive: true, mode: 0o700 });
    const dest = path.join(t, `${path.basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      fs.renameSync(dir, dest);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    removeTree(dest);
  }

  /** Clean what killed processes left behind (temp work dirs, trash, temp index files). */
  repair(): void {
    cleanStaleTemps(this.tmpDir());
    cleanStaleTemps(path.join(this.dir, 'trash'));
    cleanStaleTemps(this.dir);
    cleanStaleTemps(path.join(this.dir, 'blobs', 'sha256'));
  }

  /** Resolve a user's name, ID or ID prefix to an image record. */
  resolve(nameOrId: string, idx: StorageIndex = this.read()): ImageRecord {
    const found = findImage(idx.images, nameOrId);
    if (!found) throw new NotFoundError(`${nameOrId}: image not known`);
    return found;
  }

  /** Remove layers and blobs no image (and no container, via keep) references. Returns bytes freed estimate. */
  gc(idx: StorageIndex, keepLayers: Set<string> = new Set()): string[] {
    const used = new Set<string>(keepLayers);
    const usedBlobs = new Set<string>();
    for (const img of idx.images) {
      for (const l of img.layers) used.add(l);
      usedBlobs.add(hexOf(img.digest));
      usedBlobs.add(hexOf(img.configDigest));
    }
    const removed: string[] = [];
    idx.layers = idx.layers.filter((l) => {
      if (used.has(l.id)) { usedBlobs.add(hexOf(l.compressedDigest)); return true; }
      removed.push(l.id);
      return false;
    });
    for (const id of removed) this.trash(this.layerDir(id));
    // blobs nobody references any more
    const bdir = path.join(this.dir, 'blobs', 'sha256');
    let names: string[] = [];
    try { names = fs.readdirSync(bdir); } catch { /* none */ }
    for (const n of names) {
      if (n.includes('.tmp-')) continue;
      if (!usedBlobs.has(n)) fs.rmSync(path.join(bdir, n), { force: true });
    }
    return removed;
  }
}

/** Best-effort recursive removal that copes with read-only directories in layers. */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    if (!isErrno(err, 'EACCES', 'EPERM')) throw err;
    // make directories writable and retry (layers may hold 0555 dirs)
    const walk = (d: string) => {
      try { fs.chmodSync(d, 0o700); } catch { /* ignore */ }
      let ents: fs.Dirent[] = [];
      try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
      for (const e of ents) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    walk(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Candidate full names for a user-typed short or full name, in Podman's lookup order. */
export function candidateNames(input: string, searchRegistries: string[] = ['docker.io']): string[] {
  const ref = parseReference(input);
  if (ref.registry) return [formatReference(normalize(qualify(ref, ref.registry)))];
  const out = [formatReference(normalize(qualify(ref, 'localhost')))];
  for (const r of searchRegistries) out.push(formatReference(normalize(qualify(ref, r))));
  return out;
}

export function findImage(images: ImageRecord[], input: string, searchRegistries?: string[]): ImageRecord | undefined {
  const s = input.startsWith('sha256:') ? input.slice(7) : input;
  // Full names first (Podman resolves names before ID prefixes).
  let ref;
  try { ref = parseReference(input); } catch { ref = undefined; }
  if (ref && !input.startsWith('sha256:')) {
    if (ref.digest) {
      const want = ref.digest;
      const repo = ref.registry ? repoName(ref) : undefined;
      const hit = images.find((i) => i.repoDigests.some((rd) => rd.endsWith(`@${want}`) && (!repo || rd.startsWith(`${repo}@`) || !ref!.registry)) || i.digest === want);
      if (hit) return hit;
    } else {
      const cands = candidateNames(input, searchRegistries);
      for (const c of cands) {
        const hit = images.find((i) => i.names.includes(c));
        if (hit) return hit;
      }
      if (!ref.registry) {
        // any registry: short name matches the trailing path component(s)
        const suffix = `/${ref.path}:${ref.tag ?? 'latest'}`;
        const hits = images.filter((i) => i.names.some((n) => n.endsWith(suffix)));
        if (hits.length === 1) return hits[0];
        if (hits.length > 1) throw new AmbiguousError(`short name "${input}" matches several images: ${hits.map((h) => h.names.find((n) => n.endsWith(suffix))).join(', ')}; use a fully qualified name`);
      }
    }
  }
  if (/^[a-f0-9]{3,64}$/.test(s)) {
    const hits = images.filter((i) => i.id.startsWith(s));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new AmbiguousError(`image ID prefix "${s}" is ambiguous: it matches ${hits.length} images`);
  } else if (input.startsWith('sha256:') && !isDigest(input) && !/^sha256:[a-f0-9]{3,64}$/.test(input)) {
    throw new InvalidArgumentError(`invalid image ID "${input}"`);
  }
  return undefined;
}

/** Record layers in the index (idempotent). */
export function addLayers(idx: { layers: LayerRecord[] }, layers: LayerRecord[]): void {
  for (const l of layers) {
    const existing = idx.layers.find((x) => x.id === l.id);
    if (!existing) idx.layers.push(l);
  }
}

/** Remove `name` from any image that has it (a name points at one image). Returns images left with no name and no digest. */
export function untagEverywhere(idx: StorageIndex, name: string): void {
  for (const img of idx.images) img.names = img.names.filter((n) => n !== name);
}

export function pidOfTemp(name: string): number | undefined {
  const m = /\.tmp-(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export { pidAlive };
