// Health checks: one run of the check, and its schedule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerStore } from '../../container/store.js';
import { mergeEnv } from '../../container/options.js';
import { rootfsPaths } from '../../container/rootfs.js';
import { resolveUser } from '../../container/user.js';
import { withLock } from '../../state/lock.js';
import { writeFileAtomic, writeJSONAtomic } from '../../state/atomic.js';
import { paths } from '../../util/paths.js';
import { log } from '../../util/log.js';
import { run, spawnDetached } from '../../util/exec.js';
import { ConflictError, InvalidArgumentError, errorMessage } from '../../util/errors.js';
import { runtime, ctrLockKey, tspodScript } from './common.js';
import { syncedState } from './state.js';
import { containerEvent } from '../events.js';

export interface HealthcheckReport { id: string; status: 'healthy' | 'unhealthy' | 'starting'; exitCode: number; output: string; checkPassed: boolean }

interface HealthLogEntry { Start: string; End: string; ExitCode: number; Output: string }

const HEALTH_LOG_KEEP = 5; // Podman keeps the last five results

/**
 * Run the container's health check once (`tspod healthcheck run`): the test
 * runs via `runc exec` with the container's process settings; the result is
 * recorded in the container entry (health, healthFailures) and in
 * <ctrDir>/healthcheck.log, which `inspect` shows. The container turns
 * unhealthy after `retries` consecutive failures; failures inside the start
 * period do not count until a check has passed. Scheduling the checks (a
 * systemd timer or conmon-side) is not done here.
 */
export async function runHealthcheck(input: string): Promise<HealthcheckReport> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  const cfg = store.readConfig(e.id);
  if (!cfg.health) throw new InvalidArgumentError(`container ${cfg.name} has no defined healthcheck`);
  if (e.state !== 'running') throw new ConflictError(`container ${cfg.name} is not running: container state improper`);
  const test = cfg.health.test;
  const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : test[0] === 'CMD' ? test.slice(1) : test;
  if (!argv.length) throw new InvalidArgumentError(`container ${cfg.name}: the healthcheck command is empty`);
  const rootfs = rootfsPaths(store.ctrDir(e.id)).merged;
  const user = resolveUser(rootfs, cfg.user, cfg.groupAdd);
  const spec = JSON.parse(fs.readFileSync(path.join(store.userdata(e.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
  const proc = { ...spec.process, terminal: false, args: argv, env: mergeEnv([`HOME=${user.home}`], cfg.env), cwd: cfg.workdir || '/' };
  const rt = await runtime();
  const pfile = path.join(paths().runroot, 'containers', e.id, `health-${process.pid}-${Date.now().toString(36)}.json`);
  fs.mkdirSync(path.dirname(pfile), { recursive: true, mode: 0o700 });
  writeFileAtomic(pfile, JSON.stringify(proc));
  const start = new Date();
  let exitCode: number, output: string;
  try {
    // the timeout kills runc exec; a test process that ignores it stays until the container stops
    const r = await run(rt.runc.path, ['--root', rt.runc.root, 'exec', '--process', pfile, e.id], { reject: false, timeout: cfg.health.timeout > 0 ? cfg.health.timeout : undefined, stdio: ['ignore', 'pipe', 'pipe'] });
    const timedOut = cfg.health.timeout > 0 && Date.now() - start.getTime() >= cfg.health.timeout && r.exitCode !== 0;
    exitCode = timedOut ? 1 : r.exitCode;
    output = timedOut ? `healthcheck command exceeded timeout of ${cfg.health.timeout / 1000}s` : `${r.stdout}${r.stderr ? (r.stdout ? '\n' : '') + r.stderr : ''}`;
  } finally {
    fs.rmSync(pfile, { force: true });
  }
  const passed = exitCode === 0;
  const entry: HealthLogEntry = { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: output };
  const inStartPeriod = cfg.health.startPeriod > 0 && Date.now() - Date.parse(e.startedAt) < cfg.health.startPeriod;
  const updated = await withLock(ctrLockKey(e.id), async () => {
    const logFile = path.join(store.ctrDir(e.id), 'healthcheck.log');
    let logs: HealthLogEntry[] = [];
    try { logs = JSON.parse(fs.readFileSync(logFile, 'utf8')) as HealthLogEntry[]; } catch { logs = []; }
    writeJSONAtomic(logFile, [...logs, entry].slice(-HEALTH_LOG_KEEP));
    return store.patch(e.id, (x) => {
      if (passed) { x.health = 'healthy'; x.healthFailures = 0; return; }
      if (inStartPeriod && x.health !== 'healthy') return; // failures in the start period do not count
      x.healthFailures += 1;
      if (x.healthFailures >= Math.max(1, cfg.health!.retries)) x.health = 'unhealthy';
      else if (!x.health) x.health = 'starting';
    });
  });
  const status = (updated?.health || 'starting') as HealthcheckReport['status'];
  containerEvent('health_status', { id: e.id, name: cfg.name, image: cfg.imageName, labels: cfg.labels }, { healthStatus: status });
  return { id: e.id, status, exitCode, output, checkPassed: passed };
}

/**
 * Health checks on their schedule without a daemon: a tiny shell loop per
 * container (like conmon, it belongs to the container) runs
 * `tspod healthcheck run ID` every interval, and ends by itself once conmon
 * is gone; cleanup also stops it. (Podman uses a systemd timer; a systemd user
 * manager is not always there, and this needs none.)
 */
export function startHealthSchedule(id: string, h: { interval: number; startPeriod: number; startInterval?: number | undefined }, conmonPid: number): number {
  const p = paths();
  const secs = Math.max(1, Math.round(h.interval / 1000));
  const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const cmd = [q(process.execPath), q(tspodScript()), '--root', q(p.root), '--runroot', q(p.runroot), 'healthcheck', 'run', id].join(' ');
  // with a start interval, the checks of the start period come that often, the later ones every interval
  const first = h.startInterval && h.startPeriod > 0 ? { secs: Math.max(1, Math.round(h.startInterval / 1000)), n: Math.ceil(h.startPeriod / Math.max(1000, h.startInterval)) } : undefined;
  const script = first
    ? `i=0; while s=${secs}; [ $i -lt ${first.n} ] && s=${first.secs}; i=$((i+1)); sleep $s && kill -0 ${conmonPid} 2>/dev/null; do ${cmd} >/dev/null 2>&1; done`
    : `while sleep ${secs} && kill -0 ${conmonPid} 2>/dev/null; do ${cmd} >/dev/null 2>&1; done`;
  try {
    return spawnDetached('/bin/sh', ['-c', script], { env: process.env });
  } catch (err) {
    log.warn(`health checks of ${id.slice(0, 12)} will not run on their own: ${errorMessage(err)}`);
    return 0;
  }
}

export function stopHealthSchedule(pid: number | undefined): void {
  if (!pid) return;
  let ours = false;
  try { ours = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('healthcheck'); } catch { /* gone */ }
  if (!ours) return;
  // the loop's whole process group (spawnDetached made it a group leader): its `sleep` too, which
  // would otherwise outlive it by up to an interval
  try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
}

