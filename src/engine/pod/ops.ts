// pod top and pod logs: views across a pod's containers.
import { ContainerStore } from '../../container/store.js';
import { ConflictError } from '../../util/errors.js';
import { containerLogs } from '../container/logs.js';
import { topContainer } from '../container/inspect.js';
import { syncAll } from '../container/state.js';
import { membersOf } from './common.js';
import { PodStore } from './store.js';
import type { PodLogsOptions } from './types.js';

/** The processes of a pod's running containers (one header row first); a shared PID namespace lists each process once. */
export async function topPod(input: string): Promise<string[][]> {
  const pod = new PodStore().resolve(input);
  const running = membersOf(pod, await syncAll(new ContainerStore())).filter((c) => c.state === 'running');
  if (!running.length) throw new ConflictError(`pod ${pod.name} has no running containers: top needs at least one: pod state improper`);
  const seen = new Set<string>();
  let header: string[] | undefined;
  const rows: string[][] = [];
  for (const c of running) {
    const [h, ...body] = await topContainer(c.id);
    header ??= h;
    for (const r of body) {
      const key = r.join('\0');
      if (!seen.has(key)) { seen.add(key); rows.push(r); }
    }
  }
  return [header ?? [], ...rows];
}

/** The logs of a pod's members (the infra container has none worth showing), each line prefixed with its container's name. */
export async function podLogs(o: PodLogsOptions): Promise<void> {
  const pod = new PodStore().resolve(o.pod);
  const store = new ContainerStore();
  let members = membersOf(pod, await syncAll(store)).filter((c) => !c.podInfra);
  if (o.container) {
    const c = store.resolve(o.container);
    if (c.pod !== pod.id) throw new ConflictError(`container ${o.container} is not in pod ${pod.name}`);
    members = [c];
  }
  await Promise.all(members.map((c) => containerLogs(c.id, {
    follow: o.follow, since: o.since, until: o.until, tail: o.tail, timestamps: o.timestamps,
    prefix: `${o.names ? c.names[0] : c.id.slice(0, 12)} `, stdout: o.stdout, stderr: o.stderr, signal: o.signal,
  })));
}
