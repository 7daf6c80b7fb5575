// User-defined networks: <root>/networks/networks.json lists them (the
// completion code reads names from there). Records are Podman's network JSON.
import * as path from 'node:path';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { paths } from '../util/paths.js';
import { AmbiguousError, CorruptStateError, InvalidArgumentError, NotFoundError } from '../util/errors.js';
import type { NetworkRecord } from './types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Names with a meaning of their own for --network. */
export const RESERVED_NAMES = new Set(['none', 'host', 'bridge', 'private', 'slirp4netns', 'pasta', 'container', 'ns', 'default']);

export class NetworkStore {
  readonly dir: string;
  constructor(root = paths().root) { this.dir = path.join(root, 'networks'); }
  get indexFile(): string { return path.join(this.dir, 'networks.json'); }

  list(): NetworkRecord[] {
    const idx = readJSON<{ networks: NetworkRecord[] }>(this.indexFile, { networks: [] });
    if (!idx || !Array.isArray(idx.networks)) throw new CorruptStateError(this.indexFile, 'missing networks list');
    return idx.networks;
  }

  async update<T>(fn: (list: NetworkRecord[]) => T | Promise<T>): Promise<T> {
    return withLock(`networks:${this.dir}`, async () => {
      const idx = { networks: this.list() };
      const r = await fn(idx.networks);
      writeJSONAtomic(this.indexFile, idx);
      return r;
    });
  }

  /** Name, full ID or unique ID prefix -> record. */
  resolve(input: string, list = this.list()): NetworkRecord {
    const byName = list.find((n) => n.name === input);
    if (byName) return byName;
    if (/^[0-9a-f]{1,64}$/.test(input)) {
      const hits = list.filter((n) => n.id.startsWith(input));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new AmbiguousError(`more than one network matches the ID prefix "${input}": use more characters`);
    }
    throw new NotFoundError(`unable to find network with name or ID ${input}: network not found`);
  }

  find(input: string): NetworkRecord | undefined {
    try { return this.resolve(input); } catch (err) { if (err instanceof NotFoundError) return undefined; throw err; }
  }

  static validName(name: string): void {
    if (!NAME.test(name) || name.length > 200) throw new InvalidArgumentError(`invalid network name "${name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    if (RESERVED_NAMES.has(name)) throw new InvalidArgumentError(`network name "${name}" is reserved: choose another name`);
  }
}
