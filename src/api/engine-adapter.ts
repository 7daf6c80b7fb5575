// The API service's ONE door into the engine. Everything the API needs from
// src/engine (and, where the engine lacks a streaming entry point, from its
// parts) is imported here, so the whole service re-points to
// src/engine/index.ts in one place. The pieces marked ENGINE-GAP are minimal
// stand-ins for what the engine should offer itself (see the report/README).
import * as cp from 'node:child_process';
import type { Readable } from 'node:stream';
import * as containers from '../engine/container/index.js';
import * as images from '../engine/images.js';
import * as networks from '../engine/networks.js';
import * as volumes from '../engine/volumes.js';
import * as system from '../engine/system.js';
import { ContainerStore } from '../container/store.js';
import { NotFoundError, TspodError } from '../util/errors.js';
import type { CreateOptions } from '../container/options.js';
import type { ContainerConfig, ContainerEntry } from '../container/types.js';
import type { PullEvent } from '../engine/pull.js';
import type { LogEntry } from '../runtime/k8s-log.js';
import type { OutputChunk } from '../runtime/attach-socket.js';

export type { CreateOptions, ContainerConfig, ContainerEntry, PullEvent, LogEntry, OutputChunk };
export type { StatsReport } from '../engine/index.js';
export { containers, images, networks, volumes, system };
/** The engine's public API (src/engine/index.ts). */
export * as engine from '../engine/index.js';
export { TspodError, NotFoundError };
export { readEvents, watchEvents, type TspodEvent } from '../engine/events.js';

export const TSPOD_VERSION = system.TSPOD_VERSION;

/** A container's entry (state synced from the runtime) and its configuration; NotFoundError when there is none. */
export function containerState(nameOrId: string): { entry: ContainerEntry; config: ContainerConfig } {
  const store = new ContainerStore();
  const entry = containers.syncedState(store.resolve(nameOrId));
  return { entry, config: store.readConfig(entry.id) };
}

/** Every container, state synced, with its configuration (for Docker's list shape). */
export async function allContainers(): Promise<Array<{ entry: ContainerEntry; config: ContainerConfig | undefined }>> {
  const store = new ContainerStore();
  const list = await containers.syncAll(store);
  return list.map((entry) => { let config: ContainerConfig | undefined; try { config = store.readConfig(entry.id); } catch { config = undefined; } return { entry, config }; });
}

export function bundleOf(id: string): string { return new ContainerStore().userdata(id); }

// ---------------------------------------------------------------- logs

export async function readLogs(logPath: string, o: { since?: Date | undefined; until?: Date | undefined; tail?: number | undefined }): Promise<LogEntry[]> {
  const { readK8sLog } = await import('../runtime/k8s-log.js');
  return readK8sLog(logPath, o);
}

export async function followLogs(id: string, logPath: string, offset: number, onEntry: (e: LogEntry) => void, signal: AbortSignal): Promise<void> {
  const { followK8sLog } = await import('../runtime/k8s-log.js');
  await followK8sLog(logPath, { offset, isDone: () => !containers.isRunning(id), onEntry, pollMs: 50, signal });
}

// ---------------------------------------------------------------- attach (ENGINE-GAP)
// engine/attach.ts drives a terminal and process signals; the API needs the
// same conmon connection with its own streams, and several attachers at once
// connected before `runc start`.

export interface AttachSession {
  write(data: Buffer): Promise<void>;
  endInput(): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

export async function connectAttach(id: string, onOutput: (c: OutputChunk) => void): Promise<AttachSession> {
  const rt = await import('../runtime/attach-socket.js');
  return rt.connectAttach(bundleOf(id), onOutput);
}

export async function resizeTty(id: string, rows: number, cols: number): Promise<void> {
  const rt = await import('../runtime/attach-socket.js');
  rt.sendResize(bundleOf(id), rows, cols);
}

export async function detachScanner(keys: string | undefined): Promise<{ push(b: Buffer): { data: Buffer; detached: boolean } }> {
  const rt = await import('../runtime/attach-socket.js');
  return new rt.DetachScanner(rt.parseDetachKeys(keys ?? rt.DEFAULT_DETACH_KEYS));
}

// ---------------------------------------------------------------- exec
// The process spec comes from the engine (prepareExec, as the CLI's exec); the API keeps
// the runc process itself, for its hijacked streams, resize and inspect.

export interface ExecSpec { cmd: string[]; env?: string[] | undefined; user?: string | undefined; workdir?: string | undefined; tty: boolean; privileged?: boolean | undefined; stdin: boolean }

export interface ExecProcess { child: cp.ChildProcess; exit: Promise<number>; pid: number }

export async function spawnExec(containerId: string, o: ExecSpec): Promise<ExecProcess> {
  const { prepareExec } = await import('../engine/container/exec.js');
  const ex = await prepareExec(containerId, { command: o.cmd, tty: o.tty, env: o.env, user: o.user || undefined, workdir: o.workdir || undefined, privileged: o.privileged });
  const args = ['--root', ex.runc.root, 'exec', '--process', ex.processFile, ...(o.tty ? ['--tty'] : []), ex.id];
  // with a TTY, runc needs a terminal of its own on its stdio: `script` gives it one (util-linux)
  const child = o.tty
    ? cp.spawn('script', ['-q', '-e', '-c', [ex.runc.path, ...args].map(shq).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } })
    : cp.spawn(ex.runc.path, args, { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number>((resolve) => {
    child.once('error', () => { ex.dispose(); resolve(126); });
    child.once('close', (code, sig) => { ex.dispose(); resolve(code ?? (sig ? 128 + 9 : 1)); });
  });
  return { child, exit, pid: child.pid ?? 0 };
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// ---------------------------------------------------------------- images

export async function pull(reference: string, onEvent: (e: PullEvent) => void, o: { tlsVerify?: boolean | undefined; creds?: string | undefined } = {}) {
  const { pullImage } = await import('../engine/pull.js');
  return pullImage({ reference, policy: 'always', onEvent, tlsVerify: o.tlsVerify, creds: o.creds });
}

export async function push(source: string, destination: string | undefined, onEvent: (e: unknown) => void, o: { creds?: string | undefined } = {}) {
  const { pushImage } = await import('../engine/push.js');
  return pushImage({ source, destination, onEvent: onEvent as never, creds: o.creds });
}

export function readBodyStream(r: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => { const c: Buffer[] = []; r.on('data', (b: Buffer) => c.push(b)); r.on('end', () => resolve(Buffer.concat(c))); r.on('error', reject); });
}
