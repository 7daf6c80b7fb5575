// Run: create + start (+ attach or follow until exit), as `tspod run` does it;
// and following a container's output until it exits.
import * as fs from 'node:fs';
import { ContainerStore } from '../../container/store.js';
import { log } from '../../util/log.js';
import { EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND, EXIT_TSPOD, TspodError, errorMessage } from '../../util/errors.js';
import { sleep } from './common.js';
import { stdoutSink, stderrSink, type TextSink } from '../../util/stdio.js';
import { cleanupContainer } from './cleanup.js';
import { CleanupClaim } from './cleanup-claim.js';
import { isRunning } from './exec.js';
import { exitsDir, readExit } from './state.js';
import { createContainer, type CreateReport } from './create.js';
import { startContainer } from './start.js';
import { removeContainers } from './remove.js';
import type { CreateOptions } from '../../container/options.js';
import type { AttachIO } from '../attach.js';
import type { PullEvent } from '../pull.js';

/** Where a foreground container's output goes. */
export interface RunIO { stdout: TextSink; stderr: TextSink }

/** Options of {@link runContainer}: everything `create` takes, and how to run it. */
export interface RunOptions extends CreateOptions {
  /** Start and return at once (`run -d`); otherwise wait for the exit. */
  detach?: boolean | undefined;
  /**
   * Streams for a foreground run. With `interactive`/`tty` they are attached through
   * conmon's attach socket (stdin forwarded, a terminal put in raw mode); otherwise
   * the output is followed from the log. Default: the process's own stdio.
   */
  io?: AttachIO | undefined;
  /** Pass this process's fds 3..3+N-1 to the container process (`run --preserve-fds N`). */
  preserveFds?: number | undefined;
  /** Pull progress (see pullImage). */
  onPull?: ((e: PullEvent) => void) | undefined;
  /** Called once the container exists, before it starts (e.g. to stop a progress display). */
  onCreated?: ((rep: CreateReport) => void) | undefined;
  /** Called once a foreground container is started (or about to be, when attached through conmon). */
  onStarted?: ((id: string) => void) | undefined;
}

/** What {@link runContainer} did. */
export interface RunReport {
  id: string;
  name: string;
  warnings: string[];
  /** The container's exit code (foreground), or 0 once started (detach). */
  exitCode: number;
}

/**
 * Create and start a container. Detached, it returns once the container runs (and,
 * under a Type=notify unit, systemd knows); in the foreground, once it exited and
 * was cleaned up (so `rm` is done), with its exit code. A failed start of a `--rm`
 * container removes it.
 */
export async function runContainer(o: RunOptions): Promise<RunReport> {
  // --rmi implies --rm (as Podman)
  if (o.rmi) o = { ...o, rm: true };
  // checked before anything exists: bad detach keys are the caller's error (125), not a failed start
  if (o.detachKeys !== undefined && o.detachKeys !== '') (await import('../../runtime/attach-socket.js')).parseDetachKeys(o.detachKeys);
  const rep = await createContainer(o, o.onPull);
  o.onCreated?.(rep);
  // -i/-t: attach first, then `runc start` (attachContainer's start option), so no output is lost;
  // so too without a log to follow (--log-driver none); passthrough: the container has our stdio
  const attach = !o.detach && (o.interactive || o.tty || o.logDriver === 'none');
  let exitCode = 0;
  let claim: CleanupClaim | undefined;
  try {
    claim = o.detach ? undefined : claimForeground(rep.id, new ContainerStore().readConfig(rep.id).restart.name);
    if (attach) {
      const { attachContainer } = await import('../attach.js');
      o.onStarted?.(rep.id);
      exitCode = await attachContainer(rep.id, { stdin: !!o.interactive, tty: !!o.tty, detachKeys: o.detachKeys, waitExit: true, start: true, io: o.io, preserveFds: o.preserveFds, cleanup: claim });
      return { ...rep, exitCode };
    }
    const started = await startContainer(rep.id, undefined, { preserveFds: o.preserveFds });
    // under a Type=notify unit, -d returns once systemd knows the container is up
    if (o.detach) { await started.notified; return { ...rep, exitCode: 0 }; }
    claim?.watch(started.conmonPid);
    o.onStarted?.(rep.id);
  } catch (err) {
    claim?.drop();
    if (o.rm) await removeContainers([rep.id], { force: true }).catch(() => undefined);
    throw startFailure(err);
  }
  exitCode = await followUntilExit(rep.id, o.io ?? { stdout: stdoutSink, stderr: stderrSink }, 0, claim);
  return { ...rep, exitCode };
}

/**
 * A container that was created but could not start makes `run` exit 126, or 127 when
 * something was not found (as Podman); an error with its own code (126, 127) keeps it.
 */
