// Resource usage of a running container. Rootless containers on cgroups v1 have
// no cgroup of their own, so the figures come from procfs, over the processes
// in the container's PID namespace: CPU time (utime+stime), resident memory,
// the process count, and the network counters of its network namespace. Limits
// are the host's (no cgroup enforces any); block I/O is what /proc/PID/io counts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ContainerStore } from '../../container/store.js';
import { ConflictError } from '../../util/errors.js';
import { syncedState } from './state.js';

export interface StatsReport {
  id: string;
  name: string;
  /** when the sample was taken */
  read: string;
  /** CPU time of the container's processes, nanoseconds */
  cpuNanos: number;
  /** CPU time of the whole host (all CPUs), nanoseconds, as /proc/stat counts it */
  systemCpuNanos: number;
  onlineCpus: number;
  /** resident memory of the container's processes, bytes */
  memoryBytes: number;
  /** the memory limit: the container's own, else the host's total */
  memoryLimit: number;
  pids: number;
  /** per interface: received and transmitted bytes and packets */
  networks: Record<string, { rxBytes: number; rxPackets: number; txBytes: number; txPackets: number }>;
  blockReadBytes: number;
  blockWriteBytes: number;
  /** where the figures came from */
  source: 'procfs';
}

const HZ = 100;

function hostCpuNanos(): number {
  const l = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = l.trim().split(/\s+/).slice(1, 9).reduce((a, b) => a + Number(b), 0);
  return Math.round((ticks / HZ) * 1e9);
}

function netDev(pid: number): StatsReport['networks'] {
  const out: StatsReport['networks'] = {};
  let text = '';
  try { text = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8'); } catch { return out; }
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = { rxBytes: f[0] ?? 0, rxPackets: f[1] ?? 0, txBytes: f[8] ?? 0, txPackets: f[9] ?? 0 };
  }
  return out;
}

/** One sample of a running container's usage. */
export async function containerStats(input: string): Promise<StatsReport> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  if (e.state !== 'running' && e.state !== 'paused' && e.state !== 'stopping') throw new ConflictError(`container ${e.names[0] ?? e.id} is not running`);
  const cfg = store.readConfig(e.id);
  const { pidsInNamespace } = await import('../../runtime/procs.js');
  let ticks = 0, rss = 0, rd = 0, wr = 0, n = 0;
  for (const pid of pidsInNamespace(e.pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
      rss += Number(rest[21]) * 4096;
      n++;
      try {
        const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
        rd += Number(/^read_bytes:\s+(\d+)/m.exec(io)?.[1] ?? 0);
        wr += Number(/^write_bytes:\s+(\d+)/m.exec(io)?.[1] ?? 0);
      } catch { /* not readable */ }
    } catch { /* exited meanwhile */ }
  }
  return {
    id: e.id, name: cfg.name, read: new Date().toISOString(),
    cpuNanos: Math.round((ticks / HZ) * 1e9), systemCpuNanos: hostCpuNanos(), onlineCpus: os.cpus().length,
    memoryBytes: rss, memoryLimit: cfg.resources?.memory ?? os.totalmem(), pids: n,
    networks: netDev(e.pid), blockReadBytes: rd, blockWriteBytes: wr, source: 'procfs',
  };
}
