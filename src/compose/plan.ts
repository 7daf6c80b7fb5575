// The planner: what `compose up` must do, computed without touching anything. It maps each service onto the
// engine's create options (the same options `tspod create` takes, so the engine validates them the same way)
// and compares the desired containers with the project's existing ones by their config-hash label.
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { CreateOptions } from '../container/options.js';
import { paths } from '../util/paths.js';
import { ComposeError } from './errors.js';
import { serviceConfigHash } from './hash.js';
import { builtImageName, containerName, LABELS } from './names.js';
import type { Project, ServiceConfig, ServiceVolume } from './types.js';

/** Docker Compose's version label value: the Compose file format tspod follows. */
export const COMPOSE_VERSION = '2.0.0';

/** The image a service runs: `image:`, else the one `build:` makes. */
export function serviceImage(project: Project, name: string, s: ServiceConfig): string {
  if (s.image) return s.image;
  if (s.build) return builtImageName(project.name, name);
  throw new ComposeError(`service "${name}" has neither an image nor a build context`);
}

/** Labels Docker Compose puts on a service's container (so Compose tools recognise it). */
export function containerLabels(project: Project, name: string, s: ServiceConfig, n: number): Record<string, string> {
  return {
    ...s.labels,
    [LABELS.project]: project.name,
    [LABELS.service]: name,
    [LABELS.containerNumber]: String(n),
    [LABELS.oneoff]: 'False',
    [LABELS.configHash]: serviceConfigHash(s),
    [LABELS.workingDir]: project.working_dir,
    [LABELS.configFiles]: project.config_files.join(','),
    [LABELS.dependsOn]: Object.entries(s.depends_on).map(([d, c]) => `${d}:${c.condition}:${c.restart}`).join(','),
    [LABELS.image]: serviceImage(project, name, s),
    [LABELS.version]: COMPOSE_VERSION,
  };
}

const ms = (v: number | undefined): string | undefined => (v === undefined ? undefined : `${v}ms`);

function volumeSpec(project: Project, v: ServiceVolume, service: string): { volume?: string; tmpfs?: string } {
  // the engine's -v options: ro, volume.nocopy, bind.propagation and bind.selinux
  const opts = [v.read_only ? 'ro' : '', v.type === 'volume' && v.volume?.nocopy ? 'nocopy' : '', v.type === 'bind' ? v.bind?.propagation ?? '' : '', v.type === 'bind' ? v.bind?.selinux ?? '' : ''].filter(Boolean);
  const ro = opts.length ? `:${opts.join(',')}` : '';
  switch (v.type) {
    case 'volume': {
      if (!v.source) return { volume: v.target };
      const top = project.volumes[v.source];
      if (!top) throw new ComposeError(`service "${service}" uses volume "${v.source}", which is not defined in the top-level volumes`);
      return { volume: `${top.name}:${v.target}${ro}` };
    }
    case 'bind': return { volume: `${v.source}:${v.target}${ro}` };
    case 'tmpfs': {
      const o = [v.tmpfs?.size !== undefined ? `size=${v.tmpfs.size}` : '', v.tmpfs?.mode !== undefined ? `mode=${v.tmpfs.mode.toString(8)}` : ''].filter(Boolean);
      return { tmpfs: o.length ? `${v.target}:${o.join(',')}` : v.target };
    }
    default: throw new ComposeError(`service "${service}": volumes of type "${v.type}" are not supported by tspod`);
  }
}

function restartPolicy(s: ServiceConfig): string | undefined {
  if (s.restart) return s.restart;
  const rp = s.deploy?.restart_policy;
  if (!rp?.condition) return undefined;
  if (rp.condition === 'any') return 'always';
  if (rp.condition === 'on-failure') return rp.max_attempts ? `on-failure:${rp.max_attempts}` : 'on-failure';
  return 'no';
}

/** The pull policy of the engine's create for a service's pull_policy (build is handled before create). */
function pullPolicy(p: string | undefined): CreateOptions['pull'] {
  if (p === 'always') return 'always';
  if (p === 'never' || p === 'build') return 'never';
  return 'missing';
}

