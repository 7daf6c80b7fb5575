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
// node:net loads on the first lock: read-only commands (images, ps) never take one. The name is a
// hash of the uid and key (src/util/hash.ts), not sha256: it needs no secrecy, only two keys never
// sharing a name.
import type * as Net from 'node:net';
import { TspodError, isErrno } from '../util/errors.js';
import { hostUid } from '../util/paths.js';
import { hash106 } from '../util/hash.js';

export interface Lock { release(): Promise<void> }

/** The abstract socket name of a lock: a hash of the uid and key. */
export function socketName(key: string): string {
  return `\0tspod-lock-${hash106(`${hostUid()}\0${key}`)}`;
}

async function tryBind(name: string): Promise<Net.Server | undefined> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) => {
      if (isErrno(err, 'EADDRINUSE')) resolve(undefined);
      else reject(err);
    });
    server.listen(name, () => { server.unref(); resolve(server); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Acquire the named lock, waiting up to timeoutMs. */
export async function acquireLock(key: string, timeoutMs = 120_000): Promise<Lock> {
  const name = socketName(key);
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    const server = await tryBind(name);
    if (server) {
      let released = false;
      return {
        release: () => new Promise<void>((resolve) => {
          if (released) return resolve();
          released = true;
          server.close(() => resolve());
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
  const server = await tryBind(socketName(key));
  if (!server) return undefined;
  return { release: () => new Promise<void>((r) => server.close(() => r())) };
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
