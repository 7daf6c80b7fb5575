// The runtime layer as the engine uses it: where the volatile files of a
// container live under the runroot, and the lifecycle calls (create under conmon,
// start, kill, delete, state, exec, exit code). Callers hold the container's lock.
//
// Layout under <runroot>:
//   runc/                 runc --root (runc's own state)
//   exits/<id>            exit code written by conmon
//   seccomp/              converted seccomp profiles (cache)
//   containers/<id>/      pidfile, conmon.pid, oci-log, exec process specs
// The bundle (config.json, ctr.log, attach socket) is the caller's directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive, writeFileAtomic } from '../state/atomic.js';
import { isErrno } from '../util/errors.js';
import { createContainer as conmonCreate, findConmon, readExitCode, waitForExitCode, type ExitCommand } from './conmon.js';
import type { OCIProcess, OCISpec, RuncState } from './oci-types.js';
import { Runc, type ExecResult } from './runc.js';
import { containerRunDirOf, exitsDirOf, runcHolds, runcRootOf } from './layout.js';
import { pidsInNamespace } from './procs.js';

export interface RuntimeOptions {
  runroot: string;
  runcPath?: string | undefined;
  conmonPath?: string | undefined;
}

export interface ContainerRunPaths {
  runDir: string;
  pidFile: string;
  conmonPidFile: string;
  runtimeLogFile: string;
  exitFile: string;
}

export interface CreateOptions {
  id: string;
  name?: string | undefined;
  /** k8s-file log path; default <bundle>/ctr.log. */
  logPath?: string | undefined;
  /** conmon's passthrough log driver (the container gets our stdio). */
  passthrough?: boolean | undefined;
  logSizeMax?: number | undefined;
  terminal?: boolean | undefined;
  stdin?: boolean | undefined;
  exitCommand?: ExitCommand | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  logLevel?: 'debug' | 'info' | 'warning' | 'error' | undefined;
  timeoutSeconds?: number | undefined;
  /** run --preserve-fds: our fds 3..3+N-1 go to the container process. */
  preserveFds?: number | undefined;
}

export interface CreatedContainer {
  /** Host pid of the container's init process. */
  pid: number;
  conmonPid: number;
  logPath: string;
}

export class ContainerRuntime {
  readonly runroot: string;
  readonly runc: Runc;
  readonly conmonPath: string;

  constructor(opts: RuntimeOptions) {
    this.runroot = opts.runroot;
    this.runc = new Runc({ root: runcRootOf(opts.runroot), path: opts.runcPath });
    this.conmonPath = findConmon(opts.conmonPath);
  }

  get exitDir(): string { return exitsDirOf(this.runroot); }
  get seccompCacheDir(): string { return path.join(this.runroot, 'seccomp'); }

  paths(id: string): ContainerRunPaths {
    const runDir = containerRunDirOf(this.runroot, id);
    return {
      runDir,
      pidFile: path.join(runDir, 'pidfile'),
      conmonPidFile: path.join(runDir, 'conmon.pid'),
      runtimeLogFile: path.join(runDir, 'oci-log'),
      exitFile: path.join(this.exitDir, id),
    };
  }

  /** Write <bundle>/config.json atomically. */
  writeBundle(bundle: string, spec: OCISpec): void {
    fs.mkdirSync(bundle, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(bundle, 'config.json'), JSON.stringify(spec), 0o600, false);
  }

