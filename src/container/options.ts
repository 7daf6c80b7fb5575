// Parsing and validating `run`/`create` options into a ContainerConfig. All
// validation happens here, before anything is written, so bad input fails
// with exit 125 and leaves no state behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../util/errors.js';
import type { DeviceSpec, HealthSpec, MountSpec, RestartPolicy } from './types.js';

export interface CreateOptions {
  image: string;
  command?: string[] | undefined;
  name?: string | undefined;
  interactive?: boolean | undefined;
  tty?: boolean | undefined;
  rm?: boolean | undefined;
  env?: string[] | undefined;
  envFile?: string[] | undefined;
  envHost?: boolean | undefined;
  workdir?: string | undefined;
  user?: string | undefined;
  entrypoint?: string | undefined;
  publish?: string[] | undefined;
  publishAll?: boolean | undefined;
  network?: string | undefined;
  networkAlias?: string[] | undefined;
  ip?: string | undefined;
  link?: string[] | undefined;
  hostname?: string | undefined;
  addHost?: string[] | undefined;
  dns?: string[] | undefined;
  dnsSearch?: string[] | undefined;
  dnsOption?: string[] | undefined;
  volume?: string[] | undefined;
  mount?: string[] | undefined;
  tmpfs?: string[] | undefined;
  volumesFrom?: string[] | undefined;
  readOnly?: boolean | undefined;
  capAdd?: string[] | undefined;
  capDrop?: string[] | undefined;
  securityOpt?: string[] | undefined;
  privileged?: boolean | undefined;
  label?: string[] | undefined;
  annotation?: string[] | undefined;
  restart?: string | undefined;
  init?: boolean | undefined;
  stopSignal?: string | undefined;
  stopTimeout?: number | undefined;
  detachKeys?: string | undefined;
  healthCmd?: string | undefined;
  healthInterval?: string | undefined;
  healthRetries?: number | undefined;
  healthTimeout?: string | undefined;
  healthStartPeriod?: string | undefined;
  /** Time between checks during the start period (Docker's --health-start-interval). */
  healthStartInterval?: string | undefined;
  noHealthcheck?: boolean | undefined;
  pull?: 'missing' | 'always' | 'never' | 'newer' | undefined;
  replace?: boolean | undefined;
  cidfile?: string | undefined;
  ulimit?: string[] | undefined;
  shmSize?: string | undefined;
  sdnotify?: 'container' | 'conmon' | 'ignore' | undefined;
  logDriver?: string | undefined;
  logOpt?: string[] | undefined;
  memory?: string | undefined;
  cpus?: number | undefined;
  pidsLimit?: number | undefined;
  userns?: string | undefined;
  groupAdd?: string[] | undefined;
  sysctl?: string[] | undefined;
  pid?: string | undefined;
  ipc?: string | undefined;
  uts?: string | undefined;
  tlsVerify?: boolean | undefined;
  platform?: string | undefined;
  timeout?: number | undefined;
  /**
   * The pod to join (name or ID), or `new:NAME` to create one (the container's ports and
   * network then go to the new pod). A member joins the namespaces its pod shares.
   */
  pod?: string | undefined;
  /** Read the pod's ID from this file (as `pod create --pod-id-file` wrote it). */
  podIdFile?: string | undefined;
  /**
   * Make the container an init container of its pod (Podman's --init-ctr): each start of the pod runs its
   * init containers, in the order they were created, to completion before it starts the others; `once`
   * removes one after it succeeded, `always` keeps it for the next start. Needs `pod`.
   */
  initCtr?: 'once' | 'always' | undefined;
  /** @internal This container is the pod's infra container (pods/create only). */
  podInfra?: boolean | undefined;
  /** The OCI runtime (name on PATH or path) for this container. */
  runtime?: string | undefined;
  /** Where to write conmon's PID at every start. */
  conmonPidfile?: string | undefined;
  /** Time zone: a zoneinfo name or "local". */
  tz?: string | undefined;
  unsetenv?: string[] | undefined;
  unsetenvAll?: boolean | undefined;
  /** Pass the host's proxy variables (default true). */
  httpProxy?: boolean | undefined;
  imageVolume?: 'bind' | 'tmpfs' | 'ignore' | undefined;
  /** run --rmi: remove the image after the container, unless something else uses it (implies --rm). */
  rmi?: boolean | undefined;
  /** --kernel-memory: accepted with a warning, as Podman (cgroups no longer support it). */
  kernelMemory?: string | undefined;
  /** --hostuser: host users (name or UID) added to the container's /etc/passwd at start. */
  hostuser?: string[] | undefined;
  /** --device HOST[:CONTAINER][:PERMISSIONS]: a host device node in the container (rootless: bind-mounted). */
  device?: string[] | undefined;
  /** --expose PORT[-PORT][/PROTO]: ports the container exposes without publishing them (published by -P). */
  expose?: string[] | undefined;
}

