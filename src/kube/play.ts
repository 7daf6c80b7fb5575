// kube play and kube down: the executor. Every step is an in-process call of the engine library. Play checks
// everything first (documents, references, host paths, name conflicts, images) and only then creates: the
// claimed volumes, then per pod its infra (pods.create), its own volumes (emptyDir, ConfigMap and Secret
// files), its init containers (run in order to completion before anything else starts) and its containers.
// With --start=false the init containers are made as the pod's (initCtr 'once'): `pod start` runs them first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { containers, images, networks, pods, volumes } from '../engine/index.js';
import { KubeError } from './errors.js';
import { parseManifests, type RawDocument } from './parse.js';
import { dataSources, podNames, translateWorkload, type ContainerPlan, type PodPlan, type PodVolume } from './translate.js';
import type { KubeObject, PersistentVolumeClaim, Service, Workload } from './types.js';
import { validateDocuments } from './validate.js';

/** The label on the volumes tspod makes for one pod (emptyDir, ConfigMap and Secret files): they go with it. */
export const POD_VOLUME_LABEL = 'io.tspod.kube.pod';
/** The network kube pods join (DNS: pods reach each other by name), as Podman's default for kube play. */
export const KUBE_NETWORK = 'podman-default-kube-network';

export interface PlayOptions {
  /** ConfigMap files (--configmap). */
  configMaps?: string[] | undefined;
  replace?: boolean | undefined;
  start?: boolean | undefined;
  network?: string | undefined;
  publish?: string[] | undefined;
  logDriver?: string | undefined;
  userns?: string | undefined;
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  /** --build: build images from `<context-dir>/<image name>/Containerfile` when present. */
  build?: boolean | undefined;
  contextDir?: string | undefined;
  quiet?: boolean | undefined;
}
export interface PodPlayReport { id: string; name: string; containers: string[]; initContainers: string[] }
export interface PlayReport { pods: PodPlayReport[]; volumes: string[] }
export interface Reporter { onWarning(line: string): void; onProgress?(line: string): void }

const isWorkload = (o: KubeObject): o is Workload => o.kind === 'Pod' || o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'Job';

/** Read, parse and validate a manifest (`-`: the given stream's text). */
export function loadManifest(file: string, text: string, configMapFiles: { file: string; text: string }[] = []): { objects: KubeObject[]; extra: KubeObject[] } {
  const objects = validateDocuments(parseManifests(text, file));
  const extraDocs: RawDocument[] = configMapFiles.flatMap((f) => parseManifests(f.text, f.file));
  for (const d of extraDocs) if (d.value['kind'] !== 'ConfigMap') throw new KubeError(`${d.source}: document ${d.index}: --configmap files hold ConfigMaps only, not ${JSON.stringify(d.value['kind'])}`);
  return { objects, extra: validateDocuments(extraDocs) };
}

/** Everything play will do, computed and checked without creating anything. */
export function planPlay(objects: KubeObject[], extra: KubeObject[], o: PlayOptions, r: Reporter): { plans: PodPlan[]; claims: PersistentVolumeClaim[] } {
  const src = dataSources([...extra, ...objects]);
  const services = objects.filter((x): x is Service => x.kind === 'Service');
  for (const s of services) r.onWarning(`Service ${JSON.stringify(s.metadata.name)} is not run by tspod: its nodePorts are published on the pods it selects`);
  const plans = objects.filter(isWorkload).flatMap((w) => translateWorkload(w, src, services, { publish: o.publish, logDriver: o.logDriver, userns: o.userns, tlsVerify: o.tlsVerify }));
  const seen = new Set<string>();
  for (const p of plans) {
    if (seen.has(p.name)) throw new KubeError(`${p.origin}: pod name ${JSON.stringify(p.name)} is used twice in the manifest`);
    seen.add(p.name);
    for (const w of p.warnings) r.onWarning(w);
  }
  return { plans, claims: objects.filter((x): x is PersistentVolumeClaim => x.kind === 'PersistentVolumeClaim') };
}

