// The rootless network namespace (Podman 4's "rootless-netns"): one network
// namespace per user, inside tspod's user namespace, that holds the bridges of
// every user-defined network. It is a bind-mounted netns file under the
// runroot (visible in the pause process's mount namespace, where every tspod
// command that needs it runs), linked to the host by one slirp4netns (tap0,
// 10.0.2.100/24) for outbound traffic and published ports. It exists only
// while at least one container is attached to a user network: the last detach
// tears it down (slirp4netns, aardvark-dns, the namespace itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJSON, writeJSONAtomic, pidAlive } from '../state/atomic.js';
import { run, which } from '../util/exec.js';
import { createNetnsFile, isNamespaceFile, removeNetnsFile, slirpRequest, startSlirp } from '../container/network.js';
import { TspodError, errorMessage } from '../util/errors.js';
import { paths } from '../util/paths.js';
import { log } from '../util/log.js';
import { attachmentsDir, netRunDir } from './paths.js';

export const NETNS_SLIRP_IP = '10.0.2.100';
export const NETNS_SLIRP_CIDR = '10.0.2.0/24';
export const SLIRP_DNS_IP = '10.0.2.3';

export interface RootlessNetnsState { netns: string; slirpPid: number; apiSocket: string; created: string }

export function netnsFile(): string { return path.join(netRunDir(), 'rootless-netns'); }
function stateFile(): string { return path.join(netRunDir(), 'rootless-netns.json'); }
/** netavark's --config directory (aardvark-dns keeps its per-network files and pid file below it). */
export function aardvarkConfigDir(): string { return path.join(netRunDir(), 'aardvark'); }
export function netnsResolvConf(): string { return path.join(netRunDir(), 'resolv.conf'); }
export function pinDir(): string { return path.join(netRunDir(), 'netns'); }

/** The lock serialising every change to the rootless netns and the attachments in it. */
export function netLockKey(): string { return `rootless-netns:${paths().runroot}`; }


function cmdline(pid: number): string {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM a process if its command line still contains `needle`; wait (bounded) until it is gone. */
export async function stopProcess(pid: number, needle: string): Promise<void> {
  if (!pid || pid <= 1 || !cmdline(pid).includes(needle)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 100 && pidAlive(pid); i++) await sleep(10);
  if (pidAlive(pid) && cmdline(pid).includes(needle)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

export function readState(): RootlessNetnsState | undefined {
  try { return readJSON<RootlessNetnsState>(stateFile()); } catch { return undefined; }
}

/** The rootless netns is usable: the namespace file is mounted and its slirp4netns runs. */
export function rootlessNetnsAlive(st = readState()): boolean {
  return !!st && isNamespaceFile(st.netns) && pidAlive(st.slirpPid) && cmdline(st.slirpPid).includes('slirp4netns');
}

/** The aardvark-dns started by netavark for our config dir, if running. */
export function aardvarkPid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(aardvarkConfigDir(), 'aardvark-dns', 'aardvark.pid'), 'utf8').trim());
    return pid > 1 && pidAlive(pid) && cmdline(pid).includes('aardvark-dns') ? pid : undefined;
  } catch { return undefined; }
}

/**
 * Remove the rootless netns and everything in it: slirp4netns, aardvark-dns,
 * pinned container namespaces, attachment records. Caller holds netLockKey().
 */
export async function teardownRootlessNetns(): Promise<void> {
  const st = readState();
  const aard = aardvarkPid();
  if (aard) await stopProcess(aard, 'aardvark-dns');
  if (st?.slirpPid) await stopProcess(st.slirpPid, 'slirp4netns');
  let pins: string[] = [];
  try { pins = fs.readdirSync(pinDir()); } catch { /* none */ }
  for (const p of pins) await removeNetnsFile(path.join(pinDir(), p));
  await removeNetnsFile(netnsFile());
  for (const p of [stateFile(), netnsResolvConf(), path.join(netRunDir(), 'slirp.sock'), path.join(netRunDir(), 'slirp4netns.ready')]) fs.rmSync(p, { force: true });
  fs.rmSync(aardvarkConfigDir(), { recursive: true, force: true });
  fs.rmSync(attachmentsDir(), { recursive: true, force: true });
}

