// `tspod generate systemd` and `tspod generate quadlet`: unit text from a
// container's recorded configuration. The generators are pure (container in,
// text out); readContainerForUnits() is the one place that reads the store.
//
// Unit shape (after Podman 4.3's `podman generate systemd`):
// - without --new the unit starts and stops the existing container:
//   Type=forking, PIDFile= conmon's PID file (conmon supervises the container and
//   stays for as long as it runs, so systemd watches the right process).
// - with --new the unit creates the container on start (`tspod run --rm
//   --replace -d --sdnotify=conmon` with the options the container was created
//   with) and removes it on stop: Type=notify, NotifyAccess=all. tspod tells
//   systemd MAINPID=<conmon> and READY=1 once the container runs, so systemd
//   follows conmon from then on. Stop and removal go by the ID file (--cidfile).
import * as path from 'node:path';
import type { ContainerConfig } from '../container/types.js';
import type { ContainerConfig as ImageRuntimeConfig } from '../image/types.js';
import { InvalidArgumentError } from '../util/errors.js';
import { runSpecFromConfig, type RunOption, type RunSpec } from './run-args.js';
import { escapeLiteral, layoutCommand, quoteWord } from './unit-file.js';

export const RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;
export type RestartPolicyName = (typeof RESTART_POLICIES)[number];

export interface SystemdOptions {
  /** Use the container's name, not its ID, in the unit's name and commands (--name). */
  useName?: boolean | undefined;
  /** Create the container on start and remove it on stop (--new). */
  new?: boolean | undefined;
  /** systemd Restart= (--restart-policy). Default: on-failure (with --new: the container's own policy if it has one). */
  restartPolicy?: string | undefined;
  /** RestartSec= (--restart-sec). */
  restartSec?: number | undefined;
  /** Stop timeout in seconds (--time / --stop-timeout). Default: the container's stop timeout. */
  stopTimeout?: number | undefined;
  /** TimeoutStartSec= (--start-timeout). */
  startTimeout?: number | undefined;
  after?: string[] | undefined;
  wants?: string[] | undefined;
  requires?: string[] | undefined;
  /** Extra Environment= lines for the unit (--env KEY=VALUE). */
  env?: string[] | undefined;
  containerPrefix?: string | undefined;
  separator?: string | undefined;
  noHeader?: boolean | undefined;
  /** NAME@.service with %i in the container's name (--template; needs --new). */
  template?: boolean | undefined;
  /** A member of a pod whose unit is this one (pod-units.ts): BindsTo= it, and with --new join it by its ID file. */
  pod?: { unit: string; podIdFile: string } | undefined;
}

/** What the generated commands need to know about this installation. */
export interface GenerateContext {
  /** The words that run tspod: absolute path(s). */
  tspod: string[];
  /** Global flags every tspod command of the unit gets (--root/--runroot when not the defaults). */
  globalArgs: string[];
  version: string;
  now: Date;
  /** Absolute runroot (RequiresMountsFor= of units for existing containers). */
  runroot: string;
  /** True when the runroot is the default one under $XDG_RUNTIME_DIR (then %t/tspod is used). */
  defaultRunroot: boolean;
  /** Where `--env NAME` (no value) takes NAME's value; process.env when absent. */
  hostEnv?: NodeJS.ProcessEnv | undefined;
}

/**
 * --env KEY=VALUE as given; --env NAME takes NAME's value from tspod's own environment and
 * --env PREFIX* every variable starting with PREFIX (as Podman); a NAME that is not set is left out.
 */
export function unitEnv(list: readonly string[], host: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const e of list) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    const wildcard = i < 0 && k.endsWith('*');
    const name = wildcard ? k.slice(0, -1) : k;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(wildcard && name === '')) throw new InvalidArgumentError(`invalid --env "${e}": use KEY=VALUE, KEY or PREFIX*`);
    if (i >= 0) out.push(e);
    else if (wildcard) {
      for (const [hk, hv] of Object.entries(host).sort(([a], [b]) => a.localeCompare(b))) if (hk.startsWith(name) && hv !== undefined) out.push(`${hk}=${hv}`);
    } else if (host[k] !== undefined) out.push(`${k}=${host[k]}`);
  }
  return out;
}

export interface ContainerInput {
  id: string;
  name: string;
  config: ContainerConfig;
  /** The image's runtime config (what the container inherited); undefined when the image is gone. */
  imageConfig: ImageRuntimeConfig | undefined;
  /** conmon's PID file of this container. */
  conmonPidFile: string;
}

