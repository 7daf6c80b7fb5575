// Containers as `ps` sees them: the state recorded in the index, corrected by
// what conmon left (its exit file) or by conmon being gone, and the listing.
// Kept apart from containers.ts so that `ps` loads only this and the store.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerStore } from '../../container/store.js';
import type { ContainerEntry, PortMapping } from '../../container/types.js';
import { InvalidArgumentError, errorMessage } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { paths } from '../../util/paths.js';
import { exitsDirOf } from '../../runtime/layout.js';

export function conmonAlive(e: ContainerEntry): boolean {
  if (e.conmonPid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${e.conmonPid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmd = fs.readFileSync(`/proc/${e.conmonPid}/cmdline`, 'utf8');
    return cmd.includes('conmon') && cmd.includes(e.id);
  } catch {
    return false;
  }
}

/** Where conmon writes the exit files (one per container, named by its id). */
export function exitsDir(): string { return exitsDirOf(paths().runroot); }
export function exitFile(id: string): string { return path.join(exitsDir(), id); }

export function readExit(id: string): { code: number; when: string } | undefined {
  try {
    const st = fs.statSync(exitFile(id));
    const code = parseInt(fs.readFileSync(exitFile(id), 'utf8').trim(), 10);
    return Number.isFinite(code) ? { code, when: st.mtime.toISOString() } : undefined;
  } catch { return undefined; }
}

/** The truth about a container whose record says it is alive: conmon's exit file, or conmon gone. */
export function syncedState(e: ContainerEntry): ContainerEntry {
  if (e.state !== 'running' && e.state !== 'paused' && e.state !== 'stopping' && e.state !== 'created') return e;
  if (e.state === 'created' && e.conmonPid <= 0) return e;
  const ex = readExit(e.id);
  if (ex) return { ...e, state: 'exited', exitCode: ex.code, finishedAt: e.finishedAt || ex.when, pid: 0 };
  if (!conmonAlive(e)) {
    // conmon was killed or the machine rebooted (the runroot is gone): the container is not running
    return { ...e, state: 'exited', exitCode: e.state === 'created' ? 0 : e.exitCode || 255, finishedAt: e.finishedAt || new Date().toISOString(), pid: 0 };
  }
  return e;
}

/** Synced view of every container (persisting corrections when something changed). */
export async function syncAll(store = new ContainerStore()): Promise<ContainerEntry[]> {
  const list = store.list();
  const synced = list.map(syncedState);
  const changed = synced.some((s, i) => s.state !== list[i]!.state);
  if (changed) {
    try {
      await store.update((l) => {
        for (const c of l) {
          const s = synced.find((x) => x.id === c.id);
          if (s && s.state !== c.state && (c.state === 'running' || c.state === 'paused' || c.state === 'stopping' || c.state === 'created')) Object.assign(c, { state: s.state, exitCode: s.exitCode, finishedAt: s.finishedAt, pid: 0 });
        }
      });
    } catch (err) { log.debug(`state sync not saved: ${errorMessage(err)}`); }
  }
  return synced;
}

// ---------------------------------------------------------------- listing

export interface PsRow {
  ID: string; Id: string; Image: string; ImageID: string; Command: string; Created: number; CreatedAt: string; State: string; Status: string;
  Ports: string; Names: string; NamesList: string[]; Labels: Record<string, string>; ExitCode: number; Exited: boolean; Pid: number; StartedAt: number; ExitedAt: number;
  Mounts: string[]; Size?: string; RestartCount: number; AutoRemove: boolean; IsInfra: boolean; Pod: string; PodName: string; Networks: string[];
}

export function formatPorts(ports: PortMapping[]): string {
  return ports.map((p) => `${p.hostIP || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}

export function statusText(e: ContainerEntry, ago: (ms: number) => string): string {
  switch (e.state) {
    case 'running': return `Up ${ago(Date.now() - Date.parse(e.startedAt))}${e.health ? ` (${e.health})` : ''}`;
    case 'paused': return `Up ${ago(Date.now() - Date.parse(e.startedAt))} (Paused)`;
    case 'exited': return `Exited (${e.exitCode}) ${ago(Date.now() - Date.parse(e.finishedAt || e.created))} ago`;
    case 'stopping': return 'Stopping';
    case 'removing': return 'Removing';
    default: return 'Created';
  }
}

export interface ListOptions {
  all?: boolean; last?: number | undefined; latest?: boolean; filters?: string[] | undefined;
  /** Also list containers the runtime runs that are not in tspod's store (a build's RUN step, one a crash left), as Podman's --external. */
  external?: boolean | undefined;
}

export async function listContainers(o: ListOptions = {}, ago: (ms: number) => string = (ms) => `${Math.round(ms / 1000)} seconds`): Promise<PsRow[]> {
  const synced = await syncAll();
  let list = synced;
  // pod names (ps --pod, --filter pod=) from the pod store, read only when a container is in a pod
  const podNames = new Map<string, string>();
  if (synced.some((c) => c.pod)) {
    const { PodStore } = await import('../pod/store.js');
    for (const p of new PodStore().list()) podNames.set(p.id, p.name);
  }
  // as Podman (and Docker): a status filter looks at every container, as if with --all
  const hasStatus = (o.filters ?? []).some((f) => f.startsWith('status='));
  if (!o.all && !o.latest && o.last === undefined && !hasStatus) list = list.filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'stopping');
  // values of one key OR together, different keys AND (Podman's filter semantics)
  const groups = new Map<string, Array<(c: ContainerEntry) => boolean>>();
  const add = (k: string, f: (c: ContainerEntry) => boolean) => groups.set(k, [...(groups.get(k) ?? []), f]);
  const cfgOf = (c: ContainerEntry) => { try { return new ContainerStore().readConfig(c.id); } catch { return undefined; } };
  for (const f of o.filters ?? []) {
    const i = f.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid filter "${f}": expected key=value`);
    const k = f.slice(0, i), v = f.slice(i + 1);
    switch (k) {
      case 'name': { const re = new RegExp(v); add(k, (c) => c.names.some((n) => re.test(n))); break; }
      case 'id': add(k, (c) => c.id.startsWith(v)); break;
      case 'status': {
        const ok = ['created', 'running', 'paused', 'exited', 'stopping', 'removing', 'stopped', 'unknown', 'restarting', 'configured'];
        if (!ok.includes(v)) throw new InvalidArgumentError(`invalid status filter "${v}": use one of ${ok.join(', ')}`);
        add(k, (c) => c.state === v || (v === 'stopped' && c.state === 'exited')); break;
      }
      case 'label': { const [lk, lv] = v.split('=', 2) as [string, string | undefined]; add(k, (c) => lk in c.labels && (lv === undefined || c.labels[lk] === lv)); break; }
      case 'ancestor': {
        const { ImageStore } = await import('../../image/store.js');
        const img = (() => { try { return new ImageStore().resolve(v); } catch { return undefined; } })();
        add(k, (c) => c.imageName === v || c.imageName.startsWith(`${v}:`) || c.imageName.endsWith(`/${v}`) || c.imageName.endsWith(`/${v}:latest`) || (!!img && c.image === img.id) || c.image.startsWith(v));
        break;
      }
      case 'exited': add(k, (c) => c.state === 'exited' && String(c.exitCode) === v); break;
      case 'health': add(k, (c) => c.health === v); break;
      case 'volume': add(k, (c) => !!cfgOf(c)?.mounts.some((m) => m.source === v || m.destination === v)); break;
      case 'network': add(k, (c) => cfgOf(c)?.network === v); break;
      case 'restart-policy': {
        // Podman's names: none (no policy given) and no both mean tspod's "no"
        if (!['none', 'no', 'always', 'on-failure', 'unless-stopped'].includes(v)) throw new InvalidArgumentError(`${v} invalid restart policy`);
        const want = v === 'none' ? 'no' : v;
        add(k, (c) => cfgOf(c)?.restart.name === want);
        break;
      }
      case 'pod': {
        // a pod's name, ID or ID prefix (Podman's pod filter)
        const ids = [...podNames].filter(([id, name]) => name === v || id.startsWith(v)).map(([id]) => id);
        add(k, (c) => !!c.pod && ids.includes(c.pod)); break;
      }
      default: throw new InvalidArgumentError(`invalid filter "${k}": supported filters are name, id, status, label, ancestor, exited, health, volume, network, pod, restart-policy`);
    }
  }
  // ...except label, whose values must all match (Podman: "label is exclusive"; Docker the same)
  for (const [k, preds] of groups) list = list.filter((c) => (k === 'label' ? preds.every((p) => p(c)) : preds.some((p) => p(c))));
  list = list.slice().sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  if (o.latest) list = list.slice(0, 1);
  if (o.last !== undefined && o.last >= 0) list = list.slice(0, o.last);
  const rows: PsRow[] = list.map((c) => ({
    ID: c.id.slice(0, 12), Id: c.id, Image: c.imageName, ImageID: c.image, Command: c.command.join(' '),
    Created: Math.floor(Date.parse(c.created) / 1000), CreatedAt: c.created, State: c.state, Status: statusText(c, ago),
    Ports: formatPorts(c.ports), Names: c.names.join(','), NamesList: c.names, Labels: c.labels, ExitCode: c.exitCode, Exited: c.state === 'exited', Pid: c.pid,
    StartedAt: c.startedAt ? Math.floor(Date.parse(c.startedAt) / 1000) : 0, ExitedAt: c.finishedAt ? Math.floor(Date.parse(c.finishedAt) / 1000) : 0,
    Mounts: [], RestartCount: c.restartCount, AutoRemove: c.autoRemove, IsInfra: !!c.podInfra, Pod: c.pod ?? '', PodName: c.pod ? podNames.get(c.pod) ?? '' : '', Networks: [],
  }));
  if (o.external) rows.push(...await externalContainers(new Set(synced.map((c) => c.id))));
  return rows;
}


