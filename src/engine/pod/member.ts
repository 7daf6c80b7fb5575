// A container joining a pod (`create/run --pod NAME`, `--pod new:NAME`): the options
// it may not have (its pod holds them), the namespaces it joins from the infra
// container, the pod's volumes and user namespace. With `new:NAME` the pod is made
// first and goes again if the container cannot be created.
import * as fs from 'node:fs';
import type { CreateOptions } from '../../container/options.js';
import { InvalidArgumentError, NotFoundError, TspodError } from '../../util/errors.js';
import { PodStore } from './store.js';
import type { PodRecord } from './types.js';

/** Podman's wording: the pod, not its member, owns what it shares. */
function refuse(o: CreateOptions, pod: PodRecord): void {
  const net = pod.share.includes('net');
  const shared = 'network cannot be configured when it is shared with a pod';
  if (net && o.network !== undefined) throw new InvalidArgumentError(`invalid config provided: networks must be defined when the pod is created: ${shared}`);
  if (net && (o.publish?.length || o.publishAll)) throw new InvalidArgumentError(`invalid config provided: published or exposed ports must be defined when the pod is created: ${shared}`);
  if (net && o.addHost?.length) throw new InvalidArgumentError(`invalid config provided: extra host entries must be specified on the pod: ${shared}`);
  if (net && (o.networkAlias?.length || o.ip)) throw new InvalidArgumentError(`invalid config provided: networks must be defined when the pod is created: ${shared}`);
  if (pod.share.includes('uts') && o.hostname !== undefined) throw new InvalidArgumentError('invalid config provided: cannot set hostname when joining the pod UTS namespace: invalid configuration');
  if (pod.share.includes('pid') && o.pid !== undefined) throw new InvalidArgumentError('invalid config provided: cannot set --pid when joining the pod PID namespace: invalid configuration');
  if (pod.share.includes('ipc') && o.ipc !== undefined) throw new InvalidArgumentError('invalid config provided: cannot set --ipc when joining the pod IPC namespace: invalid configuration');
  if (pod.share.includes('uts') && o.uts !== undefined) throw new InvalidArgumentError('invalid config provided: cannot set --uts when joining the pod UTS namespace: invalid configuration');
}

/** The member's options with the pod's namespaces, volumes and user namespace filled in. */
export function memberOptions(o: CreateOptions, pod: PodRecord): CreateOptions {
  refuse(o, pod);
  const join = (ns: string) => (pod.infraId && pod.share.includes(ns as PodRecord['share'][number]) ? `container:${pod.infraId}` : undefined);
  const dests = new Set([...(o.volume ?? []), ...(o.mount ?? [])].map((v) => v.split(':')[1] ?? ''));
  const podVolumes = pod.volumes.filter((v) => !dests.has(v.split(':')[1] ?? ''));
  return {
    ...o,
    pod: pod.id,
    podIdFile: undefined,
    network: join('net') ?? o.network,
    pid: join('pid') ?? o.pid,
    ipc: join('ipc') ?? o.ipc,
    uts: join('uts') ?? o.uts,
    volume: [...podVolumes, ...(o.volume ?? [])],
    userns: o.userns ?? (pod.userns || undefined),
  };
}

/** Which pod `--pod`/`--pod-id-file` name. */
function podInput(o: CreateOptions): string | undefined {
  if (o.pod) return o.pod;
  if (!o.podIdFile) return undefined;
  try { return fs.readFileSync(o.podIdFile, 'utf8').trim(); } catch { throw new NotFoundError(`reading the pod ID file ${o.podIdFile}: no such file`); }
}

/** Create a pod member through `create` (the container create), handling `new:NAME`. */
export async function createMember<R>(o: CreateOptions, create: (o: CreateOptions) => Promise<R>): Promise<R> {
  const input = podInput(o);
  if (!input) return create(o);
  const store = new PodStore();
  if (!input.startsWith('new:')) return create(memberOptions(o, store.resolve(input)));
  const name = input.slice(4);
  if (!name) throw new InvalidArgumentError('--pod new: needs a pod name');
  // the container's network options go to the new pod, as Podman does
  const { createPod } = await import('./create.js');
  const { removePods } = await import('./remove.js');
  const made = await createPod({
    name, publish: o.publish, network: o.network, networkAlias: o.networkAlias, addHost: o.addHost, dns: o.dns, dnsSearch: o.dnsSearch, dnsOption: o.dnsOption,
    hostname: o.hostname, createCommand: [],
  });
  try {
    const rest: CreateOptions = { ...o, publish: undefined, network: undefined, networkAlias: undefined, addHost: undefined, dns: undefined, dnsSearch: undefined, dnsOption: undefined, hostname: undefined };
    return await create(memberOptions(rest, store.resolve(made.id)));
  } catch (err) {
    await removePods({ pods: [made.id], force: true, ignore: true }).catch(() => undefined);
    throw err instanceof Error ? err : new TspodError(String(err));
  }
}
