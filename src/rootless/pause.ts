// The per-user pause process that holds tspod's rootless user namespace (and
// the mount namespace where container root filesystems are mounted), as
// Podman's does. Later commands join it with nsenter instead of building a new
// namespace, so every container and mount of a user lives in one place.
//
// The namespace is built by util-linux's unshare (>= 2.38), which writes the
// full mapping through the setuid newuidmap/newgidmap: container root is the
// invoking user, container uids 1..N are the user's subordinate ids.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrerequisiteError, TspodError } from '../util/errors.js';
import { spawnDetached, which } from '../util/exec.js';
import { hostGid, hostUid, paths } from '../util/paths.js';
import { log } from '../util/log.js';
import { outsideUnit } from '../util/systemd-scope.js';
import { rootlessMapping, type RootlessMapping } from './idmap.js';

export function pauseDir(): string { return path.join(paths().runroot, 'pause'); }
function pidFile(): string { return path.join(pauseDir(), 'pause.pid'); }

function readLinkOr(p: string): string | undefined {
  try { return fs.readlinkSync(p); } catch { return undefined; }
}

/** A live pause process of ours whose user namespace differs from the host's and maps root to us. */
export function validPausePid(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const uidLine = /^Uid:\s+(\d+)/m.exec(status);
    if (!uidLine || Number(uidLine[1]) !== hostUid()) return false;
    if (/^State:\s+Z/m.test(status)) return false;
    const ns = readLinkOr(`/proc/${pid}/ns/user`);
    const mine = readLinkOr('/proc/self/ns/user');
    if (!ns || ns === mine) return false;
    const map = fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8');
    return new RegExp(`^\\s*0\\s+${hostUid()}\\s+1\\s*$`, 'm').test(map) && map.trim().split('\n').length > 1;
  } catch {
    return false;
  }
}

export function readPausePid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(), 'utf8').trim());
    return validPausePid(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function checkPrerequisites(): void {
  for (const [tool, pkg] of [['newuidmap', 'uidmap'], ['newgidmap', 'uidmap'], ['unshare', 'util-linux'], ['nsenter', 'util-linux']] as const) {
    const p = which(tool);
    if (!p) throw new PrerequisiteError(`${tool} not found: install the ${pkg} package`);
    if (tool.startsWith('new')) {
      const st = fs.statSync(p);
      if (!(st.mode & 0o4000) || st.uid !== 0) {
        // file capabilities are an alternative to setuid; we cannot read them cheaply, so only warn
        log.debug(`${p} is not setuid root; relying on file capabilities`);
      }
    }
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Start the namespace holder; its pid once the full mapping is in place, undefined if it died. */
async function startHolder(cmd: string[], args: string[]): Promise<number | undefined> {
  // systemd-run execs the command in place: the pid is the holder's either way
  const pid = spawnDetached(cmd[0]!, [...cmd.slice(1), ...args], { cwd: '/' });
  // newuidmap runs asynchronously inside unshare: wait for the full mapping
  const deadline = Date.now() + 5000;
  while (!validPausePid(pid)) {
    let alive = true;
    try { alive = !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { alive = false; }
    if (!alive) return undefined;
    if (Date.now() > deadline) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } return undefined; }
    await sleep(2);
  }
  return pid;
}

/** Return the pid of a valid pause process, creating one (under a lock) when absent or stale. */
export async function ensurePause(): Promise<number> {
  const existing = readPausePid();
  if (existing) return existing;
  const { withLock } = await import('../state/lock.js');
  return withLock(`pause:${paths().runroot}`, async () => {
    const again = readPausePid();
    if (again) return again;
    checkPrerequisites();
    const m: RootlessMapping = rootlessMapping(hostUid(), hostGid());
    fs.mkdirSync(pauseDir(), { recursive: true, mode: 0o700 });
    const holder = which('catatonit') ? [which('catatonit')!, '-P'] : ['sleep', 'infinity'];
    const args = [
      '--map-root-user',
      `--map-users=${m.subuid.start},1,${m.subuid.count}`,
      `--map-groups=${m.subgid.start},1,${m.subgid.count}`,
      '--mount', '--propagation', 'slave', '--fork', '--kill-child', '--', ...holder,
    ];
    const unshare = which('unshare') ?? 'unshare';
    // started from a systemd unit (ExecStart of a container service): the pause
    // process gets a scope of its own, or stopping that unit would kill the
    // namespace every other container lives in (Podman does the same)
    const pid = await startHolder([...outsideUnit('tspod-pause'), unshare], args);
    if (pid === undefined) {
      throw new TspodError(`cannot set up the rootless user namespace: "unshare ${args.slice(0, 3).join(' ')}" failed; check /etc/subuid, /etc/subgid and that newuidmap/newgidmap are setuid root (run "unshare ${args.slice(0, 4).join(' ')} true" to see the error)`, 'EUSERNS');
    }
    const { writeFileAtomic } = await import('../state/atomic.js');
    writeFileAtomic(pidFile(), `${pid}\n`);
    log.debug(`started pause process ${pid}`);
    return pid;
  });
}
