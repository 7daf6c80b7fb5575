// Joining containers to user-defined networks, for the container engine:
//   planUserNetworks()   at create: validate --network NAME[,NAME], --network-alias, --ip, --link
//   attachContainerNetworks()  at start, after `runc create` (the container's netns exists):
//                        pins the netns, allocates addresses, runs `netavark setup` in the
//                        rootless netns (bridge, veth, NAT, aardvark-dns), publishes ports
//   writeNetworkFiles()  the container's /etc/hosts and /etc/resolv.conf (in place: they are bind mounts)
//   detachContainerNetworks()  at cleanup/rm: `netavark teardown`; the last container out
//                        tears the rootless netns down (no slirp4netns or aardvark-dns left)
// Every step runs under one lock (netLockKey), so address allocation and the
// rootless netns's life are consistent across concurrent tspod processes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';
import { run, which } from '../util/exec.js';
import { ConflictError, InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import { isRootless } from '../util/paths.js';
import { log } from '../util/log.js';
import { contains, hostRange, intToIp, ipToInt, parseCidr } from './ipnet.js';
import { netavark, netavarkNetwork, type NetavarkInput } from './netavark.js';
import {
  addHostForward, ensureRootlessNetns, netLockKey, pinDir, readState, removeHostForward,
  rootlessNetnsAlive, teardownRootlessNetns, NETNS_SLIRP_IP, SLIRP_DNS_IP,
} from './rootless-netns.js';
import { NetworkStore } from './store.js';
import { attachmentFile, attachmentsDir, netRunDir } from './paths.js';
import type { AttachResult, AttachmentRecord, ContainerNetworkRequest, NetworkAttachment, NetworkRecord } from './types.js';
import { baseHostsText, hostInternalIP, hostsFile, isNamespaceFile, removeNetnsFile } from '../container/network.js';
import { containersConf } from '../util/containers-conf.js';

export const DNS_DOMAIN = 'dns.podman';

/** True when `name` (a --network value) names a user-defined network (every one of a comma list). */
export function isUserNetwork(name: string | undefined, store = new NetworkStore()): boolean {
  if (!name) return false;
  const parts = name.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) return false;
  const list = store.list();
  return parts.every((p) => list.some((n) => n.name === p));
}

export interface UserNetworkPlan { networks: string[]; aliases: string[]; staticIP: string | undefined; links: string[] }

/**
 * Validate the network flags of `create`/`run` for user networks: every
 * network exists (names are stored, not IDs), --ip lies in the single
 * network's subnet, aliases and links are well-formed. Returns undefined when
 * --network is not a user network (slirp4netns, none, host, container:X).
 */
export function planUserNetworks(o: { network?: string | undefined; aliases?: string[] | undefined; ip?: string | undefined; links?: string[] | undefined }, store = new NetworkStore()): UserNetworkPlan | undefined {
  const value = o.network ?? '';
  const special = ['', 'slirp4netns', 'none', 'host', 'private', 'bridge'];
  if (special.includes(value) || value.startsWith('container:') || value.startsWith('slirp4netns:') || value.startsWith('ns:')) {
    if (o.aliases?.length) throw new InvalidArgumentError('--network-alias can only be used with user-defined networks (tspod network create)');
    if (o.ip) throw new InvalidArgumentError('--ip can only be used with a user-defined network (tspod network create)');
    return undefined;
  }
  const names: string[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const rec = store.resolve(part);
    if (!names.includes(rec.name)) names.push(rec.name);
  }
  const aliases = [...new Set(o.aliases ?? [])];
  for (const a of aliases) if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a)) throw new InvalidArgumentError(`invalid network alias "${a}": use letters, digits, "_", "." and "-"`);
  let staticIP: string | undefined;
  if (o.ip) {
    if (names.length !== 1) throw new InvalidArgumentError('--ip needs exactly one network: use "tspod network connect --ip" for more');
    const rec = store.resolve(names[0]!);
    checkStaticIP(rec, o.ip);
    staticIP = o.ip;
  }
  const links = o.links ?? [];
  for (const l of links) if (!/^[^:\s]+(:[^:\s]+)?$/.test(l)) throw new InvalidArgumentError(`invalid --link "${l}": use NAME or NAME:ALIAS`);
  return { networks: names, aliases, staticIP, links };
}

