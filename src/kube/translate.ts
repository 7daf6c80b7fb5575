// Validated Kubernetes workloads -> what the engine must create: per pod, its ports, namespaces options,
// volumes and the create options of its init and app containers. Pure: the ConfigMaps and Secrets come in
// as data, hosts paths and images are not looked at (play.ts does that before creating anything).
// Kubernetes semantics throughout: `command` replaces the image's ENTRYPOINT, `args` its CMD; `$(VAR)` in
// env values, command and args expands earlier variables; a containerPort is published only with a hostPort
// (or when --publish names it).
import type { ContainerCreateOptions } from '../engine/index.js';
import { KubeError } from './errors.js';
import { parseQuantity } from './quantity.js';
import type { Container, EnvVar, KubeObject, ObjectMeta, PodSpec, Probe, Service, Workload } from './types.js';

export interface TranslateOptions {
  /** --publish: extra pod ports, `[[ip:]hostPort:]containerPort[/protocol]`. */
  publish?: string[] | undefined;
  logDriver?: string | undefined;
  userns?: string | undefined;
  tlsVerify?: boolean | undefined;
}

/** ConfigMaps and Secrets by name: key -> content. */
export interface DataSources { configMaps: Map<string, Record<string, Buffer>>; secrets: Map<string, Record<string, Buffer>> }

export interface MountPlan { volume: string; destination: string; subPath?: string | undefined; readOnly: boolean }
export type PodVolume =
  | { name: string; type: 'hostPath'; path: string; hostPathType: string }
  | { name: string; type: 'pvc'; claim: string; readOnly: boolean }
  | { name: string; type: 'emptyDir'; engineName: string; tmpfs: boolean }
  | { name: string; type: 'files'; engineName: string; files: { path: string; data: Buffer; mode: number }[] };

export interface ContainerPlan {
  /** The container's name in the manifest; `options.name` is `<pod>-<name>`. */
  name: string;
  init: boolean;
  options: ContainerCreateOptions;
  mounts: MountPlan[];
}
export interface PodPlan {
  /** The object that made it (`Deployment "web"`). */
  origin: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostname?: string | undefined;
  hostNetwork: boolean;
  sharePid: boolean;
  addHost: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  publish: string[];
  restart: 'always' | 'on-failure' | 'no';
  volumes: PodVolume[];
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
  warnings: string[];
}

/** The pods a workload makes: a Pod its own name; a Deployment `<name>-pod-<i>` per replica; others `<name>-pod`. */
export function podNames(w: Workload): string[] {
  const name = w.metadata.name!;
  if (w.kind === 'Pod') return [name];
  if (w.kind === 'Deployment') return Array.from({ length: w.spec.replicas ?? 1 }, (_, i) => `${name}-pod-${i}`);
  return [`${name}-pod`];
}

/** Expand `$(NAME)` from `vars` (`$$(` escapes); unknown references stay as written, as Kubernetes does. */
export function expandVars(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([^)]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : m;
  });
}

const RESTART: Record<string, PodPlan['restart']> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };
const PULL: Record<string, 'always' | 'missing' | 'never'> = { Always: 'always', IfNotPresent: 'missing', Never: 'never' };

function dataKey(src: Map<string, Record<string, Buffer>>, kind: string, name: string, key: string | undefined, optional: boolean | undefined, where: string): Buffer | undefined {
  const m = src.get(name);
  if (!m) { if (optional) return undefined; throw new KubeError(`${where}: ${kind} ${JSON.stringify(name)} not found: define it in the file or pass it with --configmap`); }
  if (key === undefined) return undefined;
  const v = m[key];
  if (v === undefined && !optional) throw new KubeError(`${where}: ${kind} ${JSON.stringify(name)} has no key ${JSON.stringify(key)}`);
  return v;
}

function fieldValue(path: string, pod: { name: string; meta: ObjectMeta; hostname: string | undefined }, where: string): string {
  const sel = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sel) return (sel[1] === 'labels' ? pod.meta.labels : pod.meta.annotations)?.[sel[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.name;
    case 'metadata.namespace': return pod.meta.namespace ?? 'default';
    case 'spec.nodeName': return pod.hostname ?? pod.name;
    case 'spec.serviceAccountName': return 'default';
    default: throw new KubeError(`${where}: fieldRef ${JSON.stringify(path)} is not supported by tspod (supported: metadata.name, metadata.namespace, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName)`);
  }
}

