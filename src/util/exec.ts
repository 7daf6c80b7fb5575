// The one place tspod spawns processes. Errors name the command, its exit code
// and its stderr, so a failure says what failed.
import type * as CP from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Options, ResultPromise } from 'execa';
import { TspodError } from './errors.js';
import { log } from './log.js';

// node:child_process (and the dgram and net it loads) when a process is started, not when a module that
// may start one is loaded: `inspect` and `logs` import code that runs helpers only on some paths.
const childProcess = (): typeof CP => process.getBuiltinModule('node:child_process');

export interface RunResult { stdout: string; stderr: string; exitCode: number }

export class ExecError extends TspodError {
  readonly command: string;
  readonly stderr: string;
  readonly childExitCode: number | undefined;
  constructor(command: string, exitCode: number | undefined, stderr: string, extra?: string) {
    const detail = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ');
    super(`${command} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}${detail ? `: ${detail}` : ''}${extra ? ` ${extra}` : ''}`, 'EEXEC');
    this.command = command;
    this.stderr = stderr;
    this.childExitCode = exitCode;
  }
}

export interface RunOptions {
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** merge env into process.env (default true, as execa does) */
  extendEnv?: boolean | undefined;
  input?: string | Buffer | undefined;
  stdio?: 'pipe' | 'inherit' | 'ignore' | Array<'pipe' | 'inherit' | 'ignore' | number> | undefined;
  detached?: boolean | undefined;
  /** kill the child after this many milliseconds */
  timeout?: number | undefined;
  /** throw ExecError on a non-zero exit (default true) */
  reject?: boolean | undefined;
  stripFinalNewline?: boolean | undefined;
  /** accepted for execa compatibility; output is not capped */
  maxBuffer?: number | undefined;
  cleanup?: boolean | undefined;
}