const NS_PER: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (30s, 1m30s, 500ms, 1h: a unit on every number), in nanoseconds. */
export function parseGoDuration(s: string, what: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g;
  let total = 0, consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * NS_PER[m[2]!]!;
    consumed += m[0].length;
  }
  if (!consumed || consumed !== s.length) throw new InvalidArgumentError(`invalid ${what} "${s}": use a duration like 30s, 1m30s or 500ms`);
  return Math.round(total);
}

/** Docker-style durations, in milliseconds: a Go duration, or a bare number of seconds. */
export function parseDuration(s: string, what: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return parseGoDuration(s, what) / 1e6;
}

/** 64m, 1g, 512k, plain bytes. */
export function parseBytes(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid ${what} "${s}": use a size like 64m or 1g`);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

/** A size with decimal units, as go-units FromHumanSize reads it (log-opt max-size): 7.5m = 7500000, 10MB, 2KiB = 2048. */
export function parseDecimalBytes(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgtp])(i?)b?|b?)$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid ${what} "${s}": use a size like 10m or 1.5g`);
  const exp = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** exp);
}

/** KEY=VALUE items (a bare KEY means an empty value unless requireValue). */
export function parseKeyValues(items: string[] = [], what: string, requireValue = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const i = it.indexOf('=');
    if (i === 0) throw new InvalidArgumentError(`invalid ${what} "${it}": the key is empty`);
    if (i < 0 && requireValue) throw new InvalidArgumentError(`invalid ${what} "${it}": expected KEY=VALUE`);
    if (i < 0) out[it] = ''; else out[it.slice(0, i)] = it.slice(i + 1);
  }
  return out;
}

export function parseRestart(s: string | undefined): RestartPolicy {
  if (!s || s === 'no') return { name: 'no', maxRetries: 0 };
  const [name, n] = s.split(':', 2) as [string, string | undefined];
  if (name === 'always' || name === 'unless-stopped') {
    if (n !== undefined) throw new InvalidArgumentError(`invalid restart policy "${s}": a retry count is only valid with on-failure`);
    return { name, maxRetries: 0 };
  }
  if (name === 'on-failure') {
    if (n !== undefined && !/^\d+$/.test(n)) throw new InvalidArgumentError(`invalid restart policy "${s}": the retry count must be a number`);
    return { name, maxRetries: n ? Number(n) : 0 };
  }
  throw new InvalidArgumentError(`invalid restart policy "${s}": use no, always, on-failure[:N] or unless-stopped`);
}

/** Environment: -e K=V, -e K (from the host), --env-file. Later wins. */
export function parseEnv(env: string[] = [], envFiles: string[] = []): string[] {
  const out = new Map<string, string>();
  const add = (line: string, from: string) => {
    const t = line.replace(/\r$/, '');
    if (!t.trim() || t.trimStart().startsWith('#')) return;
    const i = t.indexOf('=');
    const k = i < 0 ? t.trim() : t.slice(0, i);
    if (!k || /\s/.test(k)) throw new InvalidArgumentError(`invalid environment variable "${t}"${from}`);
    if (i < 0) {
      if (k.endsWith('*')) {
        for (const [hk, hv] of Object.entries(process.env)) if (hk.startsWith(k.slice(0, -1)) && hv !== undefined) out.set(hk, hv);
        return;
      }
      const v = process.env[k];
      if (v !== undefined) out.set(k, v);
      return;
    }
    out.set(k, t.slice(i + 1));
  };
  for (const f of envFiles) {
    let text: string;
    try { text = fs.readFileSync(f, 'utf8'); } catch { throw new NotFoundError(`env file ${f}: no such file`); }
    for (const line of text.split('\n')) add(line, ` in ${f}`);
  }
  for (const e of env) add(e, '');
  return [...out].map(([k, v]) => `${k}=${v}`);
}

export function mergeEnv(base: string[], over: string[]): string[] {
  const m = new Map<string, string>();
  for (const e of [...base, ...over]) { const i = e.indexOf('='); m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1)); }
  return [...m].map(([k, v]) => `${k}=${v}`);
}

const VOLUME_OPTS = new Set(['ro', 'rw', 'z', 'Z', 'U', 'O', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'nocopy', 'copy', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'bind', 'rbind', 'norbind']);

