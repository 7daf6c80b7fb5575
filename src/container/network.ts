// Rootless networking: one slirp4netns per container, attached to the
// container's network namespace, with published ports added through its API
// socket (as Podman's slirp4netns port handler does).
import * as fs from 'node:fs';
import type * as Net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, spawnDetached, which } from '../util/exec.js';
import { watchForWrites } from '../util/wake.js';
import { outsideUnit } from '../util/systemd-scope.js';
import { InvalidArgumentError, PrerequisiteError, TspodError, errorMessage } from '../util/errors.js';
import { pidAlive } from '../state/atomic.js';
import { log } from '../util/log.js';
import type { PortMapping } from './types.js';

// node:net (and the streams it loads) only when a port, an address or slirp4netns's API is used
const net = (): typeof Net => process.getBuiltinModule('node:net') as typeof Net;

export const SLIRP_GUEST_IP = '10.0.2.100';
export const SLIRP_GATEWAY = '10.0.2.2';
export const SLIRP_DNS = '10.0.2.3';

/** What `--network slirp4netns:OPT=V,...` asks for. */
export interface SlirpNetOptions {
  /** the network slirp4netns makes (default 10.0.2.0/24): the container is .100, the gateway .2, the DNS .3 */
  cidr?: string | undefined;
  allowHostLoopback?: boolean | undefined;
  enableIPv6?: boolean | undefined;
  mtu?: number | undefined;
  outboundAddr?: string | undefined;
  outboundAddr6?: string | undefined;
}

/** Parse (and check) the options of a `slirp4netns[:OPTIONS]` network mode, in Podman's words. */
export function parseSlirpMode(mode: string): SlirpNetOptions {
  const out: SlirpNetOptions = {};
  const colon = mode.indexOf(':');
  if (colon < 0) return out;
  const bool = (k: string, v: string) => {
    if (/^(true|1)$/i.test(v)) return true;
    if (/^(false|0)$/i.test(v)) return false;
    throw new InvalidArgumentError(`cannot parse ${k} value "${v}"`);
  };
  for (const opt of mode.slice(colon + 1).split(',').filter(Boolean)) {
    const eq = opt.indexOf('=');
    const k = eq < 0 ? opt : opt.slice(0, eq), v = eq < 0 ? '' : opt.slice(eq + 1);
    switch (k) {
      case 'allow_host_loopback': out.allowHostLoopback = bool(k, v); break;
      case 'enable_ipv6': out.enableIPv6 = bool(k, v); break;
      case 'mtu': if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`cannot parse mtu value "${v}"`); out.mtu = Number(v); break;
      case 'cidr': {
        const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(v);
        if (!m || !net().isIPv4(m[1]!) || Number(m[2]) > 25) throw new InvalidArgumentError(`invalid cidr "${v}": use an IPv4 network of /25 or larger, like 10.5.0.0/24`);
        out.cidr = v;
        break;
      }
      // tspod forwards ports through slirp4netns's API whichever handler is named
      case 'port_handler': if (v !== 'slirp4netns' && v !== 'rootlesskit') throw new InvalidArgumentError(`unknown port_handler for slirp4netns: "${v}"`); break;
      case 'outbound_addr': out.outboundAddr = v; break;
      case 'outbound_addr6': out.outboundAddr6 = v; break;
      default: throw new InvalidArgumentError(`unknown option for slirp4netns: "${opt}"`);
    }
  }
  return out;
}