/** Service keys tspod's engine has no equivalent for: `up` warns that they are ignored. */
const UNSUPPORTED_KEYS = ['domainname', 'cgroup_parent', 'mac_address', 'oom_kill_disable', 'oom_score_adj', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_runtime',
  'cpu_rt_period', 'cpuset', 'cpu_count', 'cpu_percent', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'device_cgroup_rules', 'blkio_config', 'storage_opt',
  'isolation', 'cgroup', 'credential_spec', 'gpus', 'external_links'];

/** The keys of a service that tspod ignores (set in the file, no engine equivalent). */
export function unsupportedKeys(s: ServiceConfig): string[] {
  return UNSUPPORTED_KEYS.filter((k) => s[k] !== undefined && s[k] !== null && !(Array.isArray(s[k]) && !(s[k] as unknown[]).length));
}

/** The engine's create options for container number `n` of a service. */
export function createOptions(project: Project, name: string, s: ServiceConfig, n: number): CreateOptions {
  const volume: string[] = [];
  const tmpfs: string[] = [...(s.tmpfs ?? [])];
  for (const v of s.volumes) { const r = volumeSpec(project, v, name); if (r.volume) volume.push(r.volume); if (r.tmpfs) tmpfs.push(r.tmpfs); }
  let network: string | undefined;
  let networkAlias: string[] | undefined;
  let ip: string | undefined;
  if (s.network_mode) {
    const m = s.network_mode;
    if (m.startsWith('service:')) network = `container:${containerName(project.name, m.slice(8), 1)}`;
    else network = m === 'bridge' ? 'slirp4netns' : m;
  } else if (s.networks && Object.keys(s.networks).length) {
    const keys = Object.keys(s.networks).sort((a, b) => (s.networks![b]!.priority ?? 0) - (s.networks![a]!.priority ?? 0) || a.localeCompare(b));
    network = keys.map((k) => {
      const top = project.networks[k];
      if (!top) throw new ComposeError(`service "${name}" uses network "${k}", which is not defined in the top-level networks`);
      return top.name;
    }).join(',');
    networkAlias = [...new Set([name, ...keys.flatMap((k) => s.networks![k]!.aliases ?? [])])];
    if (keys.length === 1) ip = s.networks[keys[0]!]!.ipv4_address;
  }
  for (const f of [...s.secrets.map((x) => ({ ...x, kind: 'secrets' as const })), ...s.configs.map((x) => ({ ...x, kind: 'configs' as const }))]) {
    const def = project[f.kind][f.source];
    if (!def) throw new ComposeError(`service "${name}" uses ${f.kind.slice(0, -1)} "${f.source}", which is not defined in the top-level ${f.kind}`);
    volume.push(`${def.file ?? fileObjectPath(project, f.kind, f.source)}:${f.target}:ro`);
  }
  const hc = s.healthcheck;
  const volumesFrom = (s.volumes_from ?? []).map((v) => {
    if (v.startsWith('container:')) return v.slice(10);
    const [svc, mode] = v.replace(/^service:/, '').split(':') as [string, string | undefined];
    return containerName(project.name, svc, 1) + (mode ? `:${mode}` : '');
  });
  const lim = s.deploy?.resources?.limits;
  // ipc/pid/uts: service:NAME is that service's first container, the rest (host, container:NAME, ...) as the engine takes it
  const nsMode = (v: unknown): string | undefined => (typeof v !== 'string' || !v ? undefined : v.startsWith('service:') ? `container:${containerName(project.name, v.slice(8), 1)}` : v);
  const o: CreateOptions = {
    image: serviceImage(project, name, s),
    name: s.container_name ?? containerName(project.name, name, n),
    command: s.command ?? undefined,
    entrypoint: s.entrypoint === undefined || s.entrypoint === null ? undefined : s.entrypoint.length ? JSON.stringify(s.entrypoint) : '',
    env: Object.entries(s.environment).filter((e): e is [string, string] => e[1] !== null).map(([k, v]) => `${k}=${v}`),
    publish: s.ports.map((p) => `${p.host_ip ? `${p.host_ip}:` : ''}${p.published ? `${p.published}:` : p.host_ip ? ':' : ''}${p.target}/${p.protocol}`),
    volume, tmpfs, volumesFrom,
    network, networkAlias, ip,
    restart: restartPolicy(s),
    label: Object.entries(containerLabels(project, name, s, n)).map(([k, v]) => `${k}=${v}`),
    user: s.user, workdir: s.working_dir, hostname: s.hostname,
    init: s.init, readOnly: s.read_only, privileged: s.privileged,
    capAdd: s.cap_add, capDrop: s.cap_drop, securityOpt: s.security_opt,
    dns: s.dns, dnsSearch: s.dns_search, dnsOption: s.dns_opt,
    addHost: s.extra_hosts ? Object.entries(s.extra_hosts).flatMap(([h, ips]) => ips.map((a) => `${h}:${a}`)) : undefined,
    shmSize: s.shm_size !== undefined ? String(s.shm_size) : undefined,
    sysctl: s.sysctls ? Object.entries(s.sysctls).map(([k, v]) => `${k}=${v}`) : undefined,
    ulimit: s.ulimits ? Object.entries(s.ulimits).map(([k, u]) => `${k}=${u.soft}:${u.hard}`) : undefined,
    stopSignal: s.stop_signal,
    stopTimeout: s.stop_grace_period !== undefined ? Math.ceil(s.stop_grace_period / 1000) : undefined,
    tty: s.tty, interactive: s.stdin_open,
    logDriver: s.logging?.driver, logOpt: s.logging?.options ? Object.entries(s.logging.options).map(([k, v]) => `${k}=${v}`) : undefined,
    // mem_limit/cpus/pids_limit, else deploy.resources.limits (the engine warns where rootless cannot apply them)
    memory: (s.mem_limit ?? lim?.memory) !== undefined ? String(s.mem_limit ?? lim?.memory) : undefined,
    cpus: s.cpus ?? lim?.cpus, pidsLimit: s.pids_limit ?? lim?.pids, platform: s.platform,
    ipc: nsMode(s['ipc']), pid: nsMode(s['pid']), uts: nsMode(s['uts']),
    userns: typeof s['userns_mode'] === 'string' ? s['userns_mode'] : undefined,
    runtime: typeof s['runtime'] === 'string' ? s['runtime'] : undefined,
    annotation: s['annotations'] && typeof s['annotations'] === 'object' ? Object.entries(s['annotations'] as Record<string, string>).map(([k, v]) => `${k}=${v}`) : undefined,
    groupAdd: Array.isArray(s['group_add']) && s['group_add'].length ? (s['group_add'] as unknown[]).map(String) : undefined,
    pull: pullPolicy(s.pull_policy),
    device: s.devices?.length ? s.devices : undefined,
    expose: s.expose?.length ? s.expose.map(String) : undefined,
  };
  if (hc?.disable) o.noHealthcheck = true;
  else if (hc) {
    if (hc.test) o.healthCmd = JSON.stringify(hc.test);
    o.healthInterval = ms(hc.interval); o.healthTimeout = ms(hc.timeout); o.healthStartPeriod = ms(hc.start_period); o.healthStartInterval = ms(hc.start_interval); o.healthRetries = hc.retries;
  }
  return o;
}