function checkStaticIP(rec: NetworkRecord, ip: string): void {
  let n: number;
  try { n = ipToInt(ip); } catch { throw new InvalidArgumentError(`invalid --ip "${ip}": not an IPv4 address`); }
  const s = rec.subnets.find((x) => contains(parseCidr(x.subnet), n));
  if (!s) throw new InvalidArgumentError(`--ip ${ip} is not in the subnet of network ${rec.name} (${rec.subnets.map((x) => x.subnet).join(', ')})`);
  const [first, last] = hostRange(parseCidr(s.subnet));
  if (n < first || n > last) throw new InvalidArgumentError(`--ip ${ip} is the network or broadcast address of ${s.subnet}`);
  if (ip === s.gateway) throw new InvalidArgumentError(`--ip ${ip} is the gateway of network ${rec.name}`);
}

// ---------------------------------------------------------------- attachment records

export function listAttachments(): AttachmentRecord[] {
  let names: string[];
  try { names = fs.readdirSync(attachmentsDir()); } catch { return []; }
  const out: AttachmentRecord[] = [];
  for (const n of names) {
    if (!n.endsWith('.json') || n.startsWith('.')) continue;
    try { out.push(readJSON<AttachmentRecord>(path.join(attachmentsDir(), n))); } catch { /* half-written: ignored */ }
  }
  return out;
}

/** Cheap: does the container have network state to undo (cleanup/rm call detach only then)? */
export function isAttached(id: string): boolean {
  return fs.existsSync(attachmentFile(id));
}

/**
 * What a running container got on its user networks (for inspect), or
 * undefined. The record is removed when the container stops; commands outside
 * tspod's mount namespace cannot see the pinned namespace files, so only the
 * record is read.
 */
export function containerAttachment(id: string): AttachmentRecord | undefined {
  try { return readJSON<AttachmentRecord>(attachmentFile(id)); } catch { return undefined; }
}

function allocate(rec: NetworkRecord, used: Set<string>, wanted: string | undefined): { ip: string; prefixLen: number; gateway: string } {
  if (wanted) {
    checkStaticIP(rec, wanted);
    if (used.has(wanted)) throw new ConflictError(`IP address ${wanted} is already in use on network ${rec.name}`);
    const s = rec.subnets.find((x) => contains(parseCidr(x.subnet), wanted))!;
    return { ip: wanted, prefixLen: parseCidr(s.subnet).prefix, gateway: s.gateway };
  }
  // as host-local IPAM: the search starts after the address given out last, so an address just released
  // (network disconnect, a container gone) is not reused at once, while peers may still cache its old MAC
  const lastFile = path.join(netRunDir(), 'ipam', `${rec.id}.last`);
  let lastGiven = -1;
  try { lastGiven = ipToInt(fs.readFileSync(lastFile, 'utf8').trim()); } catch { /* none yet */ }
  for (const s of rec.subnets) {
    const c = parseCidr(s.subnet);
    let [first, last] = hostRange(c);
    if (s.lease_range) { first = Math.max(first, ipToInt(s.lease_range.start_ip)); last = Math.min(last, ipToInt(s.lease_range.end_ip)); }
    const size = last - first + 1;
    const from = lastGiven >= first && lastGiven < last ? lastGiven + 1 - first : 0;
    for (let k = 0; k < size; k++) {
      const ip = intToIp(first + ((from + k) % size));
      if (ip === s.gateway || used.has(ip)) continue;
      fs.mkdirSync(path.dirname(lastFile), { recursive: true, mode: 0o700 });
      fs.writeFileSync(lastFile, `${ip}\n`);
      return { ip, prefixLen: c.prefix, gateway: s.gateway };
    }
  }
  throw new TspodError(`network ${rec.name} has no free IP address left`, 'ENETWORK');
}

