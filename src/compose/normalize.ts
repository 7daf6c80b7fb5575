// Raw (merged, validated) Compose trees -> the canonical model of types.ts: short syntaxes expanded,
// strings that stand for numbers/booleans/durations/sizes converted, env files read into `environment`.
// Host paths are already absolute (paths.ts ran before). Errors name the path (services.web.ports[0]).
import * as fs from 'node:fs';
import { ComposeError } from './errors.js';
import { readDotenv } from './dotenv.js';
import { formatPath, type Lookup } from './interpolate.js';
import { parsePortSpec } from './ports.js';
import { longVolume, parseVolumeSpec } from './volumes.js';
import { bytes, durationMs } from './units.js';
import { isTree, str, toBool, toCommand, toInt, toList, toMap, toNumber, toStringMap, type Path } from './convert.js';
import type {
  BuildConfig, DeployConfig, FileObjectConfig, HealthcheckConfig, NetworkConfig, ServiceConfig, ServiceDependency,
  ServiceFileReference, ServiceNetwork, ServicePort, ServiceVolume, UlimitConfig, VolumeConfig, EnvFileReference,
} from './types.js';
import type { Tree } from './yaml.js';

export interface NormalizeContext {
  /** The project environment: bare `KEY` entries of environment and build.args, env_file interpolation. */
  lookup: Lookup;
  /** Read env_file files into `environment` (false for `config --no-interpolate`). */
  resolveEnvFiles: boolean;
  warnings: string[];
}

/** Run fn and prefix any ComposeError it throws with the path, unless it already names one. */
function at<T>(path: Path, fn: () => T): T {
  try { return fn(); } catch (err) {
    if (err instanceof ComposeError && !err.message.startsWith(`${formatPath(path.slice(0, 2))}`)) throw new ComposeError(`${formatPath(path)}: ${err.message}`);
    throw err;
  }
}

