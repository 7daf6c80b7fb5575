// POST /containers/create: Docker's ContainerConfig + HostConfig +
// NetworkingConfig, validated and translated into the engine's CreateOptions.
// Unknown fields are ignored (as the API says); fields of the wrong type, and
// values tspod cannot honour, are a 400 before anything is created.
import { badRequest } from './errors.js';
import type { ContainerCreateOptions as CreateOptions } from '../engine/index.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Read a field of an expected type: undefined/null are "not given". */
function field<T>(o: Obj, key: string, kind: 'string' | 'number' | 'boolean' | 'array' | 'object', where: string): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind;
  if (!ok) throw badRequest(`invalid ${where}${key}: expected ${kind === 'array' ? 'an array' : kind === 'object' ? 'an object' : `a ${kind}`}`);
  return v as T;
}

function strings(o: Obj, key: string, where: string, strslice = false): string[] | undefined {
  const v = o[key];
  // Docker's strslice (Cmd, Entrypoint): a single string is a one-element list
  if (strslice && typeof v === 'string') return [v];
  const a = field<unknown[]>(o, key, 'array', where);
  if (a && a.some((x) => typeof x !== 'string')) throw badRequest(`invalid ${where}${key}: expected strings`);
  return a as string[] | undefined;
}

/** Parse the JSON body; a malformed body is Docker's 400. */
export function parseJsonBody(body: Buffer, required = true): Obj {
  const text = body.toString('utf8').trim();
  if (!text) {
    if (required) throw badRequest('bad parameter: request body is empty');
    return {};
  }
  let v: unknown;
  try { v = JSON.parse(text); } catch (err) { throw badRequest(`invalid JSON: ${(err as Error).message}`); }
  if (!isObj(v)) throw badRequest('invalid JSON: expected an object');
  return v;
}

const nsToDuration = (ns: number | undefined) => (ns ? `${Math.round(ns / 1e6)}ms` : undefined);

/** Docker's "80/tcp" keys. */
function portKey(k: string): { port: string; proto: string } {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(k);
  if (!m) throw badRequest(`invalid port specification: "${k}"`);
  if (m[3]?.toLowerCase() === 'sctp') throw badRequest(`invalid port specification: "${k}": sctp is not supported`);
  return { port: m[2] ? `${m[1]}-${m[2]}` : m[1]!, proto: (m[3] ?? 'tcp').toLowerCase() };
}

function hostPortOk(p: string): boolean {
  if (p === '') return true;
  const m = /^(\d+)(?:-(\d+))?$/.exec(p);
  return !!m && Number(m[1]) <= 65535 && Number(m[2] ?? m[1]) <= 65535;
}