/**
 * Containers runc knows in tspod's runtime directory that tspod's store does not: a
 * build's RUN step, or one a killed build left behind. Listed as Podman lists
 * Buildah's containers with --external (status "Storage").
 */
export async function externalContainers(known: Set<string>): Promise<PsRow[]> {
  const root = path.join(paths().runroot, 'runc');
  let ids: string[];
  try { ids = fs.readdirSync(root); } catch { return []; }
  const rows: PsRow[] = [];
  for (const id of ids) {
    if (known.has(id)) continue;
    let st: { init_process_pid?: number; created?: string; config?: { labels?: string[] } };
    try { st = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')) as typeof st; } catch { continue; }
    const bundle = (st.config?.labels ?? []).find((l) => l.startsWith('bundle='))?.slice(7);
    let args: string[] = [];
    try { args = (JSON.parse(fs.readFileSync(path.join(bundle ?? '', 'config.json'), 'utf8')) as { process?: { args?: string[] } }).process?.args ?? []; } catch { /* gone */ }
    const created = st.created ? Date.parse(st.created) : 0;
    rows.push({
      ID: id.slice(0, 12), Id: id, Image: '', ImageID: '', Command: args.join(' '), Created: Math.floor(created / 1000), CreatedAt: st.created ?? '',
      State: 'external', Status: 'Storage', Ports: '', Names: id, NamesList: [id], Labels: {}, ExitCode: 0, Exited: false, Pid: st.init_process_pid ?? 0,
      StartedAt: 0, ExitedAt: 0, Mounts: [], RestartCount: 0, AutoRemove: false, IsInfra: false, Pod: '', PodName: '', Networks: [],
    });
  }
  return rows;
}
