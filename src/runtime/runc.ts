// Thin wrapper over the runc CLI. Every call names its state directory
// (`--root`), so tspod's containers never mix with another engine's.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError, InvalidArgumentError, PrerequisiteError, TspodError } from '../util/errors.js';
import { ExecError, run, which } from '../util/exec.js';
import type { RuncState } from './oci-types.js';

export interface RuncOptions {
  /** State directory, e.g. <runroot>/runc. */
  root: string;
  /** runc binary; default: found on PATH. */
  path?: string | undefined;
}

/** `TERM`, `SIGTERM`, `15` -> `SIGTERM`-style name runc accepts. */
export function normalizeSignal(sig: string | number): string {
  const signals = os.constants.signals as Record<string, number>;
  if (typeof sig === 'number' || /^\d+$/.test(sig)) {
    const n = Number(sig);
    if (!Number.isInteger(n) || n <= 0 || n > 64) throw new InvalidArgumentError(`invalid signal: ${sig}`);
    // real-time signals (34-64) have no name in node: runc takes the number
    return Object.keys(signals).find((k) => signals[k] === n) ?? String(n);
  }
  const up = sig.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) return name.slice(3);
  if (signals[name] === undefined) throw new InvalidArgumentError(`invalid signal: ${sig}`);
  return name;
}

/** The OCI runtime: `explicit` (a container's --runtime), else the global --runtime, else runc on PATH; a name is looked up on PATH. */
export function findRunc(explicit?: string): string {
  const want = explicit || process.env['TSPOD_RUNTIME'] || 'runc';
  let p = want.includes('/') ? want : which(want);
  // a path must name an executable now, not at the first start
  if (p && want.includes('/')) { try { fs.accessSync(p, fs.constants.X_OK); } catch { p = undefined; } }
  if (!p) throw new PrerequisiteError(want === 'runc' ? 'runc not found: install the runc package' : `OCI runtime "${want}" not found`);
  return p;
}

/** The global --runtime-flag values as runtime arguments: "log-format=json" -> "--log-format=json" (as Podman). */
export function runtimeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['TSPOD_RUNTIME_FLAGS'] ?? '').split('\n').filter(Boolean).map((f) => (f.startsWith('-') ? f : `--${f}`));
}

/**
 * runc's message when it could not start the container's process -> 127 (not
 * found) or 126 (cannot invoke), the exit codes Podman uses; undefined otherwise.
 */
export function classifyStartError(message: string): 126 | 127 | undefined {
  if (!/unable to start container process|exec failed|starting container process/i.test(message)) return undefined;
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|is a directory|exec format error|not a directory/i.test(message)) return 126;
  return undefined;
}

const NOT_EXIST = /does not exist|not exist|no such file or directory/i;

export interface ExecOptions {
  /** Return immediately (runc exec --detach), writing the process pid to pidFile. */
  detach?: boolean | undefined;
  pidFile?: string | undefined;
  /** Allocate a terminal; requires consoleSocket (the receiver of the pty master). */
  tty?: boolean | undefined;
  consoleSocket?: string | undefined;
  /** 'pipe' (default) captures output; 'inherit' passes tspod's own stdio. */
  stdio?: 'pipe' | 'inherit' | undefined;
  input?: string | undefined;
}

export interface ExecResult { exitCode: number; stdout: string; stderr: string }

export class Runc {
  readonly path: string;
  readonly root: string;

  constructor(opts: RuncOptions) {
    this.root = opts.root;
    this.path = findRunc(opts.path);
  }

  /** Global arguments: runc's --root. */
  globalArgs(): string[] {
    return ['--root', this.root, ...runtimeFlags()];
  }

  private async call(args: string[], what: string, id?: string): Promise<string> {
    try {
      const r = await run(this.path, [...this.globalArgs(), ...args]);
      return r.stdout;
    } catch (err) {
      if (err instanceof ExecError && id && NOT_EXIST.test(err.stderr)) throw new NotFoundError(`container "${id}" does not exist in the OCI runtime`);
      if (err instanceof TspodError) throw new TspodError(`runc ${what} failed: ${err.message}`, err.code, err.exitCode);
      throw err;
    }
  }

  /** `runc create` without conmon (tests, or a caller that supervises itself). */
  async create(id: string, bundle: string, opts: { pidFile?: string; consoleSocket?: string; noPivot?: boolean } = {}): Promise<void> {
    const args = ['create', '--bundle', bundle];
    if (opts.pidFile) args.push('--pid-file', opts.pidFile);
    if (opts.consoleSocket) args.push('--console-socket', opts.consoleSocket);
    if (opts.noPivot) args.push('--no-pivot');
    await this.call([...args, id], 'create', id);
  }

  async start(id: string): Promise<void> {
    await this.call(['start', id], 'start', id);
  }

  /** The container's state, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    const r = await run(this.path, [...this.globalArgs(), 'state', id], { reject: false });
    if (r.exitCode !== 0) {
      if (NOT_EXIST.test(r.stderr)) return undefined;
      throw new TspodError(`runc state ${id} failed: ${r.stderr.trim()}`, 'EEXEC');
    }
    return JSON.parse(r.stdout) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const out = await this.call(['list', '--format', 'json'], 'list');
    return (JSON.parse(out || 'null') as RuncState[] | null) ?? [];
  }

  /** Send a signal to the init process (or, with all, to every process of the container). */
  async kill(id: string, signal: string | number = 'SIGTERM', all = false): Promise<void> {
    const args = ['kill'];
    if (all) args.push('--all');
    await this.call([...args, id, normalizeSignal(signal)], 'kill', id);
  }

  /** Delete the container's runtime state; a container runc does not know is not an error. */
  async delete(id: string, force = false): Promise<void> {
    // runc keeps a container's state in <root>/<id>: without it there is nothing to delete, and no
    // reason to start runc to hear so (a created container was never given to runc)
    if (!fs.existsSync(path.join(this.root, id))) return;
    try {
      await this.call(force ? ['delete', '--force', id] : ['delete', id], 'delete', id);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
  }

  async pause(id: string): Promise<void> {
    await this.call(['pause', id], 'pause', id);
  }

  async resume(id: string): Promise<void> {
    await this.call(['resume', id], 'resume', id);
  }

  /** Host pids of the container's processes. */
  async ps(id: string): Promise<number[]> {
    const out = await this.call(['ps', '--format', 'json', id], 'ps', id);
    return (JSON.parse(out || 'null') as number[] | null) ?? [];
  }

  /**
   * `runc exec --process <processSpecFile>`: run a process in the container and wait
   * for it (unless detach). The exit code is the process's own.
   */
  async exec(id: string, processSpecFile: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const args = [...this.globalArgs(), 'exec', '--process', processSpecFile];
    if (opts.detach) args.push('--detach');
    if (opts.pidFile) args.push('--pid-file', opts.pidFile);
    if (opts.tty) {
      if (!opts.consoleSocket) throw new InvalidArgumentError('exec with a terminal needs a console socket');
      args.push('--tty', '--console-socket', opts.consoleSocket);
    }
    args.push(id);
    const r = await run(this.path, args, {
      reject: false,
      stripFinalNewline: false,
      ...(opts.stdio === 'inherit' ? { stdio: 'inherit' as const } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    if (r.exitCode !== 0 && /container .*does not exist/i.test(r.stderr)) {
      throw new NotFoundError(`container "${id}" does not exist in the OCI runtime`);
    }
    // runc itself failing to start the process: report 126/127 as Podman does.
    const startFailure = r.exitCode !== 0 ? classifyStartError(r.stderr) : undefined;
    return { exitCode: startFailure ?? r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }
}
