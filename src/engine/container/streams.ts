// Entry points for a front end that drives containers' streams over its own
// connections (the Docker-compatible API service): a container's state and
// configuration, its log as entries (read and followed), conmon's attach
// socket with the caller's own callbacks (several attachers, connected before
// `runc start`), terminal resize, and an exec process whose pipes the caller
// keeps (for hijacked connections, resize and inspect).
import type * as cp from 'node:child_process';
import { ContainerStore } from '../../container/store.js';
import type { ContainerConfig, ContainerEntry } from '../../container/types.js';
import type { LogEntry } from '../../runtime/k8s-log.js';
import type { OutputChunk } from '../../runtime/attach-socket.js';
import { isRunning, prepareExec } from './exec.js';
import { syncAll, syncedState } from './state.js';

const childProcess = (): typeof cp => process.getBuiltinModule('node:child_process') as typeof cp;

export interface ContainerState { entry: ContainerEntry; config: ContainerConfig }

/** A container's entry (state synced from the runtime) and its configuration; NotFoundError when there is none. */
export function containerState(input: string, store = new ContainerStore()): ContainerState {
  const entry = syncedState(store.resolve(input));
  return { entry, config: store.readConfig(entry.id) };
}

/** Every container, state synced, with its configuration (undefined when it cannot be read). */
export async function allContainerStates(store = new ContainerStore()): Promise<Array<{ entry: ContainerEntry; config: ContainerConfig | undefined }>> {
  const list = await syncAll(store);
  return list.map((entry) => { let config: ContainerConfig | undefined; try { config = store.readConfig(entry.id); } catch { config = undefined; } return { entry, config }; });
}

export interface LogEntriesOptions { since?: Date | undefined; until?: Date | undefined; tail?: number | undefined }

function logPathOf(input: string): string {
  const { config } = containerState(input);
  if (!config.logPath) throw new Error(`container ${config.name} keeps no log`);
  return config.logPath;
}

/**
 * The entries of a container's log (k8s-file), filtered, and the byte offset after the last line
 * read: where {@link followLogEntries} goes on, so that no line written in between is lost.
 */
export async function logEntries(input: string, o: LogEntriesOptions = {}): Promise<{ entries: LogEntry[]; offset: number }> {
  const { readK8sLogAt } = await import('../../runtime/k8s-log.js');
  return readK8sLogAt(logPathOf(input), o);
}

/** Follow a container's log from a byte offset until it stops running or `signal` aborts. */
export async function followLogEntries(input: string, o: { offset: number; onEntry: (e: LogEntry) => void; signal: AbortSignal }): Promise<void> {
  const { followK8sLog } = await import('../../runtime/k8s-log.js');
  const { entry } = containerState(input);
  await followK8sLog(logPathOf(input), { offset: o.offset, isDone: () => !isRunning(entry.id), onEntry: o.onEntry, pollMs: 50, signal: o.signal });
}

export interface AttachSession {
  write(data: Buffer): Promise<void>;
  endInput(): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

/** Connect to a container's attach socket (conmon); output goes to `onOutput`. */
export async function connectAttachSession(input: string, onOutput: (c: OutputChunk) => void): Promise<AttachSession> {
  const store = new ContainerStore();
  const rt = await import('../../runtime/attach-socket.js');
  return rt.connectAttach(store.userdata(store.resolve(input).id), onOutput);
}

/** Resize a running container's terminal. */
export async function resizeTerminal(input: string, rows: number, cols: number): Promise<void> {
  const store = new ContainerStore();
  const rt = await import('../../runtime/attach-socket.js');
  rt.sendResize(store.userdata(store.resolve(input).id), rows, cols);
}

/** A scanner for a detach key sequence (default ctrl-p,ctrl-q) in an input stream. */
export async function detachScanner(keys: string | undefined): Promise<{ push(b: Buffer): { data: Buffer; detached: boolean } }> {
  const rt = await import('../../runtime/attach-socket.js');
  return new rt.DetachScanner(rt.parseDetachKeys(keys ?? rt.DEFAULT_DETACH_KEYS));
}

export interface ExecProcessOptions { command: string[]; env?: string[] | undefined; user?: string | undefined; workdir?: string | undefined; tty: boolean; privileged?: boolean | undefined; stdin: boolean }
export interface ExecProcess { child: cp.ChildProcess; exit: Promise<number>; pid: number }

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Start a process in a running container (as `exec` does), its stdio pipes left to the caller. */
export async function spawnExecProcess(input: string, o: ExecProcessOptions): Promise<ExecProcess> {
  const ex = await prepareExec(input, { command: o.command, tty: o.tty, env: o.env, user: o.user || undefined, workdir: o.workdir || undefined, privileged: o.privileged });
  const args = ['--root', ex.runc.root, 'exec', '--process', ex.processFile, ...(o.tty ? ['--tty'] : []), ex.id];
  // with a TTY, runc needs a terminal of its own on its stdio: `script` gives it one (util-linux)
  const child = o.tty
    ? childProcess().spawn('script', ['-q', '-e', '-c', [ex.runc.path, ...args].map(shq).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } })
    : childProcess().spawn(ex.runc.path, args, { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number>((resolve) => {
    child.once('error', () => { ex.dispose(); resolve(126); });
    child.once('close', (code, sig) => { ex.dispose(); resolve(code ?? (sig ? 128 + 9 : 1)); });
  });
  return { child, exit, pid: child.pid ?? 0 };
}