function netavarkInput(r: AttachmentRecord, withPorts: boolean): NetavarkInput {
  const networks: NetavarkInput['networks'] = {};
  const info: NetavarkInput['network_info'] = {};
  for (const a of r.attachments) {
    networks[a.network] = { static_ips: [a.ip], aliases: a.aliases, interface_name: a.interface };
    info[a.network] = netavarkNetwork(r.networkInfo[a.network]!);
  }
  // host ports arrive in the rootless netns on tap0 (slirp4netns forwards them there); netavark DNATs them
  const ports = withPorts && r.ports.length
    ? r.ports.map((p) => ({ host_ip: isRootless() ? '' : p.hostIP, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol }))
    : null;
  return { container_id: r.id, container_name: r.name, port_mappings: ports, networks, network_info: info };
}

async function pinNetns(id: string, netnsPath: string): Promise<string> {
  fs.mkdirSync(pinDir(), { recursive: true, mode: 0o700 });
  const pin = path.join(pinDir(), id);
  await removeNetnsFile(pin);
  fs.writeFileSync(pin, '', { mode: 0o600 });
  // the container's netns outlives its processes as long as it is mounted here: teardown needs it
  const r = await run(which('mount') ?? 'mount', ['--bind', netnsPath, pin], { reject: false });
  if (r.exitCode !== 0) { fs.rmSync(pin, { force: true }); throw new TspodError(`cannot pin the network namespace ${netnsPath}: ${r.stderr.trim()}`, 'ENETWORK'); }
  return pin;
}

function resolveLinks(links: string[], me: AttachmentRecord, others: AttachmentRecord[]): string[] {
  const out: string[] = [];
  for (const l of links) {
    const [name, alias] = l.split(':') as [string, string | undefined];
    const target = others.find((o) => o.name === name || o.id === name || (/^[0-9a-f]{3,}$/.test(name) && o.id.startsWith(name)));
    if (!target) throw new NotFoundError(`cannot link to container "${name}": it is not running on a user-defined network`);
    const shared = target.attachments.find((a) => me.attachments.some((m) => m.network === a.network)) ?? target.attachments[0]!;
    out.push(`${shared.ip}\t${[alias, target.name, target.hostname].filter((x, i, arr): x is string => !!x && arr.indexOf(x) === i).join(' ')}`);
  }
  return out;
}

function resultOf(rec: AttachmentRecord, linkEntries: string[]): AttachResult {
  const dnsNets = rec.attachments.filter((a) => rec.networkInfo[a.network]?.dns_enabled);
  const internalOnly = rec.attachments.every((a) => rec.networkInfo[a.network]?.internal);
  const names = [rec.hostname, rec.name].filter((x, i, arr) => !!x && arr.indexOf(x) === i).join(' ');
  const hip = hostInternalIP(containersConf().hostContainersInternalIP);
  return {
    attachments: rec.attachments,
    ips: rec.attachments.map((a) => a.ip),
    hostsEntries: [
      ...rec.attachments.slice(0, 1).map((a) => `${a.ip}\t${names}`),
      ...(isRootless() && !internalOnly && hip ? [`${hip}\thost.containers.internal host.docker.internal`] : []),
      ...linkEntries,
    ],
    // aardvark-dns answers on the gateway of every DNS-enabled network and forwards the rest
    dnsServers: dnsNets.length ? [...new Set(dnsNets.map((a) => a.gateway))] : internalOnly ? [] : [isRootless() ? SLIRP_DNS_IP : ''].filter(Boolean),
    dnsSearch: dnsNets.length ? [DNS_DOMAIN] : [],
  };
}

/**
 * Connect a container (its network namespace at netnsPath, usually
 * /proc/PID/ns/net after `runc create`) to its user networks.
 */
