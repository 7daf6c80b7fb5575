// Podman's network backend, netavark (with aardvark-dns for name resolution),
// run as a short-lived command: `netavark setup|teardown NETNS` with the
// container's networks as JSON on stdin. Rootless, it runs inside the rootless
// netns (see rootless-netns.ts), so the bridges, veths, iptables rules and
// aardvark-dns live there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, which } from '../util/exec.js';
import { PrerequisiteError, TspodError } from '../util/errors.js';
import { log } from '../util/log.js';
import { isRootless } from '../util/paths.js';
import { aardvarkConfigDir, rootlessNetnsCommand } from './rootless-netns.js';
import { dnsAfterSetup, dnsBeforeSetup } from './aardvark-ready.js';
import { netRunDir } from './paths.js';
import type { NetworkRecord } from './types.js';

const HELPER_DIRS = ['/usr/local/libexec/podman', '/usr/local/lib/podman', '/usr/libexec/podman', '/usr/lib/podman'];

function findHelper(name: string, pkg: string): string {
  const env = process.env[`TSPOD_${name.toUpperCase().replace(/-/g, '_')}`];
  if (env) return env;
  for (const d of HELPER_DIRS) {
    const p = path.join(d, name);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  const onPath = which(name);
  if (onPath) return onPath;
  throw new PrerequisiteError(`${name} not found (looked in ${HELPER_DIRS.join(', ')} and PATH): install the ${pkg} package`);
}

export function netavarkBinary(): string { return findHelper('netavark', 'netavark'); }
export function aardvarkBinary(): string { return findHelper('aardvark-dns', 'aardvark-dns'); }

export interface NetavarkPerNetwork { static_ips: string[]; aliases: string[]; interface_name: string }
export interface NetavarkPort { host_ip: string; container_port: number; host_port: number; range: number; protocol: string }
export interface NetavarkInput {
  container_id: string;
  container_name: string;
  port_mappings: NetavarkPort[] | null;
  networks: Record<string, NetavarkPerNetwork>;
  network_info: Record<string, NetworkRecord>;
}
export interface NetavarkStatus {
  interfaces?: Record<string, { mac_address?: string; subnets?: Array<{ ipnet: string; gateway?: string }> }>;
  dns_search_domains?: string[];
  dns_server_ips?: string[];
}

/** netavark's view of a network: the stored record minus tspod-only fields. */
export function netavarkNetwork(n: NetworkRecord): NetworkRecord {
  return { ...n, labels: {}, options: n.options ?? {} };
}

export async function netavark(cmd: 'setup' | 'teardown', netnsPath: string, input: NetavarkInput): Promise<Record<string, NetavarkStatus>> {
  const bin = netavarkBinary();
  const aardvark = aardvarkBinary();
  fs.mkdirSync(aardvarkConfigDir(), { recursive: true, mode: 0o700 });
  const argv = [bin, '--config', aardvarkConfigDir(), '--rootless', String(isRootless()), '--aardvark-binary', aardvark, cmd, netnsPath];
  // (under systemd, netavark itself starts aardvark-dns in a scope of its own with systemd-run)
  // (set-up returns once aardvark-dns answers on the container's DNS networks: see aardvark-ready.ts)
  const dns = cmd === 'setup' ? await dnsBeforeSetup(Object.values(input.network_info), aardvark) : undefined;
  const [file, args] = isRootless() ? rootlessNetnsCommand(argv) : [argv[0]!, argv.slice(1)];
  // aardvark-dns, started by netavark, daemonises but would keep a stdout pipe open:
  // netavark's output goes to files, so waiting for it never waits for aardvark-dns
  const base = path.join(netRunDir(), `.netavark-${process.pid}-${Date.now()}`);
  const outFd = fs.openSync(`${base}.out`, 'w', 0o600);
  const errFd = fs.openSync(`${base}.err`, 'w', 0o600);
  let r;
  try {
    const PATH = `${process.env['PATH'] ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
    r = await run(file, args, { input: JSON.stringify(input), stdio: ['pipe', outFd, errFd], env: { PATH }, reject: false, timeout: 60_000 });
  } finally {
    fs.closeSync(outFd);
    fs.closeSync(errFd);
  }
  const out = fs.readFileSync(`${base}.out`, 'utf8');
  const err = fs.readFileSync(`${base}.err`, 'utf8');
  fs.rmSync(`${base}.out`, { force: true });
  fs.rmSync(`${base}.err`, { force: true });
  if (r.exitCode !== 0) {
    // netavark reports errors as {"error": "..."} on stdout
    let msg = err.trim().split('\n').filter(Boolean).slice(-2).join('; ');
    try { const j = JSON.parse(out) as { error?: string }; if (j.error) msg = j.error; } catch { /* not JSON */ }
    throw new TspodError(`netavark ${cmd} failed (exit ${r.exitCode}): ${msg || 'no output'}`, 'ENETWORK');
  }
  if (dns) {
    const t0 = Date.now();
    const ready = await dnsAfterSetup(dns);
    log.debug(ready ? `aardvark-dns listens on the container's DNS gateways (waited ${Date.now() - t0} ms)` : 'aardvark-dns did not listen again on every gateway within a second');
  }
  if (cmd === 'teardown' || !out.trim()) return {};
  try { return JSON.parse(out) as Record<string, NetavarkStatus>; } catch {
    throw new TspodError(`netavark ${cmd} printed something that is not JSON: ${out.slice(0, 200)}`, 'ENETWORK');
  }
}