/**
 * Where a secret or config given by `environment` or inline `content` is written for its bind mount (file-based
 * ones are mounted from their file): under tspod's store, per project, so it outlives a reboot as containers do.
 */
export function fileObjectPath(project: Project, kind: 'secrets' | 'configs', key: string): string {
  return path.join(paths().root, 'compose', project.name, kind, key);
}

/** An existing container of the project, as the planner needs it. */
export interface ExistingContainer { id: string; name: string; state: string; labels: Record<string, string>; imageId?: string | undefined }

export type ContainerAction =
  | { kind: 'create'; service: string; number: number; options: CreateOptions }
  | { kind: 'recreate'; service: string; number: number; options: CreateOptions; old: ExistingContainer }
  | { kind: 'start'; service: string; number: number; container: ExistingContainer }
  | { kind: 'running'; service: string; number: number; container: ExistingContainer }
  | { kind: 'remove'; service: string; number: number; container: ExistingContainer };

export interface UpPlan {
  /** Services to converge, dependencies first. */
  order: string[];
  /** Per service, in container-number order. */
  actions: Record<string, ContainerAction[]>;
  /** Containers of the project whose service is not in the project. */
  orphans: ExistingContainer[];
}

export interface PlanOptions {
  forceRecreate?: boolean | undefined;
  noRecreate?: boolean | undefined;
  /** The local image ID of each service's image: a container of another image (rebuilt, pulled) is recreated. */
  imageIds?: Record<string, string> | undefined;
}

