// Engine API for containers: create, start, run, stop, kill, rm, ps, inspect,
// wait, logs, exec, pause, restart, rename, port, top, prune, and the cleanup
// that conmon's exit command runs. Every mutating operation is: lock the
// container -> sync its state from the runtime -> act -> save.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../container/store.js';
import { can, emptyEntry, type ContainerConfig, type ContainerEntry, type ContainerState, type MountSpec, type PortMapping } from '../container/types.js';
import {
  checkSignal, mergeEnv, parseBytes, parseEnv, parseHealth, parseKeyValues, parseMount, parseRestart, parseTmpfs, parseUlimit, parseVolume, type CreateOptions,
} from '../container/options.js';
import { addPortForwards, freeHostPort, hostsFile, parsePublish, resolvConf, startSlirp, stopSlirp } from '../container/network.js';
import { mountRootfs, rootfsPaths, secureJoin, unmountRootfs, isMounted } from '../container/rootfs.js';
import { resolveUser } from '../container/user.js';
import { randomName, validName } from '../container/names.js';
import { VolumeStore } from '../volume/store.js';
import { withLock } from '../state/lock.js';
import { pidAlive, writeFileAtomic, writeJSONAtomic } from '../state/atomic.js';
import { hostGid, hostUid, paths, isRootless } from '../util/paths.js';
import { log } from '../util/log.js';
import { run, spawnDetached } from '../util/exec.js';
import { ConflictError, InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import type { ImageConfig } from '../image/types.js';
import type { UserMount } from '../runtime/spec.js';
import { CONTAINER_NOTIFY_DIR, CONTAINER_NOTIFY_SOCKET, ContainerNotifyProxy, notifySocket, sdNotify } from '../runtime/sdnotify.js';
import { registerContainerRemover } from './refs.js';
import { conmonAlive, readExit, syncAll, syncedState } from './container-state.js';
import { readImageConfig } from './images.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node entry point (conmon's exit command and health checks run it with node). */
export function tspodScript(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tspod.mjs');
}

/** The launcher users and units run (a shell script in front of tspod.mjs). */
export function tspodLauncher(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tspod');
}

async function runtime() {
  const { ContainerRuntime } = await import('../runtime/runtime.js');
  return new ContainerRuntime({ runroot: paths().runroot });
}

export function ctrLockKey(id: string): string { return `ctr:${paths().root}:${id}`; }

/** Leave user-defined networks (the last container out tears down the rootless network namespace). */
async function detachUserNetworks(id: string): Promise<void> {
  const n = await import('../network/index.js');
  if (n.isAttached(id)) await n.detachContainerNetworks(id).catch((err) => log.debug(`network detach ${id}: ${errorMessage(err)}`));
}

/** slirp4netns's API socket and log: short (12 hex), because a unix socket path must fit in 108 bytes. */
function netDir(id: string): string { return path.join(paths().runroot, 'net', id.slice(0, 12)); }
/** The container's notify socket under --sdnotify=container (short: a socket path has at most 107 bytes). */
function notifyDir(id: string): string { return path.join(paths().runroot, 'notify', id.slice(0, 12)); }

// ---------------------------------------------------------------- create

export interface CreateReport { id: string; name: string; warnings: string[] }

function splitCommand(s: string): string[] {
  return s.trim().startsWith('[') ? (JSON.parse(s) as string[]) : [s];
}

