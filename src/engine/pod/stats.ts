// pod stats: the resource usage of a pod's running containers, from two samples of
// containers.stats (procfs: rootless containers on cgroups v1 have no cgroup of their
// own) taken an interval apart, in Podman's `pod stats` fields.
import { ContainerStore } from '../../container/store.js';
import { humanSize } from '../../format/units.js';
import { containerStats, type StatsReport } from '../container/stats.js';
import { syncAll } from '../container/state.js';
import { membersOf, podStatus } from './common.js';
import { PodStore } from './store.js';
import type { PodStatsOptions, PodStatsRow } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (x: number) => `${(Number.isFinite(x) ? x : 0).toFixed(2)}%`;

export async function podStats(o: PodStatsOptions): Promise<PodStatsRow[]> {
  const store = new PodStore();
  const list = store.list();
  const pods = o.all || !o.pods?.length ? list.filter(() => true) : o.pods.map((p) => store.resolve(p, list));
  const ctrs = await syncAll(new ContainerStore());
  const targets = pods.flatMap((p) => {
    const members = membersOf(p, ctrs);
    // without names and --all: the running pods only, as Podman
    if (!o.all && !o.pods?.length && podStatus(members.map((c) => c.state)) === 'Exited') return [];
    return members.filter((c) => c.state === 'running' || c.state === 'paused').map((c) => ({ pod: p.id, id: c.id }));
  });
  const sample = async () => new Map((await Promise.all(targets.map(async (t) => [t.id, await containerStats(t.id).catch(() => undefined)] as const))));
  const first = await sample();
  await sleep(o.intervalMs ?? 1000);
  const second = await sample();
  const rows: PodStatsRow[] = [];
  for (const t of targets) {
    const a = first.get(t.id), b = second.get(t.id);
    if (!b) continue;
    rows.push(row(t.pod, a, b));
  }
  return rows;
}

function row(pod: string, a: StatsReport | undefined, b: StatsReport): PodStatsRow {
  const cpuDelta = a ? b.cpuNanos - a.cpuNanos : 0;
  const sysDelta = a ? b.systemCpuNanos - a.systemCpuNanos : 0;
  const cpu = sysDelta > 0 ? (cpuDelta / sysDelta) * b.onlineCpus * 100 : 0;
  const rx = Object.values(b.networks).reduce((n, x) => n + x.rxBytes, 0);
  const tx = Object.values(b.networks).reduce((n, x) => n + x.txBytes, 0);
  return {
    Pod: pod.slice(0, 12), CID: b.id.slice(0, 12), Name: b.name, CPU: pct(cpu),
    MemUsage: `${humanSize(b.memoryBytes)} / ${humanSize(b.memoryLimit)}`, MemUsageBytes: `${b.memoryBytes} / ${b.memoryLimit}`,
    Mem: pct((b.memoryBytes / b.memoryLimit) * 100), NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    BlockIO: `${humanSize(b.blockReadBytes)} / ${humanSize(b.blockWriteBytes)}`, PIDS: String(b.pids),
  };
}
