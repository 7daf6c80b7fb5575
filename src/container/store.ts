// The container store: one index (containers.json) that listings read, and a
// directory per container (config.json, the OCI bundle and log in userdata/,
// the overlay upper/work/merged directories).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { paths } from '../util/paths.js';
import { AmbiguousError, CorruptStateError, NotFoundError } from '../util/errors.js';
import type { ContainerConfig, ContainerEntry } from './types.js';

interface Index { version: 1; containers: ContainerEntry[] }

/**
 * The key of one container's lock (state/lock.ts): every operation that changes a
 * container (start, stop, cleanup, rm, commit, mount, network connect) holds it.
 */
export function containerLockKey(id: string, root = paths().root): string { return `ctr:${root}:${id}`; }

export class ContainerStore {
  readonly root: string;
  readonly dir: string;
  constructor(root = paths().root) {
    this.root = root;
    this.dir = path.join(root, 'containers');
  }
  get indexFile(): string { return path.join(this.dir, 'containers.json'); }
  ctrDir(id: string): string { return path.join(this.dir, id); }
  userdata(id: string): string { return path.join(this.dir, id, 'userdata'); }
  configFile(id: string): string { return path.join(this.dir, id, 'config.json'); }

  list(): ContainerEntry[] {
    const idx = readJSON<Index>(this.indexFile, { version: 1, containers: [] });
    if (!idx || !Array.isArray(idx.containers)) throw new CorruptStateError(this.indexFile, 'missing containers list');
    return idx.containers;
  }

  async update<T>(fn: (list: ContainerEntry[]) => T | Promise<T>): Promise<T> {
    return withLock(`containers:${this.dir}`, async () => {
      const idx = { version: 1 as const, containers: this.list() };
      const r = await fn(idx.containers);
      writeJSONAtomic(this.indexFile, idx);
      return r;
    });
  }

  /** Update one entry (no-op if it is gone). */
  async patch(id: string, fn: (e: ContainerEntry) => void): Promise<ContainerEntry | undefined> {
    return this.update((list) => {
      const e = list.find((c) => c.id === id);
      if (e) fn(e);
      return e ? { ...e } : undefined;
    });
  }

  readConfig(id: string): ContainerConfig {
    const f = this.configFile(id);
    try {
      return readJSON<ContainerConfig>(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CorruptStateError(f, 'the container configuration is missing (remove the container with "tspod rm -f")');
      throw err;
    }
  }

  writeConfig(cfg: ContainerConfig): void {
    writeJSONAtomic(this.configFile(cfg.id), cfg);
  }

  /** Name, full ID or unique ID prefix -> entry. */
  resolve(input: string, list: ContainerEntry[] = this.list()): ContainerEntry {
    const byName = list.find((c) => c.names.includes(input) || c.names.includes(input.replace(/^\//, '')));
    if (byName) return byName;
    const exact = list.find((c) => c.id === input);
    if (exact) return exact;
    if (/^[0-9a-f]{1,64}$/.test(input)) {
      const hits = list.filter((c) => c.id.startsWith(input));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new AmbiguousError(`more than one container matches the ID prefix "${input}": use more characters`);
    }
    throw new NotFoundError(`no container with name or ID "${input}" found: no such container`);
  }

  exists(id: string): boolean { return fs.existsSync(this.ctrDir(id)); }
}