export async function createContainer(o: CreateOptions, onPull?: (e: unknown) => void): Promise<CreateReport> {
  const warnings: string[] = [];
  // 1. validate everything before touching state
  if (o.name !== undefined && !validName(o.name)) throw new InvalidArgumentError(`invalid container name "${o.name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  const restart = parseRestart(o.restart);
  if (o.rm && restart.name !== 'no') throw new InvalidArgumentError('the --rm option conflicts with --restart when the restart policy is not "no"');
  const envUser = parseEnv(o.env, o.envFile);
  const mounts: MountSpec[] = [...(o.volume ?? []).map(parseVolume), ...(o.mount ?? []).map(parseMount), ...(o.tmpfs ?? []).map(parseTmpfs)];
  for (const m of mounts) if (m.type === 'bind' && !fs.existsSync(m.source)) throw new NotFoundError(`bind mount source ${m.source} does not exist: create it first or fix the path`);
  for (const m of mounts) if (m.type === 'volume' && m.source) VolumeStore.validName(m.source);
  const dests = new Set<string>();
  for (const m of mounts) { if (dests.has(m.destination)) throw new InvalidArgumentError(`duplicate mount destination ${m.destination}`); dests.add(m.destination); }
  // a user-defined network (tspod network create) or one of the built-in modes
  // (the network modules load only when a network option is given: most runs use the default)
  const userNets = o.network || o.networkAlias?.length || o.ip
    ? (await import('../network/attach.js')).planUserNetworks({ network: o.network, aliases: o.networkAlias, ip: o.ip, links: o.link })
    : undefined;
  const network = userNets ? userNets.networks.join(',') : o.network ?? 'slirp4netns';
  if (!userNets && !['slirp4netns', 'none', 'host', 'private', 'bridge'].includes(network) && !network.startsWith('container:') && !network.startsWith('slirp4netns:')) {
    throw new InvalidArgumentError(`unsupported network "${network}": use slirp4netns, none, host or container:NAME`);
  }
  const ports = (o.publish ?? []).flatMap(parsePublish);
  if (ports.length && (network === 'none' || network === 'host' || network.startsWith('container:'))) throw new InvalidArgumentError(`cannot publish ports with --network ${network}`);
  const labels = parseKeyValues(o.label, 'label');
  const annotations = parseKeyValues(o.annotation, 'annotation');
  const stopSignal = checkSignal(o.stopSignal, '--stop-signal');
  const ulimits = (o.ulimit ?? []).map(parseUlimit);
  const shmSize = o.shmSize !== undefined ? parseBytes(o.shmSize, '--shm-size') : 64 * 1024 * 1024;
  const memory = o.memory !== undefined ? parseBytes(o.memory, '--memory') : undefined;
  if (o.cpus !== undefined && !(o.cpus > 0)) throw new InvalidArgumentError('--cpus must be greater than 0');
  const sysctls = parseKeyValues(o.sysctl, 'sysctl');
  const logDriver = (o.logDriver ?? 'k8s-file') as ContainerConfig['logDriver'];
  if (!['k8s-file', 'journald', 'none'].includes(logDriver)) throw new InvalidArgumentError(`unsupported log driver "${o.logDriver}": use k8s-file, journald or none`);
  if (logDriver === 'journald') throw new InvalidArgumentError('the journald log driver is not available here (no systemd journal): use k8s-file');
  const logOpts = parseKeyValues(o.logOpt, 'log-opt');
  const userns = o.userns ?? '';
  const { parseUserns, keepIdMappings } = await import('../container/keep-id.js');
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
  if (o.cidfile && fs.existsSync(o.cidfile)) throw new ConflictError(`container ID file ${o.cidfile} already exists: remove it first`);
  for (const vf of o.volumesFrom ?? []) if (!vf.split(':')[0]) throw new InvalidArgumentError(`invalid --volumes-from "${vf}"`);

  // 2. the image (pulled if missing, per --pull)
  const { pullImage } = await import('./pull.js');
  const images = new ImageStore();
  log.debug('create: resolving the image');
  const pulled = await pullImage({ reference: o.image, policy: o.pull ?? 'missing', tlsVerify: o.tlsVerify, platform: o.platform, onEvent: onPull as never });
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
  const id = randomBytes(32).toString('hex');
  let exposedPorts = ports;
  const resolvedPorts: PortMapping[] = [];
  if (o.publishAll) for (const k of Object.keys(ic.ExposedPorts ?? {})) {
    const [p, proto] = k.split('/') as [string, string | undefined];
    if (!exposedPorts.some((x) => x.containerPort === Number(p))) exposedPorts = [...exposedPorts, { hostIP: '', hostPort: undefined, containerPort: Number(p), protocol: (proto === 'udp' ? 'udp' : 'tcp') }];
  }
  for (const p of exposedPorts) resolvedPorts.push({ hostIP: p.hostIP, hostPort: p.hostPort ?? await freeHostPort(p.protocol, p.hostIP), containerPort: p.containerPort, protocol: p.protocol });

  const env = mergeEnv([DEFAULT_PATH, ...(ic.Env ?? [])], [...(o.tty ? ['TERM=xterm'] : []), 'container=podman', ...envUser]);
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
    try { await removeContainers([o.name], { force: true }); } catch (err) { if (!(err instanceof NotFoundError)) throw err; }
  }
  const cfg: ContainerConfig = {
    id, name, image: img.id, imageName: img.names[0] ?? o.image, created: new Date().toISOString(),
    entrypoint, cmd, args, env, workdir: o.workdir ?? (ic.WorkingDir || '/'), user: o.user ?? (ns.keepId ? `${ns.keepId.uid}:${ns.keepId.gid}` : ic.User ?? ''), uid: 0, gid: 0, additionalGids: [],
    hostname: o.hostname ?? (network === 'host' ? '' : id.slice(0, 12)), tty: !!o.tty, stdin: !!o.interactive, network,
    dns: o.dns ?? [], dnsSearch: o.dnsSearch ?? [], dnsOptions: o.dnsOption ?? [], addHosts: o.addHost ?? [], ports: resolvedPorts,
    mounts, readOnly: !!o.readOnly, capAdd: o.capAdd ?? [], capDrop: o.capDrop ?? [], privileged: !!o.privileged, securityOpts, seccomp, noNewPrivileges,
    labels: { ...(ic.Labels ?? {}), ...labels }, annotations, restart, init: !!o.init, stopSignal: stopSignal ?? checkSignal(ic.StopSignal, 'STOPSIGNAL') ?? 'SIGTERM',
    stopTimeout: o.stopTimeout ?? 10, health, logDriver, logPath: logDriver === 'none' ? '' : path.join(store.userdata(id), 'ctr.log'), logOpts,
    ulimits, shmSize, sysctls, resources: { memory, cpus: o.cpus, pidsLimit: o.pidsLimit }, sdnotify: o.sdnotify ?? 'container',
    detachKeys: o.detachKeys ?? 'ctrl-p,ctrl-q', cidfile: o.cidfile ?? '', userns, autoRemove: !!o.rm, timeout: o.timeout ?? 0,
    pidNs: o.pid ?? '', ipcNs: o.ipc ?? '', utsNs: o.uts ?? '', groupAdd: o.groupAdd ?? [],
    networks: userNets?.networks, networkAliases: userNets?.aliases, staticIP: userNets?.staticIP, links: userNets?.links,
  };
  // volumes-from: copy the other container's mounts
  for (const vf of o.volumesFrom ?? []) {
    const [src, mode] = vf.split(':') as [string, string | undefined];
    const other = store.resolve(src);
    const ocfg = store.readConfig(other.id);
    for (const m of ocfg.mounts) if (m.type !== 'tmpfs' && !cfg.mounts.some((x) => x.destination === m.destination)) cfg.mounts.push({ ...m, anonymous: false, readonly: mode === 'ro' ? true : mode === 'rw' ? false : m.readonly });
  }
  // the image's VOLUMEs become anonymous volumes unless a mount already covers that path (as Docker/Podman)
  for (const d of Object.keys(ic.Volumes ?? {})) {
    const dest = path.posix.normalize(d);
    if (!cfg.mounts.some((m) => m.destination === dest)) cfg.mounts.push({ type: 'volume', source: '', destination: dest, readonly: false, options: [], anonymous: true });
  }
  if (resolvedPorts.length && isRootless()) for (const p of resolvedPorts) if (p.hostPort < 1024) {
    let start = 1024;
    try { start = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim()); } catch { /* default */ }
    if (p.hostPort < start) throw new InvalidArgumentError(`rootless cannot publish host port ${p.hostPort}: ports below ${start} need root (see net.ipv4.ip_unprivileged_port_start)`);
  }
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
        ports: resolvedPorts, labels: cfg.labels, autoRemove: cfg.autoRemove,
      });
      list.push(e);
    });
  } catch (err) {
    fs.rmSync(store.ctrDir(id), { recursive: true, force: true });
    throw err;
  }
  if (o.cidfile) writeFileAtomic(o.cidfile, id, 0o644);
  return { id, name, warnings };
}

// ---------------------------------------------------------------- start

async function prepareVolumes(cfg: ContainerConfig, rootfs: string, user: { uid: number; gid: number }): Promise<UserMount[]> {
  const vols = new VolumeStore();
  const out: UserMount[] = [];
  for (const m of cfg.mounts) {
    if (m.type === 'tmpfs') { out.push({ type: 'tmpfs', destination: m.destination, readonly: m.readonly, options: m.options }); continue; }
    if (m.type === 'bind') {
      if (!fs.existsSync(m.source)) throw new NotFoundError(`bind mount source ${m.source} does not exist`);
      out.push({ type: 'bind', source: m.source, destination: m.destination, readonly: m.readonly, options: m.options.filter((x) => !['z', 'Z', 'U'].includes(x)) });
      continue;
    }
    if (!m.source) m.source = randomBytes(32).toString('hex');
    const v = await vols.create({ name: m.source, anonymous: !!m.anonymous, ifMissing: true });
    // Docker's copy-up: an empty volume gets the image's content at that path first
    if (!v.populated && !m.options.includes('nocopy')) {
      const src = secureJoin(rootfs, m.destination);
      if (fs.existsSync(src) && fs.statSync(src).isDirectory() && fs.readdirSync(v.mountpoint).length === 0 && fs.readdirSync(src).length > 0) {
        await run('cp', ['-a', `${src}/.`, `${v.mountpoint}/`]);
      }
      await vols.markPopulated(v.name);
    }
    if (m.options.includes('U')) await run('chown', ['-R', `${user.uid}:${user.gid}`, v.mountpoint], { reject: false });
    if (v.options['type'] === 'tmpfs') {
      // a volume created with --opt type=tmpfs is a fresh tmpfs each time the container starts
      out.push({ type: 'tmpfs', destination: m.destination, readonly: m.readonly, options: (v.options['o'] ?? '').split(',').filter(Boolean) });
      continue;
    }
    out.push({ type: 'volume', source: v.mountpoint, destination: m.destination, readonly: m.readonly, options: m.options.filter((x) => !['z', 'Z', 'U', 'nocopy', 'copy'].includes(x)) });
  }
  return out;
}

export interface StartReport {
  id: string; name: string; pid: number; conmonPid: number;
  /**
   * Settles once systemd has been told the container is up (--sdnotify, under a
   * Type=notify unit; at once otherwise). Callers that return before the
   * container ends (run -d, start) wait for it.
   */
  notified: Promise<void>;
}

/** Bring a created/exited container to running. Caller holds the container lock. */
async function startLocked(store: ContainerStore, e0: ContainerEntry, beforeStart?: (id: string) => Promise<void>, notifyDir?: string): Promise<StartReport> {
  const e = syncedState(e0);
  if (e.state === 'running' || e.state === 'paused') return { id: e.id, name: e.names[0]!, pid: e.pid, conmonPid: e.conmonPid, notified: Promise.resolve() };
  if (!can.start(e.state)) throw new ConflictError(`container ${e.names[0]} is ${e.state} and cannot be started`);
  const cfg = store.readConfig(e.id);
  const images = new ImageStore();
  const rt = await runtime();
  const ctrDir = store.ctrDir(e.id);
  const ud = store.userdata(e.id);
  // leftovers of a previous run (conmon killed: its exit command never stopped slirp4netns)
  if (e0.slirpPid) stopSlirp(e0.slirpPid);
  // a container that ran before may have left runc state behind; a fresh one has none
  if (fs.existsSync(path.join(rt.runc.root, e.id))) { try { await rt.deleteContainer(e.id, true); } catch { /* not there */ } }
  rt.removeExitFile(e.id);
  // --userns=keep-id: the container's own user namespace, its image seen through the same mapping
  const keepId = cfg.userns.startsWith('keep-id') ? await keepIdSetup(cfg.userns) : undefined;
  const rootfs = await mountRootfs(images, e.layers, ctrDir, keepId?.fuse);
  let conmonPid = 0, pid = 0, slirpPid = 0;
  try {
    if (keepId) {
      const { addKeepIdUser } = await import('../container/keep-id.js');
      const { userName } = await import('../rootless/idmap.js');
      // as the mount shows them: the user is tspod's namespace id 0, the container's root id 1;
      // the home directory is the user's own path ($HOME), as with Podman
      addKeepIdUser(rootfs, keepId.ids, userName(hostUid()), process.env['HOME'] || '/', { uid: 0, gid: 0 }, { uid: 1, gid: 1 });
    }
    const user = resolveUser(rootfs, cfg.user, cfg.groupAdd);
    const home = `HOME=${user.home}`;
    const env = mergeEnv([home], [...cfg.env, ...(cfg.hostname ? [`HOSTNAME=${cfg.hostname}`] : [])]);
    // the working directory exists in the container (Podman creates it)
    if (cfg.workdir && cfg.workdir !== '/') {
      const wd = secureJoin(rootfs, cfg.workdir);
      if (!fs.existsSync(wd)) { fs.mkdirSync(wd, { recursive: true, mode: 0o755 }); try { fs.chownSync(wd, user.uid, user.gid); } catch { /* unmapped */ } }
    }
    fs.mkdirSync(ud, { recursive: true, mode: 0o700 });
    const net = cfg.network.startsWith('slirp4netns') || cfg.network === 'private' || cfg.network === 'bridge' ? 'slirp4netns' : cfg.network;
    writeFileAtomic(path.join(ud, 'hosts'), hostsFile({ hostname: cfg.hostname || (await import('node:os')).hostname(), name: cfg.name, network: net, addHosts: cfg.addHosts }), 0o644);
    writeFileAtomic(path.join(ud, 'hostname'), `${cfg.hostname || (await import('node:os')).hostname()}\n`, 0o644);
    writeFileAtomic(path.join(ud, 'resolv.conf'), resolvConf({ network: net, dns: cfg.dns, dnsSearch: cfg.dnsSearch, dnsOptions: cfg.dnsOptions }), 0o644);
    writeFileAtomic(path.join(ud, '.containerenv'), `engine="tspod-0.1.0"\nname="${cfg.name}"\nid="${cfg.id}"\nimage="${cfg.imageName}"\nimageid="${cfg.image}"\nrootless=${isRootless() ? 1 : 0}\n`, 0o644);
    const anonBefore = cfg.mounts.filter((m) => m.type === 'volume' && !m.source).length;
    const mounts = await prepareVolumes(cfg, rootfs, user);
    // --sdnotify=container under a Type=notify unit: the container's own notify socket
    if (notifyDir) mounts.push({ type: 'bind', source: notifyDir, destination: CONTAINER_NOTIFY_DIR, readonly: false, options: ['rbind'] });
    // an anonymous volume got its name just now: record it, or `rm -v`/--rm could not find it
    // and a restart would create a second, empty one
    if (anonBefore) store.writeConfig(cfg);
    const { generateSpec, resolveSeccomp, resolveCapabilities, defaultRlimits } = await import('../runtime/index.js');
    const caps = resolveCapabilities({ capAdd: cfg.capAdd, capDrop: cfg.capDrop, privileged: cfg.privileged });
    const seccomp = cfg.privileged ? undefined : resolveSeccomp(cfg.seccomp, caps, rt.seccompCacheDir);
    let netMode: 'private' | 'none' | 'host' | { path: string } = 'private';
    if (net === 'host') netMode = 'host';
    else if (net === 'none') netMode = 'none';
    else if (net.startsWith('container:')) {
      const other = syncedState(store.resolve(net.slice(10)));
      if (other.state !== 'running') throw new ConflictError(`cannot join the network of container ${net.slice(10)}: it is not running`);
      netMode = { path: `/proc/${other.pid}/ns/net` };
    }
    const init = cfg.init ? { path: (await import('../util/exec.js')).which('catatonit') ?? '' } : undefined;
    if (init && !init.path) throw new TspodError('--init needs catatonit: install the catatonit package', 'EPREREQ');
    const gen = generateSpec({
      args: cfg.args, env: notifyDir ? [...env, `NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`] : env, cwd: cfg.workdir || '/',
      // as Podman: a container with a user (--user or the image's USER) has its primary group among the supplementary ones
      user: { uid: user.uid, gid: user.gid, additionalGids: cfg.user ? [...new Set([user.gid, ...user.additionalGids])] : user.additionalGids }, terminal: cfg.tty,
      hostname: net === 'host' ? undefined : cfg.hostname, rootfs, readonlyRootfs: cfg.readOnly, mounts, capAdd: cfg.capAdd, capDrop: cfg.capDrop,
      privileged: cfg.privileged, noNewPrivileges: cfg.noNewPrivileges, seccomp, network: netMode, annotations: cfg.annotations,
      ulimits: cfg.ulimits, defaultRlimits: defaultRlimits(undefined, isRootless()), shmSize: cfg.shmSize, sysctls: cfg.sysctls,
      resources: cfg.resources, cgroupsAvailable: !isRootless(), init: init?.path ? { path: init.path } : undefined, rootless: isRootless(), userns: keepId?.spec,
      hostsFile: path.join(ud, 'hosts'), hostnameFile: path.join(ud, 'hostname'), resolvConfFile: path.join(ud, 'resolv.conf'), containerEnvFile: path.join(ud, '.containerenv'),
    });
    rt.writeBundle(ud, gen.spec);
    const p = paths();
    const created = await rt.createContainer(ud, {
      id: e.id, name: cfg.name, logPath: cfg.logPath || '/dev/null', terminal: cfg.tty,
      // attach (engine/attach.ts): with a terminal conmon gets -t only, as Podman does; with -i it would close the
      // pty when an attached client leaves (detach keys), and later attaches could not type
      stdin: cfg.stdin && !cfg.tty,
      logSizeMax: cfg.logOpts['max-size'] ? parseBytes(cfg.logOpts['max-size'], 'max-size') : undefined,
      exitCommand: { path: process.execPath, args: [tspodScript(), '--root', p.root, '--runroot', p.runroot, 'container', 'cleanup', e.id] },
      timeoutSeconds: cfg.timeout || undefined,
    });
    conmonPid = created.conmonPid;
    pid = created.pid;
    if (cfg.networks?.length) {
      const { attachContainerNetworks, writeNetworkFiles } = await import('../network/index.js');
      const r = await attachContainerNetworks({ id: e.id, name: cfg.name, hostname: cfg.hostname, networks: cfg.networks, aliases: cfg.networkAliases, staticIP: cfg.staticIP, links: cfg.links, ports: cfg.ports }, `/proc/${pid}/ns/net`);
      writeNetworkFiles(ud, r, { addHosts: cfg.addHosts, dns: cfg.dns, dnsSearch: cfg.dnsSearch, dnsOptions: cfg.dnsOptions });
    } else if (net === 'slirp4netns') {
      const h = await startSlirp(pid, netDir(e.id));
      slirpPid = h.pid;
      if (cfg.ports.length) await addPortForwards(h, cfg.ports);
    }
    // attach (engine/attach.ts): connect to conmon's attach socket before the container runs, so no output is lost
    if (beforeStart) await beforeStart(e.id);
    await rt.startContainer(e.id);
  } catch (err) {
    // undo: nothing of a failed start may keep running
    if (slirpPid) stopSlirp(slirpPid);
    if (cfg.networks?.length) await (await import('../network/index.js')).detachContainerNetworks(e.id).catch(() => undefined);
    try { await rt.killContainer(e.id, 'SIGKILL'); } catch { /* not started */ }
    try { await rt.deleteContainer(e.id, true); } catch { /* nothing */ }
    if (conmonPid > 0) { try { process.kill(conmonPid, 'SIGKILL'); } catch { /* gone */ } }
    await unmountRootfs(ctrDir);
    await store.patch(e.id, (x) => { x.state = e.state === 'configured' ? 'created' : e.state; x.pid = 0; x.conmonPid = 0; x.slirpPid = 0; });
    throw err;
  }
  const now = new Date().toISOString();
  const healthPid = cfg.health && cfg.health.interval > 0 ? startHealthSchedule(e.id, cfg.health.interval, conmonPid) : 0;
  await store.patch(e.id, (x) => {
    Object.assign(x, { healthPid, state: 'running', pid, conmonPid, slirpPid, startedAt: now, finishedAt: '', exitCode: 0, stoppedByUser: false, mounted: true, health: cfg.health ? 'starting' : '', healthFailures: 0 });
  });
  return { id: e.id, name: cfg.name, pid, conmonPid, notified: Promise.resolve() };
}

/** Mappings for --userns=keep-id (container/keep-id.ts), sized to tspod's rootless namespace. */
async function keepIdSetup(value: string) {
  const { parseUserns, keepIdMappings, fuseMapping } = await import('../container/keep-id.js');
  const ids = parseUserns(value, hostUid(), hostGid()).keepId!;
  const spec = keepIdMappings(ids);
  return { ids, spec, fuse: { uid: fuseMapping(spec.uidMappings), gid: fuseMapping(spec.gidMappings) } };
}

/**
 * Health checks on their schedule without a daemon: a tiny shell loop per
 * container (like conmon, it belongs to the container) runs
 * `tspod healthcheck run ID` every interval, and ends by itself once conmon
 * is gone; cleanup also stops it. (Podman uses a systemd timer; a systemd user
 * manager is not always there, and this needs none.)
 */
function startHealthSchedule(id: string, intervalMs: number, conmonPid: number): number {
  const p = paths();
  const secs = Math.max(1, Math.round(intervalMs / 1000));
  const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const cmd = [q(process.execPath), q(tspodScript()), '--root', q(p.root), '--runroot', q(p.runroot), 'healthcheck', 'run', id].join(' ');
  const script = `while sleep ${secs} && kill -0 ${conmonPid} 2>/dev/null; do ${cmd} >/dev/null 2>&1; done`;
  try {
    return spawnDetached('/bin/sh', ['-c', script], { env: process.env });
  } catch (err) {
    log.warn(`health checks of ${id.slice(0, 12)} will not run on their own: ${errorMessage(err)}`);
    return 0;
  }
}

function stopHealthSchedule(pid: number | undefined): void {
  if (!pid) return;
  try { if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('healthcheck')) process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
}

/** beforeStart runs after `runc create`, before `runc start` (attach uses it); not called if the container is already running. */
export async function startContainer(nameOrId: string, beforeStart?: (id: string) => Promise<void>): Promise<StartReport> {
  const store = new ContainerStore();
  const e = store.resolve(nameOrId);
  const upstream = notifySocket();
  const mode = upstream ? store.readConfig(e.id).sdnotify : 'ignore';
  let proxy: ContainerNotifyProxy | undefined;
  let rep: StartReport;
  try {
    rep = await withLock(ctrLockKey(e.id), async () => {
      const cur = store.resolve(e.id);
      if (mode === 'container' && !['running', 'paused'].includes(syncedState(cur).state)) proxy = await ContainerNotifyProxy.listen(notifyDir(e.id));
      return startLocked(store, cur, beforeStart, proxy?.dir);
    });
  } catch (err) {
    proxy?.close();
    throw err;
  }
  if (!upstream || mode === 'ignore') return rep;
  const conmonPid = rep.conmonPid;
  const notified = (async () => {
    try {
      if (proxy) await proxy.ready(() => pidAlive(conmonPid));
      const status = proxy?.status;
      await sdNotify(upstream, `MAINPID=${conmonPid}\n${status !== undefined ? `STATUS=${status}\n` : ''}READY=1`);
    } finally {
      proxy?.close();
    }
  })();
  // a caller that does not wait (attached runs) still hears of a failure
  notified.catch((err: unknown) => log.warn(errorMessage(err)));
  return { ...rep, notified };
}

// ---------------------------------------------------------------- cleanup (conmon's exit command)

/** Record the exit, release the rootfs and network, apply --rm and the restart policy. */
export async function cleanupContainer(id: string): Promise<void> {
  const store = new ContainerStore();
  let e: ContainerEntry;
  try { e = store.resolve(id); } catch (err) { if (err instanceof NotFoundError) return; throw err; }
  const restartNow = await withLock(ctrLockKey(e.id), async () => {
    const cur = store.resolve(e.id);
    const ex = readExit(cur.id);
    // Idempotent: the foreground `run`, conmon's exit command and `stop` may all get here.
    // Nothing to do when it was cleaned up already, or when it is (again) running.
    const live = cur.state === 'running' || cur.state === 'stopping' || cur.state === 'paused';
    if (!live && !cur.mounted && cur.state !== 'removing') return false;
    if (live && !ex && conmonAlive(cur)) return false;
    const rt = await runtime();
    stopHealthSchedule(cur.healthPid);
    if (cur.slirpPid) stopSlirp(cur.slirpPid);
    fs.rmSync(netDir(cur.id), { recursive: true, force: true });
    fs.rmSync(notifyDir(cur.id), { recursive: true, force: true });
    await detachUserNetworks(cur.id);
    try { await rt.deleteContainer(cur.id, true); } catch (err) { log.debug(`runc delete ${cur.id}: ${errorMessage(err)}`); }
    await unmountRootfs(store.ctrDir(cur.id));
    if (cur.state === 'removing') return false;
    const code = ex?.code ?? (cur.exitCode || 0);
    const updated = await store.patch(cur.id, (x) => {
      if (x.state === 'running' || x.state === 'stopping' || x.state === 'paused' || x.state === 'created') {
        x.state = 'exited';
        x.exitCode = code;
        x.finishedAt = ex?.when ?? new Date().toISOString();
      }
      x.pid = 0; x.conmonPid = 0; x.slirpPid = 0; x.mounted = false;
    });
    if (!updated) return false;
    if (updated.autoRemove) return 'remove';
    const cfg = store.readConfig(cur.id);
    const pol = cfg.restart;
    const wantRestart = !updated.stoppedByUser && (pol.name === 'always' || pol.name === 'unless-stopped' || (pol.name === 'on-failure' && code !== 0 && (pol.maxRetries === 0 || updated.restartCount < pol.maxRetries)));
    return wantRestart;
  });
  if (restartNow === 'remove') {
    await removeContainers([e.id], { force: true, volumes: true, ignore: true });
    return;
  }
  if (restartNow) {
    await withLock(ctrLockKey(e.id), async () => {
      // a `stop` may have come between the two locks: it wins over the policy
      const cur = store.list().find((c) => c.id === e.id);
      if (!cur || cur.stoppedByUser || cur.state !== 'exited') return;
      await store.patch(e.id, (x) => { x.restartCount += 1; });
      await startLocked(store, store.resolve(e.id));
    });
  }
}

// ---------------------------------------------------------------- stop / kill / pause

export interface StopReport { input: string; id: string; error?: TspodError }

async function waitExited(id: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const store = new ContainerStore();
  for (let d = 2; ; d = Math.min(d * 2, 50)) {
    if (readExit(id)) return true;
    const e = store.list().find((c) => c.id === id);
    if (!e || !conmonAlive(e)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(d);
  }
}

async function stopOne(store: ContainerStore, e: ContainerEntry, timeoutSec: number | undefined): Promise<void> {
  await withLock(ctrLockKey(e.id), async () => {
    const cur = syncedState(store.resolve(e.id));
    if (!can.stop(cur.state)) {
      // already stopped: like Podman, not an error. But it may be between two runs of a
      // restart policy (exited, its cleanup about to restart it): the user's stop wins.
      if (cur.state === 'exited' && !cur.stoppedByUser) await store.patch(cur.id, (x) => { x.stoppedByUser = true; });
      return;
    }
    const cfg = store.readConfig(cur.id);
    const rt = await runtime();
    await store.patch(cur.id, (x) => { x.stoppedByUser = true; x.state = 'stopping'; });
    const t = timeoutSec ?? cfg.stopTimeout;
    if (cur.state === 'paused') { try { await rt.resumeContainer(cur.id); } catch { /* ignore */ } }
    if (t > 0) {
      try { await rt.killContainer(cur.id, cfg.stopSignal); } catch (err) { log.debug(`kill ${cfg.stopSignal}: ${errorMessage(err)}`); }
      if (await waitExited(cur.id, t * 1000)) return;
      process.stderr.write(`WARN[0000] StopSignal ${cfg.stopSignal} failed to stop container ${cfg.name} in ${t} seconds, resorting to SIGKILL\n`);
    }
    // rootless cgroups v1: runc kill --all cannot find the processes, so signal init (pid namespace dies with it)
    try { await rt.killContainer(cur.id, 'SIGKILL'); } catch (err) {
      log.debug(`runc kill KILL: ${errorMessage(err)}`);
      if (cur.pid > 0) { try { process.kill(cur.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    await waitExited(cur.id, 10_000);
  });
  // conmon runs the cleanup; make sure it happened before we return
  await waitCleanedUp(store, e.id, 5000);
}

async function waitCleanedUp(store: ContainerStore, id: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const e = store.list().find((c) => c.id === id);
    if (!e) return;
    // a --rm container: wait until it is removed, not only unmounted. `stop` returning while
    // conmon's exit command is half-way through the removal would let a systemd unit's stop kill
    // that process (systemd signals what is left in the unit once ExecStop= is done)
    if (!e.autoRemove && (e.state === 'exited' || e.state === 'created' || e.state === 'removing') && !e.mounted) return;
    if (Date.now() > deadline) {
      // conmon's exit command did not run (conmon killed?): clean up ourselves
      await cleanupContainer(id).catch((err) => log.debug(`cleanup: ${errorMessage(err)}`));
      if (e.autoRemove) await removeContainers([id], { force: true, ignore: true });
      return;
    }
    await sleep(10);
  }
}

export async function stopContainers(inputs: string[], opts: { timeout?: number | undefined; all?: boolean; ignore?: boolean } = {}): Promise<StopReport[]> {
  const store = new ContainerStore();
  const list = await syncAll(store);
  const targets = opts.all ? list.filter((c) => can.stop(c.state)).map((c) => c.id) : inputs;
  return Promise.all(targets.map(async (input) => {
    try {
      const e = store.resolve(input, list);
      await stopOne(store, e, opts.timeout);
      return { input, id: e.id };
    } catch (err) {
      if (opts.ignore && err instanceof NotFoundError) return { input, id: '' };
      return { input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) };
    }
  }));
}

export async function killContainers(inputs: string[], opts: { signal?: string | undefined; all?: boolean } = {}): Promise<StopReport[]> {
  const store = new ContainerStore();
  const sig = checkSignal(opts.signal ?? 'SIGKILL', 'signal') ?? 'SIGKILL';
  const list = await syncAll(store);
  const targets = opts.all ? list.filter((c) => can.kill(c.state)).map((c) => c.id) : inputs;
  const rt = await runtime();
  const out: StopReport[] = [];
  for (const input of targets) {
    try {
      const e = syncedState(store.resolve(input, list));
      if (!can.kill(e.state)) throw new ConflictError(`can only kill running containers. ${e.id.slice(0, 12)} is in state ${e.state}: container state improper`);
      if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === '9' || sig === '15') await store.patch(e.id, (x) => { x.stoppedByUser = true; });
      await rt.killContainer(e.id, sig);
      out.push({ input, id: e.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

export async function pauseContainers(inputs: string[], pause: boolean): Promise<StopReport[]> {
  const store = new ContainerStore();
  const rt = await runtime();
  const out: StopReport[] = [];
  for (const input of inputs) {
    try {
      const e = syncedState(store.resolve(input));
      await withLock(ctrLockKey(e.id), async () => {
        if (pause && !can.pause(e.state)) throw new ConflictError(`"${e.names[0]}" is not running, can't pause: container state improper`);
        if (!pause && !can.unpause(e.state)) throw new ConflictError(`"${e.names[0]}" is not paused, can't unpause: container state improper`);
        if (isRootless()) throw new TspodError('pause is not supported for rootless containers on cgroups v1: the freezer cgroup is not delegated to unprivileged users', 'ENOTSUP');
        if (pause) await rt.pauseContainer(e.id); else await rt.resumeContainer(e.id);
        await store.patch(e.id, (x) => { x.state = pause ? 'paused' : 'running'; });
      });
      out.push({ input, id: e.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

// ---------------------------------------------------------------- rm

export interface RemoveReport { input: string; id: string; error?: TspodError }

export async function removeContainers(inputs: string[], opts: { force?: boolean; volumes?: boolean; all?: boolean; ignore?: boolean; timeout?: number } = {}): Promise<RemoveReport[]> {
  const store = new ContainerStore();
  const list = await syncAll(store);
  const targets = opts.all ? list.map((c) => c.id) : inputs;
  const out: RemoveReport[] = [];
  for (const input of targets) {
    try {
      let e: ContainerEntry;
      try { e = store.resolve(input, store.list()); } catch (err) {
        if (err instanceof NotFoundError && (opts.ignore || opts.force)) { if (!opts.ignore && !opts.force) throw err; continue; }
        throw err;
      }
      const cur = syncedState(e);
      if (!can.removeWithoutForce(cur.state)) {
        if (!opts.force) throw new ConflictError(`cannot remove container ${cur.id} as it is ${cur.state} - running or paused containers cannot be removed without force: container state improper`);
        await stopOne(store, cur, opts.timeout ?? 0);
      }
      await withLock(ctrLockKey(cur.id), async () => {
        await store.patch(cur.id, (x) => { x.state = 'removing'; });
        const rt = await runtime();
        const fresh = store.list().find((c) => c.id === cur.id);
        if (fresh?.slirpPid) stopSlirp(fresh.slirpPid);
        fs.rmSync(netDir(cur.id), { recursive: true, force: true });
        await detachUserNetworks(cur.id);
        try { await rt.deleteContainer(cur.id, true); } catch { /* not in runc */ }
        rt.removeExitFile(cur.id);
        await unmountRootfs(store.ctrDir(cur.id));
        let cfg: ContainerConfig | undefined;
        try { cfg = store.readConfig(cur.id); } catch { cfg = undefined; }
        // its anonymous volumes go before its index entry, its ID file after it: a removal cut short
        // leaves an entry that a later rm (found through the ID file) finishes, never a leaked volume
        if (cfg && (opts.volumes || cfg.autoRemove)) {
          const vols = new VolumeStore();
          for (const m of cfg.mounts) if (m.type === 'volume' && m.anonymous && m.source) { try { await vols.remove(m.source); } catch { /* gone */ } }
        }
        await store.update((l) => { const i = l.findIndex((c) => c.id === cur.id); if (i >= 0) l.splice(i, 1); });
        new ImageStore().trash(store.ctrDir(cur.id));
        if (cfg?.cidfile) { try { const id = fs.readFileSync(cfg.cidfile, 'utf8').trim(); if (id === cur.id) fs.rmSync(cfg.cidfile, { force: true }); } catch { /* gone */ } }
      });
      out.push({ input, id: cur.id });
    } catch (err) {
      out.push({ input, id: '', error: err instanceof TspodError ? err : new TspodError(errorMessage(err)) });
    }
  }
  return out;
}

registerContainerRemover(async (imageId) => {
  const store = new ContainerStore();
  const ids = store.list().filter((c) => c.image === imageId).map((c) => c.id);
  if (ids.length) await removeContainers(ids, { force: true });
});

// ---------------------------------------------------------------- wait / logs / exec

export async function waitContainer(input: string, conditions: string[] = ['exited']): Promise<number> {
  const store = new ContainerStore();
  const e = store.resolve(input);
  for (let d = 5; ; d = Math.min(d * 2, 100)) {
    const cur = store.list().find((c) => c.id === e.id);
    if (!cur) {
      const ex = readExit(e.id);
      return ex?.code ?? e.exitCode;
    }
    const s = syncedState(cur);
    if (conditions.includes(s.state) || (conditions.includes('stopped') && s.state === 'exited')) return s.exitCode;
    if (s.state === 'created' && conditions.includes('exited') && !conditions.includes('created')) { /* wait for it to run and exit */ }
    await sleep(d);
  }
}

export function logPathOf(input: string): { id: string; logPath: string; driver: string } {
  const store = new ContainerStore();
  const e = store.resolve(input);
  const cfg = store.readConfig(e.id);
  return { id: e.id, logPath: cfg.logPath, driver: cfg.logDriver };
}

export function isRunning(id: string): boolean {
  const store = new ContainerStore();
  const e = store.list().find((c) => c.id === id);
  if (!e) return false;
  const s = syncedState(e);
  return s.state === 'running' || s.state === 'paused' || s.state === 'stopping';
}

export interface ExecOptions { command: string[]; interactive?: boolean; tty?: boolean; detach?: boolean; env?: string[]; envFile?: string[]; user?: string; workdir?: string; privileged?: boolean }

export async function execInContainer(input: string, o: ExecOptions): Promise<number> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  if (!can.exec(e.state)) throw new ConflictError(`can only create exec sessions on running containers: container state improper`);
  if (!o.command.length) throw new InvalidArgumentError('exec requires a command to run');
  const cfg = store.readConfig(e.id);
  const rootfs = rootfsPaths(store.ctrDir(e.id)).merged;
  const user = resolveUser(rootfs, o.user ?? cfg.user, cfg.groupAdd);
  const env = mergeEnv(mergeEnv([`HOME=${user.home}`], cfg.env), [...(o.tty ? ['TERM=xterm'] : []), ...parseEnv(o.env, o.envFile)]);
  const { resolveCapabilities } = await import('../runtime/index.js');
  const caps = resolveCapabilities({ capAdd: cfg.capAdd, capDrop: cfg.capDrop, privileged: cfg.privileged || o.privileged });
  const spec = JSON.parse(fs.readFileSync(path.join(store.userdata(e.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
  const proc = {
    ...spec.process,
    terminal: !!o.tty,
    args: o.command,
    env,
    cwd: o.workdir ?? cfg.workdir ?? '/',
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    capabilities: { bounding: caps, effective: caps, permitted: caps },
  };
  const rt = await runtime();
  const pfile = path.join(paths().runroot, 'containers', e.id, `exec-${process.pid}-${Date.now().toString(36)}.json`);
  fs.mkdirSync(path.dirname(pfile), { recursive: true, mode: 0o700 });
  writeFileAtomic(pfile, JSON.stringify(proc));
  try {
    // runc's own errors go to a log file: "executable file not found" must become 127 and
    // "permission denied" 126 (as Podman), not runc's 255 with a logrus line on stderr
    const rlog = `${pfile}.log`;
    const args = ['--root', rt.runc.root, '--log', rlog, '--log-format', 'json', 'exec', '--process', pfile];
    if (o.detach) args.push('--detach');
    if (o.tty) args.push('--tty');
    args.push(e.id);
    const { runInherit } = await import('../util/exec.js');
    const code = await runInherit(rt.runc.path, args, process.env, o.interactive || o.tty ? 'inherit' : 'no-stdin');
    if (code !== 0) {
      let msgs: string[] = [];
      try {
        msgs = fs.readFileSync(rlog, 'utf8').split('\n').filter(Boolean)
          .map((l) => { try { const j = JSON.parse(l) as { level?: string; msg?: string }; return j.level === 'error' || j.level === 'fatal' ? j.msg ?? '' : ''; } catch { return l; } })
          .filter(Boolean);
      } catch { /* no log: the process itself failed */ }
      const { classifyStartError } = await import('../runtime/runc.js');
      const msg = msgs.join('; ');
      const cls = msg ? classifyStartError(msg) : undefined;
      if (cls) throw new TspodError(`runc: ${msg}: ${cls === 127 ? 'OCI runtime attempted to invoke a command that was not found' : 'OCI permission denied'}`, 'EEXEC', cls);
      if (msg) process.stderr.write(`Error: runc: ${msg}\n`);
    }
    return code;
  } finally {
    fs.rmSync(pfile, { force: true });
    fs.rmSync(`${pfile}.log`, { force: true });
  }
}

// ---------------------------------------------------------------- listing / inspect
// (state sync and `ps` live in container-state.ts: ps loads that alone)
export { conmonAlive, formatPorts, listContainers, readExit, statusText, syncAll, syncedState, type ListOptions, type PsRow } from './container-state.js';

export async function inspectContainer(input: string): Promise<Record<string, unknown>> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  const cfg = store.readConfig(e.id);
  const ud = store.userdata(e.id);
  const rf = rootfsPaths(store.ctrDir(e.id));
  const attachment = cfg.networks?.length && e.state === 'running' ? (await import('../network/attach.js')).containerAttachment(e.id) : undefined;
  const first = attachment?.attachments[0];
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of cfg.ports) (portBindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
  const volumes = new VolumeStore();
  return {
    Id: e.id,
    Created: e.created,
    Path: cfg.args[0],
    Args: cfg.args.slice(1),
    State: {
      OciVersion: '1.0.2-dev', Status: e.state, Running: e.state === 'running', Paused: e.state === 'paused', Restarting: false, OOMKilled: false, Dead: false,
      Pid: e.pid, ConmonPid: e.conmonPid, ExitCode: e.exitCode, Error: '', StartedAt: e.startedAt || '0001-01-01T00:00:00Z', FinishedAt: e.finishedAt || '0001-01-01T00:00:00Z',
      Health: cfg.health ? { Status: e.health, FailingStreak: e.healthFailures, Log: readHealthLog(store, e.id) } : undefined,
      Healthcheck: cfg.health ? { Status: e.health, FailingStreak: e.healthFailures, Log: readHealthLog(store, e.id) } : undefined,
    },
    Image: cfg.image,
    ImageName: cfg.imageName,
    Rootfs: '',
    Pod: '',
    ResolvConfPath: path.join(ud, 'resolv.conf'),
    HostnamePath: path.join(ud, 'hostname'),
    HostsPath: path.join(ud, 'hosts'),
    StaticDir: ud,
    OCIConfigPath: path.join(ud, 'config.json'),
    OCIRuntime: 'runc',
    ConmonPidFile: path.join(paths().runroot, 'containers', e.id, 'conmon.pid'),
    PidFile: path.join(paths().runroot, 'containers', e.id, 'pidfile'),
    Name: cfg.name,
    RestartCount: e.restartCount,
    Driver: 'overlay',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: [],
    GraphDriver: { Name: 'overlay', Data: { UpperDir: rf.upper, WorkDir: rf.work, MergedDir: isMounted(rf.merged) ? rf.merged : undefined } },
    Mounts: cfg.mounts.map((m) => ({
      Type: m.type, Name: m.type === 'volume' ? m.source : undefined, Source: m.type === 'volume' ? volumes.dataDir(m.source) : m.source, Destination: m.destination,
      Driver: m.type === 'volume' ? 'local' : '', Mode: '', Options: m.options, RW: !m.readonly, Propagation: m.type === 'bind' ? 'rprivate' : '',
    })),
    Dependencies: [],
    NetworkSettings: {
      EndpointID: '', Gateway: cfg.network === 'slirp4netns' ? '10.0.2.2' : first?.gateway ?? '', IPAddress: cfg.network === 'slirp4netns' ? '10.0.2.100' : first?.ip ?? '',
      IPPrefixLen: cfg.network === 'slirp4netns' ? 24 : first?.prefixLen ?? 0,
      MacAddress: first?.mac ?? '', Bridge: '', SandboxID: '', HairpinMode: false, Ports: portBindings, SandboxKey: e.pid ? `/proc/${e.pid}/ns/net` : '',
      // user-defined networks, as Podman shows them (addresses while the container runs)
      Networks: Object.fromEntries((cfg.networks ?? []).map((n) => {
        const a = attachment?.attachments.find((x) => x.network === n);
        return [n, { EndpointID: '', Gateway: a?.gateway ?? '', IPAddress: a?.ip ?? '', IPPrefixLen: a?.prefixLen ?? 0, MacAddress: a?.mac ?? '', NetworkID: a?.networkId ?? n, Aliases: a?.aliases ?? cfg.networkAliases ?? [] }];
      })),
    },
    Namespace: '',
    IsInfra: false,
    Config: {
      Hostname: cfg.hostname, Domainname: '', User: cfg.user, AttachStdin: cfg.stdin, AttachStdout: true, AttachStderr: true, Tty: cfg.tty, OpenStdin: cfg.stdin, StdinOnce: false,
      Env: cfg.env, Cmd: cfg.cmd, Image: cfg.imageName, Volumes: null, WorkingDir: cfg.workdir, Entrypoint: cfg.entrypoint, OnBuild: null, Labels: cfg.labels,
      Annotations: cfg.annotations, StopSignal: cfg.stopSignal, StopTimeout: cfg.stopTimeout, Timeout: cfg.timeout,
      Healthcheck: cfg.health ? { Test: cfg.health.test, Interval: cfg.health.interval * 1e6, Timeout: cfg.health.timeout * 1e6, Retries: cfg.health.retries, StartPeriod: cfg.health.startPeriod * 1e6 } : undefined,
      CreateCommand: [], Umask: '0022',
    },
    HostConfig: {
      Binds: cfg.mounts.filter((m) => m.type !== 'tmpfs').map((m) => `${m.source}:${m.destination}${m.readonly ? ':ro' : ''}`),
      NetworkMode: cfg.network, PortBindings: portBindings, RestartPolicy: { Name: cfg.restart.name, MaximumRetryCount: cfg.restart.maxRetries },
      AutoRemove: cfg.autoRemove, CapAdd: cfg.capAdd, CapDrop: cfg.capDrop, Dns: cfg.dns, DnsOptions: cfg.dnsOptions, DnsSearch: cfg.dnsSearch, ExtraHosts: cfg.addHosts,
      Privileged: cfg.privileged, ReadonlyRootfs: cfg.readOnly, SecurityOpt: cfg.securityOpts,
      Tmpfs: Object.fromEntries(cfg.mounts.filter((m) => m.type === 'tmpfs').map((m) => [m.destination, m.options.join(',')])),
      ShmSize: cfg.shmSize, Memory: cfg.resources.memory ?? 0, NanoCpus: Math.round((cfg.resources.cpus ?? 0) * 1e9), PidsLimit: cfg.resources.pidsLimit ?? 0,
      Ulimits: cfg.ulimits.map((u) => ({ Name: `RLIMIT_${u.name.toUpperCase()}`, Soft: u.soft, Hard: u.hard })), Init: cfg.init,
      LogConfig: { Type: cfg.logDriver, Config: cfg.logOpts, Path: cfg.logPath },
    },
  };
}

function readHealthLog(store: ContainerStore, id: string): unknown[] {
  try { return JSON.parse(fs.readFileSync(path.join(store.ctrDir(id), 'healthcheck.log'), 'utf8')) as unknown[]; } catch { return []; }
}

export async function renameContainer(input: string, newName: string): Promise<void> {
  if (!validName(newName)) throw new InvalidArgumentError(`invalid container name "${newName}"`);
  const store = new ContainerStore();
  await store.update((list) => {
    const e = store.resolve(input, list);
    if (list.some((c) => c.names.includes(newName))) throw new ConflictError(`the container name "${newName}" is already in use`);
    e.names = [newName];
  });
  const e = store.resolve(newName);
  const cfg = store.readConfig(e.id);
  cfg.name = newName;
  store.writeConfig(cfg);
}

export async function pruneContainers(): Promise<string[]> {
  const list = await syncAll();
  const ids = list.filter((c) => c.state === 'exited' || c.state === 'created' || c.state === 'configured').map((c) => c.id);
  const reps = await removeContainers(ids, { force: false });
  return reps.filter((r) => !r.error).map((r) => r.id);
}

export function containerExists(input: string): boolean {
  try { new ContainerStore().resolve(input); return true; } catch { return false; }
}

export async function portsOf(input: string): Promise<PortMapping[]> {
  const store = new ContainerStore();
  return store.resolve(input).ports;
}

export async function topContainer(input: string): Promise<string[][]> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  if (e.state !== 'running') throw new ConflictError(`top can only be used on running containers: container state improper`);
  const { pidsInNamespace } = await import('../runtime/runtime.js');
  const rows: string[][] = [['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']];
  const btime = Number(/btime (\d+)/.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  const hz = 100;
  const userNames = new Map<number, string>();
  try {
    for (const l of fs.readFileSync(secureJoin(rootfsPaths(store.ctrDir(e.id)).merged, '/etc/passwd'), 'utf8').split('\n')) {
      const f = l.split(':');
      if (f.length > 2 && /^\d+$/.test(f[2]!) && !userNames.has(Number(f[2]))) userNames.set(Number(f[2]), f[0]!);
    }
  } catch { /* no passwd: numeric */ }
  for (const pid of pidsInNamespace(e.pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const nspid = /NSpid:\s+(.*)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/).pop() ?? String(pid);
      const uidLine = /Uid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
      const ppidHost = Number(rest[1]);
      let ppid = '0';
      try { ppid = /NSpid:\s+(.*)/.exec(fs.readFileSync(`/proc/${ppidHost}/status`, 'utf8'))?.[1]?.trim().split(/\s+/).pop() ?? '0'; if (pidsInNamespace(e.pid).indexOf(ppidHost) < 0) ppid = '0'; } catch { ppid = '0'; }
      const utime = Number(rest[11]) + Number(rest[12]);
      const start = btime + Number(rest[19]) / hz;
      const elapsed = Math.max(0, Date.now() / 1000 - start);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const cpu = elapsed > 0 ? ((utime / hz) / elapsed) * 100 : 0;
      const uid = Number(uidLine);
      // tspod runs in the container's user namespace, so this is the uid as the container sees it:
      // name it from the container's own /etc/passwd, as Podman does
      const user = userNames.get(uid) ?? String(uid);
      rows.push([user, nspid, ppid, cpu.toFixed(3), `${elapsed.toFixed(0)}s`, '?', `${Math.floor(utime / hz)}s`, cmd]);
    } catch { /* exited meanwhile */ }
  }
  return rows;
}


// ---------------------------------------------------------------- run (foreground)

export interface RunIO { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }

/**
 * Stream the container's output (from its log, as conmon writes it) until it
 * exits; return its exit code. Waits for conmon's cleanup, so `--rm` is done
 * when this returns.
 */
export async function followUntilExit(id: string, io: RunIO, fromOffset = 0): Promise<number> {
  const store = new ContainerStore();
  const cfg = store.readConfig(id);
  const { followK8sLog } = await import('../runtime/k8s-log.js');
  let exited = false;
  const check = () => { if (!exited) exited = !!readExit(id) || !isRunning(id); return exited; };
  if (cfg.logPath) {
    await followK8sLog(cfg.logPath, {
      offset: fromOffset,
      isDone: check,
      pollMs: 10,
      onEntry: (e) => { (e.stream === 'stderr' ? io.stderr : io.stdout).write(e.text); },
    });
  } else {
    while (!check()) await sleep(20);
  }
  const ex = readExit(id);
  const entry = store.list().find((c) => c.id === id);
  const code = ex?.code ?? entry?.exitCode ?? 0;
  // Without a restart policy, clean up here rather than wait for conmon's exit command
  // (a whole new tspod process): the exit command then finds nothing left to do.
  if (ex && store.readConfig(id).restart.name === 'no') {
    await cleanupContainer(id).catch((err) => log.debug(`cleanup ${id}: ${errorMessage(err)}`));
    return code;
  }
  // let conmon's exit command finish (unmount, --rm, restart policy)
  const deadline = Date.now() + 10_000;
  for (;;) {
    const e = store.list().find((c) => c.id === id);
    if (!e || (!e.mounted && e.state !== 'running' && e.state !== 'stopping')) break;
    if (e.restartCount > (entry?.restartCount ?? 0) && e.state === 'running') break;
    if (Date.now() > deadline) { await cleanupContainer(id).catch(() => undefined); break; }
    await sleep(10);
  }
  return code;
}

// ---------------------------------------------------------------- health checks

export interface HealthcheckReport { id: string; status: 'healthy' | 'unhealthy' | 'starting'; exitCode: number; output: string; checkPassed: boolean }

interface HealthLogEntry { Start: string; End: string; ExitCode: number; Output: string }

const HEALTH_LOG_KEEP = 5; // Podman keeps the last five results

/**
 * Run the container's health check once (`tspod healthcheck run`): the test
 * runs via `runc exec` with the container's process settings; the result is
 * recorded in the container entry (health, healthFailures) and in
 * <ctrDir>/healthcheck.log, which `inspect` shows. The container turns
 * unhealthy after `retries` consecutive failures; failures inside the start
 * period do not count until a check has passed. Scheduling the checks (a
 * systemd timer or conmon-side) is not done here.
 */
export async function runHealthcheck(input: string): Promise<HealthcheckReport> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  const cfg = store.readConfig(e.id);
  if (!cfg.health) throw new InvalidArgumentError(`container ${cfg.name} has no defined healthcheck`);
  if (e.state !== 'running') throw new ConflictError(`container ${cfg.name} is not running: container state improper`);
  const test = cfg.health.test;
  const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : test[0] === 'CMD' ? test.slice(1) : test;
  if (!argv.length) throw new InvalidArgumentError(`container ${cfg.name}: the healthcheck command is empty`);
  const rootfs = rootfsPaths(store.ctrDir(e.id)).merged;
  const user = resolveUser(rootfs, cfg.user, cfg.groupAdd);
  const spec = JSON.parse(fs.readFileSync(path.join(store.userdata(e.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
  const proc = { ...spec.process, terminal: false, args: argv, env: mergeEnv([`HOME=${user.home}`], cfg.env), cwd: cfg.workdir || '/' };
  const rt = await runtime();
  const pfile = path.join(paths().runroot, 'containers', e.id, `health-${process.pid}-${Date.now().toString(36)}.json`);
  fs.mkdirSync(path.dirname(pfile), { recursive: true, mode: 0o700 });
  writeFileAtomic(pfile, JSON.stringify(proc));
  const start = new Date();
  let exitCode: number, output: string;
  try {
    // the timeout kills runc exec; a test process that ignores it stays until the container stops
    const r = await run(rt.runc.path, ['--root', rt.runc.root, 'exec', '--process', pfile, e.id], { reject: false, timeout: cfg.health.timeout > 0 ? cfg.health.timeout : undefined, stdio: ['ignore', 'pipe', 'pipe'] });
    const timedOut = cfg.health.timeout > 0 && Date.now() - start.getTime() >= cfg.health.timeout && r.exitCode !== 0;
    exitCode = timedOut ? 1 : r.exitCode;
    output = timedOut ? `healthcheck command exceeded timeout of ${cfg.health.timeout / 1000}s` : `${r.stdout}${r.stderr ? (r.stdout ? '\n' : '') + r.stderr : ''}`;
  } finally {
    fs.rmSync(pfile, { force: true });
  }
  const passed = exitCode === 0;
  const entry: HealthLogEntry = { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: output };
  const inStartPeriod = cfg.health.startPeriod > 0 && Date.now() - Date.parse(e.startedAt) < cfg.health.startPeriod;
  const updated = await withLock(ctrLockKey(e.id), async () => {
    const logFile = path.join(store.ctrDir(e.id), 'healthcheck.log');
    let logs: HealthLogEntry[] = [];
    try { logs = JSON.parse(fs.readFileSync(logFile, 'utf8')) as HealthLogEntry[]; } catch { logs = []; }
    writeJSONAtomic(logFile, [...logs, entry].slice(-HEALTH_LOG_KEEP));
    return store.patch(e.id, (x) => {
      if (passed) { x.health = 'healthy'; x.healthFailures = 0; return; }
      if (inStartPeriod && x.health !== 'healthy') return; // failures in the start period do not count
      x.healthFailures += 1;
      if (x.healthFailures >= Math.max(1, cfg.health!.retries)) x.health = 'unhealthy';
      else if (!x.health) x.health = 'starting';
    });
  });
  const status = (updated?.health || 'starting') as HealthcheckReport['status'];
  return { id: e.id, status, exitCode, output, checkPassed: passed };
}