/**
 * Run a command to completion; throws ExecError on non-zero exit unless
 * `reject: false`.
 *
 * Why not execa here: importing execa costs ~100 ms, more than half of
 * Podman's whole `run --rm IMAGE true`, and every container start goes
 * through this function several times (fuse-overlayfs, conmon, runc). This is
 * the same contract (errors name the command, its exit code and stderr) on
 * node:child_process. execa remains the library for streaming children
 * (`spawn` below).
 */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  log.debug(`exec: ${file} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const env = opts.env ? (opts.extendEnv === false ? opts.env : { ...process.env, ...opts.env }) : process.env;
    let stdio: CP.StdioOptions = opts.stdio ?? 'pipe';
    if (opts.input !== undefined && stdio === 'pipe') stdio = ['pipe', 'pipe', 'pipe'];
    let child: CP.ChildProcess;
    try {
      child = childProcess().spawn(file, args as string[], { cwd: opts.cwd, env, stdio, detached: opts.detached });
    } catch (err) {
      reject(new ExecError(file, undefined, String((err as Error).message)));
      return;
    }
    const out: Buffer[] = [];
    const errb: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => errb.push(d));
    if (child.stdin) {
      child.stdin.on('error', () => { /* the child may exit without reading */ });
      if (opts.input !== undefined) child.stdin.end(opts.input); else child.stdin.end();
    }
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeout) timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, opts.timeout);
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => { spawnError = err; });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const strip = (b: Buffer[]) => { const t = Buffer.concat(b).toString('utf8'); return opts.stripFinalNewline === false ? t : t.replace(/\r?\n$/, ''); };
      const res: RunResult = { stdout: strip(out), stderr: strip(errb), exitCode: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1) };
      if (spawnError) {
        if (opts.reject === false) { resolve({ ...res, exitCode: spawnError.code === 'ENOENT' ? 127 : 126, stderr: res.stderr || spawnError.message }); return; }
        reject(spawnError.code === 'ENOENT' ? new ExecError(file, undefined, '', 'executable not found') : new ExecError(file, undefined, spawnError.message));
        return;
      }
      if (res.exitCode !== 0 && opts.reject !== false) {
        reject(new ExecError(`${file} ${args.slice(0, 3).join(' ')}`.trim(), res.exitCode, res.stderr || res.stdout));
        return;
      }
      resolve(res);
    });
  });
}

/** Start a command without waiting (caller manages it). */
export async function spawn(file: string, args: readonly string[], opts: Options = {}): Promise<{ child: ResultPromise }> {
  log.debug(`spawn: ${file} ${args.join(' ')}`);
  const { execa } = await import('execa');
  // wrapped: an execa child is a thenable, and returning it from an async function would wait for it
  return { child: execa(file, args, opts) };
}

/**
 * Start a long-lived detached process (own session, no stdio tied to us) and
 * return its pid. Used for the pause process; execa is not needed here and
 * node:child_process keeps the start-up path light.
 */
export function spawnDetached(file: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFd?: number; extraFds?: number[]; dieWithParent?: boolean } = {}): number {
  // dieWithParent: killed by the kernel when tspod dies, however it dies (setpriv --pdeathsig execs
  // the command, so the pid is the command's)
  const setpriv = opts.dieWithParent ? which('setpriv') : undefined;
  if (setpriv) { args = ['--pdeathsig', 'KILL', '--', file, ...args]; file = setpriv; }
  log.debug(`spawn detached: ${file} ${args.join(' ')}`);
  const out = opts.logFd ?? 'ignore';
  const stdio = ['ignore', out, out, ...(opts.extraFds ?? [])] as CP.StdioOptions;
  const child = childProcess().spawn(file, args, { detached: true, stdio, cwd: opts.cwd ?? '/', env: opts.env ?? process.env });
  if (child.pid === undefined) throw new ExecError(file, undefined, '', 'could not be started');
  child.unref();
  return child.pid;
}

/**
 * Run a command with our stdio, forwarding termination signals, and resolve to
 * its exit code (128+N when killed by signal N). Used for the rootless re-exec.
 */
export function runInherit(file: string, args: readonly string[], env: NodeJS.ProcessEnv, stdin: 'inherit' | 'no-stdin' = 'inherit', extraFds = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    // extraFds: fds 3.. passed on as they are (systemd's listening sockets)
    const extra = Array.from({ length: extraFds }, (_, i) => 3 + i);
    const child = childProcess().spawn(file, args, { stdio: [stdin === 'inherit' ? 'inherit' : 'ignore', 'inherit', 'inherit', ...extra], env });
    const forward = (sig: NodeJS.Signals) => { try { child.kill(sig); } catch { /* gone */ } };
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
    for (const s of sigs) process.on(s, forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const s of sigs) process.off(s, forward);
      if (signal) resolve(128 + (os.constants.signals[signal] ?? 1));
      else resolve(code ?? 125);
    });
  });
}

/**
 * Run a command with the given streams as its stdio (absent ones are /dev/null) and
 * resolve to its exit code (128+N when killed by signal N). Aborting kills it.
 */
export function runWithStreams(file: string, args: readonly string[], env: NodeJS.ProcessEnv,
  io: { stdin?: NodeJS.ReadableStream | undefined; stdout?: NodeJS.WritableStream | undefined; stderr?: NodeJS.WritableStream | undefined; signal?: AbortSignal | undefined }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(file, args, { stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', io.stderr ? 'pipe' : 'ignore'], env });
    if (io.stdin && child.stdin) { io.stdin.pipe(child.stdin); child.stdin.on('error', () => undefined); }
    // the streams stay open: the caller owns them
    if (io.stdout) child.stdout?.on('data', (d: Buffer) => io.stdout!.write(d));
    if (io.stderr) child.stderr?.on('data', (d: Buffer) => io.stderr!.write(d));
    const kill = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
    io.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      io.signal?.removeEventListener('abort', kill);
      if (io.stdin && child.stdin) io.stdin.unpipe(child.stdin);
      if (signal) resolve(128 + (os.constants.signals[signal] ?? 1));
      else resolve(code ?? 125);
    });
  });
}

/** Find an executable on PATH (plus sbin dirs); undefined if absent. */
export function which(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/libexec/podman']);
  for (const d of dirs) {
    if (!d) continue;
    const p = `${d}/${name}`;
    try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch { /* next */ }
  }
  return undefined;
}
