// Starting a container under conmon, the way Podman does (libpod
// oci_conmon_linux.go): conmon runs `runc create`, reports the container's pid on
// the sync pipe, then supervises the container: it holds its stdio, writes the
// k8s-file log, writes the exit code to <exit-dir>/<id>, and runs the exit command.
//
// conmon double-forks: the process we start exits at once (after writing
// --conmon-pidfile) and the real monitor lives on in its own session, stdio on
// /dev/null, outliving tspod. The sync "pipe" (_OCI_SYNCPIPE) only needs to be a
// writable fd, so tspod hands conmon a regular file and reads the
// `{"data": <pid>}` line from it; this keeps us on the plain `run()` of
// util/exec.ts (no pipe held open by a daemonised process). _OCI_STARTPIPE is not
// set: it exists so the caller can move conmon into a cgroup before it forks,
// which rootless cgroups v1 cannot do anyway.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrerequisiteError, TspodError, isErrno } from '../util/errors.js';
import { run, which } from '../util/exec.js';
import { pidAlive } from '../state/atomic.js';
import { watchForWrites } from '../util/wake.js';
import { classifyStartError, runtimeFlags } from './runc.js';

export function findConmon(explicit?: string): string {
  const p = explicit ?? which('conmon');
  if (!p) throw new PrerequisiteError('conmon not found: install the conmon package');
  return p;
}

export interface ExitCommand {
  /** Program conmon runs (with args) after the container exited, e.g. tspod. */
  path: string;
  args?: string[] | undefined;
  /** conmon --exit-delay, seconds. */
  delaySeconds?: number | undefined;
}

export interface ConmonOptions {
  /** Container id (conmon -c and -u). */
  id: string;
  name?: string | undefined;
  conmonPath?: string | undefined;
  /** runc binary (conmon -r). */
  runtimePath: string;
  /** runc --root. */
  runtimeRoot: string;
  /** runc's own log (JSON), read when creation fails. */
  runtimeLogFile?: string | undefined;
  /** Where conmon makes runc write the container's pid. */
  pidFile: string;
  conmonPidFile: string;
  /** conmon writes the exit code to <exitDir>/<id>. */
  exitDir: string;
  persistDir?: string | undefined;
  /** The k8s-file log. */
  logPath: string;
  /** conmon's passthrough log driver: the container gets conmon's (our) stdio itself, nothing is logged. */
  passthrough?: boolean | undefined;
  logSizeMax?: number | undefined;
  logTag?: string | undefined;
  /** The sync file (default <bundle>/conmon-sync). */
  syncFile?: string | undefined;
  terminal?: boolean | undefined;
  stdin?: boolean | undefined;
  leaveStdinOpen?: boolean | undefined;
  exitCommand?: ExitCommand | undefined;
  logLevel?: 'debug' | 'info' | 'warning' | 'error' | undefined;
  syslog?: boolean | undefined;
  noPivot?: boolean | undefined;
  noNewKeyring?: boolean | undefined;
  /** Pass our fds 3..3+N-1 on to the container process (run --preserve-fds N; runc create --preserve-fds). */
  preserveFds?: number | undefined;
  /** Kill the container after this many seconds (conmon -T). */
  timeoutSeconds?: number | undefined;
  /** Environment of conmon, and through it of runc and the exit command. Default: ours. */
  env?: NodeJS.ProcessEnv | undefined;
  /** How long to wait for conmon to report the container pid (default 60 s). */
  createTimeoutMs?: number | undefined;
}