export function translateCreate(body: Obj, name: string | undefined): CreateOptions {
  const image = field<string>(body, 'Image', 'string', '');
  if (!image) throw badRequest('config cannot be empty in order to create a container: Image is required');
  const hc = field<Obj>(body, 'HostConfig', 'object', '') ?? {};
  const nc = field<Obj>(body, 'NetworkingConfig', 'object', '') ?? {};
  const H = 'HostConfig.';
  const o: CreateOptions = { image, pull: 'never' };
  if (name !== undefined && name !== '') o.name = name.replace(/^\//, '');

  const entry = strings(body, 'Entrypoint', '', true);
  if (entry && entry.length) o.entrypoint = entry.length === 1 && entry[0] === '' ? '' : JSON.stringify(entry);
  const cmd = strings(body, 'Cmd', '', true);
  if (cmd && cmd.length) o.command = cmd;
  // KEY without =VALUE would be looked up in the client's environment, which is the CLI's job, not ours
  const env = strings(body, 'Env', '');
  if (env) o.env = env.filter((e) => e.includes('='));
  o.user = field<string>(body, 'User', 'string', '') || undefined;
  o.workdir = field<string>(body, 'WorkingDir', 'string', '') || undefined;
  o.hostname = field<string>(body, 'Hostname', 'string', '') || undefined;
  o.tty = field<boolean>(body, 'Tty', 'boolean', '') ?? false;
  o.interactive = field<boolean>(body, 'OpenStdin', 'boolean', '') ?? false;
  o.stopSignal = field<string>(body, 'StopSignal', 'string', '') || undefined;
  o.stopTimeout = field<number>(body, 'StopTimeout', 'number', '');
  const labels = field<Obj>(body, 'Labels', 'object', '');
  if (labels) o.label = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);

  const hcBody = field<Obj>(body, 'Healthcheck', 'object', '');
  if (hcBody) {
    const test = strings(hcBody, 'Test', 'Healthcheck.');
    if (test?.[0] === 'NONE') o.noHealthcheck = true;
    else if (test && test.length) {
      o.healthCmd = test[0] === 'CMD-SHELL' ? test.slice(1).join(' ') : JSON.stringify(test[0] === 'CMD' ? ['CMD', ...test.slice(1)] : test);
      o.healthInterval = nsToDuration(field<number>(hcBody, 'Interval', 'number', 'Healthcheck.'));
      o.healthTimeout = nsToDuration(field<number>(hcBody, 'Timeout', 'number', 'Healthcheck.'));
      o.healthStartPeriod = nsToDuration(field<number>(hcBody, 'StartPeriod', 'number', 'Healthcheck.'));
      o.healthStartInterval = nsToDuration(field<number>(hcBody, 'StartInterval', 'number', 'Healthcheck.'));
      o.healthRetries = field<number>(hcBody, 'Retries', 'number', 'Healthcheck.') || undefined;
    }
  }

  // ports: PortBindings (an empty or "0" HostPort is a random one), PublishAllPorts over ExposedPorts
  const publish: string[] = [];
  const bindings = field<Obj>(hc, 'PortBindings', 'object', H) ?? {};
  for (const [k, list] of Object.entries(bindings)) {
    const { port, proto } = portKey(k);
    const arr = list === null ? [{}] : Array.isArray(list) ? list : undefined;
    if (!arr) throw badRequest(`invalid HostConfig.PortBindings["${k}"]: expected an array`);
    for (const b of arr.length ? arr : [{}]) {
      if (!isObj(b)) throw badRequest(`invalid HostConfig.PortBindings["${k}"]: expected objects`);
      const ip = field<string>(b, 'HostIp', 'string', 'PortBindings.') ?? '';
      let hp = field<string>(b, 'HostPort', 'string', 'PortBindings.') ?? '';
      if (!hostPortOk(hp)) throw badRequest(`invalid port specification: "${hp}"`);
      if (hp === '0') hp = '';
      const ipPart = ip && ip !== '0.0.0.0' && ip !== '::' ? (ip.includes(':') ? `[${ip}]:` : `${ip}:`) : '';
      publish.push(ipPart ? `${ipPart}${hp}:${port}/${proto}` : hp ? `${hp}:${port}/${proto}` : `${port}/${proto}`);
    }
  }
  const exposed = field<Obj>(body, 'ExposedPorts', 'object', '') ?? {};
  for (const k of Object.keys(exposed)) portKey(k);
  if (Object.keys(exposed).length) o.expose = Object.keys(exposed).map((k) => { const { port, proto } = portKey(k); return `${port}/${proto}`; });
  if (field<boolean>(hc, 'PublishAllPorts', 'boolean', H)) {
    for (const k of Object.keys(exposed)) { const { port, proto } = portKey(k); if (!(k in bindings)) publish.push(`${port}/${proto}`); }
    o.publishAll = true;
  }
  if (publish.length) o.publish = publish;

  // storage: Binds (src:dst[:opts]), Mounts, Tmpfs
  o.volume = strings(hc, 'Binds', H);
  const mounts = field<unknown[]>(hc, 'Mounts', 'array', H);
  if (mounts) {
    o.mount = mounts.map((m, i) => {
      if (!isObj(m)) throw badRequest(`invalid HostConfig.Mounts[${i}]: expected an object`);
      const type = (field<string>(m, 'Type', 'string', 'Mounts.') ?? 'volume').toLowerCase();
      const target = field<string>(m, 'Target', 'string', 'Mounts.');
      if (!target) throw badRequest(`invalid HostConfig.Mounts[${i}]: Target is required`);
      const source = field<string>(m, 'Source', 'string', 'Mounts.') ?? '';
      const parts = [`type=${type}`, `target=${target}`];
      if (source) parts.push(`source=${source}`);
      if (field<boolean>(m, 'ReadOnly', 'boolean', 'Mounts.')) parts.push('readonly');
      const tmp = field<Obj>(m, 'TmpfsOptions', 'object', 'Mounts.');
      const size = tmp ? field<number>(tmp, 'SizeBytes', 'number', 'TmpfsOptions.') : undefined;
      if (size) parts.push(`tmpfs-size=${size}`);
      const vo = field<Obj>(m, 'VolumeOptions', 'object', 'Mounts.');
      if (vo && field<boolean>(vo, 'NoCopy', 'boolean', 'VolumeOptions.')) parts.push('volume-nocopy');
      return parts.join(',');
    });
  }
  const tmpfs = field<Obj>(hc, 'Tmpfs', 'object', H);
  if (tmpfs) o.tmpfs = Object.entries(tmpfs).map(([p, opts]) => (opts ? `${p}:${String(opts)}` : p));
  o.volumesFrom = strings(hc, 'VolumesFrom', H);

  o.rm = field<boolean>(hc, 'AutoRemove', 'boolean', H) ?? false;
  const rp = field<Obj>(hc, 'RestartPolicy', 'object', H);
  if (rp) {
    const n = field<string>(rp, 'Name', 'string', 'RestartPolicy.') ?? '';
    const max = field<number>(rp, 'MaximumRetryCount', 'number', 'RestartPolicy.') ?? 0;
    if (n && n !== 'no') {
      if (!['always', 'unless-stopped', 'on-failure'].includes(n)) throw badRequest(`invalid restart policy "${n}"`);
      o.restart = n === 'on-failure' && max > 0 ? `on-failure:${max}` : n;
    }
  }
  o.capAdd = strings(hc, 'CapAdd', H);
  const devices = field<unknown[]>(hc, 'Devices', 'array', H);
  if (devices?.length) {
    o.device = devices.map((d, i) => {
      if (!isObj(d)) throw badRequest(`invalid HostConfig.Devices[${i}]: expected an object`);
      const host = field<string>(d, 'PathOnHost', 'string', 'Devices.') ?? '';
      const ctr = field<string>(d, 'PathInContainer', 'string', 'Devices.') || host;
      const perm = field<string>(d, 'CgroupPermissions', 'string', 'Devices.') || 'rwm';
      return `${host}:${ctr}:${perm}`;
    });
  }
  o.capDrop = strings(hc, 'CapDrop', H);
  o.privileged = field<boolean>(hc, 'Privileged', 'boolean', H) ?? false;
  o.readOnly = field<boolean>(hc, 'ReadonlyRootfs', 'boolean', H) ?? false;
  o.init = field<boolean>(hc, 'Init', 'boolean', H) ?? undefined;
  o.securityOpt = strings(hc, 'SecurityOpt', H);
  // Docker's "host:ip" (and "host=ip" in newer clients)
  o.addHost = strings(hc, 'ExtraHosts', H)?.map((h) => h.replace('=', ':'));
  o.dns = strings(hc, 'Dns', H);
  o.dnsSearch = strings(hc, 'DnsSearch', H);
  o.dnsOption = strings(hc, 'DnsOptions', H);
  o.groupAdd = strings(hc, 'GroupAdd', H);
  const mem = field<number>(hc, 'Memory', 'number', H);
  if (mem) o.memory = String(mem);
  const nano = field<number>(hc, 'NanoCpus', 'number', H);
  if (nano) o.cpus = nano / 1e9;
  const pids = field<number>(hc, 'PidsLimit', 'number', H);
  if (pids && pids > 0) o.pidsLimit = pids;
  const shm = field<number>(hc, 'ShmSize', 'number', H);
  if (shm) o.shmSize = String(shm);
  const sysctls = field<Obj>(hc, 'Sysctls', 'object', H);
  if (sysctls) o.sysctl = Object.entries(sysctls).map(([k, v]) => `${k}=${String(v)}`);
  const ul = field<unknown[]>(hc, 'Ulimits', 'array', H);
  if (ul) o.ulimit = ul.map((u) => { if (!isObj(u)) throw badRequest('invalid HostConfig.Ulimits'); return `${String(u['Name'])}=${String(u['Soft'])}:${String(u['Hard'])}`; });
  const lc = field<Obj>(hc, 'LogConfig', 'object', H);
  if (lc && field<string>(lc, 'Type', 'string', 'LogConfig.') === 'none') o.logDriver = 'none';

  // networks: NetworkMode, plus EndpointsConfig (aliases, a static address) for user networks
  const mode = field<string>(hc, 'NetworkMode', 'string', H) ?? '';
  const endpoints = field<Obj>(nc, 'EndpointsConfig', 'object', 'NetworkingConfig.') ?? {};
  const nets: string[] = [];
  const aliases: string[] = [];
  if (mode && !['default', 'bridge'].includes(mode)) {
    if (['host', 'none', 'slirp4netns', 'private'].includes(mode) || mode.startsWith('container:') || mode.startsWith('slirp4netns:')) o.network = mode;
    else nets.push(mode);
  }
  for (const [net, cfg] of Object.entries(endpoints)) {
    if (['default', 'bridge'].includes(net)) continue;
    if (o.network) continue;
    if (!nets.includes(net)) nets.push(net);
    if (isObj(cfg)) {
      aliases.push(...(strings(cfg, 'Aliases', 'EndpointsConfig.') ?? []));
      const ipam = field<Obj>(cfg, 'IPAMConfig', 'object', 'EndpointsConfig.');
      const ip = ipam ? field<string>(ipam, 'IPv4Address', 'string', 'IPAMConfig.') : undefined;
      if (ip) o.ip = ip;
    }
  }
  if (nets.length) o.network = nets.join(',');
  if (aliases.length) o.networkAlias = [...new Set(aliases)];
  const links = strings(hc, 'Links', H);
  if (links?.length) o.link = links;
  return o;
}
