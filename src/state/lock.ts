// Cross-process locks for tspod's state.
//
// Why not a lock file: Node has no flock(2), and file-based locks (proper-lockfile
// and friends) detect a dead holder by mtime, so after `kill -9` the next command
// waits for the stale timeout and a long pause of a live holder can break
// exclusivity. Instead a lock is an abstract-namespace Unix socket bound by the
// holder: bind(2) is exclusive, and the kernel releases it the instant the holder
// dies, however it dies. Nothing is written to disk. The name includes the host
// uid and the state root, so users and stores do not contend with each other.
// All tspod processes of a user run in the host network namespace (the rootless
// user namespace does not unshare the network), so they share the name space.
// The name is a hash of the uid and key (src/util/hash.ts), not sha256: it needs no secrecy, only
// two keys never sharing a name.
//
// The socket is bound with node's own pipe binding (the handle a net.Server listens on): bind(2)
// and nothing else, synchronously, ~0.1 ms. A net.Server's listen() loads node:net, node:stream,
// node:cluster and node:child_process first (~4 ms of every create, rm or volume create that
// spawns nothing). process.binding('pipe_wrap') is on node's public allow-list, deprecated only
// under --pending-deprecation: then, or when it is missing, net.Server does the same.
import type * as Net from 'node:net';
import { TspodError, isErrno } from '../util/errors.js';
import { hostUid } from '../util/paths.js';
import { hash106 } from '../util/hash.js';

export interface Lock { release(): Promise<void> }

/** The abstract socket name of a lock: a hash of the uid and key. */
export function socketName(key: string): string {
  return `\0tspod-lock-${hash106(`${hostUid()}\0${key}`)}`;
}

/** A bound socket: closing it releases the lock. */
interface Bound { close(done: () => void): void }

interface PipeHandle { bind(name: string): number; close(cb?: () => void): void }
type PipeBinding = { Pipe: new (type: number) => PipeHandle; constants: { SERVER: number } };

let pipeBinding: PipeBinding | null | undefined;
function pipeWrap(): PipeBinding | null {
  if (pipeBinding !== undefined) return pipeBinding;
  const pending = process.execArgv.includes('--pending-deprecation') || process.env['NODE_PENDING_DEPRECATION'] === '1'
    || (process.env['NODE_OPTIONS'] ?? '').includes('--pending-deprecation');
  try {
    pipeBinding = pending ? null : (process as unknown as { binding(name: string): PipeBinding }).binding('pipe_wrap');
  } catch { pipeBinding = null; }
  return pipeBinding;
}

// a bound handle that nothing references could be collected, and its socket closed with it
const held = new Set<Bound>();

async function tryBind(name: string): Promise<Bound | undefined> {
  const pw = pipeWrap();
  if (pw) {
    const handle = new pw.Pipe(pw.constants.SERVER);
    const err = handle.bind(name);
    if (err === 0) {
      const bound: Bound = { close: (done) => { held.delete(bound); handle.close(done); } };
      held.add(bound);
      return bound;
    }
    handle.close();
    if (err === -(await import('node:os')).constants.errno.EADDRINUSE) return undefined;
    throw new TspodError(`cannot bind the lock socket: error ${err}`, 'ELOCK');
  }
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server: Net.Server = net.createServer();
    server.once('error', (err) => {
      if (isErrno(err, 'EADDRINUSE')) resolve(undefined);
      else reject(err);
    });
    server.listen(name, () => { server.unref(); resolve({ close: (done) => server.close(() => done()) }); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Acquire the named lock, waiting up to timeoutMs. */
export async function acquireLock(key: string, timeoutMs = 120_000): Promise<Lock> {
  const name = socketName(key);
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    const bound = await tryBind(name);
    if (bound) {
      let released = false;
      return {
        release: () => new Promise<void>((resolve) => {
          if (released) return resolve();
          released = true;
          bound.close(() => resolve());
        }),
      };
    }
    if (Date.now() > deadline) throw new TspodError(`timed out waiting for lock "${key}" held by another tspod process`, 'ELOCKTIMEOUT');
    await sleep(delay);
    delay = Math.min(delay * 2, 25);
  }
}

/** Non-blocking: undefined when another process holds it. */
export async function tryLock(key: string): Promise<Lock | undefined> {
  const bound = await tryBind(socketName(key));
  if (!bound) return undefined;
  return { release: () => new Promise<void>((r) => bound.close(() => r())) };
}

/** Run fn while holding the named lock. */
export async function withLock<T>(key: string, fn: () => Promise<T> | T, timeoutMs?: number): Promise<T> {
  const lock = await acquireLock(key, timeoutMs);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
