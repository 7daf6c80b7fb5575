// Remove containers (and, for rmi -f, the containers using an image).
import * as fs from 'node:fs';
import { ImageStore } from '../../image/store.js';
import { ContainerStore } from '../../container/store.js';
import { can, type ContainerConfig, type ContainerEntry } from '../../container/types.js';
import { unmountRootfs } from '../../container/rootfs.js';
import { VolumeStore } from '../../volume/store.js';
import { withLock } from '../../state/lock.js';
import { ConflictError, NotFoundError, TspodError, errorMessage } from '../../util/errors.js';
import { runtime, ctrLockKey, detachUserNetworks, netDir, stopContainerSlirp } from './common.js';
import { claimFile } from './cleanup-claim.js';
import { syncAll, syncedState } from './state.js';
import { containerEvent } from '../events.js';
import { removeRunFiles, runcHolds } from '../../runtime/layout.js';
import { paths } from '../../util/paths.js';

export interface RemoveReport { input: string; id: string; error?: TspodError }

export interface RemoveContainersOptions {
  force?: boolean | undefined; volumes?: boolean | undefined; all?: boolean | undefined; ignore?: boolean | undefined; timeout?: number | undefined;
  /** An infra container goes with its whole pod (implied by `all`, as Podman's --all implies --depend). */
  depend?: boolean | undefined;
  /** @internal The pod is being removed (pods/remove.ts): its infra container may go. */
  removingPod?: boolean | undefined;
}

/** Containers that share a namespace of `id` (--network/--pid/--ipc/--uts container:ID or NAME). */
function dependentsOf(store: ContainerStore, e: ContainerEntry): string[] {
  const refs = new Set([e.id, ...e.names].map((x) => `container:${x}`));
  const out: string[] = [];
  for (const c of store.list()) {
    if (c.id === e.id) continue;
    let cfg: ContainerConfig;
    try { cfg = store.readConfig(c.id); } catch { continue; }
    if ([cfg.network, cfg.pidNs, cfg.ipcNs, cfg.utsNs].some((ns) => refs.has(ns))) out.push(c.id);
  }
  return out;
}

export async function removeContainers(inputs: string[], opts: RemoveContainersOptions = {}): Promise<RemoveReport[]> {
  const store = new ContainerStore();
  const list = await syncAll(store);
  // --all: infra containers last (their pods go with them, members included)
  const targets = opts.all ? [...list.filter((c) => !c.podInfra), ...list.filter((c) => c.podInfra)].map((c) => c.id) : inputs;
  const out: RemoveReport[] = [];
  const removed = new Set<string>();
  for (const input of targets) {
    try {
      let e: ContainerEntry;
      try { e = store.resolve(input, store.list()); } catch (err) {
        if (err instanceof NotFoundError && (opts.ignore || opts.force || opts.all)) continue;
        if (err instanceof NotFoundError && removed.has(input)) continue; // went first, as a dependent
        throw err;
      }
      if (e.podInfra && e.pod && !opts.removingPod) {
        const pods = await import('../pod/remove.js');
        const { PodStore } = await import('../pod/store.js');
        if (new PodStore().list().some((p) => p.id === e.pod)) {
          if (!opts.all && !opts.depend) throw new TspodError(`container ${e.id} is the infra container of pod ${e.pod} and cannot be removed without removing the pod`);
          const [r] = await pods.removePods({ pods: [e.pod], force: opts.force, timeout: opts.timeout, ignore: true });
          if (r?.error) throw r.error;
          out.push({ input, id: e.id });
          continue;
        }
      }
      // containers that share its namespaces go first (--depend, or --all: they are targets too);
      // a pod's members, which share its infra container's, went with the pod already
      const deps = e.podInfra && opts.removingPod ? [] : dependentsOf(store, e);
      if (deps.length) {
        if (!opts.depend && !opts.all) throw new TspodError(`container ${e.id} has dependent containers which must be removed before it: ${deps.join(',')}: container already exists`, 'EDEPEND', 125);
        for (const r of await removeContainers(deps, { ...opts, all: false, depend: true })) { out.push(r); if (!r.error) removed.add(r.id); }
      }
      const cur = syncedState(e);
      if (!can.removeWithoutForce(cur.state)) {
        if (!opts.force) throw new ConflictError(`cannot remove container ${cur.id} as it is ${cur.state} - running or paused containers cannot be removed without force: container state improper`);
        // (loaded here: stop brings cleanup and start, which removing a stopped container never needs)
        await (await import('./stop.js')).stopOne(store, cur, opts.timeout ?? 0);
      }
      await withLock(ctrLockKey(cur.id), async () => {
        await store.patch(cur.id, (x) => { x.state = 'removing'; });
        const fresh = store.list().find((c) => c.id === cur.id);
        stopContainerSlirp(cur.id, fresh?.slirpPid);
        fs.rmSync(netDir(cur.id), { recursive: true, force: true });
        await detachUserNetworks(cur.id);
        // runc's and conmon's code load only while runc still holds the container: a created or
        // cleaned-up one leaves plain files (its run directory, its exit file)
        const { runroot } = paths();
        if (runcHolds(runroot, cur.id)) {
          try { await (await runtime()).deleteContainer(cur.id, true); } catch { /* not in runc */ }
        }
        removeRunFiles(runroot, cur.id);
        fs.rmSync(claimFile(cur.id), { force: true });
        await unmountRootfs(store.ctrDir(cur.id));
        let cfg: ContainerConfig | undefined;
        try { cfg = store.readConfig(cur.id); } catch { cfg = undefined; }
        // its anonymous volumes go before its index entry: a removal cut short leaves an entry that a
        // later rm finishes, never a leaked volume. Its --cidfile stays, as Podman's: only
        // `rm --cidfile` removes ID files, so a second `run --cidfile` to the same file is refused.
        if (cfg && (opts.volumes || cfg.autoRemove)) {
          const vols = new VolumeStore();
          for (const m of cfg.mounts) if (m.type === 'volume' && m.anonymous && m.source) { try { await vols.remove(m.source); } catch { /* gone */ } }
        }
        await store.update((l) => { const i = l.findIndex((c) => c.id === cur.id); if (i >= 0) l.splice(i, 1); });
        new ImageStore().trash(store.ctrDir(cur.id));
      });
      containerEvent('remove', { id: cur.id, name: cur.names[0], image: cur.imageName, labels: cur.labels });
      removed.add(cur.id);
      out.push({ input, id: cur.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

/** `rmi -f` of an image in use: remove (stopping first) every container using it, as Podman. */
export async function removeContainersUsingImage(imageId: string): Promise<RemoveReport[]> {
  const ids = new ContainerStore().list().filter((c) => c.image === imageId).map((c) => c.id);
  // depend: an infra container takes its pod with it (rmi -f of a pause image removes the pods, as Podman)
  return ids.length ? removeContainers(ids, { force: true, depend: true }) : [];
}