/** conmon's command line for creating a container (exported for tests). */
export function conmonArgs(bundle: string, o: ConmonOptions): string[] {
  const a = ['--api-version', '1', '-c', o.id, '-u', o.id, '-r', o.runtimePath, '-b', bundle, '-p', o.pidFile];
  a.push('-n', o.name ?? o.id);
  a.push('--exit-dir', o.exitDir);
  if (o.persistDir) a.push('--persist-dir', o.persistDir);
  // Attach socket and ctl fifo in the bundle (<bundle>/attach), untruncated.
  a.push('--full-attach');
  a.push('-l', o.passthrough ? 'passthrough' : `k8s-file:${o.logPath}`);
  if (o.logSizeMax !== undefined && o.logSizeMax > 0) a.push('--log-size-max', String(o.logSizeMax));
  if (o.logTag) a.push('--log-tag', o.logTag);
  a.push('--log-level', o.logLevel ?? 'warning');
  if (o.syslog) a.push('--syslog');
  a.push('--runtime-arg', '--root', '--runtime-arg', o.runtimeRoot);
  for (const f of runtimeFlags()) a.push(`--runtime-arg=${f}`);
  if (o.runtimeLogFile) a.push('--runtime-arg', '--log-format=json', '--runtime-arg', '--log', `--runtime-arg=${o.runtimeLogFile}`);
  a.push('--conmon-pidfile', o.conmonPidFile);
  if (o.terminal) a.push('-t');
  if (o.stdin) a.push('-i');
  if (o.stdin && o.leaveStdinOpen) a.push('--leave-stdin-open');
  if (o.noPivot) a.push('--no-pivot');
  if (o.noNewKeyring) a.push('--no-new-keyring');
  if (o.timeoutSeconds !== undefined && o.timeoutSeconds > 0) a.push('-T', String(o.timeoutSeconds));
  if (o.preserveFds) a.push('--runtime-opt', '--preserve-fds', '--runtime-opt', String(o.preserveFds));
  if (o.exitCommand) {
    a.push('--exit-command', o.exitCommand.path);
    for (const arg of o.exitCommand.args ?? []) a.push('--exit-command-arg', arg);
    if (o.exitCommand.delaySeconds !== undefined) a.push('--exit-delay', String(o.exitCommand.delaySeconds));
  }
  return a;
}

export interface SyncMessage { data: number; message?: string }

/** Parse the first complete line conmon wrote on the sync pipe; undefined if not there yet. */
export function parseSyncMessage(text: string): SyncMessage | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const line = text.slice(0, nl).trim();
  try {
    const v = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof v.data !== 'number') throw new Error('no data');
    return { data: v.data, ...(typeof v.message === 'string' ? { message: v.message } : {}) };
  } catch {
    throw new TspodError(`conmon wrote an unexpected sync message: ${line.slice(0, 200)}`, 'ECONMON');
  }
}

/** The last error runc logged (its --log-format=json log), if any. */
export function lastRuntimeError(logFile: string | undefined): string | undefined {
  if (!logFile) return undefined;
  let text: string;
  try { text = fs.readFileSync(logFile, 'utf8'); } catch { return undefined; }
  let msg: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { level?: string; msg?: string };
      if ((v.level === 'error' || v.level === 'fatal') && v.msg) msg = v.msg;
    } catch { /* not JSON */ }
  }
  return msg;
}

/** Error raised when the container could not be created; exitCode is 126/127 when the command could not be run. */
export class ContainerCreateError extends TspodError {
  constructor(message: string, exitCode = 125) {
    super(message, 'ECREATE', exitCode);
  }
}

function rmQuiet(file: string): void {
  try { fs.unlinkSync(file); } catch (err) { if (!isErrno(err, 'ENOENT')) throw err; }
}

