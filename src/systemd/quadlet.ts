// A Quadlet-style generator (podman-systemd.unit(5)): NAME.container files with a
// [Container] section become NAME.service units whose ExecStart runs
// `tspod run --rm --replace -d ...`. The other sections ([Unit], [Service],
// [Install], ...) pass through; [Container] is kept as [X-Container] so the
// unit still shows where it came from (systemd ignores X- sections).
//
// As Podman's Quadlet, these are Type=notify (NotifyAccess=all): `tspod run -d
// --sdnotify=conmon` tells systemd conmon's PID and READY=1 (Notify=true: the
// container's own READY=1, --sdnotify=container). Conversion is pure: text in,
// text out; only runGenerator() touches the filesystem.
import * as fs from 'node:fs';
import fse from 'fs-extra';
import * as path from 'node:path';
import { TspodError } from '../util/errors.js';
import { escapeLiteral, layoutCommand, parseBoolean, parseUnitFile, quoteWord, splitWords, UnitSyntaxError, type UnitEntry, type UnitSection } from './unit-file.js';
import type { GenerateContext } from './generate.js';
import { convertPod, podIdFile, podServiceName } from './quadlet-pod.js';
import { convertKube } from './quadlet-kube.js';

export class QuadletError extends TspodError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`, 'EQUADLET');
    this.file = file;
    this.line = line;
  }
}

type Kind =
  | { t: 'value'; flag: string }        // Key=v -> --flag v (each occurrence)
  | { t: 'last'; flag: string }         // Key=v -> --flag v (the last one wins)
  | { t: 'bool'; flag: string; value?: string } // Key=true -> --flag [value]
  | { t: 'keyval'; flag: string }       // Key=A=1 "B=2 3" -> --flag A=1 --flag "B=2 3"
  | { t: 'words'; flag: string };       // Key=a b -> --flag a --flag b

/** [Container] keys tspod implements, with the `tspod run` option each becomes. */
const SIMPLE: Record<string, Kind> = {
  AddCapability: { t: 'words', flag: '--cap-add' },
  DropCapability: { t: 'words', flag: '--cap-drop' },
  AddHost: { t: 'value', flag: '--add-host' },
  Annotation: { t: 'keyval', flag: '--annotation' },
  DNS: { t: 'value', flag: '--dns' },
  DNSOption: { t: 'value', flag: '--dns-option' },
  DNSSearch: { t: 'value', flag: '--dns-search' },
  Environment: { t: 'keyval', flag: '--env' },
  GroupAdd: { t: 'value', flag: '--group-add' },
  HealthCmd: { t: 'last', flag: '--health-cmd' },
  HealthInterval: { t: 'last', flag: '--health-interval' },
  HealthRetries: { t: 'last', flag: '--health-retries' },
  HealthStartPeriod: { t: 'last', flag: '--health-start-period' },
  HealthTimeout: { t: 'last', flag: '--health-timeout' },
  HostName: { t: 'last', flag: '--hostname' },
  Label: { t: 'keyval', flag: '--label' },
  LogDriver: { t: 'last', flag: '--log-driver' },
  LogOpt: { t: 'value', flag: '--log-opt' },
  Memory: { t: 'last', flag: '--memory' },
  Mount: { t: 'value', flag: '--mount' },
  Network: { t: 'last', flag: '--network' },
  NoNewPrivileges: { t: 'bool', flag: '--security-opt', value: 'no-new-privileges' },
  PidsLimit: { t: 'last', flag: '--pids-limit' },
  Pull: { t: 'last', flag: '--pull' },
  ReadOnly: { t: 'bool', flag: '--read-only' },
  RunInit: { t: 'bool', flag: '--init' },
  SeccompProfile: { t: 'last', flag: '--security-opt' },
  SecurityLabelDisable: { t: 'bool', flag: '--security-opt', value: 'label=disable' },
  ShmSize: { t: 'last', flag: '--shm-size' },
  StopSignal: { t: 'last', flag: '--stop-signal' },
  StopTimeout: { t: 'last', flag: '--stop-timeout' },
  Sysctl: { t: 'keyval', flag: '--sysctl' },
  Tmpfs: { t: 'value', flag: '--tmpfs' },
  Ulimit: { t: 'value', flag: '--ulimit' },
  UserNS: { t: 'last', flag: '--userns' },
  WorkingDir: { t: 'last', flag: '--workdir' },
};

/** Keys handled specially below. */
const SPECIAL = new Set(['Pod', 'Image', 'Exec', 'ContainerName', 'User', 'Group', 'EnvironmentFile', 'Volume', 'PublishPort', 'Entrypoint', 'PodmanArgs', 'GlobalArgs', 'AutoUpdate', 'Notify']);

/** Keys of Podman's Quadlet that tspod has no equivalent for (a clear error rather than "unknown"). */
const PODMAN_ONLY = new Set([
  'AddDevice', 'CgroupsMode', 'ContainersConfModule', 'EnvironmentHost', 'ExposeHostPort', 'GIDMap', 'UIDMap', 'SubUIDMap', 'SubGIDMap',
  'HealthLogDestination', 'HealthMaxLogCount', 'HealthMaxLogSize', 'HealthOnFailure', 'HealthStartupCmd', 'HealthStartupInterval',
  'HealthStartupRetries', 'HealthStartupSuccess', 'HealthStartupTimeout', 'IP', 'IP6', 'Mask', 'Unmask', 'NetworkAlias',
  'ReadOnlyTmpfs', 'ReloadCmd', 'ReloadSignal', 'Retry', 'RetryDelay', 'Rootfs', 'Secret', 'SecurityLabelFileType', 'SecurityLabelLevel',
  'SecurityLabelNested', 'SecurityLabelType', 'StartWithPod', 'Timezone', 'VolatileTmp', 'KeepId', 'RemapUsers', 'RemapUid', 'RemapGid',
  'RemapUidStart', 'RemapGidStart', 'RemapUidRanges', 'RemapGidRanges', 'HostUser', 'HostGroup', 'SocketActivated', 'HttpProxy',
  'Personality',
]);

const GLOBAL_ARGS_OK = new Set(['--root', '--runroot', '--log-level', '--storage-driver']);

export interface ConvertOptions {
  /** Absolute path of the source file (named in errors and SourcePath=). */
  sourcePath: string;
  ctx: Pick<GenerateContext, 'tspod' | 'globalArgs'>;
  /** User units (--user): the runroot is %t/tspod. */
  user: boolean;
  /** The .pod files the generator found (Pod= must name one of them). */
  pods?: ReadonlySet<string> | undefined;
}

export interface ConvertedUnit {
  serviceName: string;
  text: string;
  /** [Install] targets: WantedBy/RequiredBy/Alias, applied by the generator as symlinks. */
  install: { wantedBy: string[]; requiredBy: string[]; alias: string[] };
  /** The .pod file a container's Pod= names. */
  pod?: string | undefined;
}

function lastOf(entries: UnitEntry[], key: string): UnitEntry | undefined {
  let r: UnitEntry | undefined;
  for (const e of entries) if (e.key === key) r = e;
  return r;
}

/** All values of a key; an empty assignment resets the list (as systemd does). */
function allOf(entries: UnitEntry[], key: string): UnitEntry[] {
  let r: UnitEntry[] = [];
  for (const e of entries) if (e.key === key) r = e.value === '' ? [] : [...r, e];
  return r;
}

const PORT = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:\d+(?:-\d+)?)?:?\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/;

/** Convert the text of NAME.container to NAME.service. */
export function convertContainer(fileName: string, text: string, o: ConvertOptions): ConvertedUnit {
  const src = o.sourcePath;
  const fail = (line: number, msg: string): never => { throw new QuadletError(src, line, msg); };
  if (!fileName.endsWith('.container')) fail(0, 'not a .container file');
  const unitBase = fileName.slice(0, -'.container'.length);
  if (!unitBase || !/^[A-Za-z0-9:_.\\@-]+$/.test(unitBase)) fail(0, `"${unitBase}" is not a valid unit name`);
  const serviceName = `${unitBase}.service`;

  let sections: UnitSection[];
  try { sections = parseUnitFile(text); } catch (err) {
    if (err instanceof UnitSyntaxError) fail(err.line, err.message);
    throw err;
  }
  const ctrSec = sections.find((s) => s.name === 'Container');
  if (!ctrSec) fail(0, 'no [Container] section');
  const c = ctrSec!.entries;
  const words = (e: UnitEntry): string[] => { try { return splitWords(e.value); } catch (err) { return fail(e.line, `${e.key}=: ${(err as Error).message}`); } };

  // unknown keys first, so the error names the first offending line
  for (const e of c) {
    if (SIMPLE[e.key] || SPECIAL.has(e.key)) continue;
    if (PODMAN_ONLY.has(e.key)) fail(e.line, `key "${e.key}" of Podman's Quadlet is not supported by tspod`);
    fail(e.line, `unsupported key "${e.key}" in section [Container]`);
  }

  const image = lastOf(c, 'Image');
  if (!image || !image.value) fail(ctrSec!.line, 'no Image= key in [Container] (it is required)');
  const nameEntry = lastOf(c, 'ContainerName');
  const ctrName = nameEntry?.value || 'systemd-%N';
  if (!/^[A-Za-z0-9%][A-Za-z0-9_.%-]*$/.test(ctrName)) fail(nameEntry?.line ?? 0, `invalid ContainerName "${ctrName}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (specifiers like %N allowed)`);

  const run: string[][] = [];
  const opt = (flag: string, value?: string) => run.push(value === undefined ? [flag] : [flag, quoteWord(value)]);
  const unitExtra: string[] = [];
  const fileDir = path.dirname(src);
  const resolveRel = (p: string) => (p.startsWith('./') || p.startsWith('../') || p === '.' ? path.resolve(fileDir, p) : p);

  // global arguments go between "tspod" and "run"
  const globalArgs: string[] = [];
  for (const e of allOf(c, 'GlobalArgs')) {
    const ws = words(e);
    for (let i = 0; i < ws.length; i++) {
      const flag = ws[i]!.split('=')[0]!;
      if (!GLOBAL_ARGS_OK.has(flag)) fail(e.line, `GlobalArgs: "${ws[i]}" is not a tspod global option (use ${[...GLOBAL_ARGS_OK].join(', ')})`);
      globalArgs.push(ws[i]!);
      if (!ws[i]!.includes('=') && i + 1 < ws.length) globalArgs.push(ws[++i]!);
    }
  }

  for (const [key, kind] of Object.entries(SIMPLE)) {
    const entries = kind.t === 'last' || kind.t === 'bool' ? [lastOf(c, key)].filter((x): x is UnitEntry => !!x && x.value !== '') : allOf(c, key);
    for (const e of entries) {
      switch (kind.t) {
        case 'value': case 'last':
          opt(kind.flag, key === 'SeccompProfile' ? `seccomp=${resolveRel(e.value)}` : e.value);
          break;
        case 'bool': {
          const b = parseBoolean(e.value);
          if (b === undefined) fail(e.line, `${key}= wants a boolean (true/false), got "${e.value}"`);
          if (b) opt(kind.flag, kind.value);
          break;
        }
        case 'keyval':
          for (const w of words(e)) {
            if (!/^[^=\s]+=/.test(w) && key !== 'Label') fail(e.line, `${key}=: "${w}" is not KEY=VALUE`);
            opt(kind.flag, w);
          }
          break;
        case 'words':
          for (const w of words(e)) opt(kind.flag, w);
          break;
      }
    }
  }
  if (lastOf(c, 'LogDriver')?.value === 'journald') fail(lastOf(c, 'LogDriver')!.line, 'LogDriver=journald is not available in tspod: use k8s-file (the default) or none');

  const user = lastOf(c, 'User');
  const group = lastOf(c, 'Group');
  if (user?.value || group?.value) opt('--user', `${user?.value || '0'}${group?.value ? `:${group.value}` : ''}`);

  for (const e of allOf(c, 'EnvironmentFile')) opt('--env-file', resolveRel(e.value));

  for (const e of allOf(c, 'Volume')) {
    const parts = e.value.split(':');
    if (parts.length > 3 || parts.some((p, i) => p === '' && !(i === 2))) fail(e.line, `invalid Volume "${e.value}": use [SOURCE:]DEST[:OPTIONS]`);
    if (parts.length === 1) { if (!parts[0]!.startsWith('/')) fail(e.line, `invalid Volume "${e.value}": the container path must be absolute`); opt('--volume', e.value); continue; }
    let [source, dest, opts] = parts as [string, string, string | undefined];
    if (!dest.startsWith('/')) fail(e.line, `invalid Volume "${e.value}": the container path "${dest}" must be absolute`);
    if (source.endsWith('.volume')) fail(e.line, `Volume=${source}: .volume units are not supported by tspod (use a volume name or a path)`);
    source = resolveRel(source);
    if (source.startsWith('/')) unitExtra.push(`RequiresMountsFor=${source}`);
    opt('--volume', `${source}:${dest}${opts ? `:${opts}` : ''}`);
  }

  for (const e of allOf(c, 'PublishPort')) {
    const v = e.value.trim();
    if (!PORT.test(v)) fail(e.line, `invalid PublishPort "${v}": use [[IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]`);
    opt('--publish', v);
  }

  const au = lastOf(c, 'AutoUpdate');
  if (au?.value) {
    if (au.value !== 'registry' && au.value !== 'local') fail(au.line, `AutoUpdate= wants registry or local, got "${au.value}"`);
    opt('--label', `io.containers.autoupdate=${au.value}`);
  }
  // Notify=true: the container says when it is ready (--sdnotify=container); else conmon's start does
  const notify = lastOf(c, 'Notify');
  let notifyMode: 'conmon' | 'container' = 'conmon';
  if (notify?.value) {
    const b = parseBoolean(notify.value);
    if (b === undefined) fail(notify.line, notify.value === 'healthy' ? 'Notify=healthy is not supported by tspod: use true or false' : `Notify= wants a boolean, got "${notify.value}"`);
    if (b) notifyMode = 'container';
  }
  const ep = lastOf(c, 'Entrypoint');
  if (ep?.value) opt('--entrypoint', ep.value);
  for (const e of allOf(c, 'PodmanArgs')) for (const w of words(e)) run.push([quoteWord(w)]);

  // Pod=NAME.pod: join the pod its unit made, by the pod's ID file, and go with that unit
  const podEntry = lastOf(c, 'Pod');
  const pod = podEntry?.value || undefined;
  if (pod && podEntry) {
    if (!pod.endsWith('.pod')) fail(podEntry.line, `Pod=${pod}: name a .pod file (NAME.pod)`);
    if (o.pods && !o.pods.has(pod)) fail(podEntry.line, `Pod=${pod}: no such .pod file next to the .container files`);
    opt('--pod-id-file', podIdFile(pod));
    unitExtra.push(`BindsTo=${podServiceName(pod)}`, `After=${podServiceName(pod)}`);
  }
  const exec = lastOf(c, 'Exec');
  const execWords = exec && exec.value ? words(exec) : [];

  // ---- [Service]: ours, and what the file adds
  const svcSec = sections.find((s) => s.name === 'Service');
  const svc = svcSec?.entries ?? [];
  for (const k of ['ExecStart', 'ExecStop', 'PIDFile', 'NotifyAccess']) {
    const e = lastOf(svc, k);
    if (e) fail(e.line, `${k}= in [Service] is generated from [Container]: remove it (ExecStartPre=/ExecStartPost=/ExecStopPost= are fine)`);
  }
  const type = lastOf(svc, 'Type');
  const oneshot = type?.value === 'oneshot';
  if (type && type.value !== 'notify' && !oneshot) fail(type.line, `Type=${type.value} is not supported: tspod units are notify (the default) or oneshot`);
  const km = lastOf(svc, 'KillMode');
  if (km && km.value !== 'mixed' && km.value !== 'control-group') fail(km.line, `invalid KillMode "${km.value}": use mixed or control-group`);
  const stopT = lastOf(c, 'StopTimeout');
  const stop = stopT?.value ? Number(stopT.value) : 10;
  if (!Number.isInteger(stop) || stop < 0) fail(stopT!.line, `StopTimeout= wants a number of seconds, got "${stopT!.value}"`);

  const tspod = [...o.ctx.tspod, ...o.ctx.globalArgs].map((w) => quoteWord(w, true));
  const all = [...tspod, ...globalArgs.map((w) => quoteWord(w))];
  const nameWord = quoteWord(ctrName);
  const execStart = layoutCommand([
    [...all, 'run'],
    [`--name=${nameWord}`],
    ['--cidfile=%t/%N.cid'],
    ['--replace'],
    ['--rm'],
    ...(oneshot ? [] : [[`--sdnotify=${notifyMode}`]]),
    ['-d'],
    ...run,
    [quoteWord(image!.value), ...execWords.map((w) => quoteWord(w))],
  ]);
  const ourService = [
    'Environment=TSPOD_SYSTEMD_UNIT=%n',
    ...(km ? [] : ['KillMode=mixed']),
    ...(lastOf(svc, 'SyslogIdentifier') ? [] : ['SyslogIdentifier=%N']),
    ...(lastOf(svc, 'TimeoutStopSec') ? [] : [`TimeoutStopSec=${stop + 60}`]),
    ...(type ? [] : ['Type=notify']),
    ...(oneshot ? [] : ['NotifyAccess=all']),
    'ExecStartPre=-/bin/rm -f %t/%N.cid',
    `ExecStart=${execStart}`,
    `ExecStop=${layoutCommand([[...all, 'rm'], ['-f', '--ignore', '-t', String(stop), '--cidfile=%t/%N.cid']])}`,
    `ExecStopPost=-${layoutCommand([[...all, 'rm'], ['-f', '--ignore', '-t', String(stop), '--cidfile=%t/%N.cid']])}`,
    'ExecStopPost=-/bin/rm -f %t/%N.cid',
  ];

  const install = { wantedBy: [] as string[], requiredBy: [] as string[], alias: [] as string[] };
  const instSec = sections.find((s) => s.name === 'Install');
  for (const e of instSec?.entries ?? []) {
    const list = e.key === 'WantedBy' ? install.wantedBy : e.key === 'RequiredBy' ? install.requiredBy : e.key === 'Alias' ? install.alias : undefined;
    if (list) for (const w of words(e)) list.push(w);
  }

  // ---- assemble: the file's sections in order, [Container] as [X-Container], ours merged in
  const out: string[] = [`# ${serviceName}`, `# Automatically generated by tspod quadlet from ${escapeLiteral(src)}`, ''];
  const emitted = new Set<string>();
  const raw = (e: UnitEntry) => `${e.key}=${e.value}`;
  const unitLines = [
    ...(lastOf(sections.find((s) => s.name === 'Quadlet')?.entries ?? [], 'DefaultDependencies')?.value === 'false' ? [] : ['Wants=network-online.target', 'After=network-online.target']),
    `SourcePath=${escapeLiteral(src)}`,
    `RequiresMountsFor=${o.user ? '%t/tspod' : '/run/tspod'}`,
    ...unitExtra,
  ];
  const q = sections.find((s) => s.name === 'Quadlet');
  if (q) for (const e of q.entries) if (e.key !== 'DefaultDependencies') fail(e.line, `unsupported key "${e.key}" in section [Quadlet]`);
  for (const s of sections) {
    if (s.name === 'Quadlet') continue;
    if (s.name === 'Container') { out.push('[X-Container]', ...s.entries.map(raw), ''); continue; }
    if (s.name === 'Unit') { out.push('[Unit]', ...unitLines, ...s.entries.map(raw), ''); emitted.add('Unit'); continue; }
    if (s.name === 'Service') { out.push('[Service]', ...ourService, ...s.entries.map(raw), ''); emitted.add('Service'); continue; }
    out.push(`[${s.name}]`, ...s.entries.map(raw), '');
  }
  if (!emitted.has('Unit')) out.push('[Unit]', ...unitLines, '');
  if (!emitted.has('Service')) out.push('[Service]', ...ourService, '');
  return { serviceName, text: out.join('\n').replace(/\n+$/, '\n'), install, pod };
}

