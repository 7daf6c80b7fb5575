// Rebuild the `tspod run` options that recreate a container, from what tspod
// recorded at create time (config.json) minus what the image supplies itself.
// The create command line is not stored, so this is a reconstruction: every
// option that changed the container's configuration comes back, spelled the
// canonical way (a host port that was picked at random comes back as the port
// that was picked).
import type { ContainerConfig, MountSpec, PortMapping } from '../container/types.js';
import type { ContainerConfig as ImageRuntimeConfig } from '../image/types.js';

/** One option: the flag (long form) and its value, if it takes one. */
export interface RunOption { flag: string; value?: string }

export interface RunSpec {
  options: RunOption[];
  image: string;
  /** Arguments after the image (the command, or the entrypoint's arguments). */
  command: string[];
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHM = 64 * 1024 * 1024;

function envMap(list: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of list) { const i = e.indexOf('='); m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1)); }
  return m;
}

const same = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function formatPort(p: PortMapping): string {
  const host = p.hostIP && p.hostIP !== '0.0.0.0' ? `${p.hostIP.includes(':') ? `[${p.hostIP}]` : p.hostIP}:${p.hostPort}` : String(p.hostPort);
  return `${host}:${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`;
}

/** A mount as -v / --tmpfs / --mount would write it. */
export function formatMount(m: MountSpec): RunOption {
  if (m.type === 'tmpfs') {
    const opts = [...(m.readonly ? ['ro'] : []), ...m.options];
    return { flag: '--tmpfs', value: opts.length ? `${m.destination}:${opts.join(',')}` : m.destination };
  }
  if (m.type === 'volume' && (m.anonymous || !m.source)) {
    if (!m.readonly && !m.options.length) return { flag: '--volume', value: m.destination };
    // an anonymous volume with options has no -v spelling
    return { flag: '--mount', value: ['type=volume', `target=${m.destination}`, ...(m.readonly ? ['readonly'] : [])].join(',') };
  }
  const opts = [...(m.readonly ? ['ro'] : []), ...m.options];
  return { flag: '--volume', value: `${m.source}:${m.destination}${opts.length ? `:${opts.join(',')}` : ''}` };
}