export async function attachContainerNetworks(ctr: ContainerNetworkRequest, netnsPath: string, store = new NetworkStore()): Promise<AttachResult> {
  if (!ctr.networks.length) throw new InvalidArgumentError('no network to attach to');
  const records = ctr.networks.map((n) => store.resolve(n));
  return withLock(netLockKey(), async () => {
    const st = isRootless() ? await ensureRootlessNetns() : undefined;
    const existing = listAttachments();
    const stale = existing.find((r) => r.id === ctr.id);
    if (stale) await detachLocked(stale);
    const others = existing.filter((r) => r.id !== ctr.id);
    const shortId = ctr.id.slice(0, 12);
    const aliases = [...new Set([shortId, ...(ctr.aliases ?? [])])].filter((a) => a !== ctr.name);
    const attachments: NetworkAttachment[] = records.map((rec, i) => {
      const used = new Set(others.flatMap((o) => o.attachments.filter((a) => a.network === rec.name).map((a) => a.ip)));
      const addr = allocate(rec, used, i === 0 ? ctr.staticIP : undefined);
      return { network: rec.name, networkId: rec.id, interface: `eth${i}`, ...addr, mac: '', aliases };
    });
    const rec: AttachmentRecord = {
      id: ctr.id, name: ctr.name, hostname: ctr.hostname ?? '', netns: '', attachments,
      networkInfo: Object.fromEntries(records.map((r) => [r.name, r])), ports: ctr.ports ?? [], hostfwdIds: [],
    };
    const linkEntries = resolveLinks(ctr.links ?? [], rec, others);
    rec.links = linkEntries;
    rec.netns = await pinNetns(ctr.id, netnsPath);
    // recorded before netavark runs: whatever happens next, detach finds what to undo
    writeJSONAtomic(attachmentFile(ctr.id), rec);
    try {
      const status = await netavark('setup', rec.netns, netavarkInput(rec, true));
      for (const a of rec.attachments) {
        const ifc = status[a.network]?.interfaces?.[a.interface];
        a.mac = ifc?.mac_address ?? '';
      }
      if (st) {
        for (const p of rec.ports) {
          rec.hostfwdIds.push(await addHostForward(st, p));
          writeJSONAtomic(attachmentFile(ctr.id), rec);
        }
      }
      writeJSONAtomic(attachmentFile(ctr.id), rec);
    } catch (err) {
      await detachLocked(rec).catch((e) => log.debug(`undo attach of ${ctr.id}: ${errorMessage(e)}`));
      throw err;
    }
    return resultOf(rec, linkEntries);
  });
}

async function detachLocked(rec: AttachmentRecord): Promise<void> {
  const st = readState();
  if (st && rootlessNetnsAlive(st)) for (const id of rec.hostfwdIds) await removeHostForward(st, id);
  let failure: unknown;
  if (isNamespaceFile(rec.netns) && (!isRootless() || rootlessNetnsAlive(st))) {
    try { await netavark('teardown', rec.netns, netavarkInput(rec, true)); } catch (err) { failure = err; }
  }
  await removeNetnsFile(rec.netns || path.join(pinDir(), rec.id));
  fs.rmSync(attachmentFile(rec.id), { force: true });
  if (failure) log.warn(`network teardown of container ${rec.name}: ${errorMessage(failure)}`);
}

/**
 * `network connect` of a running container that is (or was) on user networks:
 * one more interface (eth<N>) in its network namespace, set up by netavark
 * for that network alone, its published ports forwarded there too.
 */
export async function connectAttached(id: string, network: string, o: { aliases?: string[] | undefined; ip?: string | undefined } = {}, store = new NetworkStore()): Promise<AttachResult> {
  const netRec = store.resolve(network);
  return withLock(netLockKey(), async () => {
    const rec = containerAttachment(id);
    if (!rec || !isNamespaceFile(rec.netns)) throw new ConflictError('the container is not on a user-defined network: connect it while it is stopped');
    if (rec.attachments.some((a) => a.network === netRec.name)) throw new ConflictError(`container ${rec.name} is already connected to network ${netRec.name}`);
    const used = new Set(listAttachments().flatMap((r) => r.attachments.filter((a) => a.network === netRec.name).map((a) => a.ip)));
    const addr = allocate(netRec, used, o.ip);
    const taken = new Set(rec.attachments.map((a) => a.interface));
    let n = 0;
    while (taken.has(`eth${n}`)) n++;
    const aliases = [...new Set([id.slice(0, 12), ...(o.aliases ?? [])])].filter((a) => a !== rec.name);
    const att: NetworkAttachment = { network: netRec.name, networkId: netRec.id, interface: `eth${n}`, ...addr, mac: '', aliases };
    const one: AttachmentRecord = { ...rec, attachments: [att], networkInfo: { [netRec.name]: netRec } };
    // the published ports reach the container on this network too (as they do on every network it starts on)
    const status = await netavark('setup', rec.netns, netavarkInput(one, true));
    att.mac = status[netRec.name]?.interfaces?.[att.interface]?.mac_address ?? '';
    rec.attachments.push(att);
    rec.networkInfo[netRec.name] = netRec;
    writeJSONAtomic(attachmentFile(id), rec);
    return resultOf(rec, rec.links ?? []);
  });
}