/** The container's, the gateway's and the DNS forwarder's addresses on a slirp4netns network. */
export function slirpAddresses(o: SlirpNetOptions = {}): { guest: string; gateway: string; dns: string; prefix: number } {
  if (!o.cidr) return { guest: SLIRP_GUEST_IP, gateway: SLIRP_GATEWAY, dns: SLIRP_DNS, prefix: 24 };
  const [ip, bits] = o.cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const n = ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  const base = prefix === 0 ? 0 : (n & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
  const at = (k: number) => { const v = base + k; return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'); };
  return { guest: at(100), gateway: at(2), dns: at(3), prefix };
}

/** -p [ip:][hostPort:]containerPort[/proto], with ranges. */
export function parsePublish(spec: string): Array<{ hostIP: string; hostPort: number | undefined; containerPort: number; protocol: 'tcp' | 'udp' }> {
  let s = spec.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    const p = s.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new InvalidArgumentError(`invalid port protocol "${p}" in "${spec}": use tcp or udp`);
    protocol = p;
    s = s.slice(0, slash);
  }
  let hostIP = '';
  let parts: string[];
  const m = /^\[([0-9a-fA-F:]+)\]:(.*)$/.exec(s);
  if (m) { hostIP = m[1]!; parts = m[2]!.split(':'); } else {
    parts = s.split(':');
    if (parts.length === 3) hostIP = parts.shift()!;
  }
  if (parts.length > 2 || parts.length === 0) throw new InvalidArgumentError(`invalid port format "${spec}": use [ip:][hostPort:]containerPort[/protocol]`);
  const ctr = parts[parts.length - 1]!;
  const host = parts.length === 2 ? parts[0]! : '';
  const range = (r: string): [number, number] => {
    const mm = /^(\d+)(?:-(\d+))?$/.exec(r);
    if (!mm) throw new InvalidArgumentError(`invalid port "${r}" in "${spec}"`);
    const a = Number(mm[1]), b = Number(mm[2] ?? mm[1]);
    if (a < 1 || b > 65535 || b < a) throw new InvalidArgumentError(`invalid port range "${r}" in "${spec}": ports are 1-65535`);
    return [a, b];
  };
  const [c0, c1] = range(ctr);
  const out: Array<{ hostIP: string; hostPort: number | undefined; containerPort: number; protocol: 'tcp' | 'udp' }> = [];
  if (host) {
    const [h0, h1] = range(host);
    if (h1 - h0 !== c1 - c0) throw new InvalidArgumentError(`host and container port ranges in "${spec}" differ in size`);
    for (let i = 0; i <= c1 - c0; i++) out.push({ hostIP, hostPort: h0 + i, containerPort: c0 + i, protocol });
  } else {
    for (let p = c0; p <= c1; p++) out.push({ hostIP, hostPort: undefined, containerPort: p, protocol });
  }
  if (hostIP && !net().isIP(hostIP)) throw new InvalidArgumentError(`invalid IP address "${hostIP}" in "${spec}"`);
  return out;
}

/** A free host port chosen by the kernel. */
export function freeHostPort(protocol: 'tcp' | 'udp', hostIP = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      import('node:dgram').then(({ createSocket }) => {
        const s = createSocket('udp4');
        s.bind(0, hostIP || '0.0.0.0', () => { const port = s.address().port; s.close(() => resolve(port)); });
        s.on('error', reject);
      }, reject);
      return;
    }
    const srv = net().createServer();
    srv.once('error', reject);
    srv.listen(0, hostIP || '0.0.0.0', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SlirpHandle { pid: number; apiSocket: string }

export interface SlirpOptions {
  /** killed when the process that starts it dies (a build's RUN step: it never outlives the build) */
  dieWithCaller?: boolean | undefined;
  mtu?: number | undefined;
  allowHostLoopback?: boolean | undefined;
  /** slirp4netns --cidr, --enable-ipv6, --outbound-addr(6) */
  cidr?: string | undefined;
  enableIPv6?: boolean | undefined;
  outboundAddr?: string | undefined;
  outboundAddr6?: string | undefined;
  /** API socket file name in dir (default api.sock) */
  socketName?: string;
  /** called with the pid as soon as slirp4netns is spawned (to record it before waiting) */
  onSpawn?: (pid: number) => void;
  /** a shared slirp4netns (the rootless netns): in a systemd unit, run it in a scope of this name (util/systemd-scope.ts) */
  scope?: string;
}

/**
 * Start slirp4netns for a network namespace: a container's (its init pid) or
 * one bind-mounted on a file (the rootless network namespace of user networks).
 * Resolves once slirp4netns reports the interface configured; on failure it is
 * killed and the error carries its own reason.
 */
export async function startSlirp(target: number | { path: string }, dir: string, opts: SlirpOptions = {}): Promise<SlirpHandle> {
  const bin = which('slirp4netns');
  if (!bin) throw new PrerequisiteError('slirp4netns not found: install the slirp4netns package');
  try { fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK); } catch {
    throw new PrerequisiteError('/dev/net/tun is not accessible: run "chmod 0666 /dev/net/tun" as root (slirp4netns needs it)');
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // sun_path holds 108 bytes: a socket path under a long runroot (a 64-hex container ID
  // in it) makes slirp4netns exit with "the specified API socket path is too long"
  const apiSocket = path.join(dir, opts.socketName ?? 'api.sock');
  if (Buffer.byteLength(apiSocket) > 107) throw new TspodError(`the slirp4netns API socket path ${apiSocket} is longer than 107 bytes: use a shorter --runroot or XDG_RUNTIME_DIR`, 'ENETWORK');
  const readyFile = path.join(dir, 'slirp4netns.ready');
  const logFile = path.join(dir, 'slirp4netns.log');
  fs.rmSync(apiSocket, { force: true });
  const readyFd = fs.openSync(readyFile, 'w', 0o600);
  const logFd = fs.openSync(logFile, 'w', 0o600);
  // no --enable-seccomp: its experimental filter killed slirp4netns intermittently here
  const args = ['--configure', `--mtu=${opts.mtu ?? 65520}`, '--enable-sandbox', '--ready-fd=3', `--api-socket=${apiSocket}`];
  if (!opts.allowHostLoopback) args.push('--disable-host-loopback');
  if (opts.cidr) args.push(`--cidr=${opts.cidr}`);
  if (opts.enableIPv6) args.push('--enable-ipv6');
  if (opts.outboundAddr) args.push(`--outbound-addr=${opts.outboundAddr}`);
  if (opts.outboundAddr6) args.push(`--outbound-addr6=${opts.outboundAddr6}`);
  if (typeof target === 'number') args.push(String(target), 'tap0');
  else args.push('--netns-type=path', target.path, 'tap0');
  let pid: number;
  try {
    const [file, ...rest] = [...(opts.scope ? outsideUnit(opts.scope) : []), bin, ...args];
    pid = spawnDetached(file!, rest, { logFd, extraFds: [readyFd], dieWithParent: opts.dieWithCaller });
  } finally {
    fs.closeSync(readyFd);
    fs.closeSync(logFd);
  }
  opts.onSpawn?.(pid);
  const deadline = Date.now() + 10_000;
  // slirp4netns writes "1" to the ready file once the namespace is configured: woken by that
  const written = watchForWrites(readyFile);
  try {
    for (let delay = 1; ; delay = Math.min(delay * 2, 10)) {
      let ready = '';
      try { ready = fs.readFileSync(readyFile, 'utf8'); } catch { /* not yet */ }
      if (ready.includes('1') && fs.existsSync(apiSocket)) break;
      if (!pidAlive(pid) || Date.now() > deadline) {
        log.debug(`slirp4netns pid ${pid} running=${pidAlive(pid)} ready=${JSON.stringify(ready)} socket=${fs.existsSync(apiSocket)}`);
        let why = '';
        // the log starts with slirp4netns's banner ("* MTU: ..."); the reason is in the other lines
        try { why = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() && !/^\s*\*|^Starting slirp|^WARNING: Support for seccomp|^sent tapfd|^received tapfd/.test(l)).slice(-3).join('; '); } catch { /* none */ }
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        throw new TspodError(`slirp4netns failed to set up the network${why ? `: ${why}` : ''}`, 'ENETWORK');
      }
      await written.sleep(delay);
    }
  } finally {
    written.close();
  }
  return { pid, apiSocket };
}

/** One request to slirp4netns's API socket (JSON in, JSON out; the rootless netns uses it too). */
export function slirpRequest(apiSocket: string, req: object): Promise<{ return?: { id?: number }; error?: { desc?: string } }> {
  return new Promise((resolve, reject) => {
    const sock = net().createConnection(apiSocket);
    let buf = '';
    sock.on('connect', () => { sock.write(JSON.stringify(req)); sock.end(); });
    sock.on('data', (d) => { buf += d.toString(); });
    sock.on('error', reject);
    sock.on('close', () => {
      try { resolve(JSON.parse(buf || '{}')); } catch (err) { reject(new TspodError(`slirp4netns API answered: ${buf.slice(0, 200)}`, 'ENETWORK')); }
    });
  });
}

export async function addPortForwards(h: SlirpHandle, ports: PortMapping[], guestIP = SLIRP_GUEST_IP): Promise<void> {
  for (const p of ports) {
    const r = await slirpRequest(h.apiSocket, {
      execute: 'add_hostfwd',
      arguments: { proto: p.protocol, host_addr: p.hostIP || '0.0.0.0', host_port: p.hostPort, guest_addr: guestIP, guest_port: p.containerPort },
    });
    if (r.error) {
      const desc = r.error.desc ?? JSON.stringify(r.error);
      throw new TspodError(`cannot publish port ${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort}: ${desc}${/bind|in use/i.test(desc) ? ' (the address is in use)' : ''}`, 'EPORT');
    }
  }
}

const NSFS_MAGIC = 0x6e736673;

/** True when p is a mounted namespace file (nsfs). */
export function isNamespaceFile(p: string): boolean {
  try { return Number(fs.statfsSync(p).type) === NSFS_MAGIC; } catch { return false; }
}

/**
 * A new network namespace, bind-mounted on `file` by util-linux unshare (in the mount namespace
 * tspod's commands share), so no process has to hold it (the rootless network namespace).
 */
export async function createNetnsFile(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, '', { mode: 0o600 });
  try {
    await run(which('unshare') ?? 'unshare', [`--net=${file}`, 'true']);
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw new TspodError(`cannot create a network namespace: ${errorMessage(err)}`, 'ENETWORK');
  }
}

