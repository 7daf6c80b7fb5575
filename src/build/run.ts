// One RUN step: the current layers are mounted with fuse-overlayfs over a
// fresh upper directory, the command runs under runc directly (`runc run` in
// the foreground: builds need no conmon, the exit code and the output come
// straight back), then the mount points runc had to create are taken out of
// the upper directory, which becomes the step's layer.
//
// Network (--network): slirp4netns (default, outbound access like Podman),
// host, or none. For slirp4netns the network namespace is made up front by a
// small holder process (`unshare --net sleep`), so it is configured before the
// command starts; runc joins it by path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { secureJoin } from '../container/rootfs.js';
import { resolveUser } from '../container/user.js';
import { hostInternalIP, hostsFile, resolvConf, startSlirp, stopSlirp } from '../container/network.js';
import { writeFileAtomic } from '../state/atomic.js';
import { spawn, spawnDetached, run, which } from '../util/exec.js';
import { PrerequisiteError, TspodError } from '../util/errors.js';
import { isRootless, paths } from '../util/paths.js';
import { log } from '../util/log.js';
import type { UserMount } from '../runtime/spec.js';
import { mkdirInRoot } from './copy.js';
import { forgetStep, processRef, recordStep, type StepRecord } from './leftovers.js';

export type BuildNetwork = 'slirp4netns' | 'host' | 'none';

export interface RunStepOptions {
  /** host path of the mounted root filesystem */
  rootfs: string;
  /** the overlay's upper directory (mount points runc creates are removed from it afterwards) */
  upper: string;
  /** private scratch directory for the bundle and network files */
  workDir: string;
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  network: BuildNetwork;
  mounts: UserMount[];
  hostname?: string;
  stdout: Writable;
  stderr: Writable;
  /** called with the runc container id once it exists (for interrupt handling) */
  onStart?: (id: string) => void;
}

export interface RunStepResult {
  exitCode: number;
  stderrTail: string;
  /** container paths runc created as mount points: take them out of the upper dir after unmounting */
  createdMountpoints: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Container paths (and their ancestors) that do not exist in the root filesystem. */
function missingPaths(rootfs: string, dests: string[]): string[] {
  const missing = new Set<string>();
  for (const d of dests) {
    const parts = d.split('/').filter(Boolean);
    let cur = '';
    for (const p of parts) {
      cur += `/${p}`;
      if (missing.has(cur)) continue;
      let exists = false;
      try { exists = !!fs.lstatSync(secureJoin(rootfs, cur), { throwIfNoEntry: false }); } catch { exists = false; }
      if (!exists) missing.add(cur);
    }
  }
  return [...missing];
}

/** Remove the (empty) mount points runc created, deepest first. */
export function removeCreatedMountpoints(upper: string, created: string[]): void {
  for (const p of created.slice().sort((a, b) => b.split('/').length - a.split('/').length)) {
    const host = path.join(upper, p);
    const st = fs.lstatSync(host, { throwIfNoEntry: false });
    if (!st) continue;
    try {
      if (st.isDirectory()) { if (fs.readdirSync(host).length === 0) fs.rmdirSync(host); }
      else if (st.isFile() && st.size === 0) fs.unlinkSync(host);
    } catch (err) { log.debug(`removing mount point ${p}: ${String(err)}`); }
  }
}

async function netnsHolder(): Promise<number> {
  const unshare = which('unshare');
  const sleepBin = which('sleep');
  if (!unshare || !sleepBin) throw new PrerequisiteError('unshare and sleep are needed for RUN networking: install util-linux and coreutils');
  const pid = spawnDetached(unshare, ['--net', '--', sleepBin, 'infinity'], { dieWithParent: true });
  const self = fs.readlinkSync('/proc/self/ns/net');
  const deadline = Date.now() + 5000;
  for (let d = 1; ; d = Math.min(d * 2, 20)) {
    let ns = '';
    try { ns = fs.readlinkSync(`/proc/${pid}/ns/net`); } catch { /* starting */ }
    if (ns && ns !== self) return pid;
    if (Date.now() > deadline) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      throw new TspodError('could not create a network namespace for RUN (unshare --net failed)', 'ENETWORK');
    }
    await sleep(d);
  }
}

function killHolder(pid: number): void {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('sleep')) process.kill(pid, 'SIGKILL');
  } catch { /* gone */ }
}