/**
 * Which containers to create, recreate, start, keep or remove so that `services` (dependencies first) run as
 * the project says. A container is kept when its config-hash label matches the service's hash and it runs the
 * service's current image.
 */
export function planUp(project: Project, services: string[], existing: ExistingContainer[], o: PlanOptions = {}): UpPlan {
  const actions: Record<string, ContainerAction[]> = {};
  for (const name of services) {
    const s = project.services[name];
    if (!s) throw new ComposeError(`no such service: ${name}`);
    if (s.container_name && s.scale > 1) throw new ComposeError(`service "${name}" has container_name "${s.container_name}" and cannot be scaled to ${s.scale} containers`);
    const hash = serviceConfigHash(s);
    const mine = existing.filter((c) => c.labels[LABELS.service] === name && c.labels[LABELS.oneoff] !== 'True');
    const list: ContainerAction[] = [];
    for (let n = 1; n <= s.scale; n++) {
      const c = mine.find((x) => Number(x.labels[LABELS.containerNumber]) === n);
      if (!c) { list.push({ kind: 'create', service: name, number: n, options: createOptions(project, name, s, n) }); continue; }
      const want = o.imageIds?.[name];
      const same = c.labels[LABELS.configHash] === hash && (!want || !c.imageId || c.imageId === want);
      if (o.forceRecreate || (!same && !o.noRecreate)) list.push({ kind: 'recreate', service: name, number: n, options: createOptions(project, name, s, n), old: c });
      else if (c.state === 'running') list.push({ kind: 'running', service: name, number: n, container: c });
      else list.push({ kind: 'start', service: name, number: n, container: c });
    }
    for (const c of mine) {
      const n = Number(c.labels[LABELS.containerNumber]);
      if (!(n >= 1 && n <= s.scale)) list.push({ kind: 'remove', service: name, number: n, container: c });
    }
    actions[name] = list;
  }
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabled_services)]);
  const orphans = existing.filter((c) => !known.has(c.labels[LABELS.service] ?? ''));
  return { order: services, actions, orphans };
}

/** The services that restart when `service` is recreated: their depends_on on it says `restart: true` (as Compose). */
export function restartDependents(project: Project, service: string): string[] {
  return Object.entries(project.services).filter(([, s]) => s.depends_on[service]?.restart).map(([n]) => n);
}

export interface DependentStops {
  /**
   * Per recreated service: the running containers of its restart dependents, stopped before it is recreated
   * (dependents first); `remove` when the dependent joins one of its namespaces: the engine cannot remove a
   * container others join, so those go before it and are created again after it (as Compose recreates them).
   */
  before: Record<string, Array<{ container: ExistingContainer; remove: boolean }>>;
  /** Per recreated service: what brings back the dependents `up` does not converge (not selected), once it is up. */
  after: Record<string, ContainerAction[]>;
}

/**
 * As Docker Compose: before a service is recreated, the running containers of the services that depend on it
 * with `restart: true` are stopped; they start again after it (their kept containers' `running` actions in
 * the plan become `start`, so they start once their dependencies meet their conditions again). A container
 * that joins one of its namespaces (network, IPC, PID, UTS) is removed instead and created again (its actions
 * become `create`).
 */