/** -v SRC:DST[:OPTS] | -v DST (anonymous). */
export function parseVolume(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') && spec !== '') {
    if (!(parts.length === 3 && parts[2] === '')) throw new InvalidArgumentError(`invalid volume specification "${spec}": empty section`);
  }
  if (parts.length > 3 || !spec) throw new InvalidArgumentError(`invalid volume specification "${spec}": use SOURCE:DEST[:OPTIONS]`);
  if (parts.length === 1) {
    const dst = parts[0]!;
    if (!dst.startsWith('/')) throw new InvalidArgumentError(`invalid volume specification "${spec}": the container path must be absolute`);
    return { type: 'volume', source: '', destination: path.posix.normalize(dst), readonly: false, options: [], anonymous: true };
  }
  const [src, dst, optStr] = parts as [string, string, string | undefined];
  if (!dst.startsWith('/')) throw new InvalidArgumentError(`invalid volume specification "${spec}": the container path "${dst}" must be absolute`);
  const opts = optStr ? optStr.split(',') : [];
  for (const o of opts) if (!VOLUME_OPTS.has(o)) throw new InvalidArgumentError(`invalid volume option "${o}" in "${spec}"`);
  const readonly = opts.includes('ro');
  const isPath = src.startsWith('/') || src.startsWith('.');
  return { type: isPath ? 'bind' : 'volume', source: isPath ? path.resolve(src) : src, destination: path.posix.normalize(dst), readonly, options: opts.filter((o) => o !== 'ro' && o !== 'rw') };
}

/** --mount type=bind|volume|tmpfs,source=,target=,readonly,... (Docker's keys). */
export function parseMount(spec: string): MountSpec {
  const kv: Record<string, string> = {};
  const flags = new Set<string>();
  for (const part of spec.split(',')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) flags.add(part); else kv[part.slice(0, i).toLowerCase()] = part.slice(i + 1);
  }
  const type = kv['type'] ?? 'volume';
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw new InvalidArgumentError(`invalid mount type "${type}" in "${spec}": use bind, volume or tmpfs`);
  const dst = kv['target'] ?? kv['destination'] ?? kv['dst'];
  if (!dst || !dst.startsWith('/')) throw new InvalidArgumentError(`invalid mount "${spec}": target must be an absolute path`);
  const src = kv['source'] ?? kv['src'] ?? '';
  const ro = flags.has('readonly') || flags.has('ro') || kv['readonly'] === 'true' || kv['ro'] === 'true';
  const options: string[] = [];
  if (type === 'tmpfs') {
    if (kv['tmpfs-size']) options.push(`size=${kv['tmpfs-size']}`);
    if (kv['tmpfs-mode']) options.push(`mode=${kv['tmpfs-mode']}`);
    for (const f of ['tmpcopyup', 'notmpcopyup']) if (flags.has(f)) options.push(f);
    return { type: 'tmpfs', source: '', destination: dst, readonly: ro, options };
  }
  if (type === 'bind') {
    if (!src) throw new InvalidArgumentError(`invalid mount "${spec}": a bind mount needs source=`);
    return { type: 'bind', source: path.resolve(src), destination: dst, readonly: ro, options };
  }
  return { type: 'volume', source: src, destination: dst, readonly: ro, options, anonymous: !src };
}

/**
 * --device HOST[:CONTAINER][:PERMISSIONS] (as Podman: a second field made of r, w and m only is the
 * permissions). The host path must be an existing character or block device.
 */