function resourceValue(c: Container, resource: string, divisor: string | number | undefined, where: string): string {
  const [kind, what] = resource.split('.') as [string, string | undefined];
  const raw = (kind === 'limits' ? c.resources?.limits : kind === 'requests' ? c.resources?.requests : undefined)?.[what ?? ''];
  if (what !== 'cpu' && what !== 'memory' && what !== 'ephemeral-storage') throw new KubeError(`${where}: resourceFieldRef ${JSON.stringify(resource)} is not supported`);
  const value = raw === undefined ? 0 : parseQuantity(raw, where);
  const div = divisor === undefined ? 1 : parseQuantity(divisor, where);
  return String(Math.ceil(value / (div || 1)));
}

function environment(c: Container, src: DataSources, pod: { name: string; meta: ObjectMeta; hostname: string | undefined }, where: string): string[] {
  const vars = new Map<string, string>();
  for (const [i, ef] of (c.envFrom ?? []).entries()) {
    const w = `${where}.envFrom[${i}]`;
    const [kind, ref, map] = ef.configMapRef ? ['ConfigMap', ef.configMapRef, src.configMaps] as const : ['Secret', ef.secretRef!, src.secrets] as const;
    dataKey(map, kind, ref.name, undefined, ref.optional, w);
    for (const [k, v] of Object.entries(map.get(ref.name) ?? {})) vars.set(`${ef.prefix ?? ''}${k}`, v.toString('utf8'));
  }
  for (const [i, e] of (c.env ?? [] as EnvVar[]).entries()) {
    const w = `${where}.env[${i}]`;
    const vf = e.valueFrom;
    let v: string | undefined;
    if (!vf) v = expandVars(e.value ?? '', vars);
    else if (vf.configMapKeyRef) v = dataKey(src.configMaps, 'ConfigMap', vf.configMapKeyRef.name ?? '', vf.configMapKeyRef.key, vf.configMapKeyRef.optional, w)?.toString('utf8');
    else if (vf.secretKeyRef) v = dataKey(src.secrets, 'Secret', vf.secretKeyRef.name ?? '', vf.secretKeyRef.key, vf.secretKeyRef.optional, w)?.toString('utf8');
    else if (vf.fieldRef) v = fieldValue(vf.fieldRef.fieldPath, pod, w);
    else if (vf.resourceFieldRef) v = resourceValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, w);
    if (v !== undefined) vars.set(e.name, v);
  }
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

function probeHealth(c: Container, where: string, warnings: string[]): Partial<ContainerCreateOptions> {
  const probes = (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).filter((k) => c[k]);
  if (!probes.length) return {};
  if (probes.length > 1) warnings.push(`${where}: only one health check per container: ${probes[0]} is used, ${probes.slice(1).join(' and ')} ignored`);
  const p: Probe = c[probes[0]!]!;
  let cmd: string[];
  const portOf = (port: number | string) => {
    if (typeof port === 'number') return port;
    const named = c.ports?.find((x) => x.name === port);
    if (!named) throw new KubeError(`${where}.${probes[0]}: port ${JSON.stringify(port)} names no port of the container`);
    return named.containerPort;
  };
  if (p.exec) cmd = ['CMD', ...p.exec.command];
  else if (p.httpGet) {
    const url = `${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? 'localhost'}:${portOf(p.httpGet.port)}${p.httpGet.path ?? '/'}`;
    // busybox images have wget, others curl: whichever the image has
    cmd = ['CMD-SHELL', `wget -q -O /dev/null '${url}' 2>/dev/null || curl -fsS -o /dev/null '${url}'`];
  } else {
    const t = p.tcpSocket!;
    cmd = ['CMD-SHELL', `nc -z ${t.host ?? 'localhost'} ${portOf(t.port)}`];
  }
  return {
    healthCmd: JSON.stringify(cmd),
    healthInterval: `${p.periodSeconds ?? 10}s`,
    healthTimeout: `${p.timeoutSeconds ?? 1}s`,
    healthRetries: p.failureThreshold ?? 3,
    healthStartPeriod: `${p.initialDelaySeconds ?? 0}s`,
  };
}

function resources(c: Container, where: string, warnings: string[]): Partial<ContainerCreateOptions> {
  const out: Partial<ContainerCreateOptions> = {};
  const lim = c.resources?.limits ?? {};
  for (const [k, v] of Object.entries(lim)) {
    if (k === 'memory') out.memory = String(Math.floor(parseQuantity(v, `${where}.resources.limits.memory`)));
    else if (k === 'cpu') out.cpus = parseQuantity(v, `${where}.resources.limits.cpu`);
    else warnings.push(`${where}.resources.limits.${k}: not enforced by tspod`);
  }
  if (c.resources?.requests && Object.keys(c.resources.requests).length) warnings.push(`${where}.resources.requests: requests are a scheduler's business and not enforced by tspod`);
  return out;
}

