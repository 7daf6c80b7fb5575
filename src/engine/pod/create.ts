// pod create: validate every option, record the pod, create its infra container.
// Nothing is written before the options check out; a failed infra create takes the
// pod record with it.
import * as fs from 'node:fs';
import { randomHex } from '../../util/random.js';
import { parseKeyValues, parseVolume } from '../../container/options.js';
import { parsePublish } from '../../container/network.js';
import { randomName, validName } from '../../container/names.js';
import { writeFileAtomic } from '../../state/atomic.js';
import { hostGid, hostUid } from '../../util/paths.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../util/errors.js';
import { podEvent } from '../events.js';
import { PodStore } from './store.js';
import { DEFAULT_SHARE, type PodCreateOptions, type PodCreateReport, type PodNamespace, type PodRecord } from './types.js';

const NAMESPACES: readonly PodNamespace[] = ['cgroup', 'ipc', 'net', 'pid', 'uts'];

/** `--share`: a list of namespaces, `none`, or `+list` to add to the default. */
export function parseShare(value: string | undefined): PodNamespace[] {
  if (value === undefined) return [...DEFAULT_SHARE];
  const add = value.startsWith('+');
  const items = (add ? value.slice(1) : value).split(',').map((s) => s.trim()).filter(Boolean);
  const out = new Set<PodNamespace>(add ? DEFAULT_SHARE : []);
  for (const it of items) {
    if (it === 'none') {
      if (add || items.length > 1) throw new InvalidArgumentError(`invalid --share "${value}": "none" cannot be combined with other namespaces`);
      return [];
    }
    if (it === 'user') throw new InvalidArgumentError('invalid --share "user": the user namespace is set with --userns');
    if (!NAMESPACES.includes(it as PodNamespace)) throw new InvalidArgumentError(`invalid kernel namespace to share: ${it}: options are cgroup, ipc, net, pid, uts or none`);
    out.add(it as PodNamespace);
  }
  return NAMESPACES.filter((n) => out.has(n));
}

function checkAddHost(h: string): void {
  const i = h.indexOf(':');
  if (i <= 0 || i === h.length - 1) throw new InvalidArgumentError(`invalid --add-host "${h}": use HOST:IP`);
}

