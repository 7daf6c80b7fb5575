// What a RUN step leaves when its build dies without cleaning up (kill -9, a CI timeout, a
// crash): the step's container (runc keeps it running), its fuse-overlayfs mount, its slirp4netns
// and its network-namespace holder, all re-parented to pid 1 and running for ever.
//
// Each step writes a record of them under the runroot while it runs (build-steps/<id>.json) and
// removes it when it has cleaned up. reapBuildLeftovers() ends what the records of dead builds name:
// the next build calls it, and so do `system prune` and `system reset`. A process is identified by
// its pid and its start time (field 22 of /proc/PID/stat), so a recycled pid is never killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unmountRootfs } from '../container/rootfs.js';
import { writeJSONAtomic } from '../state/atomic.js';
import { run } from '../util/exec.js';
import { log } from '../util/log.js';
import { paths } from '../util/paths.js';

export interface ProcessRef { pid: number; start: string }

export interface StepRecord {
  /** the runc container id (tspod-build-...) */
  id: string;
  runcRoot: string;
  /** the build process that runs the step */
  owner: ProcessRef;
  /** the step's rootfs directory (fuse-overlayfs mounted at its merged/) */
  mountDir: string;
  /** helpers to end with the step: slirp4netns, the namespace holder */
  helpers: ProcessRef[];
}

function stepsDir(): string { return path.join(paths().runroot, 'build-steps'); }

/** A process's start time in clock ticks since boot, or undefined when it does not exist. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): the start time, field 22, is fields[19]
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

export function processRef(pid: number): ProcessRef { return { pid, start: processStart(pid) ?? '' }; }

const same = (p: ProcessRef) => p.pid > 0 && p.start !== '' && processStart(p.pid) === p.start;

/** Write (or rewrite, as helpers start) the record of a running step. */
export function recordStep(rec: StepRecord): void {
  fs.mkdirSync(stepsDir(), { recursive: true, mode: 0o700 });
  writeJSONAtomic(path.join(stepsDir(), `${rec.id}.json`), rec);
}

/** The step cleaned up after itself: forget it. */
export function forgetStep(id: string): void {
  fs.rmSync(path.join(stepsDir(), `${id}.json`), { force: true });
}

function readRecords(): StepRecord[] {
  let names: string[];
  try { names = fs.readdirSync(stepsDir()).filter((n) => n.endsWith('.json')); } catch { return []; }
  const out: StepRecord[] = [];
  for (const n of names) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(stepsDir(), n), 'utf8')) as StepRecord;
      if (typeof r.id === 'string' && /^tspod-build-[0-9a-f]+$/.test(r.id) && `${r.id}.json` === n) out.push(r);
    } catch { /* being written, or not ours: left alone */ }
  }
  return out;
}

/**
 * End the steps whose build is gone: their container, helpers and mount. Returns the step ids
 * reaped. Steps of builds still running are left alone.
 */
export async function reapBuildLeftovers(): Promise<string[]> {
  const reaped: string[] = [];
  for (const rec of readRecords()) {
    if (same(rec.owner)) continue;
    log.debug(`build: ending what the step ${rec.id} of a dead build (pid ${rec.owner.pid}) left`);
    const { findRunc } = await import('../runtime/runc.js');
    await run(findRunc(), ['--root', rec.runcRoot, 'delete', '--force', rec.id], { reject: false });
    for (const h of rec.helpers ?? []) if (same(h)) { try { process.kill(h.pid, 'SIGKILL'); } catch { /* gone meanwhile */ } }
    // a mount point inside tspod's store, never anywhere else
    if (typeof rec.mountDir === 'string' && path.resolve(rec.mountDir).startsWith(`${paths().root}/`)) await unmountRootfs(rec.mountDir).catch(() => undefined);
    forgetStep(rec.id);
    reaped.push(rec.id);
  }
  // a build killed between a step's clean-up and its unmount leaves only the mount, in the build's
  // work directory (named after its pid: <root>/.../tmp/build.tmp-PID-...): release those of dead builds
  // before anything removes the directory through the mount
  let info = '';
  try { info = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { /* no /proc */ }
  const root = `${paths().root}/`;
  for (const point of info.split('\n').map((l) => l.split(' ')[4] ?? '')) {
    const m = /\/tmp\/build\.tmp-(\d+)-[^/]+\//.exec(point);
    if (!point.startsWith(root) || !m || processStart(Number(m[1])) !== undefined) continue;
    log.debug(`build: releasing ${point}, mounted by a dead build`);
    await run('fusermount3', ['-u', '-z', point], { reject: false });
  }
  return reaped;
}
