// Rootless networking: one slirp4netns per container, attached to the
// container's network namespace, with published ports added through its API
// socket (as Podman's slirp4netns port handler does).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnDetached, which } from '../util/exec.js';
import { outsideUnit } from '../util/systemd-scope.js';
import { InvalidArgumentError, PrerequisiteError, TspodError } from '../util/errors.js';
import { processRunning } from '../runtime/conmon.js';
import { log } from '../util/log.js';
import type { PortMapping } from './types.js';

export const SLIRP_GUEST_IP = '10.0.2.100';
export const SLIRP_GATEWAY = '10.0.2.2';
export const SLIRP_DNS = '10.0.2.3';

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
  if (hostIP && !net.isIP(hostIP)) throw new InvalidArgumentError(`invalid IP address "${hostIP}" in "${spec}"`);
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
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, hostIP || '0.0.0.0', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SlirpHandle { pid: number; apiSocket: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SlirpOptions {
  mtu?: number;
  allowHostLoopback?: boolean;
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
  if (typeof target === 'number') args.push(String(target), 'tap0');
  else args.push('--netns-type=path', target.path, 'tap0');
  let pid: number;
  try {
    const [file, ...rest] = [...(opts.scope ? outsideUnit(opts.scope) : []), bin, ...args];
    pid = spawnDetached(file!, rest, { logFd, extraFds: [readyFd] });
  } finally {
    fs.closeSync(readyFd);
    fs.closeSync(logFd);
  }
  opts.onSpawn?.(pid);
  const deadline = Date.now() + 10_000;
  for (let delay = 1; ; delay = Math.min(delay * 2, 10)) {
    let ready = '';
    try { ready = fs.readFileSync(readyFile, 'utf8'); } catch { /* not yet */ }
    if (ready.includes('1') && fs.existsSync(apiSocket)) break;
    if (!processRunning(pid) || Date.now() > deadline) {
      log.debug(`slirp4netns pid ${pid} running=${processRunning(pid)} ready=${JSON.stringify(ready)} socket=${fs.existsSync(apiSocket)}`);
      let why = '';
      // the log starts with slirp4netns's banner ("* MTU: ..."); the reason is in the other lines
      try { why = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() && !/^\s*\*|^Starting slirp|^WARNING: Support for seccomp|^sent tapfd|^received tapfd/.test(l)).slice(-3).join('; '); } catch { /* none */ }
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      throw new TspodError(`slirp4netns failed to set up the network${why ? `: ${why}` : ''}`, 'ENETWORK');
    }
    await sleep(delay);
  }
  return { pid, apiSocket };
}

/** One request to slirp4netns's API socket (JSON in, JSON out; the rootless netns uses it too). */
export function slirpRequest(apiSocket: string, req: object): Promise<{ return?: { id?: number }; error?: { desc?: string } }> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(apiSocket);
    let buf = '';
    sock.on('connect', () => { sock.write(JSON.stringify(req)); sock.end(); });
    sock.on('data', (d) => { buf += d.toString(); });
    sock.on('error', reject);
    sock.on('close', () => {
      try { resolve(JSON.parse(buf || '{}')); } catch (err) { reject(new TspodError(`slirp4netns API answered: ${buf.slice(0, 200)}`, 'ENETWORK')); }
    });
  });
}

export async function addPortForwards(h: SlirpHandle, ports: PortMapping[]): Promise<void> {
  for (const p of ports) {
    const r = await slirpRequest(h.apiSocket, {
      execute: 'add_hostfwd',
      arguments: { proto: p.protocol, host_addr: p.hostIP || '0.0.0.0', host_port: p.hostPort, guest_addr: SLIRP_GUEST_IP, guest_port: p.containerPort },
    });
    if (r.error) {
      const desc = r.error.desc ?? JSON.stringify(r.error);
      throw new TspodError(`cannot publish port ${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort}: ${desc}${/bind|in use/i.test(desc) ? ' (the address is in use)' : ''}`, 'EPORT');
    }
  }
}

export function stopSlirp(pid: number): void {
  if (pid <= 0) return;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('slirp4netns')) return;
    process.kill(pid, 'SIGTERM');
  } catch { /* gone */ }
}

/**
 * The container's /etc/hosts: localhost, --add-host entries, then the container's own
 * names (slirp4netns and none here; on user networks the attachment's `entries`).
 */
export function hostsFile(opts: { hostname: string; name: string; network: string; addHosts: string[]; entries?: string[] | undefined }): string {
  const lines = ['127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4', '::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6'];
  for (const h of opts.addHosts) {
    const i = h.indexOf(':');
    if (i <= 0) throw new InvalidArgumentError(`invalid --add-host "${h}": use HOST:IP`);
    lines.push(`${h.slice(i + 1).replace(/^\[|\]$/g, '')}\t${h.slice(0, i)}`);
  }
  if (opts.network === 'slirp4netns') {
    lines.push(`${SLIRP_GUEST_IP}\t${opts.hostname} ${opts.name}`);
    lines.push(`${SLIRP_GATEWAY}\thost.containers.internal host.docker.internal`);
  } else if (opts.network === 'none') {
    lines.push(`127.0.1.1\t${opts.hostname} ${opts.name}`);
  }
  lines.push(...opts.entries ?? []);
  return lines.join('\n') + '\n';
}

export function resolvConf(opts: { network: string; dns: string[]; dnsSearch: string[]; dnsOptions: string[] }): string {
  let host = '';
  try { host = fs.readFileSync('/etc/resolv.conf', 'utf8'); } catch { /* none */ }
  const hostSearch = /^search\s+(.*)$/m.exec(host)?.[1]?.split(/\s+/) ?? [];
  const hostNs = [...host.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((n) => !n.startsWith('127.') && n !== '::1');
  let servers = opts.dns.length ? opts.dns : opts.network === 'slirp4netns' ? [SLIRP_DNS, ...hostNs] : opts.network === 'host' ? [...host.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!) : hostNs;
  if (opts.network === 'none' && !opts.dns.length) servers = [];
  const search = opts.dnsSearch.length ? opts.dnsSearch.filter((s) => s !== '.') : hostSearch;
  const lines: string[] = [];
  if (search.length) lines.push(`search ${search.join(' ')}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (opts.dnsOptions.length) lines.push(`options ${opts.dnsOptions.join(' ')}`);
  return lines.join('\n') + '\n';
}