/** The options a pod passes to its infra container, validated; throws before anything is written. */
function validate(o: PodCreateOptions) {
  if (o.name !== undefined && !validName(o.name)) throw new InvalidArgumentError(`invalid pod name "${o.name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  if (o.infraName !== undefined && !validName(o.infraName)) throw new InvalidArgumentError(`invalid infra container name "${o.infraName}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  const exitPolicy = o.exitPolicy ?? 'continue';
  if (exitPolicy !== 'continue' && exitPolicy !== 'stop') throw new InvalidArgumentError(`invalid pod exit policy: "${String(o.exitPolicy)}": use continue or stop`);
  const infra = o.infra ?? true;
  const share = parseShare(o.share);
  const labels = { ...parseKeyValues(o.label, 'label'), ...(o.labels ?? {}) };
  const ports = (o.publish ?? []).flatMap(parsePublish);
  for (const v of o.volume ?? []) parseVolume(v);
  for (const h of o.addHost ?? []) checkAddHost(h);
  if (o.hostname !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(o.hostname)) throw new InvalidArgumentError(`invalid hostname "${o.hostname}"`);
  if (!infra) {
    const needs: Array<[boolean, string]> = [
      [!!o.publish?.length, 'publish ports'], [o.network !== undefined, 'set a network'], [!!o.addHost?.length, 'add hosts'],
      [!!(o.dns?.length || o.dnsSearch?.length || o.dnsOption?.length), 'set DNS options'], [o.hostname !== undefined, 'set a hostname'],
      [o.share !== undefined && share.length > 0, 'share namespaces'], [o.infraImage !== undefined || o.infraCommand !== undefined || o.infraName !== undefined || o.infraConmonPidfile !== undefined, 'configure the infra container'],
    ];
    const what = needs.find(([b]) => b);
    if (what) throw new InvalidArgumentError(`cannot ${what[1]} with --infra=false: a pod without an infra container has no namespaces to hold them`);
  }
  if (ports.length && !share.includes('net')) throw new InvalidArgumentError('cannot publish ports of a pod that does not share its network namespace (--share net)');
  if (o.network === 'host' && ports.length) throw new InvalidArgumentError('cannot publish ports with --network host');
  if (o.podIdFile && fs.existsSync(o.podIdFile)) throw new ConflictError(`pod id file exists. Ensure another pod is not using it or delete ${o.podIdFile}`);
  if (o.infraCommand && !o.infraCommand.length) throw new InvalidArgumentError('the infra command must not be empty');
  return { exitPolicy, infra, share, labels, ports };
}

export async function createPod(o: PodCreateOptions): Promise<PodCreateReport> {
  const v = validate(o);
  if (o.userns) {
    const { parseUserns } = await import('../../container/keep-id.js');
    parseUserns(o.userns, hostUid(), hostGid());
  }
  if (o.network && !['slirp4netns', 'none', 'host', 'private', 'bridge'].includes(o.network) && !o.network.startsWith('slirp4netns:')) {
    const { isUserNetwork } = await import('../../network/attach.js');
    for (const n of o.network.split(',')) if (!isUserNetwork(n)) throw new NotFoundError(`unable to find network with name or ID ${n}: network not found`);
  }
  const store = new PodStore();
  if (o.name && !o.replace && store.list().some((p) => p.name === o.name)) throw new ConflictError(`name "${o.name}" is in use: pod already exists`);
  // the infra image first: it may need making, and failing here leaves nothing behind
  let infraImage = o.infraImage;
  if (v.infra && !infraImage) infraImage = (await import('./infra-image.js')).INFRA_IMAGE;
  if (v.infra && !o.infraImage) await (await import('./infra-image.js')).ensureInfraImage();
  if (o.replace && o.name && store.list().some((p) => p.name === o.name)) {
    const { removePods } = await import('./remove.js');
    const [r] = await removePods({ pods: [o.name], force: true, ignore: true });
    if (r?.error) throw r.error;
  }
  const id = randomHex(32);
  const rec: PodRecord = await store.update((list) => {
    if (o.name && list.some((p) => p.name === o.name)) throw new ConflictError(`name "${o.name}" is in use: pod already exists`);
    const name = o.name ?? randomName((n) => list.some((p) => p.name === n));
    const r: PodRecord = {
      id, name, created: new Date().toISOString(), labels: v.labels, infraId: '', share: v.infra ? v.share : [],
      hostname: o.hostname ?? '', exitPolicy: v.exitPolicy, createCommand: o.createCommand ?? [],
      network: o.network ?? '', ports: [], dns: o.dns ?? [], dnsSearch: o.dnsSearch ?? [], dnsOption: o.dnsOption ?? [],
      addHost: o.addHost ?? [], volumes: o.volume ?? [], userns: o.userns ?? '', infraConmonPidfile: o.infraConmonPidfile ?? '', podIdFile: o.podIdFile ?? '',
    };
    list.push(r);
    return r;
  });
  const warnings: string[] = [];
  if (v.infra) {
    try {
      const { createContainer } = await import('../container/create.js');
      const shares = (n: PodNamespace) => rec.share.includes(n);
      const c = await createContainer({
        image: infraImage!, name: o.infraName ?? `${id.slice(0, 12)}-infra`, pull: o.infraImage ? 'missing' : 'never',
        ...(o.infraCommand ? { entrypoint: JSON.stringify(o.infraCommand), command: [] } : {}),
        publish: o.publish, network: shares('net') ? o.network : undefined, networkAlias: o.networkAlias,
        hostname: shares('uts') ? (o.hostname ?? rec.name) : undefined,
        addHost: o.addHost, dns: o.dns, dnsSearch: o.dnsSearch, dnsOption: o.dnsOption,
        pod: id, podInfra: true, conmonPidfile: o.infraConmonPidfile, userns: o.userns,
      });
      warnings.push(...c.warnings);
      // the ports as published (a random host port is the one that was picked)
      const { ContainerStore } = await import('../../container/store.js');
      const ports = new ContainerStore().readConfig(c.id).ports;
      await store.update((list) => {
        const r = list.find((p) => p.id === id);
        if (r) { r.infraId = c.id; r.ports = ports; }
      });
      Object.assign(rec, { infraId: c.id, ports });
    } catch (err) {
      await store.update((list) => { const i = list.findIndex((p) => p.id === id); if (i >= 0) list.splice(i, 1); });
      throw err;
    }
  }
  if (o.podIdFile) writeFileAtomic(o.podIdFile, id, 0o644);
  podEvent('create', id, rec.name);
  return { id, name: rec.name, infraId: rec.infraId, warnings };
}