export interface GeneratedUnit { fileName: string; text: string; warnings: string[] }

/** Go's time.UnixDate layout ("Mon Jan _2 15:04:05 MST 2006"), in UTC. */
export function unixDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** The container's own restart policy as a systemd Restart= value. */
export function systemdRestartFor(policy: ContainerConfig['restart']['name']): RestartPolicyName {
  switch (policy) {
    case 'always': case 'unless-stopped': return 'always';
    case 'on-failure': return 'on-failure';
    default: return 'no';
  }
}

function checkUnitNames(what: string, names: string[] | undefined): string[] {
  for (const n of names ?? []) if (!n || /\s/.test(n)) throw new InvalidArgumentError(`invalid ${what} "${n}": a unit name without spaces`);
  return names ?? [];
}

/** Quoted words, one option (flag and value) per group. */
function optionGroups(opts: RunOption[]): string[][] {
  return opts.map((o) => (o.value === undefined ? [o.flag] : [o.flag, quoteWord(o.value, true)]));
}

/** Options a pod member got from its pod (the namespaces of its infra container). */
const POD_HELD = ['--network', '--pid', '--ipc', '--uts'];

export function tspodWords(ctx: GenerateContext): string[] {
  return [...ctx.tspod, ...ctx.globalArgs].map((w) => quoteWord(w, true));
}