function ms(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`;
}

/**
 * The options that recreate `cfg` from its image. `imageConfig` is the image's
 * runtime config (what the container inherited); undefined means the image is
 * gone, and then everything is spelled out.
 */
export function runSpecFromConfig(cfg: ContainerConfig, imageConfig: ImageRuntimeConfig | undefined, opts: { name?: string | undefined } = {}): RunSpec {
  const ic = imageConfig ?? {};
  const o: RunOption[] = [];
  const add = (flag: string, value?: string) => o.push(value === undefined ? { flag } : { flag, value });

  if (opts.name !== undefined) add('--name', opts.name);
  if (cfg.tty) add('--tty');
  if (cfg.stdin) add('--interactive');

  // environment: what the user added on top of the image and tspod's defaults
  const base = envMap([DEFAULT_PATH, ...(ic.Env ?? []), 'TERM=xterm', 'container=podman']);
  for (const [k, v] of envMap(cfg.env)) if (base.get(k) !== v) add('--env', `${k}=${v}`);

  for (const p of cfg.ports) add('--publish', formatPort(p));
  // --expose: the exposed ports neither the image nor a --publish gives
  const implied = new Set([...Object.keys(ic.ExposedPorts ?? {}).map((k) => (k.includes('/') ? k : `${k}/tcp`)), ...cfg.ports.map((p) => `${p.containerPort}/${p.protocol}`)]);
  for (const k of cfg.exposedPorts ?? []) if (!implied.has(k)) add('--expose', k);
  for (const m of cfg.mounts) { const r = formatMount(m); add(r.flag, r.value); }
  for (const d of cfg.devices ?? []) add('--device', `${d.source}:${d.destination}${d.permissions === 'rwm' ? '' : `:${d.permissions}`}`);

  const imgLabels = ic.Labels ?? {};
  for (const [k, v] of Object.entries(cfg.labels)) if (imgLabels[k] !== v) add('--label', v === '' ? k : `${k}=${v}`);
  for (const [k, v] of Object.entries(cfg.annotations)) add('--annotation', `${k}=${v}`);

  if (cfg.network && cfg.network !== 'slirp4netns') add('--network', cfg.network);
  const defaultHostname = cfg.network === 'host' ? '' : cfg.id.slice(0, 12);
  if (cfg.hostname !== defaultHostname) add('--hostname', cfg.hostname);
  for (const d of cfg.dns) add('--dns', d);
  for (const d of cfg.dnsSearch) add('--dns-search', d);
  for (const d of cfg.dnsOptions) add('--dns-option', d);
  for (const h of cfg.addHosts) add('--add-host', h);

  if (cfg.workdir !== (ic.WorkingDir || '/')) add('--workdir', cfg.workdir);
  if (cfg.user !== (ic.User ?? '')) add('--user', cfg.user);
  for (const g of cfg.groupAdd) add('--group-add', g);
  if (cfg.userns) add('--userns', cfg.userns);

  if (cfg.readOnly) add('--read-only');
  if (cfg.privileged) add('--privileged');
  for (const c of cfg.capAdd) add('--cap-add', c);
  for (const c of cfg.capDrop) add('--cap-drop', c);
  for (const s of cfg.securityOpts) add('--security-opt', s);
  if (cfg.init) add('--init');

  const imgStop = ic.StopSignal ? (ic.StopSignal.toUpperCase().startsWith('SIG') || /^\d+$/.test(ic.StopSignal) ? ic.StopSignal.toUpperCase() : `SIG${ic.StopSignal.toUpperCase()}`) : 'SIGTERM';
  if (cfg.stopSignal !== imgStop) add('--stop-signal', cfg.stopSignal);
  if (cfg.stopTimeout !== 10) add('--stop-timeout', String(cfg.stopTimeout));
  if (cfg.timeout) add('--timeout', String(cfg.timeout));

  // health check: spelled out when it differs from the image's
  const ih = ic.Healthcheck;
  const imgHealthy = ih?.Test && ih.Test.length && ih.Test[0] !== 'NONE';
  if (!cfg.health) {
    if (imgHealthy) add('--no-healthcheck');
  } else {
    const h = cfg.health;
    const nsToMs = (ns: number | undefined, d: number) => (ns ? ns / 1e6 : d);
    const fromImage = imgHealthy && same(ih!.Test, h.test);
    if (!fromImage) add('--health-cmd', h.test[0] === 'CMD-SHELL' && h.test.length === 2 ? h.test[1]! : JSON.stringify(h.test[0] === 'CMD' ? h.test.slice(1) : h.test));
    const iv = fromImage ? nsToMs(ih!.Interval, 30_000) : 30_000;
    const to = fromImage ? nsToMs(ih!.Timeout, 30_000) : 30_000;
    const sp = fromImage ? nsToMs(ih!.StartPeriod, 0) : 0;
    const rt = fromImage ? ih!.Retries ?? 3 : 3;
    if (h.interval !== iv) add('--health-interval', h.interval === 0 ? 'disable' : ms(h.interval));
    if (h.timeout !== to) add('--health-timeout', ms(h.timeout));
    if (h.startPeriod !== sp) add('--health-start-period', ms(h.startPeriod));
    if (h.startInterval) add('--health-start-interval', ms(h.startInterval));
    if (h.retries !== rt) add('--health-retries', String(h.retries));
  }

  if (cfg.logDriver !== 'k8s-file') add('--log-driver', cfg.logDriver);
  for (const [k, v] of Object.entries(cfg.logOpts)) add('--log-opt', `${k}=${v}`);
  for (const u of cfg.ulimits) add('--ulimit', `${u.name}=${u.soft}:${u.hard}`);
  if (cfg.shmSize !== DEFAULT_SHM) add('--shm-size', String(cfg.shmSize));
  for (const [k, v] of Object.entries(cfg.sysctls)) add('--sysctl', `${k}=${v}`);
  if (cfg.resources.memory !== undefined) add('--memory', String(cfg.resources.memory));
  if (cfg.resources.cpus !== undefined) add('--cpus', String(cfg.resources.cpus));
  if (cfg.resources.pidsLimit !== undefined) add('--pids-limit', String(cfg.resources.pidsLimit));
  if (cfg.pidNs) add('--pid', cfg.pidNs);
  if (cfg.ipcNs) add('--ipc', cfg.ipcNs);
  if (cfg.utsNs) add('--uts', cfg.utsNs);

  // the command: ENTRYPOINT and CMD with Docker's override rules
  let command: string[] = [];
  const imgEp = ic.Entrypoint ?? [];
  const imgCmd = ic.Cmd ?? [];
  if (!same(cfg.entrypoint, imgEp)) {
    add('--entrypoint', cfg.entrypoint.length === 0 ? '' : cfg.entrypoint.length === 1 && !cfg.entrypoint[0]!.trim().startsWith('[') ? cfg.entrypoint[0]! : JSON.stringify(cfg.entrypoint));
    command = cfg.cmd.slice();
  } else if (!same(cfg.cmd, imgCmd)) {
    command = cfg.cmd.slice();
  }
  return { options: o, image: cfg.imageName || cfg.image, command };
}

/** Flatten to argv words (options, image, command). */
export function runSpecArgv(spec: RunSpec): string[] {
  const out: string[] = [];
  for (const op of spec.options) {
    out.push(op.flag);
    if (op.value !== undefined) out.push(op.value);
  }
  return [...out, spec.image, ...spec.command];
}
