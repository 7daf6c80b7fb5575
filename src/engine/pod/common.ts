// What the pod modules share: resolving targets, a pod's containers, its status.
import { ContainerStore } from '../../container/store.js';
import type { ContainerEntry, ContainerState } from '../../container/types.js';
import { NotFoundError, TspodError, errorMessage } from '../../util/errors.js';
import { syncAll } from '../container/state.js';
import { PodStore } from './store.js';
import type { PodRecord, PodReport, PodStatus, PodTargetsOptions } from './types.js';

/** A pod's containers (its infra container included), oldest first. */
export function membersOf(pod: PodRecord, list: ContainerEntry[]): ContainerEntry[] {
  return list.filter((c) => c.pod === pod.id).sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
}

/** Podman's pod status from its containers' states. */
export function podStatus(states: ContainerState[]): PodStatus {
  if (!states.length) return 'Created';
  const n = states.length;
  const count = (...s: ContainerState[]) => states.filter((x) => s.includes(x)).length;
  const running = count('running', 'stopping');
  if (running) return running === n ? 'Running' : 'Degraded';
  if (count('paused') === n) return 'Paused';
  if (count('paused')) return 'Degraded';
  if (count('created', 'configured') === n) return 'Created';
  return 'Exited';
}

export function asTspodError(err: unknown): Error {
  return err instanceof Error ? err : new TspodError(errorMessage(err));
}

/**
 * Run `fn` on each target pod (names, IDs, or every pod with `all`), one report each.
 * A missing pod is reported (Podman's "no such pod") unless `ignore`.
 */
export async function eachPod<R extends PodReport>(o: PodTargetsOptions, fn: (pod: PodRecord, members: ContainerEntry[], input: string) => Promise<R>, blank: (input: string) => R): Promise<R[]> {
  const store = new PodStore();
  const list = store.list();
  const inputs = o.all ? list.map((p) => p.id) : o.pods ?? [];
  const out: R[] = [];
  for (const input of inputs) {
    let pod: PodRecord;
    try { pod = store.resolve(input, list); } catch (err) {
      if (o.ignore && err instanceof NotFoundError) continue;
      out.push({ ...blank(input), error: asTspodError(err) });
      continue;
    }
    try {
      const members = membersOf(pod, await syncAll(new ContainerStore()));
      out.push(await fn(pod, members, input));
    } catch (err) {
      out.push({ ...blank(input), id: pod.id, error: asTspodError(err) });
    }
  }
  return out;
}
