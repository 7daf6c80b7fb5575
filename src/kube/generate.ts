// Containers and pods (as the engine inspects them) -> Kubernetes objects a cluster accepts. Names are made
// valid (DNS-1123 labels for containers and volumes, subdomains for pods and claims, DNS-1035 for Services),
// only what differs from the image is written (command, env, working directory), and the result is checked
// with the same validators kube play uses before it is returned: an invalid document is a bug, not output.
import { stringify } from 'yaml';
import { KubeError } from './errors.js';
import { dns1123Label, labelValue, qualifiedName, toDns1035Label, toDns1123Label, toDns1123Subdomain, toLabelValue, toQualifiedName, uniqueName } from './names.js';
import { formatBytes, formatCpus } from './quantity.js';
import type { Container, ContainerPort, Deployment, KubeObject, PersistentVolumeClaim, Pod, PodSpec, Probe, Service, Volume, VolumeMount } from './types.js';
import { objectProblems } from './validate.js';

type Doc = Record<string, unknown>;
/** The parts of a container's inspect document the generator reads (Podman's field names). */
export interface ContainerInspect {
  Name: string;
  ImageName?: string;
  Config: {
    Image?: string; Env?: string[]; Cmd?: string[] | null; Entrypoint?: string[] | null; WorkingDir?: string; User?: string; Tty?: boolean; OpenStdin?: boolean;
    Labels?: Record<string, string> | null; Annotations?: Record<string, string> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | undefined;
  };
  HostConfig: {
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>; RestartPolicy?: { Name: string };
    CapAdd?: string[] | null; CapDrop?: string[] | null; Privileged?: boolean; ReadonlyRootfs?: boolean; SecurityOpt?: string[] | null;
    Memory?: number; NanoCpus?: number;
  };
  Mounts?: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean; Options?: string[] }>;
}
/** The parts of an image's inspect document the generator reads. */
export interface ImageInspect { Config?: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string; Labels?: Record<string, string> } }

export interface GenContainer { inspect: ContainerInspect; image?: ImageInspect | undefined }
export interface GenPod {
  /** The pod's name (a standalone container: `<name>-pod`, as Podman). */
  name: string;
  containers: GenContainer[];
  /** A pod's published ports (its infra container's), `containerPort/proto` -> bindings; else each container's own. */
  portBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>> | undefined;
  hostname?: string | undefined;
  sharePid?: boolean | undefined;
  /** With --type deployment: this pod's replicas (a compose service's container count) and Deployment name. */
  replicas?: number | undefined;
  deploymentName?: string | undefined;
}
export interface GenVolume { Name: string; Driver?: string; Labels?: Record<string, string>; Options?: Record<string, string> }
export interface GenerateOptions { service?: boolean | undefined; type?: 'pod' | 'deployment' | undefined; replicas?: number | undefined }
export interface GenerateResult { objects: KubeObject[]; warnings: string[] }

// what the engine adds to every container's environment, not the user's
const ENGINE_ENV = new Set(['container', 'HOSTNAME', 'HOME', 'TERM']);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function envDiff(ctr: string[] | undefined, img: string[] | undefined): { name: string; value: string }[] {
  const base = new Set(img ?? []);
  const imgKeys = new Set((img ?? []).map((e) => e.split('=', 1)[0]));
  return (ctr ?? []).filter((e) => !base.has(e)).map((e) => { const i = e.indexOf('='); return { name: i < 0 ? e : e.slice(0, i), value: i < 0 ? '' : e.slice(i + 1) }; })
    .filter((e) => !(ENGINE_ENV.has(e.name) && !imgKeys.has(e.name)));
}

function ports(bindings: GenPod['portBindings']): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [port, proto = 'tcp'] = key.split('/') as [string, string | undefined];
    for (const b of list ?? []) {
      const p: ContainerPort = { containerPort: Number(port), protocol: proto.toUpperCase() as ContainerPort['protocol'] };
      if (b.HostPort && Number(b.HostPort)) p.hostPort = Number(b.HostPort);
      if (b.HostIp && b.HostIp !== '0.0.0.0' && b.HostIp !== '::') p.hostIP = b.HostIp;
      out.push(p);
    }
  }
  return out;
}