function readPidFile(file: string): number | undefined {
  try {
    const n = parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Create the container under conmon (`runc create` runs inside conmon). On return
 * the container is in the "created" state: start it with `runc start`.
 */
export async function createContainer(bundle: string, opts: ConmonOptions): Promise<{ pid: number; conmonPid: number }> {
  const conmon = findConmon(opts.conmonPath);
  const syncFile = opts.syncFile ?? path.join(bundle, 'conmon-sync');
  for (const d of [opts.exitDir, path.dirname(opts.pidFile), path.dirname(opts.conmonPidFile), path.dirname(opts.logPath), path.dirname(syncFile)]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  if (opts.persistDir) fs.mkdirSync(opts.persistDir, { recursive: true, mode: 0o700 });
  for (const f of [opts.pidFile, opts.conmonPidFile, path.join(opts.exitDir, opts.id), opts.runtimeLogFile]) if (f) rmQuiet(f);

  const syncFd = fs.openSync(syncFile, 'w', 0o600);
  // --preserve-fds N: conmon (and runc through it) gets our fds 3..3+N-1 as they are, the sync pipe after them
  const preserved = Array.from({ length: opts.preserveFds ?? 0 }, (_, i) => 3 + i);
  let result;
  try {
    result = await run(conmon, conmonArgs(bundle, opts), {
      cwd: bundle,
      env: { ...(opts.env ?? process.env), _OCI_SYNCPIPE: String(3 + preserved.length) },
      extendEnv: false,
      // execa's types omit raw fds beyond stdio 0-2, but execa passes them through to node.
      stdio: [opts.passthrough ? 'inherit' : 'ignore', opts.passthrough ? 'inherit' : 'pipe', opts.passthrough ? 'inherit' : 'pipe', ...preserved as unknown as 'pipe'[], syncFd as unknown as 'pipe'],
      detached: true,
      cleanup: false,
      reject: false,
    });
  } finally {
    fs.closeSync(syncFd);
  }
  // the OCI runtime's own failures are 126 (as Podman's "OCI runtime error"), conmon's 125
  const failed = (detail: string, byRuntime = false): never => {
    const runtimeErr = lastRuntimeError(opts.runtimeLogFile);
    const msg = runtimeErr ?? detail;
    throw new ContainerCreateError(`creating container ${opts.id}: ${msg}`, classifyStartError(msg) ?? (runtimeErr || byRuntime ? 126 : 125));
  };
  if (result.exitCode !== 0) failed(`conmon exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim()}`);

  const conmonPid = readPidFile(opts.conmonPidFile);
  const deadline = Date.now() + (opts.createTimeoutMs ?? 60_000);
  // conmon writes the container's pid once runc create is done: woken by that write
  const written = watchForWrites(syncFile);
  try {
    let delay = 1;
    for (;;) {
      const msg = parseSyncMessage(fs.readFileSync(syncFile, 'utf8'));
      if (msg) {
        if (msg.data < 0) failed(msg.message?.trim() || 'conmon reported a failure', true);
        rmQuiet(syncFile);
        return { pid: msg.data, conmonPid: conmonPid ?? readPidFile(opts.conmonPidFile) ?? -1 };
      }
      if (conmonPid !== undefined && !pidAlive(conmonPid)) {
        // conmon exited without reporting: one last read, then give up.
        const last = parseSyncMessage(fs.readFileSync(syncFile, 'utf8'));
        if (last && last.data > 0) return { pid: last.data, conmonPid };
        failed(last?.message?.trim() || 'conmon exited before reporting the container pid');
      }
      if (Date.now() > deadline) failed('timed out waiting for conmon to report the container pid');
      await written.sleep(delay);
      delay = Math.min(delay * 2, 10);
    }
  } finally {
    written.close();
  }
}

/** The exit code conmon recorded for the container, or undefined if it has not exited. */
export function readExitCode(exitDir: string, id: string): number | undefined {
  let text: string;
  try { text = fs.readFileSync(path.join(exitDir, id), 'utf8'); } catch { return undefined; }
  const n = parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Wait for conmon's exit file. If conmon is gone without writing one (killed), the
 * container's exit code is unknown: throw rather than wait forever.
 */
export async function waitForExitCode(exitDir: string, id: string, opts: { conmonPid?: number | undefined; timeoutMs?: number | undefined; pollMs?: number | undefined } = {}): Promise<number> {
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  // conmon writes the exit file into the directory: woken by that
  const written = watchForWrites(exitDir);
  try {
    let delay = 1;
    for (;;) {
      const code = readExitCode(exitDir, id);
      if (code !== undefined) return code;
      if (opts.conmonPid !== undefined && opts.conmonPid > 0 && !pidAlive(opts.conmonPid)) {
        const again = readExitCode(exitDir, id);
        if (again !== undefined) return again;
        throw new TspodError(`conmon (pid ${opts.conmonPid}) of container ${id} exited without recording an exit code`, 'ECONMON');
      }
      if (deadline !== undefined && Date.now() > deadline) throw new TspodError(`timed out waiting for container ${id} to exit`, 'ETIMEOUT');
      await written.sleep(delay);
      delay = Math.min(delay * 2, opts.pollMs ?? 20);
    }
  } finally {
    written.close();
  }
}

