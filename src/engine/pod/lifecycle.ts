// Pod lifecycle: start (infra first), stop (members, then infra), restart, kill,
// pause/unpause, and the exit policy. Each member keeps its own lock; the pod's lock
// keeps two lifecycle verbs on one pod from interleaving.
import { ContainerStore } from '../../container/store.js';
import type { ContainerEntry } from '../../container/types.js';
import { withLock } from '../../state/lock.js';
import { log } from '../../util/log.js';
import { ConflictError, errorMessage } from '../../util/errors.js';
import { startContainer } from '../container/start.js';
import { killContainers, pauseContainers, stopContainers } from '../container/stop.js';
import { syncAll, syncedState } from '../container/state.js';
import { podEvent } from '../events.js';
import { checkSignal } from '../../container/options.js';
import { asTspodError, eachPod, membersOf } from './common.js';
import { PodStore, podLockKey } from './store.js';
import type { PodKillOptions, PodRecord, PodReport, PodStopOptions, PodTargetsOptions } from './types.js';

const blank = (input: string): PodReport => ({ input, id: '' });
const live = (c: ContainerEntry) => c.state === 'running' || c.state === 'paused' || c.state === 'stopping';

function finish(input: string, pod: PodRecord, errors: Array<{ id: string; error: Error }>): PodReport {
  if (!errors.length) return { input, id: pod.id };
  return { input, id: pod.id, errors, error: errors[0]!.error };
}

/** Start a pod's infra container if it is not running (a member about to start joins its namespaces). */
export async function ensureInfraRunning(podId: string): Promise<void> {
  const pod = new PodStore().list().find((p) => p.id === podId);
  if (!pod?.infraId) return;
  const store = new ContainerStore();
  const infra = store.list().find((c) => c.id === pod.infraId);
  if (!infra) throw new ConflictError(`the infra container of pod ${pod.name} is missing: remove the pod with "tspod pod rm -f ${pod.name}"`);
  if (syncedState(infra).state === 'running') return;
  const r = await startContainer(pod.infraId);
  await r.notified;
}

/**
 * Run the pod's init containers, in the order they were made, each to completion before the next; one that
 * fails stops the start. `once` init containers are removed after they succeeded (later starts skip them).
 */
async function runInitContainers(pod: PodRecord, members: ContainerEntry[]): Promise<{ id: string; error: Error } | undefined> {
  const inits = members.filter((c) => c.initCtr).sort((a, b) => a.created.localeCompare(b.created));
  if (!inits.length) return undefined;
  const { waitContainer } = await import('../container/exec.js');
  const { removeContainers } = await import('../container/remove.js');
  for (const c of inits) {
    try {
      if (!live(c)) await (await startContainer(c.id)).notified;
      const code = await waitContainer(c.id);
      if (code !== 0) return { id: c.id, error: new ConflictError(`init container ${c.names[0]} of pod ${pod.name} exited with code ${code}: the pod's other containers were not started`) };
      if (c.initCtr === 'once') {
        const [r] = await removeContainers([c.id], { force: true });
        if (r?.error) return { id: c.id, error: r.error };
      }
    } catch (err) { return { id: c.id, error: asTspodError(err) }; }
  }
  return undefined;
}

async function startOne(pod: PodRecord, members: ContainerEntry[]): Promise<Array<{ id: string; error: Error }>> {
  const errors: Array<{ id: string; error: Error }> = [];
  if (pod.infraId) {
    try { await ensureInfraRunning(pod.id); } catch (err) { return [{ id: pod.infraId, error: asTspodError(err) }]; }
  }
  // init containers first, unless the pod's other containers run already (a start of a running pod)
  if (!members.some((c) => !c.podInfra && !c.initCtr && live(c))) {
    const failed = await runInitContainers(pod, members);
    if (failed) return [failed];
  }
  for (const c of members) {
    if (c.podInfra || c.initCtr || live(c)) continue;
    try { await (await startContainer(c.id)).notified; } catch (err) { errors.push({ id: c.id, error: asTspodError(err) }); }
  }
  return errors;
}

export async function startPods(o: PodTargetsOptions): Promise<PodReport[]> {
  return eachPod(o, async (pod, members, input) => {
    const errors = await withLock(podLockKey(pod.id), () => startOne(pod, members));
    if (!errors.length) podEvent('start', pod.id, pod.name);
    return finish(input, pod, errors);
  }, blank);
}