export function generateSystemdUnit(c: ContainerInput, o: SystemdOptions, ctx: GenerateContext): GeneratedUnit {
  const warnings: string[] = [];
  if (o.template && !o.new) throw new InvalidArgumentError('--template cannot be set without --new');
  const sep = o.separator ?? '-';
  const prefix = o.containerPrefix ?? 'container';
  const ident = o.useName ? c.name : c.id;
  const base = prefix ? `${prefix}${sep}${ident}` : ident;
  const fileName = `${base}${o.template ? '@' : ''}.service`;
  if (!/^[A-Za-z0-9:_.\\@-]+$/.test(fileName)) throw new InvalidArgumentError(`invalid unit name "${fileName}": use a --container-prefix and --separator made of letters, digits and :_.-`);

  let restart: string;
  if (o.restartPolicy !== undefined) {
    if (!(RESTART_POLICIES as readonly string[]).includes(o.restartPolicy)) throw new InvalidArgumentError(`invalid --restart-policy "${o.restartPolicy}": use one of ${RESTART_POLICIES.join(', ')}`);
    restart = o.restartPolicy;
  } else if (o.new && c.config.restart.name !== 'no') {
    restart = systemdRestartFor(c.config.restart.name);
  } else {
    restart = 'on-failure';
  }
  if (!o.new && c.config.restart.name !== 'no') {
    warnings.push(`Container ${c.id} has restart policy "${c.config.restart.name}" which can lead to issues on shutdown: consider recreating the container without a restart policy and use systemd's restart mechanism instead`);
  }
  if (!o.new && c.config.autoRemove) warnings.push(`Container ${c.id} was created with --rm: it is removed when it stops, so the unit can start it only once; use --new`);
  if (o.restartSec !== undefined && !(o.restartSec >= 0)) throw new InvalidArgumentError('--restart-sec must be 0 or more');
  const stop = o.stopTimeout ?? c.config.stopTimeout;
  if (!(stop >= 0)) throw new InvalidArgumentError('the stop timeout must be 0 or more');
  const env = unitEnv(o.env ?? [], ctx.hostEnv ?? process.env);

  const after = ['network-online.target', ...checkUnitNames('--after', o.after)];
  const wants = ['network-online.target', ...checkUnitNames('--wants', o.wants)];
  const requires = checkUnitNames('--requires', o.requires);

  const lines: string[] = [];
  if (!o.noHeader) {
    lines.push(`# ${fileName}`, `# autogenerated by tspod ${ctx.version}`, `# ${unixDate(ctx.now)}`);
    lines.push('');
  }
  lines.push('[Unit]');
  lines.push(`Description=tspod ${base}.service${o.template ? ' for %I' : ''}`);
  lines.push('Documentation=man:tspod-generate-systemd(1)');
  lines.push(`Wants=${wants.join(' ')}`);
  lines.push(`After=${after.join(' ')}`);
  if (requires.length) lines.push(`Requires=${requires.join(' ')}`);
  if (o.pod) lines.push(`BindsTo=${o.pod.unit}`, `After=${o.pod.unit}`);
  lines.push(`RequiresMountsFor=${o.new && ctx.defaultRunroot ? '%t/tspod' : escapeLiteral(ctx.runroot)}`);
  lines.push('');
  lines.push('[Service]');
  lines.push('Environment=TSPOD_SYSTEMD_UNIT=%n');
  for (const e of env) lines.push(`Environment=${quoteWord(e, true)}`);
  lines.push(`Restart=${restart}`);
  if (o.restartSec !== undefined) lines.push(`RestartSec=${o.restartSec}`);
  if (o.startTimeout !== undefined) lines.push(`TimeoutStartSec=${o.startTimeout}`);
  lines.push(`TimeoutStopSec=${stop + 60}`);
  const tspod = tspodWords(ctx);

  if (!o.new) {
    const target = quoteWord(ident, true);
    lines.push(`ExecStart=${layoutCommand([[...tspod, 'start', target]])}`);
    lines.push(`ExecStop=${layoutCommand([[...tspod, 'stop'], ['-t', String(stop), target]])}`);
    lines.push(`ExecStopPost=${layoutCommand([[...tspod, 'stop'], ['-t', String(stop), target]])}`);
    lines.push(`PIDFile=${escapeLiteral(c.conmonPidFile)}`);
    lines.push('Type=forking');
  } else {
    const spec: RunSpec = runSpecFromConfig(c.config, c.imageConfig);
    // a pod member joins the pod the pod unit made (by its ID file), not the infra container it joined once
    if (o.pod) spec.options = spec.options.filter((x) => !(POD_HELD.includes(x.flag) && (x.value ?? '').startsWith('container:')) && !(x.flag === '--hostname' && !x.value));
    const run: string[][] = [
      [...tspod, 'run'],
      ['--cidfile=%t/%n.ctr-id'],
      ['--rm'],
      ['--sdnotify=conmon'],
      ['--replace'],
      ['-d'],
      ['--name', o.template ? `${quoteWord(c.name, true)}-%i` : quoteWord(c.name, true)],
      ...(o.pod ? [['--pod-id-file', o.pod.podIdFile]] : []),
      ...optionGroups(spec.options),
      [quoteWord(spec.image, true), ...spec.command.map((w) => quoteWord(w, true))],
    ];
    const cid = ['--cidfile=%t/%n.ctr-id'];
    lines.push(`ExecStartPre=${layoutCommand([['/bin/rm'], ['-f', '%t/%n.ctr-id']])}`);
    lines.push(`ExecStart=${layoutCommand(run)}`);
    lines.push(`ExecStop=${layoutCommand([[...tspod, 'stop'], ['--ignore', '-t', String(stop)], cid])}`);
    lines.push(`ExecStopPost=${layoutCommand([[...tspod, 'rm'], ['-f'], ['--ignore', '-t', String(stop)], cid])}`);
    lines.push('Type=notify');
    lines.push('NotifyAccess=all');
  }
  lines.push('');
  lines.push('[Install]');
  lines.push('WantedBy=default.target');
  return { fileName, text: lines.join('\n') + '\n', warnings };
}

// ---------------------------------------------------------------- quadlet files

/** run option -> [Container] key of podman-systemd.unit(5); options without a key go to PodmanArgs=. */
const FLAG_TO_KEY: Record<string, string> = {
  '--name': 'ContainerName', '--publish': 'PublishPort', '--volume': 'Volume', '--mount': 'Mount', '--tmpfs': 'Tmpfs',
  '--network': 'Network', '--hostname': 'HostName', '--dns': 'DNS', '--dns-search': 'DNSSearch', '--dns-option': 'DNSOption',
  '--add-host': 'AddHost', '--workdir': 'WorkingDir', '--group-add': 'GroupAdd', '--userns': 'UserNS', '--cap-add': 'AddCapability',
  '--cap-drop': 'DropCapability', '--stop-signal': 'StopSignal', '--stop-timeout': 'StopTimeout', '--health-cmd': 'HealthCmd',
  '--health-interval': 'HealthInterval', '--health-timeout': 'HealthTimeout', '--health-start-period': 'HealthStartPeriod',
  '--health-retries': 'HealthRetries', '--log-driver': 'LogDriver', '--log-opt': 'LogOpt', '--ulimit': 'Ulimit', '--shm-size': 'ShmSize',
  '--sysctl': 'Sysctl', '--memory': 'Memory', '--pids-limit': 'PidsLimit', '--entrypoint': 'Entrypoint', '--annotation': 'Annotation',
};