const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const DEPENDS_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function normalizeService(name: string, raw: Tree, ctx: NormalizeContext): ServiceConfig {
  const p = (...rest: (string | number)[]): Path => ['services', name, ...rest];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== 'extends') out[k] = v;
  const has = (k: string): boolean => raw[k] !== undefined && raw[k] !== null;
  const set = <T>(k: string, fn: (v: unknown) => T): void => { if (has(k)) out[k] = at(p(k), () => fn(raw[k])); };

  for (const k of ['image', 'container_name', 'hostname', 'domainname', 'user', 'working_dir', 'stop_signal', 'platform', 'network_mode', 'ipc', 'pid', 'cgroup_parent', 'runtime', 'userns_mode', 'uts', 'isolation', 'mac_address']) set(k, str);
  for (const k of ['init', 'read_only', 'privileged', 'tty', 'stdin_open', 'oom_kill_disable']) set(k, (v) => toBool(v, p(k)));
  for (const k of ['cap_add', 'cap_drop', 'security_opt', 'dns', 'dns_search', 'dns_opt', 'expose', 'volumes_from', 'tmpfs', 'profiles', 'links', 'external_links', 'group_add', 'device_cgroup_rules']) set(k, toList);
  for (const k of ['shm_size', 'mem_limit', 'mem_reservation', 'memswap_limit']) set(k, (v) => bytes(v, k));
  set('cpus', (v) => toNumber(v, p('cpus')));
  set('pids_limit', (v) => toInt(v, p('pids_limit')));
  set('stop_grace_period', (v) => durationMs(v, 'stop_grace_period'));
  set('labels', toStringMap);
  set('annotations', toStringMap);
  set('sysctls', toStringMap);
  if ('command' in raw) out['command'] = at(p('command'), () => toCommand(raw['command'], p('command')));
  if ('entrypoint' in raw) out['entrypoint'] = at(p('entrypoint'), () => toCommand(raw['entrypoint'], p('entrypoint')));
  set('pull_policy', (v) => (str(v) === 'if_not_present' ? 'missing' : str(v)));
  set('restart', (v) => {
    const s = str(v);
    if (!RESTART.test(s)) throw new ComposeError(`invalid restart policy "${s}": use no, always, on-failure[:N] or unless-stopped`);
    return s;
  });
  set('build', (v) => normalizeBuild(v, p('build'), ctx));
  set('healthcheck', (v) => normalizeHealthcheck(v as Tree, p('healthcheck')));
  set('deploy', (v) => normalizeDeploy(v as Tree, p('deploy')));
  set('logging', (v) => {
    const l = v as Tree;
    return { ...(l['driver'] !== undefined ? { driver: str(l['driver']) } : {}), ...(l['options'] ? { options: toStringMap(l['options']) } : {}) };
  });
  set('ulimits', (v) => {
    const u: Record<string, UlimitConfig> = {};
    for (const [k, x] of Object.entries(v as Tree)) {
      if (isTree(x)) u[k] = { soft: toInt(x['soft'], p('ulimits', k, 'soft')), hard: toInt(x['hard'], p('ulimits', k, 'hard')) };
      else { const n = toInt(x, p('ulimits', k)); u[k] = { soft: n, hard: n }; }
    }
    return u;
  });
  set('extra_hosts', (v) => extraHosts(v));
  set('devices', (v) => (v as unknown[]).map((d) => (isTree(d) ? [d['source'], d['target'] ?? d['source'], d['permissions']].filter((x) => x !== undefined).map(str).join(':') : str(d))));

  // env_file, then environment over it (even a variable declared there without a value wins)
  const envFiles: EnvFileReference[] = [];
  if (has('env_file')) {
    for (const e of toEnvFiles(raw['env_file'])) envFiles.push(e);
    out['env_file'] = envFiles;
  }
  const environment: Record<string, string | null> = {};
  if (ctx.resolveEnvFiles) {
    for (const [i, e] of envFiles.entries()) {
      if (!fs.existsSync(e.path)) {
        if (e.required) throw new ComposeError(`${formatPath(p('env_file', i))}: env file ${e.path} not found`);
        continue;
      }
      Object.assign(environment, readDotenv(e.path, ctx.lookup, e.format === 'raw'));
    }
  }
  for (const [k, v] of Object.entries(toMap(raw['environment']))) environment[k] = v ?? (ctx.resolveEnvFiles ? ctx.lookup(k) ?? null : null);
  out['environment'] = environment;

  out['ports'] = has('ports') ? (raw['ports'] as unknown[]).flatMap((e, i) => at(p('ports', i), () => parsePortSpec(e))) : [];
  out['volumes'] = has('volumes') ? (raw['volumes'] as unknown[]).map((v, i) => at(p('volumes', i), () => serviceVolume(v))) : [];
  out['depends_on'] = at(p('depends_on'), () => dependsOn(raw['depends_on']));
  out['secrets'] = has('secrets') ? fileRefs(raw['secrets'] as unknown[], '/run/secrets/', p('secrets')) : [];
  out['configs'] = has('configs') ? fileRefs(raw['configs'] as unknown[], '/', p('configs')) : [];

  // scale: deploy.replicas and scale must agree when both are set
  const deploy = out['deploy'] as DeployConfig | undefined;
  const scale = has('scale') ? at(p('scale'), () => toInt(raw['scale'], p('scale'))) : undefined;
  if (scale !== undefined && deploy?.replicas !== undefined && scale !== deploy.replicas) {
    throw new ComposeError(`${formatPath(p())}: scale (${scale}) and deploy.replicas (${deploy.replicas}) differ: set one of them`);
  }
  out['scale'] = deploy?.replicas ?? scale ?? 1;
  if (out['container_name'] !== undefined && (out['scale'] as number) > 1) {
    throw new ComposeError(`${formatPath(p())}: container_name "${String(out['container_name'])}" cannot be used with more than one replica`);
  }

  if (has('networks') && has('network_mode')) throw new ComposeError(`${formatPath(p())}: network_mode and networks cannot be used together`);
  if (has('networks')) out['networks'] = at(p('networks'), () => serviceNetworks(raw['networks'], p('networks')));
  else if (!has('network_mode')) out['networks'] = { default: {} };
  return out as ServiceConfig;
}

