// Pod removal: its members, then its infra container, then its record. A pod with
// running containers (other than its infra container) goes only with `force`; a failure on the way keeps the record
// (and what is left of the pod), so `pod rm -f` can finish the job.
import * as fs from 'node:fs';
import { ContainerStore } from '../../container/store.js';
import type { ContainerEntry } from '../../container/types.js';
import { withLock } from '../../state/lock.js';
import { ConflictError } from '../../util/errors.js';
import { removeContainers } from '../container/remove.js';
import { syncAll } from '../container/state.js';
import { podEvent } from '../events.js';
import { eachPod, membersOf } from './common.js';
import { PodStore, podLockKey } from './store.js';
import type { PodRecord, PodRemoveOptions, PodRemoveReport } from './types.js';

const live = (c: ContainerEntry) => c.state === 'running' || c.state === 'paused' || c.state === 'stopping';

async function removeOne(pod: PodRecord, members: ContainerEntry[], input: string, o: PodRemoveOptions): Promise<PodRemoveReport> {
  // as Podman: a running infra container alone does not keep the pod (it is stopped with it)
  const running = members.filter((c) => live(c) && !c.podInfra);
  if (running.length && !o.force) {
    throw new ConflictError(`pod ${pod.id} has containers that are not ready to be removed: cannot remove container ${running[0]!.id} as it is ${running[0]!.state} - running or paused containers cannot be removed without force: container state improper`);
  }
  const removed: string[] = [];
  const rest = members.filter((c) => !c.podInfra);
  const infra = members.filter((c) => c.podInfra);
  for (const group of [rest, infra]) {
    if (!group.length) continue;
    const reps = await removeContainers(group.map((c) => c.id), { force: true, ignore: true, timeout: o.timeout, removingPod: true });
    const failed = reps.find((r) => r.error);
    removed.push(...reps.filter((r) => !r.error && r.id).map((r) => r.id));
    if (failed) return { input, id: pod.id, removedContainers: removed, error: failed.error };
  }
  await new PodStore().update((list) => { const i = list.findIndex((p) => p.id === pod.id); if (i >= 0) list.splice(i, 1); });
  if (pod.podIdFile) { try { if (fs.readFileSync(pod.podIdFile, 'utf8').trim() === pod.id) fs.rmSync(pod.podIdFile, { force: true }); } catch { /* gone */ } }
  podEvent('remove', pod.id, pod.name);
  return { input, id: pod.id, removedContainers: removed };
}

export async function removePods(o: PodRemoveOptions): Promise<PodRemoveReport[]> {
  return eachPod(o, (pod, members, input) => withLock(podLockKey(pod.id), () => removeOne(pod, members, input, o)), (input) => ({ input, id: '', removedContainers: [] }));
}

/** Remove every pod none of whose containers is running or paused. */
export async function prunePods(): Promise<PodRemoveReport[]> {
  const pods = new PodStore().list();
  const ctrs = await syncAll(new ContainerStore());
  const idle = pods.filter((p) => !membersOf(p, ctrs).some(live)).map((p) => p.id);
  if (!idle.length) return [];
  const reps = await removePods({ pods: idle, ignore: true });
  for (const r of reps) if (!r.error) podEvent('prune', r.id, pods.find((p) => p.id === r.id)?.name ?? '');
  return reps;
}