function checkHostPath(v: Extract<PodVolume, { type: 'hostPath' }>, origin: string): void {
  if (/[:,]/.test(v.path)) throw new KubeError(`${origin}: hostPath ${JSON.stringify(v.path)}: tspod cannot mount a path with ':' or ','`);
  let st: fs.Stats | undefined;
  try { st = fs.statSync(v.path); } catch { st = undefined; }
  const need: Record<string, [(s: fs.Stats) => boolean, string]> = {
    Directory: [(s) => s.isDirectory(), 'a directory'], File: [(s) => s.isFile(), 'a file'], Socket: [(s) => s.isSocket(), 'a socket'],
    CharDevice: [(s) => s.isCharacterDevice(), 'a character device'], BlockDevice: [(s) => s.isBlockDevice(), 'a block device'],
    DirectoryOrCreate: [(s) => s.isDirectory(), 'a directory'], FileOrCreate: [(s) => s.isFile(), 'a file'],
  };
  const rule = need[v.hostPathType];
  if (!st) {
    if (v.hostPathType === '' || v.hostPathType.endsWith('OrCreate')) return;
    throw new KubeError(`${origin}: hostPath ${JSON.stringify(v.path)} (type ${v.hostPathType}) does not exist`);
  }
  if (rule && !rule[0](st)) throw new KubeError(`${origin}: hostPath ${JSON.stringify(v.path)} is not ${rule[1]} (type ${v.hostPathType})`);
}

/** The image a --build would make, from `<contextDir>/<last path part of the image name>/`. */
function buildContext(image: string, contextDir: string): string | undefined {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  const dir = path.join(contextDir, repo.split('/').pop() ?? repo);
  return ['Containerfile', 'Dockerfile'].some((f) => fs.existsSync(path.join(dir, f))) ? dir : undefined;
}

async function ensureImages(plans: PodPlan[], o: PlayOptions, r: Reporter): Promise<void> {
  const done = new Set<string>();
  for (const c of plans.flatMap((p) => [...p.initContainers, ...p.containers])) {
    const image = c.options.image;
    const policy = c.options.pull ?? 'missing';
    if (done.has(`${image}\0${policy}`)) continue;
    done.add(`${image}\0${policy}`);
    const ctx = o.build ? buildContext(image, o.contextDir ?? process.cwd()) : undefined;
    if (ctx) {
      await images.build({ context: ctx, tags: [image], quiet: true, tlsVerify: o.tlsVerify });
      r.onProgress?.(`Built image ${image}`);
      continue;
    }
    const present = await images.exists({ image });
    if (policy === 'never') {
      if (!present) throw new KubeError(`container "${c.name}": image ${image} is not present locally and its imagePullPolicy is Never`);
      continue;
    }
    if (present && policy === 'missing') continue;
    r.onProgress?.(`Trying to pull ${image}...`);
    await images.pull({ reference: image, policy: policy === 'always' ? 'always' : 'missing', tlsVerify: o.tlsVerify, authfile: o.authfile });
  }
  // the containers use what is now local
  for (const p of plans) for (const c of [...p.initContainers, ...p.containers]) c.options.pull = 'never';
}

function tarOf(files: { path: string; data: Buffer; mode: number }[]): Promise<Readable> {
  return import('tar-stream').then((tar) => {
    const pack = tar.pack();
    const dirs = new Set<string>();
    for (const f of files) {
      const parts = f.path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!dirs.has(d)) { dirs.add(d); pack.entry({ name: `${d}/`, type: 'directory', mode: 0o755 }); }
      }
      pack.entry({ name: f.path, mode: f.mode, size: f.data.length }, f.data);
    }
    pack.finalize();
    return Readable.from(pack as unknown as AsyncIterable<Buffer>);
  });
}

async function podVolume(p: PodPlan, v: PodVolume): Promise<void> {
  if (v.type !== 'emptyDir' && v.type !== 'files') return;
  if (await volumes.exists({ volume: v.engineName })) {
    const [rep] = await volumes.remove({ volumes: [v.engineName], force: true });
    if (rep?.error) throw rep.error;
  }
  await volumes.create({
    name: v.engineName, labels: [`${POD_VOLUME_LABEL}=${p.name}`],
    opts: v.type === 'emptyDir' && v.tmpfs ? ['type=tmpfs', 'device=tmpfs'] : undefined,
  });
  if (v.type === 'files') await volumes.import({ volume: v.engineName, source: '-', stdin: await tarOf(v.files) });
}

