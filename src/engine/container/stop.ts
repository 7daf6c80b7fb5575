// Stop, kill, pause/unpause.
import { ContainerStore } from '../../container/store.js';
import { can, type ContainerEntry } from '../../container/types.js';
import { checkSignal } from '../../container/options.js';
import { withLock } from '../../state/lock.js';
import { isRootless } from '../../util/paths.js';
import { log } from '../../util/log.js';
import { ConflictError, NotFoundError, TspodError, errorMessage } from '../../util/errors.js';
import { sleep, runtime, ctrLockKey } from './common.js';
import { afterCleanup, cleanupContainer, cleanupLocked, type CleanupOutcome } from './cleanup.js';
import { CleanupClaim } from './cleanup-claim.js';
import { removeContainers } from './remove.js';
import { conmonAlive, exitsDir, listContainers, readExit, syncAll, syncedState } from './state.js';
import { watchForWrites } from '../../util/wake.js';
import { containerEvent } from '../events.js';

export interface StopReport { input: string; id: string; error?: TspodError }

async function waitExited(id: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const store = new ContainerStore();
  // conmon writes the exit file as the container ends: woken by that
  const written = watchForWrites(exitsDir());
  try {
    for (let d = 2; ; d = Math.min(d * 2, 50)) {
      if (readExit(id)) return true;
      const e = store.list().find((c) => c.id === id);
      if (!e || !conmonAlive(e)) return true;
      if (Date.now() >= deadline) return false;
      await written.sleep(d);
    }
  } finally {
    written.close();
  }
}

export async function stopOne(store: ContainerStore, e: ContainerEntry, timeoutSec: number | undefined): Promise<void> {
  // this process cleans up once the container is gone (not conmon's exit command: a whole tspod
  // start-up), and claims that before its signal can end the container
  const claim = CleanupClaim.take(e.id);
  let outcome: CleanupOutcome | undefined;
  try {
    outcome = await withLock(ctrLockKey(e.id), async () => {
      const cur = syncedState(store.resolve(e.id));
      if (!can.stop(cur.state)) {
        // already stopped: like Podman, not an error. But it may be between two runs of a
        // restart policy (exited, its cleanup about to restart it): the user's stop wins.
        if (cur.state === 'exited' && !cur.stoppedByUser) await store.patch(cur.id, (x) => { x.stoppedByUser = true; });
        // it may have exited just now, its exit command seeing our claim: the cleanup is ours
        claim.watch(cur.conmonPid);
        return cleanupLocked(store, cur.id);
      }
      claim.watch(cur.conmonPid);
      const cfg = store.readConfig(cur.id);
      const rt = await runtime();
      await store.patch(cur.id, (x) => { x.stoppedByUser = true; x.state = 'stopping'; });
      const t = timeoutSec ?? cfg.stopTimeout;
      if (cur.state === 'paused') { try { await rt.resumeContainer(cur.id); } catch { /* ignore */ } }
      let exited = false;
      if (t > 0) {
        try { await rt.killContainer(cur.id, cfg.stopSignal); } catch (err) { log.debug(`kill ${cfg.stopSignal}: ${errorMessage(err)}`); }
        exited = await waitExited(cur.id, t * 1000);
        if (!exited) log.warn(`StopSignal ${cfg.stopSignal} failed to stop container ${cfg.name} in ${t} seconds, resorting to SIGKILL`);
      }
      if (!exited) {
        // rootless cgroups v1: runc kill --all cannot find the processes, so signal init (pid namespace dies with it)
        try { await rt.killContainer(cur.id, 'SIGKILL'); } catch (err) {
          log.debug(`runc kill KILL: ${errorMessage(err)}`);
          if (cur.pid > 0) { try { process.kill(cur.pid, 'SIGKILL'); } catch { /* gone */ } }
        }
        exited = await waitExited(cur.id, 10_000);
      }
      return exited ? cleanupLocked(store, cur.id) : undefined;
    });
  } catch (err) {
    claim.drop();
    throw err;
  }
  if (outcome === undefined) {
    // it would not die: conmon's exit command cleans up if it ever does; wait for that a little,
    // so that no process of it runs behind the caller (a systemd unit's stop would kill it half-way)
    claim.drop();
    await waitCleanedUp(store, e.id, 5000);
    return;
  }
  try {
    await afterCleanup(store, e, outcome);
  } finally {
    await claim.release();
  }
}

