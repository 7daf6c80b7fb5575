// The pod store: one index (pods/pods.json) of pod records, written atomically under a
// lock. Membership is not kept here: a member's container configuration and index entry
// name its pod, so a container removed by any path leaves no stale member list behind.
import * as path from 'node:path';
import { readJSON, writeJSONAtomic } from '../../state/atomic.js';
import { withLock } from '../../state/lock.js';
import { paths } from '../../util/paths.js';
import { AmbiguousError, CorruptStateError, NotFoundError } from '../../util/errors.js';
import type { PodRecord } from './types.js';

interface Index { version: 1; pods: PodRecord[] }

/** Podman's error for a pod that is not there (exit 125; `pod exists` exits 1). */
export class NoSuchPodError extends NotFoundError {
  constructor(input: string) { super(`no pod with name or ID ${input} found: no such pod`); }
}

/** The key of one pod's lock: lifecycle verbs on a pod hold it (members keep their own locks). */
export function podLockKey(id: string, root = paths().root): string { return `pod:${root}:${id}`; }

export class PodStore {
  readonly dir: string;
  constructor(root = paths().root) { this.dir = path.join(root, 'pods'); }
  get indexFile(): string { return path.join(this.dir, 'pods.json'); }

  list(): PodRecord[] {
    const idx = readJSON<Index>(this.indexFile, { version: 1, pods: [] });
    if (!idx || !Array.isArray(idx.pods)) throw new CorruptStateError(this.indexFile, 'missing pods list');
    return idx.pods;
  }

  async update<T>(fn: (list: PodRecord[]) => T | Promise<T>): Promise<T> {
    return withLock(`pods:${this.dir}`, async () => {
      const idx = { version: 1 as const, pods: this.list() };
      const r = await fn(idx.pods);
      writeJSONAtomic(this.indexFile, idx);
      return r;
    });
  }

  /** Name, full ID or unique ID prefix -> record. */
  resolve(input: string, list: PodRecord[] = this.list()): PodRecord {
    const byName = list.find((p) => p.name === input);
    if (byName) return byName;
    const exact = list.find((p) => p.id === input);
    if (exact) return exact;
    if (/^[0-9a-f]{1,64}$/.test(input)) {
      const hits = list.filter((p) => p.id.startsWith(input));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new AmbiguousError(`more than one pod matches the ID prefix "${input}": use more characters`);
    }
    throw new NoSuchPodError(input);
  }

  find(input: string): PodRecord | undefined {
    try { return this.resolve(input); } catch (err) { if (err instanceof NotFoundError) return undefined; throw err; }
  }
}