function startFailure(err: unknown): unknown {
  const code = (err as { exitCode?: unknown } | undefined)?.exitCode;
  if (code !== undefined && code !== EXIT_TSPOD) return err;
  // the container started: what went wrong after (it died before telling systemd it was ready) is tspod's 125
  if (err instanceof TspodError && err.code === 'ENOTIFY') return err;
  const msg = errorMessage(err);
  return new TspodError(msg, err instanceof TspodError ? err.code : 'ESTART', /not found|no such file/i.test(msg) ? EXIT_NOT_FOUND : EXIT_CANNOT_INVOKE);
}

/** Options of {@link startAttached}. */
export interface StartAttachedOptions {
  /** Forward stdin (the container must have been created with -i). */
  interactive?: boolean | undefined;
  detachKeys?: string | undefined;
  io?: AttachIO | undefined;
}

/**
 * `start -a`: start a container and stay with it until it exits; resolves to its exit
 * code. With -i or a terminal it is attached through conmon before `runc start` (no
 * output lost); otherwise its output is followed from the log, from where this run
 * begins.
 */
export async function startAttached(input: string, o: StartAttachedOptions = {}): Promise<number> {
  const store = new ContainerStore();
  const e = store.resolve(input);
  const cfg = store.readConfig(e.id);
  if (o.interactive || cfg.tty || cfg.logDriver === 'none') {
    const { attachContainer } = await import('../attach.js');
    return attachContainer(e.id, { stdin: !!o.interactive, tty: false, detachKeys: o.detachKeys, waitExit: true, start: true, io: o.io, cleanup: claimForeground(e.id, cfg.restart.name) });
  }
  let offset = 0;
  try { offset = fs.statSync(cfg.logPath).size; } catch { /* no log yet */ }
  const claim = claimForeground(e.id, cfg.restart.name);
  let r;
  try { r = await startContainer(e.id); } catch (err) { claim?.drop(); throw err; }
  claim?.watch(r.conmonPid);
  return followUntilExit(r.id, o.io ?? { stdout: stdoutSink, stderr: stderrSink }, offset, claim);
}

/**
 * A foreground container without a restart policy is cleaned up by the process that waits for it
 * (followUntilExit), not by conmon's exit command (cleanup-claim.ts): claimed before it starts.
 */
function claimForeground(id: string, restartPolicy: string): CleanupClaim | undefined {
  return restartPolicy === 'no' ? CleanupClaim.take(id) : undefined;
}

/**
 * Stream the container's output (from its log, as conmon writes it) until it
 * exits; return its exit code. Waits for conmon's cleanup, so `--rm` is done
 * when this returns.
 */
export async function followUntilExit(id: string, io: RunIO, fromOffset = 0, claim?: CleanupClaim): Promise<number> {
  try {
    return await followAndClean(id, io, fromOffset, claim);
  } finally {
    // conmon gone (its exit command saw the claim and ended), or at once when nothing was claimed
    await claim?.release();
  }
}

async function followAndClean(id: string, io: RunIO, fromOffset: number, claim: CleanupClaim | undefined): Promise<number> {
  const store = new ContainerStore();
  const cfg = store.readConfig(id);
  const { followK8sLog } = await import('../../runtime/k8s-log.js');
  let exited = false;
  const check = () => { if (!exited) exited = !!readExit(id) || !isRunning(id); return exited; };
  if (cfg.logPath) {
    await followK8sLog(cfg.logPath, {
      offset: fromOffset,
      isDone: check,
      pollMs: 10,
      watch: [exitsDir()],
      onEntry: (e) => { (e.stream === 'stderr' ? io.stderr : io.stdout).write(e.text); },
    });
  } else {
    while (!check()) await sleep(20);
  }
  const ex = readExit(id);
  const entry = store.list().find((c) => c.id === id);
  const code = ex?.code ?? entry?.exitCode ?? 0;
  // Without a restart policy, clean up here rather than wait for conmon's exit command
  // (a whole new tspod process): with the claim, the exit command does nothing.
  if (cfg.restart.name === 'no' && (ex || claim)) {
    await cleanupContainer(id).catch((err) => log.debug(`cleanup ${id}: ${errorMessage(err)}`));
    return code;
  }
  // let conmon's exit command finish (unmount, --rm, restart policy)
  const deadline = Date.now() + 10_000;
  for (;;) {
    const e = store.list().find((c) => c.id === id);
    if (!e || (!e.mounted && e.state !== 'running' && e.state !== 'stopping')) break;
    if (e.restartCount > (entry?.restartCount ?? 0) && e.state === 'running') break;
    if (Date.now() > deadline) { await cleanupContainer(id).catch(() => undefined); break; }
    await sleep(10);
  }
  return code;
}