/** `-v` entries of a container. */
async function volumeSpecs(p: PodPlan, c: ContainerPlan): Promise<string[]> {
  const out: string[] = [];
  for (const m of c.mounts) {
    const v = p.volumes.find((x) => x.name === m.volume)!;
    let ro = m.readOnly;
    let source: string;
    if (v.type === 'hostPath') {
      if (!fs.existsSync(v.path)) {
        if (v.hostPathType === 'FileOrCreate') { fs.mkdirSync(path.dirname(v.path), { recursive: true }); fs.writeFileSync(v.path, ''); } else fs.mkdirSync(v.path, { recursive: true });
      }
      source = v.path;
    } else {
      const name = v.type === 'pvc' ? v.claim : v.engineName;
      if (v.type === 'pvc') ro ||= v.readOnly;
      if (v.type === 'files') ro = true;
      if (!m.subPath) { out.push(`${name}:${m.destination}${ro ? ':ro' : ''}`); continue; }
      source = (await volumes.inspect({ volume: name })).Mountpoint;
    }
    if (m.subPath) {
      source = path.join(source, m.subPath);
      if (!fs.existsSync(source)) fs.mkdirSync(source, { recursive: true });
    }
    out.push(`${source}:${m.destination}${ro ? ':ro' : ''}`);
  }
  return out;
}

/** Remove the pods (and their own volumes) a manifest makes; resolves to the removed pods' IDs. */
export async function downPods(names: string[], timeout?: number): Promise<{ stopped: string[]; removed: string[]; errors: Error[] }> {
  const existing = [];
  for (const n of names) if (await pods.exists({ pod: n })) existing.push(n);
  const out = { stopped: [] as string[], removed: [] as string[], errors: [] as Error[] };
  if (existing.length) {
    const stops = await pods.stop({ pods: existing, ignore: true, timeout });
    for (const s of stops) if (s.id && !s.error) out.stopped.push(s.id);
    const reps = await pods.remove({ pods: existing, force: true, ignore: true, timeout });
    for (const rep of reps) { if (rep.error) out.errors.push(rep.error); else if (rep.id) out.removed.push(rep.id); }
  }
  for (const n of names) {
    const own = await volumes.list({ filters: [`label=${POD_VOLUME_LABEL}=${n}`] });
    if (own.length) for (const rep of await volumes.remove({ volumes: own.map((v) => v.Name), force: true })) if (rep.error) out.errors.push(rep.error);
  }
  return out;
}

/** The pod names a manifest makes (for kube down). */
export function manifestPodNames(objects: KubeObject[]): string[] {
  return objects.filter(isWorkload).flatMap(podNames);
}

/** What kube down removes: the manifest's pods, and every replica of its Deployments (the file may say fewer now). */
export async function podsToRemove(objects: KubeObject[]): Promise<string[]> {
  const names = new Set(manifestPodNames(objects));
  const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => `${o.metadata.name!}-pod-`);
  if (deployments.length) {
    for (const p of await pods.list()) if (deployments.some((d) => p.Name.startsWith(d) && /^\d+$/.test(p.Name.slice(d.length)))) names.add(p.Name);
  }
  return [...names];
}

