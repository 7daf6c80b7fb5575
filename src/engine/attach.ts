// Attaching to a container's stdio through conmon's attach socket
// (SOCK_SEQPACKET, see src/runtime/attach-socket.ts): `run -it`, `run -i`,
// `start -ai`, `attach`.
//
// - Output: every packet from conmon goes to our stdout/stderr as it comes.
// - Input (only when asked for and the container was created with -i): our
//   stdin, watched for the detach keys, goes to the socket. On EOF of a piped
//   stdin we shut down our write side and conmon closes the container's stdin.
// - Terminal (container created with -t): our terminal goes raw while attached,
//   so ctrl-c and friends reach the container as bytes; its size is sent through
//   conmon's ctl fifo on attach and on every SIGWINCH; it is restored on the way
//   out, whatever the way out is.
// - The detach keys (default ctrl-p,ctrl-q) end the session and leave the
//   container running; we then return 0 without printing anything.
// - Otherwise the session ends when conmon closes the socket (the container
//   exited); with waitExit we return the container's exit code once it is
//   cleaned up (--rm, unmount): by this process when the caller claimed the
//   cleanup (cleanup-claim.ts), else by conmon's exit command.
// - With `start`, we connect before `runc start` (startContainer's beforeStart
//   hook), as Podman does, so not a byte of early output is lost.
import * as fs from 'node:fs';
import { ContainerStore } from '../container/store.js';
import { ConflictError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import type { AttachConnection, OutputChunk } from '../runtime/attach-socket.js';
import { containerEvent } from './events.js';
import type { CleanupClaim } from './container/cleanup-claim.js';

export interface AttachIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
}