  /** Create the container under conmon; it is then "created" (not yet running). */
  async createContainer(bundle: string, opts: CreateOptions): Promise<CreatedContainer> {
    const p = this.paths(opts.id);
    fs.mkdirSync(p.runDir, { recursive: true, mode: 0o700 });
    const logPath = opts.logPath ?? path.join(bundle, 'ctr.log');
    const r = await conmonCreate(bundle, {
      id: opts.id,
      name: opts.name,
      conmonPath: this.conmonPath,
      runtimePath: this.runc.path,
      runtimeRoot: this.runc.root,
      runtimeLogFile: p.runtimeLogFile,
      pidFile: p.pidFile,
      conmonPidFile: p.conmonPidFile,
      exitDir: this.exitDir,
      persistDir: p.runDir,
      logPath,
      passthrough: opts.passthrough,
      logSizeMax: opts.logSizeMax,
      preserveFds: opts.preserveFds,
      syncFile: path.join(p.runDir, 'sync'),
      terminal: opts.terminal,
      stdin: opts.stdin,
      exitCommand: opts.exitCommand,
      env: opts.env,
      logLevel: opts.logLevel,
      timeoutSeconds: opts.timeoutSeconds,
    });
    return { ...r, logPath };
  }

  async startContainer(id: string): Promise<void> {
    await this.runc.start(id);
  }

  async killContainer(id: string, signal: string | number = 'SIGTERM', all = false): Promise<void> {
    await this.runc.kill(id, signal, all);
  }

  /** Remove runc's state and our volatile files (not the exit file: cleanup reads it). */
  async deleteContainer(id: string, force = false): Promise<void> {
    // without runc's state there is nothing to delete (a container never started, or cleaned up already)
    if (runcHolds(this.runroot, id)) await this.runc.delete(id, force);
    fs.rmSync(this.paths(id).runDir, { recursive: true, force: true });
  }

  async state(id: string): Promise<RuncState | undefined> {
    return this.runc.state(id);
  }

  async pauseContainer(id: string): Promise<void> { await this.runc.pause(id); }
  async resumeContainer(id: string): Promise<void> { await this.runc.resume(id); }
  /**
   * Host pids of the container's processes. `runc ps` needs the container's cgroup,
   * which rootless cgroups v1 does not give us; then scan /proc for processes in
   * the init process's pid namespace.
   */
  async processes(id: string): Promise<number[]> {
    try {
      return await this.runc.ps(id);
    } catch (err) {
      const st = await this.runc.state(id);
      if (!st || st.pid <= 0 || st.status === 'stopped') {
        if (!st) throw err;
        return [];
      }
      return pidsInNamespace(st.pid);
    }
  }

  exitCode(id: string): number | undefined {
    return readExitCode(this.exitDir, id);
  }

  removeExitFile(id: string): void {
    try { fs.unlinkSync(this.paths(id).exitFile); } catch (err) { if (!isErrno(err, 'ENOENT')) throw err; }
  }

  conmonPid(id: string): number | undefined {
    try {
      const n = parseInt(fs.readFileSync(this.paths(id).conmonPidFile, 'utf8'), 10);
      return n > 0 ? n : undefined;
    } catch { return undefined; }
  }

  conmonRunning(id: string): boolean {
    const pid = this.conmonPid(id);
    return pid !== undefined && pidAlive(pid);
  }

  async waitForExit(id: string, opts: { timeoutMs?: number } = {}): Promise<number> {
    return waitForExitCode(this.exitDir, id, { conmonPid: this.conmonPid(id), timeoutMs: opts.timeoutMs });
  }

  /**
   * Run a process in a running container with `runc exec` directly (first version:
   * no conmon --exec, so no detached exec sessions and no exec log). The process
   * spec is written to the container's run dir.
   */
  async execInContainer(id: string, processSpec: OCIProcess, opts: { stdio?: 'pipe' | 'inherit'; input?: string; detach?: boolean } = {}): Promise<ExecResult> {
    const p = this.paths(id);
    fs.mkdirSync(p.runDir, { recursive: true, mode: 0o700 });
    const file = path.join(p.runDir, `exec-${process.pid}-${Date.now().toString(36)}.json`);
    writeFileAtomic(file, JSON.stringify(processSpec), 0o600);
    try {
      return await this.runc.exec(id, file, { stdio: opts.stdio, input: opts.input, detach: opts.detach });
    } finally {
      try { fs.unlinkSync(file); } catch { /* ignore */ }
    }
  }
}