export function parseDevice(spec: string): DeviceSpec {
  const parts = spec.split(':');
  if (!spec || parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid device specification "${spec}": use HOST[:CONTAINER][:PERMISSIONS]`);
  const perm = (p: string | undefined) => p !== undefined && /^[rwm]{1,3}$/.test(p) && new Set(p).size === p.length;
  let [source, destination, permissions] = parts as [string, string | undefined, string | undefined];
  if (parts.length === 2 && perm(destination)) { permissions = destination; destination = undefined; }
  if (permissions !== undefined && !perm(permissions)) throw new InvalidArgumentError(`invalid device permissions "${permissions}" in "${spec}": use a combination of r, w and m`);
  if (!source.startsWith('/')) throw new InvalidArgumentError(`invalid device specification "${spec}": the host path must be absolute`);
  if (destination !== undefined && !destination.startsWith('/')) throw new InvalidArgumentError(`invalid device specification "${spec}": the container path "${destination}" must be absolute`);
  let st: fs.Stats;
  try { st = fs.statSync(source); } catch { throw new NotFoundError(`device ${source} does not exist on the host`); }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new InvalidArgumentError(`${source} is not a device: --device takes a character or block device node`);
  return { source: path.posix.normalize(source), destination: path.posix.normalize(destination ?? source), permissions: permissions ?? 'rwm' };
}

/** --expose PORT[-PORT][/PROTO]: the `PORT/PROTO` keys of Config.ExposedPorts. */
export function parseExpose(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec.trim());
  if (!m) throw new InvalidArgumentError(`invalid --expose "${spec}": use PORT[-PORT][/PROTOCOL]`);
  const a = Number(m[1]), b = Number(m[2] ?? m[1]);
  if (a < 1 || b > 65535 || b < a) throw new InvalidArgumentError(`invalid --expose "${spec}": ports are 1-65535`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = a; p <= b; p++) out.push(`${p}/${proto}`);
  return out;
}

export function parseTmpfs(spec: string): MountSpec {
  const i = spec.indexOf(':');
  const dst = i < 0 ? spec : spec.slice(0, i);
  if (!dst.startsWith('/')) throw new InvalidArgumentError(`invalid --tmpfs "${spec}": the path must be absolute`);
  const options = i < 0 ? [] : spec.slice(i + 1).split(',').filter(Boolean);
  return { type: 'tmpfs', source: '', destination: dst, readonly: options.includes('ro'), options: options.filter((o) => o !== 'ro' && o !== 'rw') };
}

export function parseHealth(o: CreateOptions, image: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number } | undefined): HealthSpec | undefined {
  if (o.noHealthcheck) return undefined;
  const nsToMs = (ns: number | undefined) => (ns ? ns / 1e6 : undefined);
  let test = image?.Test;
  if (o.healthCmd !== undefined) {
    if (o.healthCmd === 'none') return undefined;
    const t = o.healthCmd.trim();
    test = t.startsWith('[') ? (JSON.parse(t) as string[]) : ['CMD-SHELL', t];
  }
  if (!test || !test.length || test[0] === 'NONE') return undefined;
  const interval = o.healthInterval !== undefined ? (o.healthInterval === 'disable' ? 0 : parseDuration(o.healthInterval, '--health-interval')) : nsToMs(image?.Interval) ?? 30_000;
  const timeout = o.healthTimeout !== undefined ? parseDuration(o.healthTimeout, '--health-timeout') : nsToMs(image?.Timeout) ?? 30_000;
  const startPeriod = o.healthStartPeriod !== undefined ? parseDuration(o.healthStartPeriod, '--health-start-period') : nsToMs(image?.StartPeriod) ?? 0;
  const retries = o.healthRetries ?? image?.Retries ?? 3;
  if (retries < 0) throw new InvalidArgumentError('--health-retries must be 0 or more');
  const startInterval = o.healthStartInterval !== undefined ? parseDuration(o.healthStartInterval, '--health-start-interval') : nsToMs(image?.StartInterval);
  return { test, interval, timeout, retries, startPeriod, ...(startInterval ? { startInterval } : {}) };
}

export function parseUlimit(s: string): { name: string; soft: number; hard: number } {
  const m = /^([a-z_]+)=(-?\d+|unlimited)(?::(-?\d+|unlimited))?$/i.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid --ulimit "${s}": use type=soft[:hard]`);
  const n = (x: string) => (x === 'unlimited' || x === '-1' ? -1 : Number(x));
  const soft = n(m[2]!), hard = m[3] !== undefined ? n(m[3]) : soft;
  if (hard !== -1 && soft !== -1 && soft > hard) throw new InvalidArgumentError(`invalid --ulimit "${s}": the soft limit is above the hard limit`);
  return { name: m[1]!, soft, hard };
}

export function checkSignal(sig: string | undefined, what: string): string | undefined {
  if (sig === undefined) return undefined;
  // as Podman (docker's ParseSignal): a leading dash is allowed (kill -s -HUP), numbers 1-64
  const s = sig.replace(/^-/, '').toUpperCase();
  const bad = () => new InvalidArgumentError(`invalid ${what}: ${sig.replace(/^-/, '')}`);
  if (/^\d+$/.test(s)) {
    if (Number(s) === 0) throw bad();
    // as Podman: a number past the last real-time signal gets its own message, whatever the flag
    if (Number(s) > 64) throw new InvalidArgumentError('valid signals are 1 through 64');
    return s;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  const os = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
  if (!os.includes(name) && !/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) throw bad();
  return name;
}