export async function play(objects: KubeObject[], extra: KubeObject[], o: PlayOptions, r: Reporter): Promise<PlayReport> {
  const { plans, claims } = planPlay(objects, extra, o, r);
  // checks against what exists, still creating nothing
  for (const p of plans) {
    for (const v of p.volumes) {
      if (v.type === 'hostPath') checkHostPath(v, p.origin);
      if ((v.type === 'emptyDir' || v.type === 'files') && await volumes.exists({ volume: v.engineName })) {
        const owner = (await volumes.inspect({ volume: v.engineName })).Labels[POD_VOLUME_LABEL];
        if (owner !== p.name) throw new KubeError(`${p.origin}: volume ${JSON.stringify(v.name)} would be made as ${JSON.stringify(v.engineName)}, a volume that exists and is not this pod's: remove or rename it`);
      }
    }
    if (!o.replace && await pods.exists({ pod: p.name })) throw new KubeError(`${p.origin}: a pod named ${JSON.stringify(p.name)} already exists: remove it first (tspod kube down), or use --replace`);
    for (const c of [...p.initContainers, ...p.containers]) {
      const name = c.options.name!;
      if (await containers.exists({ container: name })) {
        const inspect = await containers.inspect({ container: name }) as { Pod?: string };
        if (!o.replace || !inspect.Pod) throw new KubeError(`${p.origin}: the container name ${JSON.stringify(name)} is already in use${o.replace ? ' by a container outside any pod' : ''}`);
      }
    }
  }
  if (o.network && o.network !== 'host' && o.network !== 'none' && o.network !== 'slirp4netns' && !(await networks.exists({ network: o.network }))) throw new KubeError(`network ${o.network} not found: create it first (tspod network create ${o.network})`);
  await ensureImages(plans, o, r);

  if (o.replace) {
    const down = await downPods(plans.map((p) => p.name));
    if (down.errors[0]) throw down.errors[0];
  }
  const report: PlayReport = { pods: [], volumes: [] };
  const claimed = new Set([...claims.map((c) => c.metadata.name!), ...plans.flatMap((p) => p.volumes.flatMap((v) => (v.type === 'pvc' ? [v.claim] : [])))]);
  for (const claim of claimed) {
    if (await volumes.exists({ volume: claim })) continue;
    const pvc = claims.find((c) => c.metadata.name === claim);
    const ann = pvc?.metadata.annotations ?? {};
    await volumes.create({ name: claim, driver: ann['volume.podman.io/driver'], labels: Object.entries(pvc?.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`) });
    if (pvc) report.volumes.push(claim);
  }
  const network = o.network ?? KUBE_NETWORK;
  if (plans.some((p) => !p.hostNetwork) && network === KUBE_NETWORK && !(await networks.exists({ network }))) await networks.create({ name: network, ignore: true });

  for (const p of plans) {
    const made = await pods.create({
      name: p.name, publish: p.hostNetwork ? undefined : p.publish, network: p.hostNetwork ? 'host' : network,
      networkAlias: p.hostNetwork || ['slirp4netns', 'none'].includes(network) ? undefined : [p.name],
      share: p.sharePid ? '+pid' : undefined, hostname: p.hostname, addHost: p.addHost,
      dns: p.dns, dnsSearch: p.dnsSearch, dnsOption: p.dnsOption, labels: p.labels, userns: o.userns, createCommand: [],
    });
    for (const w of made.warnings) r.onWarning(w);
    const pr: PodPlayReport = { id: made.id, name: p.name, containers: [], initContainers: [] };
    try {
      for (const v of p.volumes) await podVolume(p, v);
      for (const c of p.initContainers) {
        // marked as the pod's init containers: with --start=false, the pod's first start runs them (pods.start)
        const rep = await containers.create({ ...c.options, pod: made.id, initCtr: 'once', volume: await volumeSpecs(p, c) });
        pr.initContainers.push(rep.id);
        if (o.start === false) continue;
        await containers.start({ container: rep.id });
        const code = await containers.wait({ container: rep.id });
        if (code !== 0) throw new KubeError(`${p.origin}: init container ${JSON.stringify(c.name)} exited with code ${code}`);
        // init containers run once, before the others (the pod's later starts do not run them again)
        await containers.remove({ containers: [rep.id], force: true });
      }
      for (const c of p.containers) {
        const rep = await containers.create({ ...c.options, pod: made.id, volume: await volumeSpecs(p, c) });
        pr.containers.push(rep.id);
      }
      if (o.start !== false) for (const id of pr.containers) await containers.start({ container: id });
    } catch (err) {
      // a pod that cannot start its containers is not left half made
      await downPods([p.name]).catch(() => undefined);
      throw err;
    }
    report.pods.push(pr);
  }
  return report;
}

export type { Workload };