async function stopOne(pod: PodRecord, members: ContainerEntry[], timeout: number | undefined): Promise<Array<{ id: string; error: Error }>> {
  const errors: Array<{ id: string; error: Error }> = [];
  const collect = (reps: Array<{ id: string; input: string; error?: Error | undefined }>) => { for (const r of reps) if (r.error) errors.push({ id: r.id || r.input, error: r.error }); };
  // the members together, then the infra container holding their namespaces
  collect(await stopContainers(members.filter((c) => !c.podInfra && live(c)).map((c) => c.id), { timeout, ignore: true }));
  const infra = members.find((c) => c.podInfra);
  if (infra && live(infra)) collect(await stopContainers([infra.id], { timeout, ignore: true }));
  return errors;
}

export async function stopPods(o: PodStopOptions): Promise<PodReport[]> {
  return eachPod(o, async (pod, members, input) => {
    const errors = await withLock(podLockKey(pod.id), () => stopOne(pod, members, o.timeout));
    if (!errors.length) podEvent('stop', pod.id, pod.name);
    return finish(input, pod, errors);
  }, blank);
}

export async function restartPods(o: PodStopOptions): Promise<PodReport[]> {
  return eachPod(o, async (pod, members, input) => {
    const errors = await withLock(podLockKey(pod.id), async () => {
      const stopped = await stopOne(pod, members, o.timeout);
      if (stopped.length) return stopped;
      const fresh = membersOf(pod, await syncAll(new ContainerStore()));
      return startOne(pod, fresh);
    });
    if (!errors.length) podEvent('restart', pod.id, pod.name);
    return finish(input, pod, errors);
  }, blank);
}

export async function killPods(o: PodKillOptions): Promise<PodReport[]> {
  // a bad signal is refused before any pod is looked up
  checkSignal(o.signal, 'signal');
  return eachPod(o, async (pod, members, input) => {
    const running = members.filter(live);
    if (!running.length) throw new ConflictError(`pod ${pod.name} has no running containers to kill: pod state improper`);
    // members first: killing the infra container first would take their network away while they still run
    const ordered = [...running.filter((c) => !c.podInfra), ...running.filter((c) => c.podInfra)];
    const reps = await killContainers(ordered.map((c) => c.id), { signal: o.signal });
    const errors = reps.filter((r) => r.error).map((r) => ({ id: r.input, error: r.error! }));
    if (!errors.length) podEvent('kill', pod.id, pod.name);
    return finish(input, pod, errors);
  }, blank);
}

export async function pausePods(o: PodTargetsOptions, pause: boolean): Promise<PodReport[]> {
  return eachPod(o, async (pod, members, input) => {
    const targets = members.filter((c) => (pause ? c.state === 'running' : c.state === 'paused'));
    if (!targets.length) throw new ConflictError(`pod ${pod.name} has no ${pause ? 'running' : 'paused'} containers to ${pause ? 'pause' : 'unpause'}: pod state improper`);
    const reps = await pauseContainers(targets.map((c) => c.id), pause);
    const errors = reps.filter((r) => r.error).map((r) => ({ id: r.input, error: r.error! }));
    if (!errors.length) podEvent(pause ? 'pause' : 'unpause', pod.id, pod.name);
    return finish(input, pod, errors);
  }, blank);
}

/**
 * A member exited (conmon's exit command): under `--exit-policy stop`, the pod stops
 * with its last member — its infra container goes down too.
 */
export async function afterMemberExit(podId: string): Promise<void> {
  const pod = new PodStore().list().find((p) => p.id === podId);
  if (!pod || pod.exitPolicy !== 'stop' || !pod.infraId) return;
  const members = membersOf(pod, await syncAll(new ContainerStore()));
  if (members.some((c) => !c.podInfra && live(c))) return;
  const infra = members.find((c) => c.podInfra);
  if (!infra || !live(infra)) return;
  log.debug(`pod ${pod.name}: exit policy stop, its last container exited`);
  const [r] = await stopContainers([infra.id], { ignore: true });
  if (r?.error) log.warn(`stopping pod ${pod.name}: ${errorMessage(r.error)}`);
  else podEvent('stop', pod.id, pod.name);
}