export interface AttachOptions {
  /** Forward our stdin (only honoured when the container was created with -i). */
  stdin: boolean;
  /** Informational: whether a terminal is used is decided by the container's own config (-t at create). */
  tty: boolean;
  /** Detach key sequence; default: the container's (--detach-keys at create), else ctrl-p,ctrl-q. "" disables. */
  detachKeys?: string | undefined;
  /** Return the container's exit code after it exited (else 0 once the stream ends). */
  waitExit: boolean;
  /** Forward signals tspod receives (SIGINT, SIGTERM, ...) to the container. Default true. */
  sigProxy?: boolean | undefined;
  /** Start the container, connecting before `runc start` so no output is lost (run -it, start -ai). */
  start?: boolean | undefined;
  /** With `start`: pass this process's fds 3..3+N-1 to the container process (run --preserve-fds). */
  preserveFds?: number | undefined;
  /**
   * Refuse a container that is not running (tspod attach). Otherwise a caller that
   * started the container itself and found it already exited gets its logged
   * output and exit code instead of an error.
   */
  mustBeRunning?: boolean | undefined;
  /** Streams to use instead of the process's own (library callers, the API). */
  io?: AttachIO | undefined;
  /** Aborting detaches (as the detach keys do): the container keeps running. */
  signal?: AbortSignal | undefined;
  /**
   * With `start` and `waitExit`: the caller claimed the container's cleanup (run -it, start -ai of
   * a container without a restart policy), so this process cleans up once it exited instead of
   * conmon's exit command starting tspod again. Given back when the session detaches or fails.
   */
  cleanup?: CleanupClaim | undefined;
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export async function attachContainer(id: string, o: AttachOptions): Promise<number> {
  try {
    return await attachSession(id, o);
  } finally {
    // released (after the cleanup) by followUntilExit, else given back to conmon's exit command
    o.cleanup?.drop();
  }
}

async function attachSession(id: string, o: AttachOptions): Promise<number> {
  const rt = await import('../runtime/attach-socket.js');
  const store = new ContainerStore();
  const entry = store.resolve(id);
  const cfg = store.readConfig(entry.id);
  containerEvent('attach', { id: entry.id, name: cfg.name, image: cfg.imageName, labels: cfg.labels });
  const bundle = store.userdata(entry.id);
  const io: AttachIO = o.io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const tty = cfg.tty;
  const forwardStdin = o.stdin && cfg.stdin;
  // validate the keys before anything is started
  const keys = rt.parseDetachKeys(o.detachKeys ?? cfg.detachKeys ?? rt.DEFAULT_DETACH_KEYS);

  const onOutput = (c: OutputChunk) => { (c.stream === 'stderr' ? io.stderr : io.stdout).write(c.data); };
  const sizeFrom = io.stdout.isTTY ? io.stdout : io.stderr.isTTY ? io.stderr : undefined;
  const sendSize = () => {
    if (tty && sizeFrom?.rows && sizeFrom.columns) rt.sendResize(bundle, sizeFrom.rows, sizeFrom.columns);
  };

  const engine = await import('./container/index.js');
  const sigProxy = o.sigProxy ?? true;
  const resizeSource = tty ? sizeFrom : undefined;
  let conn: AttachConnection | undefined;
  let raw = false;
  let detached = false;
  let live = false; // the container runs: signals can be proxied
  const queuedSignals: NodeJS.Signals[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  let onData: ((b: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;

  const restoreTerminal = () => {
    if (raw) { try { io.stdin.setRawMode?.(false); } catch { /* terminal gone */ } raw = false; }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (!live) { queuedSignals.push(sig); return; }
    engine.killContainers([entry.id], { signal: sig }).catch(() => undefined);
  };

  // Everything is wired up as soon as the socket is connected, before `runc start`:
  // the terminal is raw and the signals are ours before the container can print or read.
  const connect = async () => {
    const c = await rt.connectAttach(bundle, onOutput);
    conn = c;
    void c.ended.then(() => finish());
    if (sigProxy) for (const s of PROXIED_SIGNALS) process.on(s, onSignal);
    process.on('exit', restoreTerminal);
    resizeSource?.on('resize', sendSize);
    sendSize();
    if (!forwardStdin) return;
    if (tty && io.stdin.isTTY && io.stdin.setRawMode) { io.stdin.setRawMode(true); raw = true; }
    const scanner = new rt.DetachScanner(keys);
    let chain = Promise.resolve();
    onData = (chunk: Buffer) => {
      const { data, detached: d } = scanner.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (data.length) {
        // pace our reader on the socket: conmon stops reading while the container does not
        io.stdin.pause();
        chain = chain.then(() => c.write(data)).then(() => { if (!detached) io.stdin.resume(); });
      }
      if (d) { detached = true; void chain.then(() => finish()); }
    };
    onEnd = () => {
      const rest = scanner.flush();
      chain = chain.then(() => c.write(rest)).then(() => c.endInput());
    };
    io.stdin.on('data', onData);
    io.stdin.on('end', onEnd);
    io.stdin.resume();
  };
  const teardown = () => {
    if (onData) io.stdin.off('data', onData);
    if (onEnd) io.stdin.off('end', onEnd);
    if (forwardStdin) io.stdin.pause();
    restoreTerminal();
    process.off('exit', restoreTerminal);
    resizeSource?.off('resize', sendSize);
    if (sigProxy) for (const s of PROXIED_SIGNALS) process.off(s, onSignal);
    conn?.close();
  };

  try {
    if (o.start) o.cleanup?.watch((await engine.startContainer(entry.id, connect, { preserveFds: o.preserveFds })).conmonPid);
    if (!conn) {
      // attach to a running container (or one `start` found already running)
      const cur = engine.syncedState(store.resolve(entry.id));
      if (cur.state === 'exited' && !o.mustBeRunning && !o.start) {
        teardown();
        return engine.followUntilExit(entry.id, { stdout: io.stdout, stderr: io.stderr });
      }
      if (cur.state !== 'running') throw new ConflictError(`you can only attach to running containers: container ${cfg.name} is ${cur.state}`);
      try {
        await connect();
      } catch (err) {
        // it may have exited in between: then there is nothing to attach to, but an exit code to report
        if (engine.isRunning(entry.id)) throw err;
        log.debug(`attach: ${errorMessage(err)}`);
        teardown();
        return o.waitExit ? engine.waitContainer(entry.id) : 0;
      }
    }
    live = true;
    for (const s of queuedSignals.splice(0)) onSignal(s);
    const onAbort = () => { detached = true; finish(); };
    if (o.signal?.aborted) onAbort(); else o.signal?.addEventListener('abort', onAbort, { once: true });
    await done;
    o.signal?.removeEventListener('abort', onAbort);
  } finally {
    teardown();
  }
  if (detached) return 0;
  if (!o.waitExit) return 0;
  // the stream ended: the container exited (or conmon went away); report its code once cleaned up
  let offset = 0;
  try { if (cfg.logPath) offset = fs.statSync(cfg.logPath).size; } catch { /* no log */ }
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return engine.followUntilExit(entry.id, { stdout: sink, stderr: sink }, offset, o.start ? o.cleanup : undefined);
}
