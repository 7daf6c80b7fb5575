// Create: validate every option, resolve (or pull) the image, record the container.
// Nothing is written before the options and the image check out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from '../../util/random.js';
import { ImageStore, candidateNames } from '../../image/store.js';
import { ContainerStore } from '../../container/store.js';
import { emptyEntry, type ContainerConfig, type ContainerState, type MountSpec, type PortMapping } from '../../container/types.js';
import {
  checkSignal, mergeEnv, parseBytes, parseDecimalBytes, parseDevice, parseEnv, parseExpose, parseHealth, parseKeyValues, parseMount, parseRestart, parseTmpfs, parseUlimit, parseVolume, type CreateOptions,
} from '../../container/options.js';
import { freeHostPort, parsePublish, parseSlirpMode } from '../../container/network.js';
import { containersConf, imageVolumeMode } from '../../util/containers-conf.js';
import { randomName, validName } from '../../container/names.js';
import { VolumeStore } from '../../volume/store.js';
import { writeFileAtomic, writeJSONAtomic } from '../../state/atomic.js';
import { hostGid, hostUid, isRootless } from '../../util/paths.js';
import { log } from '../../util/log.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../util/errors.js';
import type { PullEvent } from '../pull.js';
import type { ImageConfig } from '../../image/types.js';
import { readImageConfig } from '../images.js';
import { DEFAULT_PATH } from './common.js';
import { containerEvent } from '../events.js';
import { findRunc } from '../../runtime/runc.js';
import { resolveCapabilities } from '../../runtime/capabilities.js';

export interface CreateReport { id: string; name: string; warnings: string[] }

function splitCommand(s: string): string[] {
  return s.trim().startsWith('[') ? (JSON.parse(s) as string[]) : [s];
}

/** The host's proxy variables Podman passes into containers (--http-proxy). */
const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'ftp_proxy', 'FTP_PROXY', 'no_proxy', 'NO_PROXY'];

/** --tz: the host's zoneinfo file for a zone name ("local": what /etc/localtime points to). */
function timezonePath(tz: string): string {
  if (tz === 'local') {
    try { return fs.realpathSync('/etc/localtime'); } catch { throw new NotFoundError('finding local timezone: /etc/localtime does not exist on the host'); }
  }
  const file = path.join('/usr/share/zoneinfo', tz);
  if (!tz || path.isAbsolute(tz) || tz.split('/').includes('..') || !fs.existsSync(file) || !fs.statSync(file).isFile()) throw new InvalidArgumentError(`finding timezone: unknown time zone ${tz}`);
  return file;
}

/**
 * The same mount given twice (same source, destination and options) counts once, as Podman's; two
 * different mounts on one destination are refused, with Podman's wording.
 */
function dedupeMounts(mounts: MountSpec[]): MountSpec[] {
  const byDest = new Map<string, MountSpec>();
  for (const m of mounts) {
    const prev = byDest.get(m.destination);
    if (!prev) { byDest.set(m.destination, m); continue; }
    if (JSON.stringify(prev) !== JSON.stringify(m)) throw new InvalidArgumentError(`${m.destination}: duplicate mount destination`);
  }
  return [...byDest.values()];
}

export async function createContainer(o: CreateOptions, onPull?: (e: PullEvent) => void): Promise<CreateReport> {
  // a pod member: its pod's namespaces, volumes and user namespace (pod/member.ts)
  if ((o.pod || o.podIdFile) && !o.podInfra) return (await import('../pod/member.js')).createMember(o, (m) => createUnpodded(m, onPull));
  return createUnpodded(o, onPull);
}

