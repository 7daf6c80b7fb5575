// Engine API for user-defined networks: create, ls, inspect, rm, prune,
// exists, connect, disconnect. Records live in <root>/networks/networks.json
// (Podman's network JSON, also what netavark reads). A network is used by
// every container whose configuration names it, running or not (as in Podman).
import { randomHex } from '../util/random.js';
import { ContainerStore, containerLockKey } from '../container/store.js';
import type { ContainerConfig } from '../container/types.js';
import { NetworkStore, isDefaultNetwork } from '../network/store.js';
import type { NetworkRecord, Subnet } from '../network/types.js';
import { cidrString, contains, hostRange, intToIp, ipToInt, overlaps, parseCidr } from '../network/ipnet.js';
import { ConflictError, InUseError, InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import { groupFilters, pruneFilter } from '../util/filters.js';
import { parseKeyValues } from '../container/options.js';
import { networkEvent } from './events.js';
import { parseTimeFilterMs } from '../util/time-filter.js';

/** `network inspect` and `ls --format json`: Podman's network JSON. */
export type NetworkInspect = NetworkRecord;

/** Go-style field names for `ls --format '{{.Name}}'` templates (Podman's types.Network). */
export interface NetworkListRow {
  Name: string; ID: string; Driver: string; NetworkInterface: string; Created: string; Subnets: Array<{ Subnet: string; Gateway: string }>;
  IPv6Enabled: boolean; Internal: boolean; DNSEnabled: boolean; Labels: Record<string, string>; Options: Record<string, string>; IPAMOptions: Record<string, string>;
}

export function toRow(n: NetworkRecord, noTrunc = false): NetworkListRow {
  return {
    Name: n.name, ID: noTrunc ? n.id : n.id.slice(0, 12), Driver: n.driver, NetworkInterface: n.network_interface, Created: n.created,
    Subnets: n.subnets.map((s) => ({ Subnet: s.subnet, Gateway: s.gateway })), IPv6Enabled: n.ipv6_enabled, Internal: n.internal,
    DNSEnabled: n.dns_enabled, Labels: n.labels, Options: n.options, IPAMOptions: n.ipam_options,
  };
}

// ---------------------------------------------------------------- create

export interface NetworkCreateOptions {
  name?: string | undefined;
  driver?: string | undefined;
  subnets?: string[] | undefined;
  gateways?: string[] | undefined;
  ipRanges?: string[] | undefined;
  internal?: boolean | undefined;
  disableDns?: boolean | undefined;
  ipv6?: boolean | undefined;
  labels?: string[] | undefined;
  opts?: string[] | undefined;
  interfaceName?: string | undefined;
  ignore?: boolean | undefined;
}

/** The slirp4netns network of the rootless netns: a user subnet must not hide it. */
const RESERVED_SUBNETS = ['10.0.2.0/24', '127.0.0.0/8'].map((s) => parseCidr(s));

/** Podman's default pool for new networks: 10.89.0.0/24, 10.89.1.0/24, ... */
function freeSubnet(taken: ReturnType<typeof parseCidr>[]): string {
  for (let i = 0; i < 256; i++) {
    const c = parseCidr(`10.89.${i}.0/24`);
    if (!taken.some((t) => overlaps(t, c))) return cidrString(c);
  }
  throw new TspodError('no free subnet left in 10.89.0.0/16: pass --subnet', 'ENETWORK');
}

function leaseRange(subnet: ReturnType<typeof parseCidr>, range: string): { start_ip: string; end_ip: string } {
  const dash = /^([0-9.]+)-([0-9.]+)$/.exec(range.trim());
  let start: number, end: number;
  if (dash) {
    try { start = ipToInt(dash[1]!); end = ipToInt(dash[2]!); } catch { throw new InvalidArgumentError(`invalid --ip-range "${range}": use CIDR (10.89.1.128/25) or START-END`); }
  } else {
    const r = parseCidr(range, '--ip-range');
    [start, end] = hostRange(r);
    if (r.prefix >= 31) { start = r.base; end = r.base + 2 ** (32 - r.prefix) - 1; }
  }
  if (start > end) throw new InvalidArgumentError(`invalid --ip-range "${range}": the start is after the end`);
  const [first, last] = hostRange(subnet);
  if (!contains(subnet, start) || !contains(subnet, end)) throw new InvalidArgumentError(`--ip-range ${range} is not inside the subnet ${cidrString(subnet)}`);
  return { start_ip: intToIp(Math.max(start, first)), end_ip: intToIp(Math.min(end, last)) };
}

const BRIDGE_OPTS = new Set(['mtu', 'vlan', 'isolate']);

async function createNetworkUnrecorded(o: NetworkCreateOptions, store = new NetworkStore()): Promise<NetworkInspect> {
  const driver = o.driver ?? 'bridge';
  if (driver !== 'bridge') throw new InvalidArgumentError(`unsupported network driver "${driver}": tspod supports the bridge driver`);
  if (o.ipv6) throw new InvalidArgumentError('IPv6 user networks are not supported by tspod yet');
  if (o.name !== undefined) NetworkStore.validName(o.name);
  const labels = parseKeyValues(o.labels, 'label');
  const options = parseKeyValues(o.opts, 'driver option', true);
  for (const [k, v] of Object.entries(options)) {
    if (!BRIDGE_OPTS.has(k)) throw new InvalidArgumentError(`unsupported bridge option "${k}": use mtu, vlan or isolate`);
    if ((k === 'mtu' || k === 'vlan') && !/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid ${k} "${v}": expected a number`);
  }
  const subnets = o.subnets ?? [];
  const gateways = o.gateways ?? [];
  const ranges = o.ipRanges ?? [];
  if (subnets.length > 1) throw new InvalidArgumentError('tspod networks have one IPv4 subnet: pass --subnet once');
  if (!subnets.length && (gateways.length || ranges.length)) throw new InvalidArgumentError('--gateway and --ip-range need --subnet');
  if (gateways.length > 1 || ranges.length > 1) throw new InvalidArgumentError('pass --gateway and --ip-range at most once');
  if (o.interfaceName !== undefined && !/^[a-zA-Z0-9_.-]{1,15}$/.test(o.interfaceName)) throw new InvalidArgumentError(`invalid interface name "${o.interfaceName}": at most 15 letters, digits, "_", "." or "-"`);
  // validate what can be validated before taking the lock
  const wanted = subnets[0] !== undefined ? parseCidr(subnets[0]) : undefined;
  if (wanted) {
    if (wanted.prefix > 30) throw new InvalidArgumentError(`subnet ${subnets[0]} is too small: use a prefix of /30 or shorter`);
    const clash = RESERVED_SUBNETS.find((r) => overlaps(r, wanted));
    if (clash) throw new InvalidArgumentError(`subnet ${subnets[0]} overlaps ${cidrString(clash)}, which tspod's rootless networking uses: choose another subnet`);
  }
  return store.update((list) => {
    const name = o.name ?? (() => { for (let i = 1; ; i++) if (!list.some((n) => n.name === `tspod${i}`)) return `tspod${i}`; })();
    const existing = list.find((n) => n.name === name);
    if (existing) {
      if (o.ignore) return existing;
      throw new ConflictError(`network name ${name} already used: network already exists`);
    }
    const taken = list.flatMap((n) => n.subnets.map((s) => parseCidr(s.subnet)));
    const cidr = wanted ?? parseCidr(freeSubnet(taken));
    const other = list.find((n) => n.subnets.some((s) => overlaps(parseCidr(s.subnet), cidr)));
    if (other) throw new ConflictError(`subnet ${cidrString(cidr)} is already used by network ${other.name}: choose another subnet`);
    const [first, last] = hostRange(cidr);
    let gateway = intToIp(first);
    if (gateways[0] !== undefined) {
      let g: number;
      try { g = ipToInt(gateways[0]); } catch { throw new InvalidArgumentError(`invalid --gateway "${gateways[0]}": not an IPv4 address`); }
      if (!contains(cidr, g) || g < first || g > last) throw new InvalidArgumentError(`gateway ${gateways[0]} is not a host address of the subnet ${cidrString(cidr)}`);
      gateway = gateways[0];
    }
    const subnet: Subnet = { subnet: cidrString(cidr), gateway };
    if (ranges[0] !== undefined) subnet.lease_range = leaseRange(cidr, ranges[0]);
    const ifaces = new Set(list.map((n) => n.network_interface));
    let ifname = o.interfaceName;
    if (ifname && ifaces.has(ifname)) throw new ConflictError(`interface name ${ifname} is already used by another network`);
    if (!ifname) for (let i = 1; ; i++) if (!ifaces.has(`tspod${i}`)) { ifname = `tspod${i}`; break; }
    const rec: NetworkRecord = {
      name, id: randomHex(32), driver: 'bridge', network_interface: ifname!, created: new Date().toISOString(),
      subnets: [subnet], ipv6_enabled: false, internal: !!o.internal, dns_enabled: !o.disableDns, labels, options, ipam_options: { driver: 'host-local' },
    };
    list.push(rec);
    return rec;
  });
}

// ---------------------------------------------------------------- use by containers

/** The user networks a container's configuration names. */
export function networksOfConfig(cfg: ContainerConfig, known: Set<string>): string[] {
  const c = cfg as ContainerConfig & { networks?: unknown };
  if (Array.isArray(c.networks)) return c.networks.filter((x): x is string => typeof x === 'string');
  return (cfg.network ?? '').split(',').map((s) => s.trim()).filter((s) => known.has(s));
}

function usageMap(store = new NetworkStore(), ctrs = new ContainerStore()): Map<string, string[]> {
  const known = new Set(store.list().map((n) => n.name));
  const m = new Map<string, string[]>();
  for (const c of ctrs.list()) {
    let cfg: ContainerConfig;
    try { cfg = ctrs.readConfig(c.id); } catch { continue; }
    for (const n of networksOfConfig(cfg, known)) m.set(n, [...(m.get(n) ?? []), c.id]);
  }
  return m;
}

/** IDs of the containers (any state) that use the network. */
export function networkUsers(name: string, store = new NetworkStore()): string[] {
  return usageMap(store).get(name) ?? [];
}

// ---------------------------------------------------------------- ls / inspect / exists

const FILTERS = ['name', 'id', 'driver', 'label', 'until', 'dangling'];

/** --filter values: the same key ORs (label ANDs), different keys AND (as in Podman). */
export function networkFilter(filters: string[] | undefined, store = new NetworkStore()): (n: NetworkRecord) => boolean {
  const groups = groupFilters(filters, FILTERS, 'network');
  if (!groups.size) return () => true;
  const used = groups.has('dangling') ? usageMap(store) : new Map<string, string[]>();
  const tests: Array<(n: NetworkRecord) => boolean> = [];
  for (const [k, vals] of groups) {
    const one = vals.map((val): ((n: NetworkRecord) => boolean) => {
      switch (k) {
        case 'name': { let re: RegExp; try { re = new RegExp(val); } catch { re = new RegExp(val.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')); } return (n) => re.test(n.name); }
        case 'id': return (n) => n.id.startsWith(val);
        case 'driver': return (n) => n.driver === val;
        case 'label': {
          const j = val.indexOf('=');
          const lk = j < 0 ? val : val.slice(0, j), lv = j < 0 ? undefined : val.slice(j + 1);
          return (n) => lk in n.labels && (lv === undefined || n.labels[lk] === lv);
        }
        case 'dangling': {
          if (!/^(true|false|1|0)$/i.test(val)) throw new InvalidArgumentError(`invalid dangling filter value "${val}": use true or false`);
          const want = /^(true|1)$/i.test(val);
          return (n) => !used.has(n.name) === want;
        }
        default: { const t = parseTimeFilterMs(val, 'until filter'); return (n) => Date.parse(n.created) < t; }
      }
    });
    // label values must all match (Podman: "label is exclusive"); other keys' values OR
    tests.push(k === 'label' ? (n) => one.every((f) => f(n)) : (n) => one.some((f) => f(n)));
  }
  return (n) => tests.every((f) => f(n));
}

export function listNetworks(o: { filters?: string[] | undefined } = {}, store = new NetworkStore()): NetworkInspect[] {
  const keep = networkFilter(o.filters, store);
  return store.list().filter(keep);
}

export function inspectNetwork(nameOrId: string, store = new NetworkStore()): NetworkInspect {
  return store.resolve(nameOrId);
}

export function networkExists(nameOrId: string, store = new NetworkStore()): boolean {
  return store.find(nameOrId) !== undefined;
}

// ---------------------------------------------------------------- rm / prune

export interface NetworkRmReport { name: string; error?: TspodError }

async function removeNetworksUnrecorded(inputs: string[], o: { force?: boolean | undefined; timeout?: number | undefined } = {}, store = new NetworkStore()): Promise<NetworkRmReport[]> {
  const out: NetworkRmReport[] = [];
  for (const input of inputs) {
    try {
      let rec: NetworkRecord;
      try { rec = store.resolve(input); } catch (err) {
        // as Podman: --force ignores a network that does not exist
        if (o.force && err instanceof NotFoundError) continue;
        throw err;
      }
      if (isDefaultNetwork(rec)) throw new TspodError(`default network ${rec.name} cannot be removed`);
      const users = networkUsers(rec.name, store);
      if (users.length) {
        if (!o.force) throw new InUseError(`"${rec.name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used (${users.map((u) => u.slice(0, 12)).join(', ')})`);
        // as Podman: -f removes the containers that use the network first
        const { removeContainers } = await import('./container/index.js');
        const reps = await removeContainers(users, { force: true, timeout: o.timeout ?? 0 });
        const failed = reps.find((r) => r.error);
        if (failed) throw new TspodError(`removing container ${failed.input} that uses network ${rec.name}: ${failed.error!.message}`);
      }
      await store.update((list) => {
        const i = list.findIndex((n) => n.id === rec.id);
        if (i < 0) throw new NotFoundError(`unable to find network with name or ID ${input}: network not found`);
        // re-checked under the index lock: a container may have been created on it meanwhile
        if (!o.force && networkUsers(rec.name, store).length) throw new InUseError(`"${rec.name}" has associated containers with it: network is being used`);
        list.splice(i, 1);
      });
      out.push({ name: rec.name });
    } catch (err) {
      out.push({ name: input, error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

export function pruneCandidates(filters: string[] | undefined, store = new NetworkStore()): string[] {
  const keep = pruneFilter(filters, 'network');
  const used = usageMap(store);
  return store.list().filter((n) => !isDefaultNetwork(n) && !used.has(n.name) && keep(n)).map((n) => n.name);
}

export async function pruneNetworks(filters: string[] | undefined, store = new NetworkStore()): Promise<NetworkRmReport[]> {
  const doomed = new Set(pruneCandidates(filters, store));
  if (!doomed.size) return [];
  return store.update((list) => {
    const used = usageMap(store);
    const out: NetworkRmReport[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const n = list[i]!;
      if (!doomed.has(n.name) || used.has(n.name)) continue;
      list.splice(i, 1);
      out.unshift({ name: n.name });
    }
    return out;
  });
}

// ---------------------------------------------------------------- connect / disconnect

type NetConfig = ContainerConfig & { networks?: string[]; networkAliases?: string[]; staticIP?: string };

/**
 * Change a container's networks under its lock: `fn` edits the recorded
 * configuration (what the next start uses); a running container also gets the
 * change live through `live` (netavark on its network namespace), after which
 * its /etc/hosts and /etc/resolv.conf are rewritten in place.
 */
async function editContainer(container: string, fn: (cfg: NetConfig, known: Set<string>) => void, live: (id: string, before: NetConfig, known: Set<string>) => Promise<import('../network/types.js').AttachResult>): Promise<void> {
  const ctrs = new ContainerStore();
  const { syncAll } = await import('./container/index.js');
  const list = await syncAll(ctrs);
  const e = ctrs.resolve(container, list);
  const { withLock } = await import('../state/lock.js');
  await withLock(containerLockKey(e.id), async () => {
    const cur = ctrs.resolve(e.id, await syncAll(ctrs));
    const cfg = ctrs.readConfig(cur.id) as NetConfig;
    const before = structuredClone(cfg);
    const known = new Set(new NetworkStore().list().map((n) => n.name));
    fn(cfg, known);
    if (cur.state === 'running' || cur.state === 'paused' || cur.state === 'stopping') {
      const r = await live(cur.id, before, known);
      const { writeNetworkFiles } = await import('../network/attach.js');
      writeNetworkFiles(ctrs.userdata(cur.id), r, { addHosts: cfg.addHosts, dns: cfg.dns, dnsSearch: cfg.dnsSearch, dnsOptions: cfg.dnsOptions });
    }
    ctrs.writeConfig(cfg);
  });
}

async function connectNetworkUnrecorded(network: string, container: string, o: { aliases?: string[] | undefined; ip?: string | undefined } = {}, store = new NetworkStore()): Promise<void> {
  const rec = store.resolve(network);
  const { planUserNetworks, connectAttached } = await import('../network/attach.js');
  planUserNetworks({ network: rec.name, aliases: o.aliases, ip: o.ip }, store);
  await editContainer(container, (cfg, known) => {
    const mode = cfg.network ?? '';
    const current = networksOfConfig(cfg, known);
    // a container disconnected from its last user network (network "none" since) may join one again
    const wasOnUserNetworks = Array.isArray(cfg.networks);
    if (!current.length && !wasOnUserNetworks && (mode === 'none' || mode === 'host' || mode.startsWith('container:') || mode.startsWith('ns:'))) {
      throw new ConflictError(`container ${cfg.name} uses --network ${mode}: it cannot join a user-defined network`);
    }
    if (current.includes(rec.name)) throw new ConflictError(`container ${cfg.name} is already connected to network ${rec.name}`);
    if (o.ip && current.length) throw new InvalidArgumentError('--ip applies to the first network of a container: use it when connecting its first network');
    // a slirp4netns container moves to the user network
    const next = [...current, rec.name];
    cfg.networks = next;
    cfg.network = next.join(',');
    if (o.aliases?.length) cfg.networkAliases = [...new Set([...(cfg.networkAliases ?? []), ...o.aliases])];
    if (o.ip) cfg.staticIP = o.ip;
  }, async (id, before, known) => {
    // slirp4netns gives a running container a network namespace of its own, outside the user networks
    if (!networksOfConfig(before, known).length && !Array.isArray(before.networks)) {
      throw new ConflictError(`container ${before.name} is running with --network ${before.network || 'slirp4netns'}: connect it to a user-defined network while it is stopped`);
    }
    return connectAttached(id, rec.name, { aliases: o.aliases }, store);
  });
}

async function disconnectNetworkUnrecorded(network: string, container: string, store = new NetworkStore()): Promise<void> {
  const rec = store.resolve(network);
  const { disconnectAttached } = await import('../network/attach.js');
  await editContainer(container, (cfg, known) => {
    const current = networksOfConfig(cfg, known);
    if (!current.includes(rec.name)) throw new NotFoundError(`container ${cfg.name} is not connected to network ${rec.name}`);
    const next = current.filter((n) => n !== rec.name);
    cfg.networks = next;
    // no user network left: the container has loopback only (as Docker's disconnect of the last network)
    cfg.network = next.length ? next.join(',') : 'none';
    if (!next.length) { delete cfg.staticIP; delete cfg.networkAliases; }
    if (next.length && current[0] === rec.name) delete cfg.staticIP;
  }, async (id) => disconnectAttached(id, rec.name, store));
}

/** {@link createNetworkUnrecorded}, recorded in the events log. */
export async function createNetwork(...args: Parameters<typeof createNetworkUnrecorded>): Promise<NetworkInspect> {
  const r = await createNetworkUnrecorded(...args);
  networkEvent('create', r.name, { id: r.id, attributes: { driver: r.driver } });
  return r;
}

/** {@link removeNetworksUnrecorded}, recorded in the events log. */
export async function removeNetworks(...args: Parameters<typeof removeNetworksUnrecorded>): Promise<NetworkRmReport[]> {
  const r = await removeNetworksUnrecorded(...args);
  for (const x of r) if (!x.error) networkEvent('remove', x.name);
  return r;
}

/** {@link connectNetworkUnrecorded}, recorded in the events log. */
export async function connectNetwork(...args: Parameters<typeof connectNetworkUnrecorded>): Promise<void> {
  const r = await connectNetworkUnrecorded(...args);
  networkEvent('connect', args[0], { id: args[1] });
  return r;
}

/** {@link disconnectNetworkUnrecorded}, recorded in the events log. */
export async function disconnectNetwork(...args: Parameters<typeof disconnectNetworkUnrecorded>): Promise<void> {
  const r = await disconnectNetworkUnrecorded(...args);
  networkEvent('disconnect', args[0], { id: args[1] });
  return r;
}