/**
 * `network disconnect` of a running container: netavark tears down that
 * network's interface and its port forwarding only.
 */
export async function disconnectAttached(id: string, network: string, store = new NetworkStore()): Promise<AttachResult> {
  const name = store.resolve(network).name;
  return withLock(netLockKey(), async () => {
    const rec = containerAttachment(id);
    const att = rec?.attachments.find((a) => a.network === name);
    if (!rec || !att) throw new NotFoundError(`container is not connected to network ${name}`);
    // its published ports stop reaching the container through this network (they still do through the others)
    const one: AttachmentRecord = { ...rec, attachments: [att], networkInfo: { [name]: rec.networkInfo[name]! } };
    await netavark('teardown', rec.netns, netavarkInput(one, true));
    rec.attachments = rec.attachments.filter((a) => a !== att);
    delete rec.networkInfo[name];
    writeJSONAtomic(attachmentFile(id), rec);
    return resultOf(rec, rec.links ?? []);
  });
}

/**
 * Disconnect a container from its user networks (no-op if it is not
 * attached). The last container out tears the rootless netns down.
 */
export async function detachContainerNetworks(id: string): Promise<void> {
  await withLock(netLockKey(), async () => {
    let rec: AttachmentRecord | undefined;
    try { rec = readJSON<AttachmentRecord>(attachmentFile(id)); } catch { rec = undefined; }
    if (rec) await detachLocked(rec);
    if (isRootless() && !listAttachments().length && (readState() || fs.existsSync(attachmentsDir()))) await teardownRootlessNetns();
  });
}

/** Stop everything of the user networks (system reset): every attachment, the rootless netns. */
export async function resetNetworking(): Promise<void> {
  await withLock(netLockKey(), async () => {
    for (const r of listAttachments()) await detachLocked(r).catch(() => { /* best effort */ });
    if (isRootless()) await teardownRootlessNetns();
  });
}

// ---------------------------------------------------------------- /etc/hosts and /etc/resolv.conf

function hostResolv(): { search: string[]; servers: string[] } {
  let text = '';
  try { text = fs.readFileSync('/etc/resolv.conf', 'utf8'); } catch { /* none */ }
  return {
    search: /^search\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [],
    servers: [...text.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((n) => !n.startsWith('127.') && n !== '::1'),
  };
}

export function hostsContent(r: AttachResult, o: { addHosts?: string[] | undefined } = {}): string {
  return hostsFile({ hostname: '', name: '', network: 'user', addHosts: o.addHosts ?? [], entries: r.hostsEntries, base: baseHostsText(containersConf().baseHostsFile, undefined) });
}

export function resolvContent(r: AttachResult, o: { dns?: string[] | undefined; dnsSearch?: string[] | undefined; dnsOptions?: string[] | undefined } = {}): string {
  const host = hostResolv();
  const search = o.dnsSearch?.length ? o.dnsSearch.filter((s) => s !== '.') : [...r.dnsSearch, ...host.search];
  const servers = o.dns?.length ? o.dns : r.dnsServers;
  const lines: string[] = [];
  if (search.length) lines.push(`search ${[...new Set(search)].join(' ')}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (o.dnsOptions?.length) lines.push(`options ${o.dnsOptions.join(' ')}`);
  return lines.join('\n') + '\n';
}

/**
 * Write the container's hosts and resolv.conf in its userdata directory. In
 * place (same inode): after `runc create` they are already bind-mounted into
 * the container, and a rename would leave the container with the old file.
 */
export function writeNetworkFiles(userdata: string, r: AttachResult, o: { addHosts?: string[] | undefined; dns?: string[] | undefined; dnsSearch?: string[] | undefined; dnsOptions?: string[] | undefined } = {}): void {
  fs.writeFileSync(path.join(userdata, 'hosts'), hostsContent(r, o));
  fs.writeFileSync(path.join(userdata, 'resolv.conf'), resolvContent(r, o));
}

export { NETNS_SLIRP_IP };