/** An Environment=/Label= style item (KEY=VALUE), quoted when it needs to be. */
function keyValItem(s: string): string {
  return quoteWord(s, true);
}

export interface QuadletOptions { restartPolicy?: string | undefined; noHeader?: boolean | undefined }

/** A NAME.container file that runs this container the way it was created. */
export function generateQuadletFile(c: ContainerInput, o: QuadletOptions, ctx: Pick<GenerateContext, 'version' | 'now'>): GeneratedUnit {
  const warnings: string[] = [];
  let restart: string;
  if (o.restartPolicy !== undefined) {
    if (!(RESTART_POLICIES as readonly string[]).includes(o.restartPolicy)) throw new InvalidArgumentError(`invalid --restart-policy "${o.restartPolicy}": use one of ${RESTART_POLICIES.join(', ')}`);
    restart = o.restartPolicy;
  } else {
    restart = c.config.restart.name !== 'no' ? systemdRestartFor(c.config.restart.name) : 'on-failure';
  }
  const spec = runSpecFromConfig(c.config, c.imageConfig, { name: c.name });
  const ctr: string[] = [];
  const podmanArgs: string[] = [];
  const lit = (s: string) => escapeLiteral(s);
  ctr.push(`Image=${lit(spec.image)}`);
  for (const op of spec.options) {
    const v = op.value;
    const key = FLAG_TO_KEY[op.flag];
    if (op.flag === '--env' && v !== undefined) ctr.push(`Environment=${keyValItem(v)}`);
    else if (op.flag === '--label' && v !== undefined) ctr.push(`Label=${keyValItem(v)}`);
    else if (op.flag === '--user' && v !== undefined) {
      const [u, g] = v.split(':', 2) as [string, string | undefined];
      ctr.push(`User=${lit(u)}`);
      if (g !== undefined) ctr.push(`Group=${lit(g)}`);
    } else if (op.flag === '--read-only') ctr.push('ReadOnly=true');
    else if (op.flag === '--init') ctr.push('RunInit=true');
    else if (op.flag === '--no-healthcheck') ctr.push('HealthCmd=none');
    else if (op.flag === '--security-opt' && v !== undefined && /^no-new-privileges(?:[=:]true)?$/.test(v)) ctr.push('NoNewPrivileges=true');
    else if (op.flag === '--security-opt' && v !== undefined && /^seccomp[=:]/.test(v)) ctr.push(`SeccompProfile=${lit(v.slice(8))}`);
    else if (op.flag === '--security-opt' && v !== undefined && /^label[=:]disable$/.test(v)) ctr.push('SecurityLabelDisable=true');
    else if (key && v !== undefined) ctr.push(`${key}=${key === 'AddCapability' || key === 'DropCapability' ? lit(v) : lit(v)}`);
    else { podmanArgs.push(op.flag); if (v !== undefined) podmanArgs.push(v); }
  }
  if (podmanArgs.length) ctr.push(`PodmanArgs=${podmanArgs.map((w) => quoteWord(w, true)).join(' ')}`);
  if (spec.command.length) ctr.push(`Exec=${spec.command.map((w) => quoteWord(w, true)).join(' ')}`);

  const lines: string[] = [];
  if (!o.noHeader) lines.push(`# ${c.name}.container`, `# autogenerated by tspod ${ctx.version}`, `# ${unixDate(ctx.now)}`, '');
  lines.push('[Unit]', `Description=The ${lit(c.name)} container`, '', '[Container]', ...ctr, '', '[Service]', `Restart=${restart}`);
  if (c.config.stopTimeout + 60 > 90) lines.push(`TimeoutStopSec=${c.config.stopTimeout + 60}`);
  lines.push('', '[Install]', 'WantedBy=default.target');
  return { fileName: `${c.name}.container`, text: lines.join('\n') + '\n', warnings };
}

/** The absolute command that runs this tspod (the script itself when node is on systemd's default PATH). */
export function tspodInvocation(script: string, nodePath: string): string[] {
  const systemdPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return systemdPath.includes(path.dirname(nodePath)) ? [script] : [nodePath, script];
}