function normalizeBuild(v: unknown, path: Path, ctx: NormalizeContext): BuildConfig {
  if (typeof v === 'string') return { context: v };
  const b = v as Tree;
  const out: BuildConfig = { ...(b as Record<string, unknown>), context: str(b['context'] ?? '.') } as BuildConfig;
  const s = (k: string): void => { if (b[k] !== undefined && b[k] !== null) out[k] = str(b[k]); };
  for (const k of ['dockerfile', 'dockerfile_inline', 'target', 'network', 'isolation']) s(k);
  if (out.dockerfile !== undefined && out.dockerfile_inline !== undefined) throw new ComposeError(`${formatPath(path)}: dockerfile and dockerfile_inline cannot be used together`);
  if (b['args'] !== undefined) {
    const args: Record<string, string | null> = {};
    for (const [k, x] of Object.entries(toMap(b['args']))) args[k] = x ?? (ctx.resolveEnvFiles ? ctx.lookup(k) ?? null : null);
    out.args = args;
  }
  if (b['labels'] !== undefined) out.labels = toStringMap(b['labels']);
  if (b['additional_contexts'] !== undefined) out.additional_contexts = toStringMap(b['additional_contexts']);
  for (const k of ['cache_from', 'cache_to', 'tags', 'platforms']) if (b[k] !== undefined) out[k] = toList(b[k]);
  if (b['ssh'] !== undefined) out.ssh = Array.isArray(b['ssh']) ? toList(b['ssh']) : Object.entries(toStringMap(b['ssh'])).map(([k, x]) => (x ? `${k}=${x}` : k));
  for (const k of ['no_cache', 'pull', 'privileged']) if (b[k] !== undefined) out[k] = toBool(b[k], [...path, k]);
  if (b['shm_size'] !== undefined) out.shm_size = bytes(b['shm_size'], 'build.shm_size');
  if (b['extra_hosts'] !== undefined) out.extra_hosts = extraHosts(b['extra_hosts']);
  if (b['secrets'] !== undefined) out.secrets = fileRefs(b['secrets'] as unknown[], '/run/secrets/', [...path, 'secrets']);
  return out;
}

function normalizeHealthcheck(h: Tree, path: Path): HealthcheckConfig {
  const out: HealthcheckConfig = {};
  const t = h['test'];
  if (t !== undefined && t !== null) {
    out.test = typeof t === 'string' ? ['CMD-SHELL', t] : (t as unknown[]).map(str);
    const kind = out.test[0];
    if (kind !== undefined && !['CMD', 'CMD-SHELL', 'NONE'].includes(kind)) throw new ComposeError(`${formatPath([...path, 'test'])}: a test list starts with CMD, CMD-SHELL or NONE (got "${kind}")`);
  }
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) if (h[k] !== undefined && h[k] !== null) out[k] = at([...path, k], () => durationMs(h[k], `healthcheck.${k}`));
  if (h['retries'] !== undefined && h['retries'] !== null) out.retries = toInt(h['retries'], [...path, 'retries']);
  const disable = h['disable'] !== undefined && toBool(h['disable'], [...path, 'disable']);
  if (disable || out.test?.[0] === 'NONE') out.disable = true;
  if (disable && out.test && out.test[0] !== 'NONE') throw new ComposeError(`${formatPath(path)}: test and disable: true cannot be used together`);
  return out;
}

function normalizeDeploy(d: Tree, path: Path): DeployConfig {
  const out: DeployConfig = { ...(d as Record<string, unknown>) };
  if (d['replicas'] !== undefined && d['replicas'] !== null) out.replicas = toInt(d['replicas'], [...path, 'replicas']);
  if (d['labels'] !== undefined) out.labels = toStringMap(d['labels']);
  const rp = d['restart_policy'];
  if (isTree(rp)) {
    const r: NonNullable<DeployConfig['restart_policy']> = {};
    if (rp['condition'] !== undefined) {
      const c = str(rp['condition']);
      if (!['none', 'on-failure', 'any'].includes(c)) throw new ComposeError(`${formatPath([...path, 'restart_policy', 'condition'])}: use none, on-failure or any (got "${c}")`);
      r.condition = c as 'none' | 'on-failure' | 'any';
    }
    if (rp['delay'] !== undefined) r.delay = durationMs(rp['delay'], 'restart_policy.delay');
    if (rp['window'] !== undefined) r.window = durationMs(rp['window'], 'restart_policy.window');
    if (rp['max_attempts'] !== undefined) r.max_attempts = toInt(rp['max_attempts'], [...path, 'restart_policy', 'max_attempts']);
    out.restart_policy = r;
  }
  const res = d['resources'];
  if (isTree(res)) {
    out.resources = {};
    for (const which of ['limits', 'reservations'] as const) {
      const r = res[which];
      if (!isTree(r)) continue;
      const spec: Record<string, unknown> = { ...r };
      if (r['cpus'] !== undefined) spec['cpus'] = toNumber(r['cpus'], [...path, 'resources', which, 'cpus']);
      if (r['memory'] !== undefined) spec['memory'] = bytes(r['memory'], `deploy.resources.${which}.memory`);
      if (r['pids'] !== undefined) spec['pids'] = toInt(r['pids'], [...path, 'resources', which, 'pids']);
      out.resources[which] = spec;
    }
  }
  return out;
}