// ---------------------------------------------------------------- the generator

/** Where .container files are looked for (podman-systemd.unit(5)), most important first. */
export function searchDirs(user: boolean, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string[] {
  const override = env['QUADLET_UNIT_DIRS'];
  if (override) return override.split(':').filter(Boolean);
  if (!user) return ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'];
  const home = env['HOME'] || '/';
  const config = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
  return [
    ...(env['XDG_RUNTIME_DIR'] ? [path.join(env['XDG_RUNTIME_DIR'], 'containers', 'systemd')] : []),
    path.join(config, 'containers', 'systemd'),
    `/etc/containers/systemd/users/${uid}`,
    '/etc/containers/systemd/users',
  ];
}

export interface GeneratorOptions {
  user: boolean;
  /** Write units here; undefined with dryRun. */
  outputDir?: string | undefined;
  dryRun?: boolean | undefined;
  dirs?: string[] | undefined;
  ctx: Pick<GenerateContext, 'tspod' | 'globalArgs'>;
}

export interface GeneratorReport { units: Array<{ source: string; serviceName: string; text: string; path?: string }>; errors: QuadletError[] }

/** Find every NAME.container, NAME.pod and NAME.kube (the first directory that has a name wins) and convert it. */
export function runGenerator(o: GeneratorOptions): GeneratorReport {
  const dirs = o.dirs ?? searchDirs(o.user);
  const seen = new Map<string, string>();
  for (const d of dirs) {
    let names: string[];
    try { names = fs.readdirSync(d).sort(); } catch { continue; }
    for (const n of names) if (/\.(container|pod|kube)$/.test(n) && !seen.has(n)) seen.set(n, path.join(d, n));
  }
  const report: GeneratorReport = { units: [], errors: [] };
  const pods = new Set([...seen.keys()].filter((n) => n.endsWith('.pod')));
  // containers first: a pod's unit wants the containers that name it
  const members = new Map<string, string[]>();
  const order = [...seen].sort((a, b) => Number(a[0].endsWith('.pod')) - Number(b[0].endsWith('.pod')) || a[0].localeCompare(b[0]));
  for (const [name, file] of order) {
    try {
      const text = fs.readFileSync(file, 'utf8');
      const u = name.endsWith('.pod')
        ? convertPod(name, text, { sourcePath: file, ctx: o.ctx, user: o.user }, members.get(name) ?? [])
        : name.endsWith('.kube') ? convertKube(name, text, { sourcePath: file, ctx: o.ctx, user: o.user })
        : convertContainer(name, text, { sourcePath: file, ctx: o.ctx, user: o.user, pods });
      if (u.pod) members.set(u.pod, [...(members.get(u.pod) ?? []), u.serviceName]);
      const entry: GeneratorReport['units'][number] = { source: file, serviceName: u.serviceName, text: u.text };
      if (!o.dryRun && o.outputDir) {
        const dest = path.join(o.outputDir, u.serviceName);
        const tmp = `${dest}.tmp-${process.pid}`;
        fse.outputFileSync(tmp, u.text, { mode: 0o644 });
        fse.moveSync(tmp, dest, { overwrite: true });
        entry.path = dest;
        // the generator does what `systemctl enable` would: units it writes are transient
        for (const [suffix, targets] of [['.wants', u.install.wantedBy], ['.requires', u.install.requiredBy]] as const) {
          for (const t of targets) {
            const link = path.join(o.outputDir, `${t}${suffix}`, u.serviceName);
            fse.removeSync(link);
            fse.ensureSymlinkSync(path.join('..', u.serviceName), link);
          }
        }
        for (const a of u.install.alias) {
          const link = path.join(o.outputDir, a);
          fse.removeSync(link);
          fse.ensureSymlinkSync(u.serviceName, link);
        }
      }
      report.units.push(entry);
    } catch (err) {
      if (err instanceof QuadletError) report.errors.push(err);
      else report.errors.push(new QuadletError(file, 0, (err as Error).message));
    }
  }
  return report;
}