async function createUnpodded(o: CreateOptions, onPull?: (e: PullEvent) => void): Promise<CreateReport> {
  const warnings: string[] = [];
  // 1. validate everything before touching state
  if (o.name !== undefined && !validName(o.name)) throw new InvalidArgumentError(`invalid container name "${o.name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  const restart = parseRestart(o.restart);
  // what the image's VOLUMEs become: --image-volume, else containers.conf's image_volume_mode
  const imageVolume = o.imageVolume ?? imageVolumeMode();
  if (o.initCtr !== undefined) {
    if (o.initCtr !== 'once' && o.initCtr !== 'always') throw new InvalidArgumentError(`invalid init container type "${String(o.initCtr)}": use always or once`);
    if (!o.pod) throw new InvalidArgumentError('--init-ctr can only be used with --pod: init containers belong to a pod');
    if (restart.name !== 'no') throw new InvalidArgumentError('an init container cannot have a restart policy: it runs to completion');
  }
  if (o.rm && restart.name !== 'no') throw new InvalidArgumentError('the --rm option conflicts with --restart when the restart policy is not "no"');
  const envUser = parseEnv(o.env, o.envFile);
  const mounts: MountSpec[] = dedupeMounts([...(o.volume ?? []).map(parseVolume), ...(o.mount ?? []).map(parseMount), ...(o.tmpfs ?? []).map(parseTmpfs)]);
  for (const m of mounts) if (m.type === 'bind' && !fs.existsSync(m.source)) throw new NotFoundError(`bind mount source ${m.source} does not exist: create it first or fix the path`);
  for (const m of mounts) if (m.type === 'volume' && m.source) VolumeStore.validName(m.source);
  // a user-defined network (tspod network create) or one of the built-in modes
  // (the network modules load only when a network option is given: most runs use the default)
  const userNets = o.network || o.networkAlias?.length || o.ip
    ? (await import('../../network/attach.js')).planUserNetworks({ network: o.network, aliases: o.networkAlias, ip: o.ip, links: o.link })
    : undefined;
  const network = userNets ? userNets.networks.join(',') : o.network ?? 'slirp4netns';
  if (!userNets && !['slirp4netns', 'none', 'host', 'private', 'bridge'].includes(network) && !network.startsWith('container:') && !network.startsWith('slirp4netns:')) {
    throw new InvalidArgumentError(`unsupported network "${network}": use slirp4netns, none, host or container:NAME`);
  }
  if (network.startsWith('slirp4netns:')) parseSlirpMode(network);
  const conf = containersConf();
  let ports = (o.publish ?? []).flatMap(parsePublish);
  // as Podman: ports cannot apply where the container has no network of its own; they are dropped, with a warning
  if (ports.length && (network === 'none' || network === 'host' || network.startsWith('container:'))) {
    warnings.push('Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use');
    ports = [];
  }
  const labels = parseKeyValues(o.label, 'label');
  const annotations = parseKeyValues(o.annotation, 'annotation');
  const stopSignal = checkSignal(o.stopSignal, '--stop-signal');
  const ulimits = (o.ulimit ?? []).map(parseUlimit);
  const shmSize = o.shmSize !== undefined ? parseBytes(o.shmSize, '--shm-size') : 64 * 1024 * 1024;
  const memory = o.memory !== undefined ? parseBytes(o.memory, '--memory') : undefined;
  if (o.cpus !== undefined && !(o.cpus > 0)) throw new InvalidArgumentError('--cpus must be greater than 0');
  const sysctls = parseKeyValues(o.sysctl, 'sysctl');
  const logDriver = (o.logDriver ?? 'k8s-file') as ContainerConfig['logDriver'];
  if (!['k8s-file', 'json-file', 'journald', 'none', 'passthrough'].includes(logDriver)) throw new InvalidArgumentError('running container create option: invalid log driver: invalid argument');
  if (logDriver === 'passthrough' && o.tty) throw new InvalidArgumentError("the '--log-driver passthrough' option cannot be used with a terminal (-t)");
  if (logDriver === 'journald') throw new InvalidArgumentError('the journald log driver is not available here (no systemd journal): use k8s-file');
  const logOpts = parseKeyValues(o.logOpt, 'log-opt');
  // max-size as Podman reads it (decimal units), checked now rather than at the first start
  const logSize = logOpts['max-size'] !== undefined ? parseDecimalBytes(logOpts['max-size'], 'log-opt max-size') : undefined;
  const userns = o.userns ?? '';
  const { parseUserns, keepIdMappings } = await import('../../container/keep-id.js');
  const ns = parseUserns(userns, hostUid(), hostGid());
  if (ns.keepId && !isRootless()) throw new InvalidArgumentError('--userns=keep-id is only supported in rootless mode');
  // ids outside tspod's namespace are refused now, not at the first start
  if (ns.keepId) keepIdMappings(ns.keepId);
  const securityOpts = o.securityOpt ?? [];
  let seccomp: string | undefined;
  let noNewPrivileges = false;
  for (const so of securityOpts) {
    if (so === 'no-new-privileges' || so === 'no-new-privileges=true' || so === 'no-new-privileges:true') noNewPrivileges = true;
    else if (so.startsWith('seccomp=') || so.startsWith('seccomp:')) {
      seccomp = so.slice(8);
      if (seccomp !== 'unconfined' && !fs.existsSync(seccomp)) throw new NotFoundError(`seccomp profile ${seccomp} does not exist`);
    } else if (so.startsWith('label=') || so.startsWith('label:') || so.startsWith('apparmor=') || so === 'no-new-privileges=false') { /* accepted: no SELinux/AppArmor here */ }
    else throw new InvalidArgumentError(`invalid --security-opt "${so}"`);
  }
  const timezoneFile = o.tz === undefined ? undefined : timezonePath(o.tz);
  // capabilities are checked now (an unknown one is the caller's error, 125), not at the first start
  resolveCapabilities({ capAdd: o.capAdd, capDrop: o.capDrop, privileged: o.privileged });
  if (o.runtime) findRunc(o.runtime);
  if (o.cidfile && fs.existsSync(o.cidfile)) throw new ConflictError(`container id file exists. Ensure another container is not using it or delete ${o.cidfile}`);
  for (const vf of o.volumesFrom ?? []) if (!vf.split(':')[0]) throw new InvalidArgumentError(`invalid --volumes-from "${vf}"`);
  const devices = (o.device ?? []).map(parseDevice);
  for (const d of devices) if (mounts.some((m) => m.destination === d.destination)) throw new InvalidArgumentError(`${d.destination}: duplicate mount destination`);
  const expose = (o.expose ?? []).flatMap(parseExpose);

  // 2. the image (pulled if missing, per --pull)
  const { pullImage } = await import('../pull.js');
  const images = new ImageStore();
  log.debug('create: resolving the image');
  const pulled = await pullImage({ reference: o.image, policy: o.pull ?? 'missing', tlsVerify: o.tlsVerify, platform: o.platform, onEvent: onPull });
  const idx = images.read();
  const img = idx.images.find((i) => i.id === pulled.id);
  if (!img) throw new NotFoundError(`${o.image}: image not known`);
  const icfg: ImageConfig = readImageConfig(img, images);
  const ic = icfg.config ?? {};

  // 3. command: ENTRYPOINT + CMD with Docker's override rules
  let entrypoint = ic.Entrypoint ?? [];
  let cmd = ic.Cmd ?? [];
  if (o.entrypoint !== undefined) { entrypoint = o.entrypoint === '' ? [] : splitCommand(o.entrypoint); cmd = []; }
  if (o.command && o.command.length) cmd = o.command;
  const args = [...entrypoint, ...cmd];
  if (!args.length) throw new InvalidArgumentError('no command or entrypoint provided, and no CMD or ENTRYPOINT from image');

  const health = parseHealth(o, ic.Healthcheck);
  const id = randomHex(32);
  let exposedPorts = ports;
  const resolvedPorts: PortMapping[] = [];
  // Config.ExposedPorts: the image's EXPOSE, --expose, and the published ports (as Podman)
  const exposedKeys = [...new Set([...Object.keys(ic.ExposedPorts ?? {}).map((k) => (k.includes('/') ? k : `${k}/tcp`)), ...expose, ...ports.map((p) => `${p.containerPort}/${p.protocol}`)])];
  if (o.publishAll && !(network === 'none' || network === 'host' || network.startsWith('container:'))) for (const k of exposedKeys) {
    const [p, proto] = k.split('/') as [string, string | undefined];
    if (proto === 'sctp') continue;
    if (!exposedPorts.some((x) => x.containerPort === Number(p))) exposedPorts = [...exposedPorts, { hostIP: '', hostPort: undefined, containerPort: Number(p), protocol: (proto === 'udp' ? 'udp' : 'tcp') }];
  }
  for (const p of exposedPorts) resolvedPorts.push({ hostIP: p.hostIP, hostPort: p.hostPort ?? await freeHostPort(p.protocol, p.hostIP), containerPort: p.containerPort, protocol: p.protocol });

  // as Podman: PATH, TERM=xterm and container=podman by default, the host's proxy variables
  // (--http-proxy, on by default), the image's, then -e; --unsetenv/--unsetenv-all take defaults away
  const proxy = o.httpProxy === false ? [] : PROXY_VARS.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  const defaults = mergeEnv([DEFAULT_PATH, 'TERM=xterm', ...proxy, ...(ic.Env ?? [])], ['container=podman']);
  const unset = new Set(o.unsetenv ?? []);
  const env = mergeEnv(o.unsetenvAll ? [] : defaults.filter((kv) => !unset.has(kv.slice(0, kv.indexOf('=')))), envUser);
  const store = new ContainerStore();
  const name = await store.update(async (list) => {
    if (o.name) {
      const other = list.find((c) => c.names.includes(o.name!));
      if (other) {
        if (!o.replace) throw new ConflictError(`the container name "${o.name}" is already in use by ${other.id}. You have to remove that container to be able to reuse that name: that name is already in use, or use --replace to instruct tspod to do so.`);
      }
    }
    return o.name ?? randomName((n) => list.some((c) => c.names.includes(n)));
  });
  if (o.replace && o.name) {
    const { removeContainers } = await import('./remove.js');
    try { await removeContainers([o.name], { force: true }); } catch (err) { if (!(err instanceof NotFoundError)) throw err; }
  }
  const cfg: ContainerConfig = {
    id, name, image: img.id, imageName: nameAsGiven(img.names, o.image), imageDigest: img.digest, created: new Date().toISOString(),
    entrypoint, cmd, args, env, workdir: o.workdir ?? (ic.WorkingDir || '/'), user: o.user ?? (ns.keepId ? `${ns.keepId.uid}:${ns.keepId.gid}` : ic.User ?? ''), uid: 0, gid: 0, additionalGids: [],
    hostname: o.hostname ?? (network === 'host' || o.uts?.startsWith('container:') ? '' : id.slice(0, 12)), tty: !!o.tty, stdin: !!o.interactive, network,
    // containers.conf dns_servers, dns_searches, dns_options: the defaults of --dns, --dns-search, --dns-option
    dns: o.dns?.length ? o.dns : conf.dnsServers, dnsSearch: o.dnsSearch?.length ? o.dnsSearch : conf.dnsSearches, dnsOptions: o.dnsOption?.length ? o.dnsOption : conf.dnsOptions, addHosts: o.addHost ?? [], ports: resolvedPorts,
    mounts, readOnly: !!o.readOnly, capAdd: o.capAdd ?? [], capDrop: o.capDrop ?? [], privileged: !!o.privileged, securityOpts, seccomp, noNewPrivileges,
    labels: { ...(ic.Labels ?? {}), ...labels }, annotations, restart, init: !!o.init, stopSignal: stopSignal ?? checkSignal(ic.StopSignal, 'STOPSIGNAL') ?? 'SIGTERM',
    stopTimeout: o.stopTimeout ?? 10, health, logDriver, logPath: logDriver === 'none' || logDriver === 'passthrough' ? '' : path.join(store.userdata(id), 'ctr.log'), logOpts, ...(logSize !== undefined ? { logSize } : {}),
    ulimits, shmSize, sysctls, resources: { memory, cpus: o.cpus, pidsLimit: o.pidsLimit }, sdnotify: o.sdnotify ?? 'container',
    detachKeys: o.detachKeys ?? 'ctrl-p,ctrl-q', cidfile: o.cidfile ?? '', userns, autoRemove: !!o.rm, timeout: o.timeout ?? 0,
    pidNs: o.pid ?? '', ipcNs: o.ipc ?? '', utsNs: o.uts ?? '', groupAdd: o.groupAdd ?? [],
    networks: userNets?.networks, networkAliases: userNets?.aliases, staticIP: userNets?.staticIP, links: userNets?.links,
    pod: o.pod, podInfra: o.podInfra, initCtr: o.initCtr,
    ...(o.runtime ? { ociRuntime: o.runtime } : {}), ...(o.workdir !== undefined ? { workdirFromUser: true } : {}), ...(o.hostuser?.length ? { hostUsers: o.hostuser } : {}), ...(o.conmonPidfile ? { conmonPidfile: path.resolve(o.conmonPidfile) } : {}),
    ...(timezoneFile ? { timezone: o.tz, timezoneFile } : {}),
    ...(o.unsetenv?.length ? { unsetEnv: o.unsetenv } : {}), ...(o.unsetenvAll ? { unsetEnvAll: true } : {}), ...(o.rmi ? { removeImage: true } : {}),
    ...(devices.length ? { devices } : {}), exposedPorts: exposedKeys,
  };
  // volumes-from: copy the other container's mounts
  for (const vf of o.volumesFrom ?? []) {
    const [src, mode] = vf.split(':') as [string, string | undefined];
    const other = store.resolve(src);
    const ocfg = store.readConfig(other.id);
    for (const m of ocfg.mounts) if (m.type !== 'tmpfs' && !cfg.mounts.some((x) => x.destination === m.destination)) cfg.mounts.push({ ...m, anonymous: false, readonly: mode === 'ro' ? true : mode === 'rw' ? false : m.readonly });
  }
  // the image's VOLUMEs become anonymous volumes unless a mount already covers that path (as Docker/Podman)
  // (--image-volume bind, the default), tmpfs mounts (tmpfs) or nothing (ignore)
  if (imageVolume !== 'ignore') for (const d of Object.keys(ic.Volumes ?? {})) {
    const dest = path.posix.normalize(d);
    if (cfg.mounts.some((m) => m.destination === dest)) continue;
    cfg.mounts.push(imageVolume === 'tmpfs' ? { type: 'tmpfs', source: 'tmpfs', destination: dest, readonly: false, options: ['rw', 'nosuid', 'nodev'] }
      : { type: 'volume', source: '', destination: dest, readonly: false, options: [], anonymous: true });
  }
  if (resolvedPorts.length && isRootless()) for (const p of resolvedPorts) if (p.hostPort < 1024) {
    let start = 1024;
    try { start = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim()); } catch { /* default */ }
    if (p.hostPort < start) throw new InvalidArgumentError(`rootless cannot publish host port ${p.hostPort}: ports below ${start} need root (see net.ipv4.ip_unprivileged_port_start)`);
  }
  // rootless, a device is bind-mounted as it is: the container can open it only as far as this user can
  if (isRootless()) for (const d of devices) {
    const mode = (d.permissions.includes('r') ? fs.constants.R_OK : 0) | (d.permissions.includes('w') ? fs.constants.W_OK : 0);
    try { fs.accessSync(d.source, mode); } catch { warnings.push(`device ${d.source} is not accessible to your user: rootless, the container cannot open it either`); }
  }
  if (o.kernelMemory !== undefined) warnings.push('The --kernel-memory flag is no longer supported. This flag is a noop.');
  if ((memory !== undefined || o.cpus !== undefined || o.pidsLimit !== undefined) && isRootless()) {
    warnings.push('Resource limits are not supported and ignored on cgroups V1 rootless systems');
  }

  log.debug('create: recording');
  // 4. record it: exactly one of two concurrent creates with the same name wins
  fs.mkdirSync(store.userdata(id), { recursive: true, mode: 0o700 });
  writeJSONAtomic(store.configFile(id), cfg);
  try {
    await store.update((list) => {
      if (list.some((c) => c.names.includes(name))) throw new ConflictError(`the container name "${name}" is already in use: that name is already in use`);
      const e = emptyEntry(id);
      Object.assign(e, {
        names: [name], image: img.id, imageName: cfg.imageName, layers: img.layers.slice(), command: args, created: cfg.created, state: 'created' as ContainerState,
        ports: resolvedPorts, labels: cfg.labels, autoRemove: cfg.autoRemove, pod: cfg.pod, podInfra: cfg.podInfra, initCtr: cfg.initCtr,
      });
      list.push(e);
    });
  } catch (err) {
    fs.rmSync(store.ctrDir(id), { recursive: true, force: true });
    throw err;
  }
  if (o.cidfile) writeFileAtomic(o.cidfile, id, 0o644);
  containerEvent('create', { id, name, image: cfg.imageName, labels: cfg.labels });
  return { id, name, warnings };
}

/**
 * The image's name the container records (inspect .ImageName, ps IMAGE): the one the user's
 * reference resolved to, fully qualified and tagged (another tag of the same image stays out);
 * for an image ID or a digest, the image's first name.
 */
function nameAsGiven(names: string[], input: string): string {
  let cands: string[] = [];
  try { cands = candidateNames(input); } catch { /* an ID */ }
  const exact = names.find((n) => cands.includes(n));
  if (exact) return exact;
  // a short name that matched through a search registry: the name with the same path and tag
  const tail = cands[0]?.replace(/^localhost/, '');
  return (tail && names.find((n) => n.endsWith(tail))) || names[0] || input;
}