export async function runStep(o: RunStepOptions): Promise<RunStepResult> {
  const user = resolveUser(o.rootfs, o.user);
  if (o.cwd && o.cwd !== '/') mkdirInRoot(o.rootfs, o.cwd, { uid: 0, gid: 0 });
  fs.mkdirSync(o.workDir, { recursive: true, mode: 0o700 });
  const hostname = o.hostname ?? randomBytes(6).toString('hex');
  const netName = o.network;
  const etcExists = fs.existsSync(secureJoin(o.rootfs, '/etc'));
  const hostsPath = path.join(o.workDir, 'hosts');
  const resolvPath = path.join(o.workDir, 'resolv.conf');
  const hostnamePath = path.join(o.workDir, 'hostname');
  writeFileAtomic(hostsPath, hostsFile({ hostname, name: hostname, network: netName, addHosts: [], hostInternalIP: hostInternalIP('') }), 0o644);
  writeFileAtomic(resolvPath, resolvConf({ network: netName, dns: [], dnsSearch: [], dnsOptions: [] }), 0o644);
  writeFileAtomic(hostnamePath, `${hostname}\n`, 0o644);

  const { generateSpec, resolveSeccomp, resolveCapabilities, defaultRlimits, findRunc, classifyStartError } = await import('../runtime/index.js');
  const caps = resolveCapabilities({});
  const seccomp = resolveSeccomp(undefined, caps, path.join(paths().runroot, 'seccomp'));
  let holder = 0;
  let slirpPid = 0;
  const id = `tspod-build-${randomBytes(8).toString('hex')}`;
  const runcRoot = path.join(paths().runroot, 'runc');
  const runc = findRunc();
  let created: string[] = [];
  // what the step starts, on record until it is cleaned up: a build killed meanwhile leaves them to
  // the next build, `system prune` or `system reset` (./leftovers.ts)
  const rec: StepRecord = { id, runcRoot, owner: processRef(process.pid), mountDir: path.dirname(o.rootfs), helpers: [] };
  recordStep(rec);
  try {
    let network: 'host' | 'none' | { path: string } = 'none';
    if (netName === 'host') network = 'host';
    else if (netName === 'slirp4netns') {
      holder = await netnsHolder();
      rec.helpers.push(processRef(holder));
      recordStep(rec);
      const h = await startSlirp(holder, path.join(o.workDir, 'net'), { dieWithCaller: true });
      slirpPid = h.pid;
      rec.helpers.push(processRef(slirpPid));
      recordStep(rec);
      network = { path: `/proc/${holder}/ns/net` };
    }
    const env = o.env.some((e) => e.startsWith('HOME=')) ? o.env : [...o.env, `HOME=${user.home}`];
    const { spec } = generateSpec({
      args: o.args, env, cwd: o.cwd || '/', user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      hostname: netName === 'host' ? undefined : hostname, rootfs: o.rootfs, mounts: o.mounts, seccomp, network,
      defaultRlimits: defaultRlimits(undefined, isRootless()), rootless: isRootless(), cgroupsAvailable: !isRootless(),
      ...(etcExists ? { hostsFile: hostsPath, resolvConfFile: resolvPath, hostnameFile: hostnamePath } : {}),
    });
    // runc creates missing mount points in the root filesystem: note them to take them out of the layer
    created = missingPaths(o.rootfs, spec.mounts.map((m) => m.destination));
    const bundle = path.join(o.workDir, 'bundle');
    fs.mkdirSync(bundle, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(bundle, 'config.json'), JSON.stringify(spec), 0o600);
    o.onStart?.(id);
    const { child } = await spawn(runc, ['--root', runcRoot, 'run', '--bundle', bundle, id], {
      stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', reject: false, buffer: false, cwd: bundle,
    });
    let tail = '';
    child.stdout?.on('data', (d: Buffer) => { o.stdout.write(d); });
    child.stderr?.on('data', (d: Buffer) => { o.stderr.write(d); tail = (tail + d.toString()).slice(-4096); });
    const r = await child;
    let code = typeof r.exitCode === 'number' ? r.exitCode : 125;
    if (r.signal) code = 128 + (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 } as Record<string, number>)[r.signal] ?? 1);
    if (code !== 0) {
      const start = classifyStartError(tail);
      if (start) code = start;
    }
    return { exitCode: code, stderrTail: tail, createdMountpoints: created };
  } finally {
    await run(runc, ['--root', runcRoot, 'delete', '--force', id], { reject: false });
    if (slirpPid) stopSlirp(slirpPid);
    if (holder) killHolder(holder);
    forgetStep(id);
  }
}


/**
 * After the created mount points are gone, their parent directories may be
 * left in the upper directory only because runc put a mount point in them
 * (fuse-overlayfs copied them up). An empty copy with the same owner and mode
 * as in the layers below changes nothing: drop it so the layer stays minimal.
 */
export function pruneCopiedUpDirs(upper: string, created: string[], lowerDirs: string[]): void {
  const cands = new Set<string>();
  for (const c of created) {
    let p = path.posix.dirname(c);
    while (p !== '/' && p !== '.') { if (!created.includes(p)) cands.add(p); p = path.posix.dirname(p); }
  }
  for (const p of [...cands].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const host = path.join(upper, p);
    const st = fs.lstatSync(host, { throwIfNoEntry: false });
    if (!st?.isDirectory() || fs.readdirSync(host).length) continue;
    for (const l of lowerDirs) {
      const lst = fs.lstatSync(path.join(l, p), { throwIfNoEntry: false });
      if (!lst) continue;
      if (lst.isDirectory() && lst.uid === st.uid && lst.gid === st.gid && (lst.mode & 0o7777) === (st.mode & 0o7777)) {
        try { fs.rmdirSync(host); } catch { /* keep it */ }
      }
      break;
    }
  }
}
