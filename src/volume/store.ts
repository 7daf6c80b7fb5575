// Named volumes: <root>/volumes/<name>/_data, listed by one index (volumes.json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from '../util/random.js';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { paths } from '../util/paths.js';
import { ConflictError, CorruptStateError, InvalidArgumentError, NotFoundError } from '../util/errors.js';
import { removeTree } from '../image/store.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  mountpoint: string;
  created: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  /** set once image content was copied up into it (or when it must never be: bind, tmpfs, nocopy) */
  populated: boolean;
  /** set once its first user was given the volume (Podman's NeedsChown false); older records: populated */
  chowned?: boolean;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class VolumeStore {
  readonly dir: string;
  constructor(root = paths().root) { this.dir = path.join(root, 'volumes'); }
  get indexFile(): string { return path.join(this.dir, 'volumes.json'); }
  dataDir(name: string): string { return path.join(this.dir, name, '_data'); }

  list(): VolumeRecord[] {
    const idx = readJSON<{ volumes: VolumeRecord[] }>(this.indexFile, { volumes: [] });
    if (!Array.isArray(idx.volumes)) throw new CorruptStateError(this.indexFile, 'missing volumes list');
    return idx.volumes;
  }

  async update<T>(fn: (list: VolumeRecord[]) => T | Promise<T>): Promise<T> {
    return withLock(`volumes:${this.dir}`, async () => {
      const idx = { volumes: this.list() };
      const r = await fn(idx.volumes);
      writeJSONAtomic(this.indexFile, idx);
      return r;
    });
  }

  get(name: string): VolumeRecord {
    const v = this.list().find((x) => x.name === name);
    if (!v) throw new NotFoundError(`no volume with name "${name}" found: no such volume`);
    return v;
  }

  static validName(name: string): void {
    if (!NAME.test(name)) throw new InvalidArgumentError(`invalid volume name "${name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  }

  /**
   * Create (or, with ifMissing, return the existing) volume. `mountpoint`
   * overrides the data directory (a bind volume: the host directory itself);
   * `populated` marks it as never to receive the image's copy-up.
   */
  async create(opts: {
    name?: string | undefined; labels?: Record<string, string>; options?: Record<string, string>; anonymous?: boolean; ifMissing?: boolean;
    mountpoint?: string | undefined; populated?: boolean; chowned?: boolean; owner?: { uid: number; gid: number } | undefined;
  }): Promise<VolumeRecord> {
    const name = opts.name ?? randomHex(32);
    VolumeStore.validName(name);
    return this.update((list) => {
      const existing = list.find((v) => v.name === name);
      if (existing) {
        if (opts.ifMissing) return existing;
        throw new ConflictError(`volume with name ${name} already exists: volume already exists`);
      }
      const rec: VolumeRecord = {
        name, driver: 'local', mountpoint: opts.mountpoint ?? this.dataDir(name), created: new Date().toISOString(),
        labels: opts.labels ?? {}, options: opts.options ?? {}, anonymous: !!opts.anonymous, populated: !!opts.populated,
        chowned: !!opts.chowned,
      };
      fs.mkdirSync(this.dataDir(name), { recursive: true, mode: 0o755 });
      if (opts.owner) fs.chownSync(this.dataDir(name), opts.owner.uid, opts.owner.gid);
      list.push(rec);
      return rec;
    });
  }

  /** Drop the volume from the index and delete its directory (never a bind volume's host directory). */
  async remove(name: string): Promise<void> {
    const doomed = path.join(this.dir, `.rm-${name}-${process.pid}-${randomHex(3)}`);
    await this.update((list) => {
      const i = list.findIndex((v) => v.name === name);
      if (i < 0) throw new NotFoundError(`no volume with name "${name}" found: no such volume`);
      list.splice(i, 1);
      // renamed while the index is locked: a new volume of the same name starts empty
      try { fs.renameSync(path.join(this.dir, name), doomed); } catch { /* already gone */ }
    });
    removeTree(doomed);
  }

  async markPopulated(name: string): Promise<void> {
    await this.update((list) => { const v = list.find((x) => x.name === name); if (v) v.populated = true; });
  }

  async markChowned(name: string): Promise<void> {
    await this.update((list) => { const v = list.find((x) => x.name === name); if (v) v.chowned = true; });
  }
}