/** Unmount (lazily if it is busy) and delete a namespace file; nothing when it is not mounted. */
export async function removeNetnsFile(file: string): Promise<void> {
  if (isNamespaceFile(file)) {
    const umount = which('umount') ?? 'umount';
    const r = await run(umount, [file], { reject: false });
    if (r.exitCode !== 0) {
      const r2 = await run(umount, ['-l', file], { reject: false });
      if (r2.exitCode !== 0) log.debug(`umount ${file}: ${r.stderr || r2.stderr}`);
    }
  }
  fs.rmSync(file, { force: true });
}

/** The running slirp4netns processes whose command line names `mustName` (a scan of /proc). */
export function findSlirps(mustName: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('slirp4netns') && cmd.includes(mustName)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** SIGTERM a slirp4netns, if the pid still is one (and its command line names `mustName`, when given). */
export function stopSlirp(pid: number, mustName = 'slirp4netns'): void {
  if (pid <= 0) return;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('slirp4netns') || !cmd.includes(mustName)) return;
    process.kill(pid, 'SIGTERM');
  } catch { /* gone */ }
}

/** One /etc/hosts entry: an address and its names. */
export interface HostsEntry { ip: string; names: string[] }

/** The entries of a hosts file's text (comments and blank lines dropped). */
export function parseHostsText(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  for (const raw of text.split('\n')) {
    const [ip, ...names] = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (ip && names.length) out.push({ ip, names });
  }
  return out;
}