function serviceVolume(v: unknown): ServiceVolume {
  if (typeof v === 'string') return parseVolumeSpec(v);
  if (isTree(v)) return longVolume(v);
  throw new ComposeError(`invalid volume ${JSON.stringify(v)}`);
}

function toEnvFiles(v: unknown): EnvFileReference[] {
  return (Array.isArray(v) ? v : [v]).map((e) => {
    if (isTree(e)) {
      const ref: EnvFileReference = { path: str(e['path']), required: e['required'] === undefined ? true : toBool(e['required'], ['env_file', 'required']) };
      if (e['format'] !== undefined) ref.format = str(e['format']);
      return ref;
    }
    return { path: str(e), required: true };
  });
}

function dependsOn(v: unknown): Record<string, ServiceDependency> {
  const out: Record<string, ServiceDependency> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    for (const n of v) out[str(n)] = { condition: 'service_started', required: true, restart: false };
    return out;
  }
  for (const [k, d] of Object.entries(v as Tree)) {
    const m = isTree(d) ? d : {};
    const condition = str(m['condition'] ?? 'service_started');
    if (!DEPENDS_CONDITIONS.includes(condition)) throw new ComposeError(`${k}.condition: use service_started, service_healthy or service_completed_successfully (got "${condition}")`);
    out[k] = {
      condition: condition as ServiceDependency['condition'],
      required: m['required'] === undefined ? true : toBool(m['required'], [k, 'required']),
      restart: m['restart'] === undefined ? false : toBool(m['restart'], [k, 'restart']),
    };
  }
  return out;
}

function serviceNetworks(v: unknown, path: Path): Record<string, ServiceNetwork> {
  const out: Record<string, ServiceNetwork> = {};
  if (Array.isArray(v)) { for (const n of v) out[str(n)] = {}; return out; }
  for (const [k, n] of Object.entries(v as Tree)) {
    const m = isTree(n) ? n : {};
    const net: ServiceNetwork = {};
    if (m['aliases'] !== undefined) net.aliases = toList(m['aliases']);
    for (const key of ['ipv4_address', 'ipv6_address', 'mac_address', 'interface_name'] as const) if (m[key] !== undefined && m[key] !== null) net[key] = str(m[key]);
    if (m['link_local_ips'] !== undefined) net.link_local_ips = toList(m['link_local_ips']);
    if (m['driver_opts'] !== undefined) net.driver_opts = toStringMap(m['driver_opts']);
    if (m['priority'] !== undefined) net.priority = toInt(m['priority'], [...path, k, 'priority']);
    if (m['gw_priority'] !== undefined) net.gw_priority = toInt(m['gw_priority'], [...path, k, 'gw_priority']);
    out[k] = net;
  }
  return out;
}

function fileRefs(list: unknown[], dir: string, path: Path): ServiceFileReference[] {
  return list.map((e, i) => {
    if (!isTree(e)) return { source: str(e), target: `${dir}${str(e)}` };
    const source = str(e['source']);
    const t = e['target'] !== undefined && e['target'] !== null ? str(e['target']) : source;
    const ref: ServiceFileReference = { source, target: t.startsWith('/') ? t : `${dir}${t}` };
    if (e['uid'] !== undefined) ref.uid = str(e['uid']);
    if (e['gid'] !== undefined) ref.gid = str(e['gid']);
    if (e['mode'] !== undefined && e['mode'] !== null) {
      const m = typeof e['mode'] === 'number' ? e['mode'] : parseInt(str(e['mode']), 8);
      if (!Number.isInteger(m) || m < 0 || m > 0o7777) throw new ComposeError(`${formatPath([...path, i, 'mode'])}: invalid file mode "${str(e['mode'])}"`);
      ref.mode = m;
    }
    return ref;
  });
}

