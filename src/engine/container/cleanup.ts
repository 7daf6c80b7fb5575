// Cleanup: what conmon's exit command (`tspod container cleanup ID`) runs when the
// container exits: record the exit, release the rootfs and network, apply --rm
// and the restart policy.
import * as fs from 'node:fs';
import { ContainerStore } from '../../container/store.js';
import { type ContainerEntry } from '../../container/types.js';
import { removePeerHostsEntry } from '../../container/network.js';
import * as path from 'node:path';
import { unmountRootfs } from '../../container/rootfs.js';
import { withLock } from '../../state/lock.js';
import { log } from '../../util/log.js';
import { NotFoundError, errorMessage } from '../../util/errors.js';
import { runtime, ctrLockKey, detachUserNetworks, netDir, notifyDir, stopContainerSlirp } from './common.js';
import { removeContainers } from './remove.js';
import { stopHealthSchedule } from './health.js';
import { conmonAlive, readExit } from './state.js';
import { containerEvent } from '../events.js';

export async function cleanupContainer(id: string): Promise<void> {
  const store = new ContainerStore();
  let e: ContainerEntry;
  try { e = store.resolve(id); } catch (err) { if (err instanceof NotFoundError) return; throw err; }
  const outcome = await withLock(ctrLockKey(e.id), () => cleanupLocked(store, e.id));
  await afterCleanup(store, e, outcome);
}

/**
 * What a cleanup did and what is left: 'none' (it was clean already, or is running again: someone
 * else did it, and what follows), 'done' (nothing follows but a pod's exit policy), 'remove' (--rm),
 * 'restart' (its policy).
 */
export type CleanupOutcome = 'none' | 'done' | 'remove' | 'restart';

/**
 * Record the exit, release the rootfs and network. Caller holds the container lock. Idempotent:
 * the foreground `run`, `stop` and conmon's exit command may all get here.
 */
export async function cleanupLocked(store: ContainerStore, id: string): Promise<CleanupOutcome> {
  const cur = store.list().find((c) => c.id === id);
  if (!cur) return 'none';
  const ex = readExit(cur.id);
  // Nothing to do when it was cleaned up already, or when it is (again) running.
  const live = cur.state === 'running' || cur.state === 'stopping' || cur.state === 'paused';
  if (!live && !cur.mounted && cur.state !== 'removing') return 'none';
  if (live && !ex && conmonAlive(cur)) return 'none';
  const rt = await runtime();
  stopHealthSchedule(cur.healthPid);
  stopContainerSlirp(cur.id, cur.slirpPid);
  fs.rmSync(netDir(cur.id), { recursive: true, force: true });
  fs.rmSync(notifyDir(cur.id), { recursive: true, force: true });
  await detachUserNetworks(cur.id);
  await dropPeerHostsEntry(store, cur.id);
  try { await rt.deleteContainer(cur.id, true); } catch (err) { log.debug(`runc delete ${cur.id}: ${errorMessage(err)}`); }
  await unmountRootfs(store.ctrDir(cur.id));
  if (cur.state === 'removing') return 'done';
  const code = ex?.code ?? (cur.exitCode || 0);
  const updated = await store.patch(cur.id, (x) => {
    if (x.state === 'running' || x.state === 'stopping' || x.state === 'paused' || x.state === 'created') {
      x.state = 'exited';
      x.exitCode = code;
      x.finishedAt = ex?.when ?? new Date().toISOString();
    }
    x.pid = 0; x.conmonPid = 0; x.slirpPid = 0; x.mounted = false;
  });
  if (!updated) return 'done';
  if (updated.state === 'exited') containerEvent('died', { id: cur.id, name: cur.names[0], image: cur.imageName, labels: cur.labels }, { exitCode: code });
  if (updated.autoRemove) return 'remove';
  const cfg = store.readConfig(cur.id);
  const pol = cfg.restart;
  const restart = !updated.stoppedByUser && (pol.name === 'always' || pol.name === 'unless-stopped' || (pol.name === 'on-failure' && code !== 0 && (pol.maxRetries === 0 || updated.restartCount < pol.maxRetries)));
  return restart ? 'restart' : 'done';
}

/** After {@link cleanupLocked}, without the lock: --rm (and --rmi), a pod's exit policy, the restart policy. */
export async function afterCleanup(store: ContainerStore, e: ContainerEntry, outcome: CleanupOutcome): Promise<void> {
  if (outcome === 'none') return;
  if (outcome === 'remove') {
    const removeImage = (() => { try { return store.readConfig(e.id).removeImage ? store.readConfig(e.id).image : undefined; } catch { return undefined; } })();
    await removeContainers([e.id], { force: true, volumes: true, ignore: true });
    // run --rmi: the image goes too, unless another container uses it
    if (removeImage) {
      const { removeImages } = await import('../images.js');
      await removeImages([removeImage], {}).catch((err) => log.debug(`--rmi ${removeImage}: ${errorMessage(err)}`));
    }
  }
  // a pod member that exited for good: under --exit-policy stop its pod may stop with it
  if (e.pod && !e.podInfra && !e.initCtr && outcome !== 'restart') {
    await (await import('../pod/lifecycle.js')).afterMemberExit(e.pod).catch((err: unknown) => log.debug(`pod exit policy: ${errorMessage(err)}`));
  }
  if (outcome !== 'restart') return;
  await withLock(ctrLockKey(e.id), async () => {
    // a `stop` may have come between the two locks: it wins over the policy
    const cur = store.list().find((c) => c.id === e.id);
    if (!cur || cur.stoppedByUser || cur.state !== 'exited') return;
    await store.patch(e.id, (x) => { x.restartCount += 1; });
    // (loaded here: only a restart policy needs the start machinery)
    await (await import('./start.js')).startLocked(store, store.resolve(e.id));
  });
}


/** A member of another container's network namespace leaves its `127.0.0.1 NAME` line there. */
async function dropPeerHostsEntry(store: ContainerStore, id: string): Promise<void> {
  try {
    const cfg = store.readConfig(id);
    if (!cfg.network.startsWith('container:')) return;
    const peer = store.resolve(cfg.network.slice(10));
    await removePeerHostsEntry(path.join(store.userdata(peer.id), 'hosts'), cfg.name);
  } catch (err) { log.debug(`hosts entry of ${id}: ${errorMessage(err)}`); }
}