function probe(h: ContainerInspect['Config']['Healthcheck']): Probe | undefined {
  const t = h?.Test;
  if (!t?.length || t[0] === 'NONE') return undefined;
  const command = t[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', t.slice(1).join(' ')] : t[0] === 'CMD' ? t.slice(1) : t;
  const secs = (ns: number | undefined) => (ns ? Math.max(1, Math.round(ns / 1e9)) : undefined);
  const p: Probe = { exec: { command } };
  if (secs(h!.Interval)) p.periodSeconds = secs(h!.Interval)!;
  if (secs(h!.Timeout)) p.timeoutSeconds = secs(h!.Timeout)!;
  if (h!.Retries) p.failureThreshold = h!.Retries;
  if (h!.StartPeriod) p.initialDelaySeconds = Math.round(h!.StartPeriod / 1e9);
  return p;
}

const RESTART: Record<string, PodSpec['restartPolicy']> = { always: 'Always', 'unless-stopped': 'Always', 'on-failure': 'OnFailure', no: 'Never', '': 'Never' };

function podSpec(pod: GenPod, warnings: string[], claims: Set<string>): PodSpec {
  const ctrNames = new Set<string>(), volNames = new Set<string>();
  const volumes: Volume[] = [];
  const volumeFor = new Map<string, string>();
  const spec: PodSpec = { containers: [] };
  for (const { inspect: c, image } of pod.containers) {
    const name = uniqueName(toDns1123Label(c.Name, 'container'), ctrNames);
    if (name !== c.Name) warnings.push(`container "${c.Name}" is named "${name}" (Kubernetes names are lowercase RFC 1123 labels)`);
    const ic = image?.Config ?? {};
    const k: Container = { name, image: c.ImageName || c.Config.Image || '' };
    const entry = c.Config.Entrypoint ?? [], cmd = c.Config.Cmd ?? [];
    if (!same(entry, ic.Entrypoint)) { k.command = [...entry]; if (cmd.length) k.args = [...cmd]; } else if (!same(cmd, ic.Cmd)) k.args = [...cmd];
    const env = envDiff(c.Config.Env, ic.Env);
    if (env.length) k.env = env;
    if (c.Config.WorkingDir && c.Config.WorkingDir !== (ic.WorkingDir || '/')) k.workingDir = c.Config.WorkingDir;
    const p = ports(pod.portBindings ? undefined : c.HostConfig.PortBindings);
    if (p.length) k.ports = p;
    const mounts: VolumeMount[] = [];
    for (const m of c.Mounts ?? []) {
      const key = `${m.Type}:${m.Type === 'volume' ? m.Name ?? m.Source : m.Source}`;
      let vname = volumeFor.get(key);
      if (!vname) {
        if (m.Type === 'volume') {
          const claim = toDns1123Subdomain(m.Name ?? m.Source, 'volume');
          if (claim !== m.Name) warnings.push(`volume "${m.Name ?? m.Source}" is claimed as "${claim}" (Kubernetes names are lowercase RFC 1123 subdomains)`);
          vname = uniqueName(toDns1123Label(`${claim}-pvc`, 'volume'), volNames);
          volumes.push({ name: vname, persistentVolumeClaim: { claimName: claim } });
          claims.add(claim);
        } else if (m.Type === 'tmpfs') {
          vname = uniqueName(toDns1123Label(`${m.Destination}-tmpfs`, 'tmpfs'), volNames);
          volumes.push({ name: vname, emptyDir: { medium: 'Memory' } });
        } else {
          vname = uniqueName(toDns1123Label(`${m.Source}-host`, 'host'), volNames);
          volumes.push({ name: vname, hostPath: { path: m.Source, type: 'DirectoryOrCreate' } });
        }
        volumeFor.set(key, vname);
      }
      const vm: VolumeMount = { name: vname, mountPath: m.Destination };
      if (!m.RW) vm.readOnly = true;
      mounts.push(vm);
    }
    if (mounts.length) k.volumeMounts = mounts;
    const h = c.HostConfig;
    const sc: NonNullable<Container['securityContext']> = {};
    const caps = (l: string[] | null | undefined) => (l ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
    if (caps(h.CapAdd).length || caps(h.CapDrop).length) sc.capabilities = { ...(caps(h.CapAdd).length ? { add: caps(h.CapAdd) } : {}), ...(caps(h.CapDrop).length ? { drop: caps(h.CapDrop) } : {}) };
    if (h.Privileged) sc.privileged = true;
    if (h.ReadonlyRootfs) sc.readOnlyRootFilesystem = true;
    if ((h.SecurityOpt ?? []).some((o) => o === 'no-new-privileges' || o === 'no-new-privileges:true')) sc.allowPrivilegeEscalation = false;
    const user = c.Config.User ?? '';
    const um = /^(\d+)(?::(\d+))?$/.exec(user);
    if (um) { sc.runAsUser = Number(um[1]); if (um[2] !== undefined) sc.runAsGroup = Number(um[2]); }
    else if (user && user !== 'root') warnings.push(`container "${c.Name}": user "${user}" is not numeric: Kubernetes needs runAsUser as a number, left out`);
    if (Object.keys(sc).length) k.securityContext = sc;
    const limits: Record<string, string> = {};
    if (h.Memory) limits['memory'] = formatBytes(h.Memory);
    if (h.NanoCpus) limits['cpu'] = formatCpus(h.NanoCpus / 1e9);
    if (Object.keys(limits).length) k.resources = { limits };
    const lp = probe(c.Config.Healthcheck);
    if (lp) k.livenessProbe = lp;
    if (c.Config.Tty) k.tty = true;
    if (c.Config.OpenStdin) k.stdin = true;
    spec.containers.push(k);
  }
  if (pod.portBindings) {
    const p = ports(pod.portBindings);
    // a pod's ports belong to the pod: Kubernetes lists them on a container, the first
    if (p.length && spec.containers[0]) spec.containers[0].ports = p;
  }
  if (volumes.length) spec.volumes = volumes;
  const policies = new Set(pod.containers.map((c) => RESTART[c.inspect.HostConfig.RestartPolicy?.Name ?? ''] ?? 'Never'));
  const policy = [...policies][0];
  if (policies.size > 1) warnings.push(`pod "${pod.name}": its containers have different restart policies; Kubernetes has one per pod: ${policy} is used`);
  if (policy) spec.restartPolicy = policy;
  if (pod.hostname && !dns1123Label(pod.hostname)) spec.hostname = pod.hostname;
  if (pod.sharePid) spec.shareProcessNamespace = true;
  return spec;
}

function annotations(pod: GenPod, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { inspect: c } of pod.containers) for (const [k, v] of Object.entries(c.Config.Annotations ?? {})) {
    const key = toQualifiedName(k);
    if (!key) { warnings.push(`annotation "${k}" of container "${c.Name}" has no valid Kubernetes form: left out`); continue; }
    if (key !== k) warnings.push(`annotation "${k}" is written as "${key}" (Kubernetes annotation keys are qualified names)`);
    out[key] = v;
  }
  return out;
}

function labels(pod: GenPod, app: string): Record<string, string> {
  const out: Record<string, string> = { app };
  for (const { inspect: c, image } of pod.containers) for (const [k, v] of Object.entries(c.Config.Labels ?? {})) {
    if (image?.Config?.Labels?.[k] === v || k.startsWith('com.docker.compose.') || k.startsWith('io.podman.')) continue;
    if (qualifiedName(k) || labelValue(v)) continue;
    out[k] = v;
  }
  return out;
}

/** Objects for the pods and volumes given. */
export function generateKube(pods: GenPod[], vols: GenVolume[], o: GenerateOptions = {}): GenerateResult {
  const warnings: string[] = [];
  const objects: KubeObject[] = [];
  const claims = new Set<string>();
  const podNames = new Set<string>();
  const services: Service[] = [];
  for (const gp of pods) {
    const name = uniqueName(toDns1123Subdomain(gp.name, 'pod'), podNames, 253);
    if (name !== gp.name) warnings.push(`pod "${gp.name}" is named "${name}" (Kubernetes names are lowercase RFC 1123 subdomains)`);
    const app = toLabelValue(name) || 'app';
    const spec = podSpec(gp, warnings, claims);
    const meta = { name, labels: labels(gp, app) };
    const ann = annotations(gp, warnings);
    if (o.type === 'deployment') {
      spec.restartPolicy = 'Always';
      const d: Deployment = {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: toDns1123Subdomain(gp.deploymentName ?? `${name}-deployment`), labels: { app } },
        spec: { replicas: gp.replicas ?? o.replicas ?? 1, selector: { matchLabels: { app } }, template: { metadata: { ...meta, ...(Object.keys(ann).length ? { annotations: ann } : {}) }, spec } },
      };
      objects.push(d);
    } else {
      const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, ...(Object.keys(ann).length ? { annotations: ann } : {}) }, spec };
      objects.push(p);
    }
    if (o.service) {
      const ps = spec.containers.flatMap((c) => c.ports ?? []);
      if (!ps.length) { warnings.push(`pod "${name}" publishes no port: no Service written for it`); continue; }
      const seen = new Set<string>();
      const sports = ps.filter((p) => { const k = `${p.containerPort}/${p.protocol}`; if (seen.has(k)) return false; seen.add(k); return true; })
        .map((p) => ({ name: `${p.containerPort}-${(p.protocol ?? 'TCP').toLowerCase()}`, protocol: p.protocol ?? 'TCP', port: p.containerPort, targetPort: p.containerPort }));
      services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: toDns1035Label(name, 'service'), labels: { app } }, spec: { type: 'NodePort', selector: { app }, ports: sports } });
    }
  }
  objects.push(...services);
  const byName = new Map(vols.map((v) => [toDns1123Subdomain(v.Name, 'volume'), v]));
  for (const v of vols) claims.add(toDns1123Subdomain(v.Name, 'volume'));
  for (const claim of claims) {
    const v = byName.get(claim);
    const ann: Record<string, string> = {};
    if (v?.Driver && v.Driver !== 'local') ann['volume.podman.io/driver'] = v.Driver;
    const pvc: PersistentVolumeClaim = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: claim, ...(Object.keys(ann).length ? { annotations: ann } : {}) },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    objects.unshift(pvc);
  }
  for (const obj of objects) {
    const problems = objectProblems(obj as unknown as Doc);
    if (problems.length) throw new KubeError(`internal error: generated ${obj.kind} "${obj.metadata.name ?? ''}" is invalid: ${problems[0]}`);
  }
  return { objects, warnings };
}

/** The objects as one YAML stream (documents separated by `---`), with a header comment. */
export function renderKube(objects: KubeObject[], version: string): string {
  const head = `# Save the output of this file and use kubectl create -f to import it into Kubernetes.\n#\n# Created with tspod-${version}\n`;
  return head + objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