/** The rootless netns, created (with its slirp4netns) when absent. Caller holds netLockKey(). */
export async function ensureRootlessNetns(): Promise<RootlessNetnsState> {
  const cur = readState();
  if (rootlessNetnsAlive(cur)) return cur!;
  // a stale one (the pause process restarted, slirp4netns died, kill -9 mid-way): start over
  if (cur || fs.existsSync(netnsFile())) await teardownRootlessNetns();
  const dir = netRunDir();
  const ns = netnsFile();
  await createNetnsFile(ns);
  let st: RootlessNetnsState | undefined;
  let pid = 0;
  try {
    const h = await startSlirp({ path: ns }, dir, {
      socketName: 'slirp.sock',
      scope: 'tspod-rootless-netns',
      // recorded before waiting: a failure must still find the process to stop
      onSpawn: (p) => { pid = p; st = { netns: ns, slirpPid: p, apiSocket: path.join(dir, 'slirp.sock'), created: new Date().toISOString() }; writeJSONAtomic(stateFile(), st); },
    });
    pid = h.pid;
  } catch (err) {
    await teardownRootlessNetns();
    throw new TspodError(`cannot connect the rootless network namespace: ${errorMessage(err)}`, 'ENETWORK');
  }
  st = st!;
  // aardvark-dns forwards to the nameservers of the resolv.conf it sees: slirp4netns's
  // DNS (the host's resolver, even a 127.0.0.53 one) is always reachable from here
  fs.writeFileSync(netnsResolvConf(), `nameserver ${SLIRP_DNS_IP}\n`, { mode: 0o644 });
  await inRootlessNetns(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']).catch(async (err) => {
    await teardownRootlessNetns();
    throw new TspodError(`cannot enable forwarding in the rootless network namespace: ${errorMessage(err)}`, 'ENETWORK');
  });
  log.debug(`rootless netns ${ns} up, slirp4netns pid ${pid}`);
  return st;
}

/**
 * argv for running a command inside the rootless netns, in a private mount
 * namespace where /etc/resolv.conf points at slirp4netns's DNS.
 */
export function rootlessNetnsCommand(argv: string[]): [string, string[]] {
  return [which('nsenter') ?? 'nsenter', [`--net=${netnsFile()}`, '--', which('unshare') ?? 'unshare', '--mount', '--',
    'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', netnsResolvConf(), ...argv]];
}

export async function inRootlessNetns(argv: string[], input?: string): Promise<string> {
  const [file, args] = rootlessNetnsCommand(argv);
  return (await run(file, args, { input })).stdout;
}

// ---------------------------------------------------------------- port forwarding (slirp4netns API)

/** Forward hostIP:hostPort on the host to hostPort in the rootless netns (where netavark's DNAT takes over). */
export async function addHostForward(st: RootlessNetnsState, p: { hostIP: string; hostPort: number; protocol: 'tcp' | 'udp' }): Promise<number> {
  const r = await slirpRequest(st.apiSocket, {
    execute: 'add_hostfwd',
    arguments: { proto: p.protocol, host_addr: p.hostIP || '0.0.0.0', host_port: p.hostPort, guest_addr: NETNS_SLIRP_IP, guest_port: p.hostPort },
  });
  if (r.error || typeof r.return?.id !== 'number') {
    const desc = r.error?.desc ?? JSON.stringify(r);
    throw new TspodError(`cannot publish port ${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort}/${p.protocol}: ${desc}${/bind|in use/i.test(desc) ? ' (the address is in use)' : ''}`, 'EPORT');
  }
  return r.return.id;
}

export async function removeHostForward(st: RootlessNetnsState, id: number): Promise<void> {
  try { await slirpRequest(st.apiSocket, { execute: 'remove_hostfwd', arguments: { id } }); } catch (err) { log.debug(`remove_hostfwd ${id}: ${errorMessage(err)}`); }
}
