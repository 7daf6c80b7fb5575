// pod ps, pod inspect, pod exists: pods as Podman shows them, their state derived
// from their containers' (synced) states.
import { ContainerStore } from '../../container/store.js';
import type { ContainerEntry } from '../../container/types.js';
import { InvalidArgumentError, NotFoundError } from '../../util/errors.js';
import { syncAll } from '../container/state.js';
import { membersOf, podStatus } from './common.js';
import { PodStore } from './store.js';
import type { PodInspect, PodListOptions, PodRecord, PodRow } from './types.js';

function networksOf(pod: PodRecord): string[] {
  if (!pod.infraId) return [];
  if (!pod.network || pod.network === 'private' || pod.network === 'bridge' || pod.network.startsWith('slirp4netns')) return ['slirp4netns'];
  return pod.network.split(',');
}

function row(pod: PodRecord, members: ContainerEntry[]): PodRow {
  return {
    Cgroup: '', Created: pod.created, Id: pod.id, InfraId: pod.infraId, Name: pod.name, Namespace: '', Networks: networksOf(pod),
    Status: podStatus(members.map((c) => c.state)), Labels: pod.labels,
    Containers: members.map((c) => ({ Id: c.id, Names: c.names[0] ?? '', Status: c.state, RestartCount: c.restartCount })),
  };
}

const FILTERS = ['id', 'name', 'label', 'status', 'ctr-names', 'ctr-ids', 'ctr-status', 'ctr-number', 'network', 'until'];
const STATUSES = ['stopped', 'running', 'paused', 'exited', 'dead', 'created', 'degraded'];
const CTR_STATUSES = ['created', 'running', 'paused', 'stopped', 'exited', 'unknown'];

/** Podman's pod filters; several values of one key match any, different keys all. */
function matcher(filters: string[]): (r: PodRow) => boolean {
  const by = new Map<string, string[]>();
  for (const f of filters) {
    const i = f.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid filter "${f}": expected key=value`);
    const k = f.slice(0, i), v = f.slice(i + 1);
    if (!FILTERS.includes(k)) throw new InvalidArgumentError(`invalid filter "${k}": supported pod filters are ${FILTERS.join(', ')}`);
    if (k === 'status' && !STATUSES.includes(v)) throw new InvalidArgumentError(`invalid pod status "${v}": use one of ${STATUSES.join(', ')}`);
    if (k === 'ctr-status' && !CTR_STATUSES.includes(v)) throw new InvalidArgumentError(`invalid container status "${v}": use one of ${CTR_STATUSES.join(', ')}`);
    if (k === 'ctr-number' && !/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid ctr-number "${v}": a number is needed`);
    by.set(k, [...(by.get(k) ?? []), v]);
  }
  const re = (v: string) => { try { return new RegExp(v); } catch { throw new InvalidArgumentError(`invalid filter regular expression "${v}"`); } };
  const tests: Record<string, (r: PodRow, v: string) => boolean> = {
    id: (r, v) => r.Id.startsWith(v),
    name: (r, v) => re(v).test(r.Name),
    label: (r, v) => { const [k, val] = v.split('=', 2) as [string, string | undefined]; return k in r.Labels && (val === undefined || r.Labels[k] === val); },
    status: (r, v) => r.Status.toLowerCase() === v,
    'ctr-names': (r, v) => r.Containers.some((c) => re(v).test(c.Names)),
    'ctr-ids': (r, v) => r.Containers.some((c) => c.Id.startsWith(v)),
    'ctr-status': (r, v) => r.Containers.some((c) => c.Status === v || (v === 'stopped' && c.Status === 'exited')),
    'ctr-number': (r, v) => r.Containers.length === Number(v),
    network: (r, v) => r.Networks.includes(v),
    until: (r, v) => { const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v); if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid until "${v}"`); return Date.parse(r.Created) < t; },
  };
  return (r) => [...by].every(([k, vs]) => vs.some((v) => tests[k]!(r, v)));
}

export async function listPods(o: PodListOptions = {}): Promise<PodRow[]> {
  const match = matcher(o.filters ?? []);
  const pods = new PodStore().list();
  const ctrs = pods.length ? await syncAll(new ContainerStore()) : [];
  return pods.map((p) => row(p, membersOf(p, ctrs))).filter(match).sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
}

export function podExists(input: string): boolean {
  try { new PodStore().resolve(input); return true; } catch (err) { if (err instanceof NotFoundError) return false; throw err; }
}

export async function inspectPod(input: string): Promise<PodInspect> {
  const pod = new PodStore().resolve(input);
  const store = new ContainerStore();
  const members = membersOf(pod, await syncAll(store));
  const infraCfg = pod.infraId ? (() => { try { return store.readConfig(pod.infraId); } catch { return undefined; } })() : undefined;
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of infraCfg?.ports ?? []) (bindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
  const { parseVolume } = await import('../../container/options.js');
  return {
    Id: pod.id, Name: pod.name, Created: pod.created, CreateCommand: pod.createCommand, ExitPolicy: pod.exitPolicy,
    State: podStatus(members.map((c) => c.state)),
    Hostname: pod.share.includes('uts') ? infraCfg?.hostname ?? pod.hostname : '',
    Labels: pod.labels, CreateCgroup: false, CgroupParent: '', CgroupPath: '',
    CreateInfra: !!pod.infraId, InfraContainerID: pod.infraId,
    InfraConfig: pod.infraId ? {
      PortBindings: bindings, HostNetwork: pod.network === 'host', StaticIP: '', StaticMAC: '', NoManageResolvConf: false,
      DNSServer: pod.dns.length ? pod.dns : null, DNSSearch: pod.dnsSearch.length ? pod.dnsSearch : null, DNSOption: pod.dnsOption.length ? pod.dnsOption : null,
      NoManageHosts: false, HostAdd: pod.addHost.length ? pod.addHost : null, Networks: networksOf(pod), NetworkOptions: null,
      pid_ns: pod.share.includes('pid') ? 'pod' : 'private', userns: pod.userns || 'host', uts_ns: pod.share.includes('uts') ? 'pod' : 'private',
    } : undefined,
    SharedNamespaces: pod.share,
    NumContainers: members.length,
    Containers: members.map((c) => ({ Id: c.id, Name: c.names[0] ?? '', State: c.state })),
    Mounts: pod.volumes.map((v) => { const m = parseVolume(v); return { Type: m.type, Source: m.source, Destination: m.destination, RW: !m.readonly }; }),
  };
}