function extraHosts(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (host: string, ip: string): void => { (out[host] ??= []).push(ip.replace(/^\[(.*)\]$/, '$1')); };
  if (Array.isArray(v)) {
    for (const e of v.map(str)) {
      const i = e.includes('=') ? e.indexOf('=') : e.indexOf(':');
      if (i <= 0) throw new ComposeError(`invalid extra_hosts entry "${e}": use HOST=IP or HOST:IP`);
      add(e.slice(0, i), e.slice(i + 1));
    }
  } else if (isTree(v)) {
    for (const [h, ip] of Object.entries(v)) for (const x of toList(ip)) add(h, x);
  }
  return out;
}

// ---- top-level resources

/** The engine name of a network/volume/secret/config. */
function resourceName(project: string, key: string, raw: Tree): string {
  if (raw['name'] !== undefined && raw['name'] !== null) return str(raw['name']);
  const ext = raw['external'];
  if (isTree(ext) && ext['name'] !== undefined) return str(ext['name']); // the obsolete external.name form
  if (ext !== undefined && ext !== false && ext !== 'false') return key;
  return `${project}_${key}`;
}

function externalFlag(raw: Tree, path: Path): boolean {
  const ext = raw['external'];
  return isTree(ext) ? true : ext === undefined || ext === null ? false : toBool(ext, [...path, 'external']);
}

function checkExternal(raw: Tree, path: Path, allowed: string[]): void {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k) && !k.startsWith('x-')) throw new ComposeError(`${formatPath(path)}: an external resource cannot set "${k}" (only name is allowed)`);
  }
}

/** What networks, volumes, secrets and configs share: the engine name, external, labels, driver and its options. */
function resource(kind: string, project: string, key: string, raw: Tree | null): { r: Tree; path: Path; out: Record<string, unknown> } {
  const r = raw ?? {};
  const path: Path = [kind, key];
  const out: Record<string, unknown> = { ...r, name: resourceName(project, key, r) };
  out['external'] = externalFlag(r, path);
  if (out['external']) checkExternal(r, path, ['name', 'external']);
  if (r['driver'] !== undefined) out['driver'] = str(r['driver']);
  if (r['driver_opts'] !== undefined) out['driver_opts'] = toStringMap(r['driver_opts']);
  if (r['labels'] !== undefined) out['labels'] = toStringMap(r['labels']);
  return { r, path, out };
}

export function normalizeNetwork(project: string, key: string, raw: Tree | null): NetworkConfig {
  const { r, path, out: o } = resource('networks', project, key, raw);
  const out = o as NetworkConfig;
  for (const k of ['internal', 'attachable', 'enable_ipv4', 'enable_ipv6'] as const) if (r[k] !== undefined && r[k] !== null) out[k] = toBool(r[k], [...path, k]);
  const ipam = r['ipam'];
  if (isTree(ipam)) {
    out.ipam = {};
    if (ipam['driver'] !== undefined) out.ipam.driver = str(ipam['driver']);
    if (ipam['options'] !== undefined) out.ipam.options = toStringMap(ipam['options']);
    if (Array.isArray(ipam['config'])) {
      out.ipam.config = ipam['config'].map((c) => {
        const m = isTree(c) ? c : {};
        const pool: Record<string, unknown> = {};
        for (const k of ['subnet', 'gateway', 'ip_range']) if (m[k] !== undefined) pool[k] = str(m[k]);
        if (m['aux_addresses'] !== undefined) pool['aux_addresses'] = toStringMap(m['aux_addresses']);
        return pool;
      });
    }
  }
  return out;
}

export function normalizeVolume(project: string, key: string, raw: Tree | null): VolumeConfig {
  return resource('volumes', project, key, raw).out as VolumeConfig;
}

export function normalizeFileObject(kind: 'secrets' | 'configs', project: string, key: string, raw: Tree | null): FileObjectConfig {
  const { r, path, out: o } = resource(kind, project, key, raw);
  const out = o as FileObjectConfig;
  const sources = ['file', 'environment', 'content'].filter((k) => r[k] !== undefined && r[k] !== null);
  if (!out.external && sources.length !== 1) {
    throw new ComposeError(`${formatPath(path)}: set exactly one of file, environment${kind === 'configs' ? ', content' : ''} or external: true`);
  }
  for (const k of ['file', 'environment', 'content'] as const) if (r[k] !== undefined && r[k] !== null) out[k] = str(r[k]);
  return out;
}

export type { ServicePort };