function containerPlan(pod: { name: string; meta: ObjectMeta; spec: PodSpec; hostname: string | undefined }, c: Container, init: boolean, src: DataSources, o: TranslateOptions, where: string, warnings: string[], restart: string): ContainerPlan {
  const env = environment(c, src, pod, where);
  const vars = new Map(env.map((e) => { const i = e.indexOf('='); return [e.slice(0, i), e.slice(i + 1)] as [string, string]; }));
  const sc = c.securityContext ?? {};
  const psc = pod.spec.securityContext ?? {};
  const uid = sc.runAsUser ?? psc.runAsUser, gid = sc.runAsGroup ?? psc.runAsGroup;
  const options: ContainerCreateOptions = {
    image: c.image!,
    name: `${pod.name}-${c.name}`,
    env,
    entrypoint: c.command ? JSON.stringify(c.command.map((a) => expandVars(a, vars))) : undefined,
    command: c.args ? c.args.map((a) => expandVars(a, vars)) : undefined,
    workdir: c.workingDir,
    user: uid !== undefined ? (gid !== undefined ? `${uid}:${gid}` : String(uid)) : gid !== undefined ? `0:${gid}` : undefined,
    groupAdd: psc.supplementalGroups?.map(String),
    sysctl: psc.sysctls?.map((s) => `${s.name}=${s.value}`),
    capAdd: sc.capabilities?.add, capDrop: sc.capabilities?.drop,
    privileged: sc.privileged, readOnly: sc.readOnlyRootFilesystem,
    securityOpt: sc.allowPrivilegeEscalation === false ? ['no-new-privileges'] : undefined,
    tty: c.tty, interactive: c.stdin,
    pull: c.imagePullPolicy ? PULL[c.imagePullPolicy] : undefined,
    restart: init ? 'no' : restart,
    label: Object.entries(pod.meta.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    annotation: Object.entries(pod.meta.annotations ?? {}).map(([k, v]) => `${k}=${v}`),
    logDriver: o.logDriver, userns: o.userns, tlsVerify: o.tlsVerify,
    ...(init ? {} : probeHealth(c, where, warnings)),
    ...resources(c, where, warnings),
  };
  if (sc.runAsNonRoot && uid === undefined) warnings.push(`${where}.securityContext.runAsNonRoot: not checked against the image's user by tspod`);
  const mounts = (c.volumeMounts ?? []).map((m) => ({ volume: m.name, destination: m.mountPath, subPath: m.subPath || undefined, readOnly: !!m.readOnly }));
  return { name: c.name, init, options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as unknown as ContainerCreateOptions, mounts };
}

function files(m: Record<string, Buffer> | undefined, items: { key: string; path: string; mode?: number }[] | undefined, mode: number, where: string, what: string): { path: string; data: Buffer; mode: number }[] {
  if (!m) return [];
  if (!items) return Object.entries(m).map(([k, data]) => ({ path: k, data, mode }));
  return items.map((it) => {
    const data = m[it.key];
    if (!data) throw new KubeError(`${where}: ${what} has no key ${JSON.stringify(it.key)}`);
    return { path: it.path, data, mode: it.mode ?? mode };
  });
}

function podVolumes(podName: string, spec: PodSpec, src: DataSources, where: string): PodVolume[] {
  return (spec.volumes ?? []).map((v, i): PodVolume => {
    const w = `${where}.volumes[${i}]`;
    if (v.hostPath) return { name: v.name, type: 'hostPath', path: v.hostPath.path, hostPathType: v.hostPath.type ?? '' };
    if (v.persistentVolumeClaim) return { name: v.name, type: 'pvc', claim: v.persistentVolumeClaim.claimName, readOnly: !!v.persistentVolumeClaim.readOnly };
    if (v.emptyDir) return { name: v.name, type: 'emptyDir', engineName: `${podName}-${v.name}`, tmpfs: v.emptyDir.medium === 'Memory' };
    if (v.configMap) {
      const cm = v.configMap;
      dataKey(src.configMaps, 'ConfigMap', cm.name, undefined, cm.optional, w);
      return { name: v.name, type: 'files', engineName: `${podName}-${v.name}`, files: files(src.configMaps.get(cm.name), cm.items, cm.defaultMode ?? 0o644, w, `ConfigMap ${JSON.stringify(cm.name)}`) };
    }
    const s = v.secret!;
    dataKey(src.secrets, 'Secret', s.secretName, undefined, s.optional, w);
    return { name: v.name, type: 'files', engineName: `${podName}-${v.name}`, files: files(src.secrets.get(s.secretName), s.items, s.defaultMode ?? 0o644, w, `Secret ${JSON.stringify(s.secretName)}`) };
  });
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) => !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The pods of one workload. `services` publish their nodePorts on the pods they select. */
export function translateWorkload(w: Workload, src: DataSources, services: Service[], o: TranslateOptions = {}): PodPlan[] {
  const template = w.kind === 'Pod' ? { metadata: w.metadata, spec: w.spec } : w.spec.template;
  const meta: ObjectMeta = { ...template.metadata, namespace: w.metadata.namespace };
  const spec = template.spec;
  const origin = `${w.kind} ${JSON.stringify(w.metadata.name)}`;
  const restart = RESTART[spec.restartPolicy ?? 'Always']!;
  const names = podNames(w);
  const labels = { ...(w.kind === 'Pod' ? {} : w.metadata.labels), ...meta.labels };
  return names.map((name) => {
    const warnings: string[] = [];
    const pod = { name, meta: { ...meta, labels }, spec, hostname: spec.hostname };
    const ports: string[] = [];
    for (const c of spec.containers) for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      ports.push(`${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort}:${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`);
    }
    for (const s of services) {
      if (!matches(s.spec.selector, labels)) continue;
      for (const sp of s.spec.ports ?? []) {
        if (!sp.nodePort) continue;
        const target = typeof sp.targetPort === 'string' ? spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === sp.targetPort)?.containerPort : sp.targetPort ?? sp.port;
        if (target === undefined) throw new KubeError(`Service ${JSON.stringify(s.metadata.name)}: targetPort ${JSON.stringify(sp.targetPort)} names no port of ${origin}`);
        ports.push(`${sp.nodePort}:${target}/${(sp.protocol ?? 'TCP').toLowerCase()}`);
      }
    }
    for (const p of o.publish ?? []) ports.push(p);
    if (names.length > 1 && ports.length) throw new KubeError(`${origin}: ${names.length} replicas cannot all publish host ports (${ports[0]}): set replicas to 1 or drop the hostPort`);
    const where = w.kind === 'Pod' ? `${origin}: spec` : `${origin}: spec.template.spec`;
    const plan: PodPlan = {
      origin, name, labels, annotations: meta.annotations ?? {},
      hostname: spec.hostname, hostNetwork: !!spec.hostNetwork, sharePid: !!spec.shareProcessNamespace,
      addHost: (spec.hostAliases ?? []).flatMap((h) => (h.hostnames ?? []).map((n) => `${n}:${h.ip}`)),
      dns: spec.dnsConfig?.nameservers ?? [], dnsSearch: spec.dnsConfig?.searches ?? [],
      dnsOption: (spec.dnsConfig?.options ?? []).map((x) => (x.value !== undefined ? `${x.name}:${x.value}` : x.name)),
      publish: [...new Set(ports)], restart, volumes: podVolumes(name, spec, src, where),
      initContainers: (spec.initContainers ?? []).map((c, i) => containerPlan(pod, c, true, src, o, `${where}.initContainers[${i}]`, warnings, restart)),
      containers: spec.containers.map((c, i) => containerPlan(pod, c, false, src, o, `${where}.containers[${i}]`, warnings, restart)),
      warnings,
    };
    if (plan.hostNetwork && plan.publish.length) warnings.push(`${origin}: hostNetwork: the ports are the host's own, nothing is published`);
    return plan;
  });
}

/** ConfigMaps and Secrets of a manifest (plus those of --configmap files), as data. */
export function dataSources(objects: KubeObject[]): DataSources {
  const configMaps = new Map<string, Record<string, Buffer>>(), secrets = new Map<string, Record<string, Buffer>>();
  for (const o of objects) {
    if (o.kind === 'ConfigMap') {
      const m: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(o.binaryData ?? {})) m[k] = Buffer.from(v, 'base64');
      for (const [k, v] of Object.entries(o.data ?? {})) m[k] = Buffer.from(v, 'utf8');
      configMaps.set(o.metadata.name!, m);
    } else if (o.kind === 'Secret') {
      const m: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(o.data ?? {})) m[k] = Buffer.from(v, 'base64');
      for (const [k, v] of Object.entries(o.stringData ?? {})) m[k] = Buffer.from(v, 'utf8');
      secrets.set(o.metadata.name!, m);
    }
  }
  return { configMaps, secrets };
}
