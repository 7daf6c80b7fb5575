// aardvark-dns before 1.11 answers netavark's reload signal (SIGHUP, sent on
// every set-up and teardown on a DNS network) by closing every listening socket
// and binding them again: a query in between is refused at once ("bad
// address"). A container started right after its set-up asks in exactly that
// gap (a compose worker resolving its database), so set-up returns only once
// aardvark-dns listens again on the gateways of the container's DNS networks:
// a new socket (new inode in /proc/PID/net/udp of aardvark-dns, whose network
// namespace it shows) on each. Bounded: after a second it goes on regardless.
// Later aardvark-dns keeps unchanged sockets, so there is nothing to wait for.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../util/exec.js';
import { aardvarkPid } from './rootless-netns.js';
import { netRunDir } from './paths.js';
import type { NetworkRecord } from './types.js';

const WAIT_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An IPv4 address as /proc/net/udp prints it (the 32-bit value in host byte order, hex). */
export function procNetAddress(ip: string, endian = os.endianness()): string {
  const b = ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0').toUpperCase());
  return (endian === 'LE' ? b.reverse() : b).join('');
}

/** Inodes of the UDP sockets bound to port 53, by local address, in a /proc/net/udp text. */
export function dnsListeners(procNetUdp: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of procNetUdp.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [addr, port] = (f[1] ?? '').split(':');
    if (port === '0035' && addr) out.set(addr, Number(f[9]));
  }
  return out;
}

/** "aardvark-dns 1.4.0" → true: that version closes and binds again every socket on reload. */
export function rebindsOnReload(versionOutput: string): boolean {
  const m = /(\d+)\.(\d+)/.exec(versionOutput);
  return !!m && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 11));
}

/** The binary's version output, asked once per binary (cached under the network run dir by path, size and mtime). */
async function aardvarkVersion(bin: string): Promise<string> {
  let st: fs.Stats;
  try { st = fs.statSync(bin); } catch { return ''; }
  const key = `${bin}\n${st.size}\n${st.mtimeMs}\n`;
  const cache = path.join(netRunDir(), 'aardvark-version');
  try {
    const c = fs.readFileSync(cache, 'utf8');
    if (c.startsWith(key)) return c.slice(key.length);
  } catch { /* not yet */ }
  const r = await run(bin, ['--version'], { reject: false, timeout: 10_000 });
  const v = String(r.stdout ?? '').trim();
  if (r.exitCode === 0 && v) {
    try { fs.writeFileSync(`${cache}.${process.pid}`, key + v, { mode: 0o600 }); fs.renameSync(`${cache}.${process.pid}`, cache); } catch { /* next time */ }
  }
  return v;
}

function readListeners(pid: number): Map<string, number> | undefined {
  try { return dnsListeners(fs.readFileSync(`/proc/${pid}/net/udp`, 'utf8')); } catch { return undefined; }
}

export interface DnsReadiness { gateways: string[]; before: Map<string, number> }

/**
 * Before a set-up: the IPv4 gateways aardvark-dns must answer on for these
 * networks, and the sockets it has now. Undefined when there is nothing to wait for.
 */
export async function dnsBeforeSetup(networks: NetworkRecord[], aardvarkBin: string): Promise<DnsReadiness | undefined> {
  const gateways = [...new Set(networks.filter((n) => n.dns_enabled).flatMap((n) => n.subnets.map((s) => s.gateway ?? '')).filter((g) => /^\d+\.\d+\.\d+\.\d+$/.test(g)))];
  if (!gateways.length) return undefined;
  const pid = aardvarkPid();
  // a running aardvark-dns that keeps its sockets on reload: nothing to wait for
  if (pid && !rebindsOnReload(await aardvarkVersion(aardvarkBin))) return undefined;
  return { gateways: gateways.map((g) => procNetAddress(g)), before: (pid && readListeners(pid)) || new Map() };
}

/** After the set-up: wait (bounded) until aardvark-dns listens on each gateway with a socket it did not have before. */
export async function dnsAfterSetup(r: DnsReadiness): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const pid = aardvarkPid();
    const now = pid ? readListeners(pid) : undefined;
    if (now && r.gateways.every((g) => now.has(g) && now.get(g) !== r.before.get(g))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(2);
  }
}