/** --add-host HOST:IP values as entries. */
export function addHostEntries(addHosts: string[]): HostsEntry[] {
  return addHosts.map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new InvalidArgumentError(`invalid --add-host "${h}": use HOST:IP`);
    return { ip: h.slice(i + 1).replace(/^\[|\]$/g, ''), names: [h.slice(0, i)] };
  });
}

/** Options of {@link hostsFile}. */
export interface HostsOptions {
  hostname: string;
  name: string;
  network: string;
  addHosts: string[];
  /** the container's own lines on user networks ("IP\tNAMES") */
  entries?: string[] | undefined;
  /** the container's address on slirp4netns (slirp4netns:cidr= moves it) */
  guestIP?: string | undefined;
  /** the base file's text (the host's /etc/hosts, containers.conf base_hosts_file); none when undefined */
  base?: string | undefined;
  /** the address of host.containers.internal; none when empty */
  hostInternalIP?: string | undefined;
}

/**
 * The container's /etc/hosts, as Podman writes it: --add-host entries and the base file's
 * first, then localhost, host.containers.internal and the container's own names (slirp4netns
 * and none here; on user networks `entries`), each name only where the first part lacks it.
 */
export function hostsFile(opts: HostsOptions): string {
  const given = [...addHostEntries(opts.addHosts), ...parseHostsText(opts.base ?? '')];
  const own: HostsEntry[] = [{ ip: '127.0.0.1', names: ['localhost'] }, { ip: '::1', names: ['localhost'] }];
  const withHost = opts.network === 'slirp4netns' || opts.network === 'user';
  if (withHost && opts.hostInternalIP) own.push({ ip: opts.hostInternalIP, names: ['host.containers.internal', 'host.docker.internal'] });
  if (opts.network === 'slirp4netns') own.push({ ip: opts.guestIP ?? SLIRP_GUEST_IP, names: [opts.hostname, opts.name] });
  else if (opts.network === 'none') own.push({ ip: '127.0.1.1', names: [opts.hostname, opts.name] });
  own.push(...parseHostsText((opts.entries ?? []).join('\n')));
  const taken = new Set(given.flatMap((e) => e.names));
  const lines = given.map((e) => `${e.ip}\t${e.names.join(' ')}`);
  for (const e of own) {
    const names = e.names.filter((n) => n && !taken.has(n));
    if (names.length) lines.push(`${e.ip}\t${names.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The address host.containers.internal names: containers.conf host_containers_internal_ip
 * ("none": no entry), else the host's first global IPv4 address (an IPv6 one when it has none);
 * slirp4netns and the rootless network namespace reach it through the host's stack.
 */
export function hostInternalIP(configured: string): string {
  if (configured === 'none') return '';
  if (configured) return configured;
  let v6 = '';
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4' && !a.address.startsWith('169.254.')) return a.address;
      if (a.family === 'IPv6' && !v6 && !/^fe80:/i.test(a.address)) v6 = a.address;
    }
  }
  return v6;
}

/**
 * The base of a container's /etc/hosts from containers.conf base_hosts_file: "" the host's
 * /etc/hosts, "none" nothing, "image" the image's own, else that file.
 */
export function baseHostsText(setting: string, rootfs: string | undefined): string | undefined {
  if (setting === 'none') return undefined;
  if (setting === 'image') {
    if (!rootfs) return undefined;
    try { return fs.readFileSync(path.join(rootfs, 'etc', 'hosts'), 'utf8'); } catch { return undefined; }
  }
  try { return fs.readFileSync(setting || '/etc/hosts', 'utf8'); } catch (err) {
    if (!setting) return undefined;
    throw new InvalidArgumentError(`reading base_hosts_file ${setting}: ${(err as Error).message}`);
  }
}

const peerLine = (name: string) => `127.0.0.1\t${name}`;

/**
 * A container sharing another's network namespace (a pod member) gets `127.0.0.1 NAME` in that
 * container's /etc/hosts while it runs, as in Podman. The file is edited in place: running
 * containers have it bind-mounted.
 */
export async function addPeerHostsEntry(file: string, name: string): Promise<void> {
  const { withLock } = await import('../state/lock.js');
  await withLock(`hosts:${file}`, () => {
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch { return; }
    if (parseHostsText(text).some((e) => e.names.includes(name))) return;
    fs.writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${peerLine(name)}\n`);
  });
}

