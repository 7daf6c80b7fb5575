// User-defined networks: <root>/networks/networks.json lists them (the
// completion code reads names from there). Records are Podman's network JSON.
import * as path from 'node:path';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { paths } from '../util/paths.js';
import { AmbiguousError, CorruptStateError, InvalidArgumentError, NotFoundError } from '../util/errors.js';
import type { NetworkRecord } from './types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Podman's default network: always there, never stored (unless someone writes it), never removed. */
export const DEFAULT_NETWORK = 'podman';
const DEFAULT_NETWORK_ID = '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9';

/** The default network's record, as Podman shows it (its creation time is when it is read). */
export function defaultNetworkRecord(): NetworkRecord {
  return {
    name: DEFAULT_NETWORK, id: DEFAULT_NETWORK_ID, driver: 'bridge', network_interface: 'podman0', created: new Date().toISOString(),
    subnets: [{ subnet: '10.88.0.0/16', gateway: '10.88.0.1' }], ipv6_enabled: false, internal: false, dns_enabled: false,
    labels: {}, options: {}, ipam_options: { driver: 'host-local' },
  };
}

export function isDefaultNetwork(n: NetworkRecord): boolean { return n.name === DEFAULT_NETWORK && n.id === DEFAULT_NETWORK_ID; }

/** Names with a meaning of their own for --network. */
export const RESERVED_NAMES = new Set(['none', 'host', 'bridge', 'private', 'slirp4netns', 'pasta', 'container', 'ns', 'default']);

export class NetworkStore {
  readonly dir: string;
  constructor(root = paths().root) { this.dir = path.join(root, 'networks'); }
  get indexFile(): string { return path.join(this.dir, 'networks.json'); }

  /** The stored networks and the default one, sorted by name (as Podman lists them). */
  list(): NetworkRecord[] {
    const stored = this.stored();
    const all = stored.some((n) => n.name === DEFAULT_NETWORK) ? stored : [...stored, defaultNetworkRecord()];
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** What networks.json holds (the default network is not written there). */
  stored(): NetworkRecord[] {
    const idx = readJSON<{ networks: NetworkRecord[] }>(this.indexFile, { networks: [] });
    if (!idx || !Array.isArray(idx.networks)) throw new CorruptStateError(this.indexFile, 'missing networks list');
    return idx.networks;
  }

  /** `fn` sees every network (the default one too, so names and subnets are checked against it); the stored ones are written back. */
  async update<T>(fn: (list: NetworkRecord[]) => T | Promise<T>): Promise<T> {
    return withLock(`networks:${this.dir}`, async () => {
      const stored = this.stored();
      const list = this.list();
      const r = await fn(list);
      // in creation order, as they were: new ones at the end
      const kept = list.filter((n) => !isDefaultNetwork(n));
      const order = (n: NetworkRecord) => { const i = stored.findIndex((x) => x.id === n.id); return i < 0 ? stored.length : i; };
      writeJSONAtomic(this.indexFile, { networks: kept.sort((a, b) => order(a) - order(b)) });
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