export async function waitCleanedUp(store: ContainerStore, id: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const e = store.list().find((c) => c.id === id);
    if (!e) return;
    // a --rm container: wait until it is removed, not only unmounted. `stop` returning while
    // conmon's exit command is half-way through the removal would let a systemd unit's stop kill
    // that process (systemd signals what is left in the unit once ExecStop= is done)
    if (!e.autoRemove && (e.state === 'exited' || e.state === 'created' || e.state === 'removing') && !e.mounted) return;
    if (Date.now() > deadline) {
      // conmon's exit command did not run (conmon killed?): clean up ourselves
      await cleanupContainer(id).catch((err) => log.debug(`cleanup: ${errorMessage(err)}`));
      if (e.autoRemove) await removeContainers([id], { force: true, ignore: true });
      return;
    }
    await sleep(10);
  }
}

export async function stopContainers(inputs: string[], opts: { timeout?: number | undefined; all?: boolean; ignore?: boolean } = {}): Promise<StopReport[]> {
  const store = new ContainerStore();
  const list = await syncAll(store);
  const targets = opts.all ? list.filter((c) => can.stop(c.state)).map((c) => c.id) : inputs;
  return Promise.all(targets.map(async (input) => {
    try {
      const e = store.resolve(input, list);
      await stopOne(store, e, opts.timeout);
      containerEvent('stop', { id: e.id, name: e.names[0], image: e.imageName, labels: e.labels });
      return { input, id: e.id };
    } catch (err) {
      if (opts.ignore && err instanceof NotFoundError) return { input, id: '' };
      return { input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) };
    }
  }));
}

export async function killContainers(inputs: string[], opts: { signal?: string | undefined; all?: boolean } = {}): Promise<StopReport[]> {
  const store = new ContainerStore();
  const sig = checkSignal(opts.signal ?? 'SIGKILL', 'signal') ?? 'SIGKILL';
  const list = await syncAll(store);
  const targets = opts.all ? list.filter((c) => can.kill(c.state)).map((c) => c.id) : inputs;
  const rt = await runtime();
  const out: StopReport[] = [];
  for (const input of targets) {
    try {
      const e = syncedState(store.resolve(input, list));
      if (!can.kill(e.state)) throw new ConflictError(`can only kill running containers. ${e.id.slice(0, 12)} is in state ${e.state}: container state improper`);
      if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === '9' || sig === '15') await store.patch(e.id, (x) => { x.stoppedByUser = true; });
      await rt.killContainer(e.id, sig);
      containerEvent('kill', { id: e.id, name: e.names[0], image: e.imageName, labels: e.labels }, { attributes: { ...e.labels, signal: sig } });
      out.push({ input, id: e.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

/** Stop (if running) then start each container; one report per target. */
export async function restartContainers(inputs: string[], opts: { timeout?: number | undefined; all?: boolean | undefined; running?: boolean | undefined } = {}): Promise<StopReport[]> {
  const targets = opts.all || opts.running ? (await listContainers({ all: !opts.running })).map((r) => r.Id) : inputs;
  const out: StopReport[] = [];
  for (const input of targets) {
    try {
      const [s] = await stopContainers([input], { timeout: opts.timeout });
      if (s?.error) throw s.error;
      const r = await (await import('./start.js')).startContainer(input);
      await r.notified;
      containerEvent('restart', { id: r.id, name: r.name });
      out.push({ input, id: r.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

export async function pauseContainers(inputs: string[], pause: boolean): Promise<StopReport[]> {
  const store = new ContainerStore();
  const rt = await runtime();
  const out: StopReport[] = [];
  for (const input of inputs) {
    try {
      const e = syncedState(store.resolve(input));
      await withLock(ctrLockKey(e.id), async () => {
        if (pause && !can.pause(e.state)) throw new ConflictError(`"${e.names[0]}" is not running, can't pause: container state improper`);
        if (!pause && !can.unpause(e.state)) throw new ConflictError(`"${e.names[0]}" is not paused, can't unpause: container state improper`);
        if (isRootless()) throw new TspodError('pause is not supported for rootless containers on cgroups v1: the freezer cgroup is not delegated to unprivileged users', 'ENOTSUP');
        if (pause) await rt.pauseContainer(e.id); else await rt.resumeContainer(e.id);
        await store.patch(e.id, (x) => { x.state = pause ? 'paused' : 'running'; });
      });
      containerEvent(pause ? 'pause' : 'unpause', { id: e.id, name: e.names[0], image: e.imageName, labels: e.labels });
      out.push({ input, id: e.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