/** Undo {@link addPeerHostsEntry} once the member stopped. */
export async function removePeerHostsEntry(file: string, name: string): Promise<void> {
  const { withLock } = await import('../state/lock.js');
  await withLock(`hosts:${file}`, () => {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { return; }
    const kept = text.split('\n').filter((l) => l !== peerLine(name));
    if (kept.length !== text.split('\n').length) fs.writeFileSync(file, kept.join('\n'));
  });
}

export function resolvConf(opts: { network: string; dns: string[]; dnsSearch: string[]; dnsOptions: string[]; slirpDns?: string | undefined }): string {
  let host = '';
  try { host = fs.readFileSync('/etc/resolv.conf', 'utf8'); } catch { /* none */ }
  const hostSearch = /^search\s+(.*)$/m.exec(host)?.[1]?.split(/\s+/) ?? [];
  const hostNs = [...host.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((n) => !n.startsWith('127.') && n !== '::1');
  let servers = opts.dns.length ? opts.dns : opts.network === 'slirp4netns' ? [opts.slirpDns ?? SLIRP_DNS, ...hostNs] : opts.network === 'host' ? [...host.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!) : hostNs;
  if (opts.network === 'none' && !opts.dns.length) servers = [];
  const search = opts.dnsSearch.length ? opts.dnsSearch.filter((s) => s !== '.') : hostSearch;
  const lines: string[] = [];
  if (search.length) lines.push(`search ${search.join(' ')}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (opts.dnsOptions.length) lines.push(`options ${opts.dnsOptions.join(' ')}`);
  return lines.join('\n') + '\n';
}