export function dependentStops(project: Project, plan: UpPlan, existing: ExistingContainer[], order: string[]): DependentStops {
  const before: DependentStops['before'] = {};
  const after: DependentStops['after'] = {};
  const claimed = new Set<string>();
  for (const n of plan.order) {
    if (!plan.actions[n]?.some((a) => a.kind === 'recreate')) continue;
    const deps = restartDependents(project, n).sort((a, b) => order.indexOf(b) - order.indexOf(a));
    for (const m of deps) {
      const s = project.services[m]!;
      const sharer = ['network_mode', 'ipc', 'pid', 'uts'].some((k) => s[k] === `service:${n}`);
      const mine = existing.filter((c) => c.labels[LABELS.service] === m && c.labels[LABELS.oneoff] !== 'True' && !claimed.has(c.id) && (sharer || c.state === 'running'));
      for (const c of mine) {
        claimed.add(c.id);
        (before[n] ??= []).push({ container: c, remove: sharer });
        const num = Number(c.labels[LABELS.containerNumber]);
        const again: ContainerAction = sharer
          ? { kind: 'create', service: m, number: num, options: createOptions(project, m, s, num) }
          : { kind: 'start', service: m, number: num, container: { ...c, state: 'exited' } };
        const acts = plan.actions[m];
        if (!acts) { if (sharer || c.state === 'running') (after[n] ??= []).push(again); continue; }
        const i = acts.findIndex((a) => (a.kind === 'recreate' ? a.old.id : a.kind === 'create' ? '' : a.container.id) === c.id);
        if (i >= 0 && acts[i]!.kind !== 'remove' && (sharer || acts[i]!.kind === 'running')) acts[i] = again;
      }
    }
  }
  return { before, after };
}

/** The services `up SERVICE...` converges: those named and (unless noDeps) what they depend on, in dependency order. */
export function selectServices(project: Project, named: string[], order: string[], noDeps = false): string[] {
  if (!named.length) return order;
  for (const n of named) if (!project.services[n]) throw new ComposeError(`no such service: ${n}`);
  const want = new Set<string>();
  const add = (n: string): void => {
    if (want.has(n)) return;
    want.add(n);
    if (!noDeps) for (const d of Object.keys(project.services[n]?.depends_on ?? {})) if (project.services[d]) add(d);
  };
  for (const n of named) add(n);
  return order.filter((n) => want.has(n));
}

/** The builder's `file` (and `stdin`) for a service's build: dockerfile_inline is given as `-f -` is. */
export function buildFileOptions(s: ServiceConfig): { file?: string | undefined; stdin?: Readable | undefined } {
  if (s.build?.dockerfile_inline !== undefined) return { file: '-', stdin: Readable.from([s.build.dockerfile_inline]) };
  return { file: buildFile(s) };
}

/** Build context and Containerfile of a service's `build:` (the Containerfile relative to the context). */
export function buildFile(s: ServiceConfig): string | undefined {
  const f = s.build?.dockerfile;
  if (!f || !s.build) return undefined;
  return path.isAbsolute(f) ? f : path.join(s.build.context, f);
}

/**
 * The project with `--scale SERVICE=N` applied (over deploy.replicas/scale) and, with `--pull`, every service's
 * pull_policy replaced. Unknown services and bad numbers are errors (before anything is done).
 */
export function withOverrides(project: Project, o: { scale?: string[] | undefined; pull?: string | undefined }): Project {
  const services: Record<string, ServiceConfig> = {};
  for (const [n, s] of Object.entries(project.services)) services[n] = { ...s, ...(o.pull ? { pull_policy: o.pull } : {}) };
  for (const spec of o.scale ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(spec);
    if (!m) throw new ComposeError(`invalid --scale "${spec}": use SERVICE=NUMBER`);
    const s = services[m[1]!];
    if (!s) throw new ComposeError(`--scale ${spec}: no such service: ${m[1]}`);
    s.scale = Number(m[2]);
  }
  return { ...project, services };
}
