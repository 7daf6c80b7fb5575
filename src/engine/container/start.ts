// Start: mount the rootfs, write the bundle, start conmon (which runs runc),
// set up the network, then `runc start`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from '../../util/random.js';
import { ImageStore } from '../../image/store.js';
import { ContainerStore } from '../../container/store.js';
import { can, type ContainerConfig, type ContainerEntry } from '../../container/types.js';
import { mergeEnv, parseBytes } from '../../container/options.js';
import { addPortForwards, addPeerHostsEntry, baseHostsText, removePeerHostsEntry, hostInternalIP, hostsFile, parseSlirpMode, resolvConf, slirpAddresses, startSlirp } from '../../container/network.js';
import { containersConf } from '../../util/containers-conf.js';
import { mountRootfs, secureJoin, unmountRootfs } from '../../container/rootfs.js';
import { TSPOD_VERSION } from '../../util/version.js';
import { resolveUser } from '../../container/user.js';
import { VolumeStore } from '../../volume/store.js';
import { withLock } from '../../state/lock.js';
import { pidAlive, writeFileAtomic } from '../../state/atomic.js';
import { hostGid, hostUid, paths, isRootless } from '../../util/paths.js';
import { log } from '../../util/log.js';
import { run } from '../../util/exec.js';
import { ConflictError, NotFoundError, TspodError, errorMessage } from '../../util/errors.js';
import type { UserMount } from '../../runtime/spec.js';
import type { IdMapping } from '../../container/keep-id.js';
import { CONTAINER_NOTIFY_DIR, CONTAINER_NOTIFY_SOCKET, ContainerNotifyProxy, notifySocket, sdNotify } from '../../runtime/sdnotify.js';
import { runtime, ctrLockKey, netDir, notifyDir, slirpPidFile, stopContainerSlirp, tspodScript } from './common.js';
import { startHealthSchedule } from './health.js';
import { EXIT_COMMAND_SH, claimFile } from './cleanup-claim.js';
import { syncedState } from './state.js';
import { containerEvent } from '../events.js';

/**
 * The :U option: the mount's source goes to the container's user, recursively, unless its top is
 * already theirs (as Podman: a file chowned since inside an owned directory is left alone).
 */
async function chownForU(source: string, user: { uid: number; gid: number }): Promise<void> {
  try {
    const st = fs.lstatSync(source);
    if (st.uid === user.uid && st.gid === user.gid) return;
  } catch { return; }
  await run('chown', ['-R', `${user.uid}:${user.gid}`, source], { reject: false });
}

/** A container id as tspod's namespace sees it, through the container's own mapping (keep-id) if any. */
function nsId(id: number, maps: IdMapping[] | undefined): number {
  if (!maps) return id;
  const m = maps.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m ? m.hostID + (id - m.containerID) : id;
}

async function prepareVolumes(cfg: ContainerConfig, rootfs: string, ctrUser: { uid: number; gid: number }, maps?: { uidMappings: IdMapping[]; gidMappings: IdMapping[] }): Promise<UserMount[]> {
  const user = { uid: nsId(ctrUser.uid, maps?.uidMappings), gid: nsId(ctrUser.gid, maps?.gidMappings) };
  const vols = new VolumeStore();
  const out: UserMount[] = [];
  for (const m of cfg.mounts) {
    if (m.type === 'tmpfs') { out.push({ type: 'tmpfs', destination: m.destination, readonly: m.readonly, options: m.options }); continue; }
    if (m.type === 'bind') {
      if (!fs.existsSync(m.source)) throw new NotFoundError(`bind mount source ${m.source} does not exist`);
      if (m.options.includes('U')) await chownForU(m.source, user);
      out.push({ type: 'bind', source: m.source, destination: m.destination, readonly: m.readonly, options: m.options.filter((x) => !['z', 'Z', 'U'].includes(x)) });
      continue;
    }
    if (!m.source) m.source = randomHex(32);
    const v = await vols.create({ name: m.source, anonymous: !!m.anonymous, ifMissing: true });
    const src = secureJoin(rootfs, m.destination);
    // the first use gives the volume to the container's user, then the owner and mode of the image's
    // directory at that path when there is one (as Podman: NeedsChown turns false)
    if (!(v.chowned ?? v.populated)) {
      try { fs.lchownSync(v.mountpoint, user.uid, user.gid); } catch { /* an id outside the namespace */ }
      try {
        const st = fs.statSync(src);
        fs.lchownSync(v.mountpoint, st.uid, st.gid);
        fs.chmodSync(v.mountpoint, st.mode & 0o7777);
      } catch { /* no such directory in the image */ }
      await vols.markChowned(v.name);
    }
    // Docker's copy-up: an empty volume gets the image's content at that path first; NeedsCopyUp
    // stays true until content was actually copied (the image may have nothing there)
    if (!v.populated && !m.options.includes('nocopy')) {
      if (fs.existsSync(src) && fs.statSync(src).isDirectory() && fs.readdirSync(v.mountpoint).length === 0 && fs.readdirSync(src).length > 0) {
        await run('cp', ['-a', `${src}/.`, `${v.mountpoint}/`]);
        await vols.markPopulated(v.name);
      }
    }
    if (m.options.includes('U')) await chownForU(v.mountpoint, user);
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
export async function startLocked(store: ContainerStore, e0: ContainerEntry, beforeStart?: (id: string) => Promise<void>, notifyDir?: string, o: StartOptions = {}): Promise<StartReport> {
  const e = syncedState(e0);
  if (e.state === 'running' || e.state === 'paused') return { id: e.id, name: e.names[0]!, pid: e.pid, conmonPid: e.conmonPid, notified: Promise.resolve() };
  if (!can.start(e.state)) throw new ConflictError(`container ${e.names[0]} is ${e.state} and cannot be started`);
  const cfg = store.readConfig(e.id);
  // a pod member needs its infra container (the namespaces it joins) running first
  if (cfg.pod && !cfg.podInfra) await (await import('../pod/lifecycle.js')).ensureInfraRunning(cfg.pod);
  const images = new ImageStore();
  const rt = await runtime(cfg.ociRuntime);
  const ctrDir = store.ctrDir(e.id);
  const ud = store.userdata(e.id);
  // leftovers of a previous run (conmon killed: its exit command never stopped slirp4netns)
  stopContainerSlirp(e.id, e0.slirpPid);
  // a container that ran before may have left runc state behind; a fresh one has none
  if (fs.existsSync(path.join(rt.runc.root, e.id))) { try { await rt.deleteContainer(e.id, true); } catch { /* not there */ } }
  rt.removeExitFile(e.id);
  // --userns=keep-id: the container's own user namespace, its image seen through the same mapping
  const keepId = cfg.userns.startsWith('keep-id') ? await keepIdSetup(cfg.userns) : undefined;
  const net = cfg.network.startsWith('slirp4netns') || cfg.network === 'private' || cfg.network === 'bridge' ? 'slirp4netns' : cfg.network;
  const slirpOpts = net === 'slirp4netns' ? parseSlirpMode(cfg.network) : {};
  const slirpAddr = slirpAddresses(slirpOpts);
  const rootfs = await mountRootfs(images, e.layers, ctrDir, keepId?.fuse);
  let conmonPid = 0, pid = 0, slirpPid = 0, peerHosts = '';
  // slirp4netns's pid goes to a file at once: a start killed before it records the pid must not leak it
  const onSpawn = (p: number) => { slirpPid = p; fs.writeFileSync(slirpPidFile(e.id), String(p)); };
  try {
    if (keepId) {
      const { addKeepIdUser } = await import('../../container/keep-id.js');
      const { userName } = await import('../../rootless/idmap.js');
      // as the mount shows them: the user is tspod's namespace id 0, the container's root id 1;
      // the home directory is the user's own path ($HOME) when a mount provides it or one of its
      // parents, else the container's working directory (as Podman: nothing is created for it)
      const hostHome = process.env['HOME'] || '/';
      const covers = (dest: string) => { for (let d = hostHome; d !== '/' && d !== '.'; d = path.dirname(d)) if (dest.replace(/\/+$/, '') === d) return true; return false; };
      const home = cfg.mounts.some((m) => covers(m.destination)) ? hostHome : cfg.workdir || '/';
      addKeepIdUser(rootfs, keepId.ids, userName(hostUid()), home, { uid: 1, gid: 1 });
    }
    if (cfg.hostUsers?.length) addHostUsers(rootfs, cfg.hostUsers);
    const user = resolveUser(rootfs, cfg.user, cfg.groupAdd);
    const unsetEnv: string[] | 'all' = cfg.unsetEnvAll ? 'all' : cfg.unsetEnv ?? [];
    const keepDefault = (k: string) => unsetEnv !== 'all' && !unsetEnv.includes(k);
    // joining another container's UTS namespace (a pod member: its infra container), its hostname
    const utsPeer = cfg.utsNs.startsWith('container:') ? store.resolve(cfg.utsNs.slice(10)) : undefined;
    const hostname = (utsPeer ? store.readConfig(utsPeer.id).hostname : undefined) ?? cfg.hostname;
    const env = mergeEnv(keepDefault('HOME') ? [`HOME=${user.home}`] : [], [...cfg.env, ...(hostname && keepDefault('HOSTNAME') ? [`HOSTNAME=${hostname}`] : [])]);
    // the image's WORKDIR is created in the container (as Podman); a --workdir must exist, in the
    // image, on a mount, or as a parent of a mount's destination (the runtime makes those)
    // (Podman: 126, "does not exist on container")
    if (cfg.workdir && cfg.workdir !== '/') {
      const wd = secureJoin(rootfs, cfg.workdir);
      const clean = (p: string) => `/${p.split('/').filter((x) => x && x !== '.').join('/')}`;
      const wdc = clean(cfg.workdir);
      const underMount = cfg.mounts.some((m) => { const d = clean(m.destination); return wdc === d || wdc.startsWith(`${d}/`) || d.startsWith(`${wdc}/`); });
      if (!fs.existsSync(wd) && cfg.workdirFromUser && !underMount) throw new TspodError(`workdir "${cfg.workdir}" does not exist on container ${e.id}`, 'EWORKDIR', 126);
      if (!fs.existsSync(wd)) { fs.mkdirSync(wd, { recursive: true, mode: 0o755 }); try { fs.chownSync(wd, user.uid, user.gid); } catch { /* unmapped */ } }
    }
    // an image without /etc/mtab gets the usual link to /proc/mounts (as Podman)
    // (the link itself is looked at, not what it points to: /proc is empty until the container runs)
    const etc = secureJoin(rootfs, '/etc');
    if (fs.existsSync(etc) && !lexists(path.join(etc, 'mtab'))) fs.symlinkSync('/proc/mounts', path.join(etc, 'mtab'));
    fs.mkdirSync(ud, { recursive: true, mode: 0o700 });
    // a container joining another's network (a pod member: its infra container) shares its
    // /etc/hosts and /etc/resolv.conf; joining its UTS namespace, its hostname
    const netPeer = net.startsWith('container:') ? store.resolve(net.slice(10)) : undefined;
    const files = {
      hosts: netPeer ? path.join(store.userdata(netPeer.id), 'hosts') : path.join(ud, 'hosts'),
      resolv: netPeer ? path.join(store.userdata(netPeer.id), 'resolv.conf') : path.join(ud, 'resolv.conf'),
      hostname: utsPeer ? path.join(store.userdata(utsPeer.id), 'hostname') : path.join(ud, 'hostname'),
    };
    const conf = containersConf();
    if (!netPeer) {
      writeFileAtomic(files.hosts, hostsFile({
        hostname: hostname || (await import('node:os')).hostname(), name: cfg.name, network: net, addHosts: cfg.addHosts, guestIP: slirpAddr.guest,
        base: baseHostsText(conf.baseHostsFile, rootfs), hostInternalIP: hostInternalIP(conf.hostContainersInternalIP),
      }), 0o644, false);
    } else { await addPeerHostsEntry(files.hosts, cfg.name); peerHosts = files.hosts; }
    if (!utsPeer) writeFileAtomic(files.hostname, `${hostname || (await import('node:os')).hostname()}\n`, 0o644, false);
    if (!netPeer) writeFileAtomic(files.resolv, resolvConf({ network: net, dns: cfg.dns, dnsSearch: cfg.dnsSearch, dnsOptions: cfg.dnsOptions, slirpDns: slirpAddr.dns }), 0o644, false);
    // /run/.containerenv: empty, except in a --privileged container, which may learn what it runs in (as Podman)
    writeFileAtomic(path.join(ud, '.containerenv'), cfg.privileged ? `engine="tspod-${TSPOD_VERSION}"\nname="${cfg.name}"\nid="${cfg.id}"\nimage="${cfg.imageName}"\nimageid="${cfg.image}"\nrootless=${isRootless() ? 1 : 0}\n` : '', 0o644, false);
    const anonBefore = cfg.mounts.filter((m) => m.type === 'volume' && !m.source).length;
    const mounts = await prepareVolumes(cfg, rootfs, user, keepId?.spec);
    // --sdnotify=container under a Type=notify unit: the container's own notify socket
    if (notifyDir) mounts.push({ type: 'bind', source: notifyDir, destination: CONTAINER_NOTIFY_DIR, readonly: false, options: ['rbind'] });
    // --tz: a copy of the zone's file (the host may change its own) as /etc/localtime
    if (cfg.timezoneFile) {
      const lt = path.join(ud, 'localtime');
      fs.copyFileSync(cfg.timezoneFile, lt);
      mounts.push({ type: 'bind', source: lt, destination: '/etc/localtime', readonly: true, options: ['rbind'] });
    }
    // an anonymous volume got its name just now: record it, or `rm -v`/--rm could not find it
    // and a restart would create a second, empty one
    if (anonBefore) store.writeConfig(cfg);
    const { generateSpec, resolveSeccomp, resolveCapabilities, defaultRlimits } = await import('../../runtime/index.js');
    const caps = resolveCapabilities({ capAdd: cfg.capAdd, capDrop: cfg.capDrop, privileged: cfg.privileged });
    const seccomp = cfg.privileged ? undefined : resolveSeccomp(cfg.seccomp, caps, rt.seccompCacheDir);
    let netMode: 'private' | 'none' | 'host' | { path: string } = 'private';
    if (net === 'host') netMode = 'host';
    else if (net === 'none') netMode = 'none';
    else if (net.startsWith('container:')) netMode = joinNamespace(store, net.slice(10), 'net', 'network');
    const nsMode = (v: string, ns: string, what: string) => (v.startsWith('container:') ? joinNamespace(store, v.slice(10), ns, what) : undefined);
    const pidMode = nsMode(cfg.pidNs, 'pid', 'PID namespace'), ipcMode = nsMode(cfg.ipcNs, 'ipc', 'IPC namespace'), utsMode = nsMode(cfg.utsNs, 'uts', 'UTS namespace');
    // keep-id joining another container's namespaces (a pod member): those belong to that container's user
    // namespace, so the member joins it too rather than making its own (it could not mount sysfs or mqueue there)
    const peer = keepId ? [net, cfg.ipcNs, cfg.utsNs, cfg.pidNs].find((v) => v.startsWith('container:')) : undefined;
    const usernsMode = keepId && peer ? { ...keepId.spec, ...joinNamespace(store, peer.slice(10), 'user', 'user namespace') } : keepId?.spec;
    const init = cfg.init ? { path: (await import('../../util/exec.js')).which('catatonit') ?? '' } : undefined;
    if (init && !init.path) throw new TspodError('--init needs catatonit: install the catatonit package', 'EPREREQ');
    const gen = generateSpec({
      args: cfg.args, unsetEnv, env: notifyDir ? [...env, `NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`] : env, cwd: cfg.workdir || '/',
      // as Podman: a container with a user (--user or the image's USER) has its primary group among the supplementary ones
      user: { uid: user.uid, gid: user.gid, additionalGids: cfg.user ? [...new Set([user.gid, ...user.additionalGids])] : user.additionalGids }, terminal: cfg.tty,
      hostname: net === 'host' || utsMode ? undefined : cfg.hostname, rootfs, pid: pidMode, ipc: ipcMode, uts: utsMode, readonlyRootfs: cfg.readOnly, mounts, capAdd: cfg.capAdd, capDrop: cfg.capDrop,
      privileged: cfg.privileged, noNewPrivileges: cfg.noNewPrivileges, seccomp, network: netMode, annotations: cfg.annotations,
      ulimits: cfg.ulimits, defaultRlimits: defaultRlimits(undefined, isRootless()), shmSize: cfg.shmSize, sysctls: cfg.sysctls,
      resources: cfg.resources, cgroupsAvailable: !isRootless(), init: init?.path ? { path: init.path } : undefined, rootless: isRootless(), userns: usernsMode,
      hostsFile: files.hosts, hostnameFile: files.hostname, resolvConfFile: files.resolv, containerEnvFile: path.join(ud, '.containerenv'),
      devices: cfg.devices?.map((d) => ({ source: d.source, destination: d.destination })),
    });
    rt.writeBundle(ud, gen.spec);
    const p = paths();
    const created = await rt.createContainer(ud, {
      id: e.id, name: cfg.name, logPath: cfg.logPath || '/dev/null', passthrough: cfg.logDriver === 'passthrough', terminal: cfg.tty,
      // attach (engine/attach.ts): with a terminal conmon gets -t only, as Podman does; with -i it would close the
      // pty when an attached client leaves (detach keys), and later attaches could not type
      stdin: cfg.stdin && !cfg.tty,
      logSizeMax: cfg.logSize ?? (cfg.logOpts['max-size'] ? parseBytes(cfg.logOpts['max-size'], 'max-size') : undefined),
      // tspod's cleanup, unless a stop or foreground run that claimed it does it (cleanup-claim.ts)
      exitCommand: { path: '/bin/sh', args: ['-c', EXIT_COMMAND_SH, claimFile(e.id), process.execPath, tspodScript(), '--root', p.root, '--runroot', p.runroot, 'container', 'cleanup', e.id] },
      timeoutSeconds: cfg.timeout || undefined,
      preserveFds: o.preserveFds,
    });
    conmonPid = created.conmonPid;
    containerEvent('init', { id: e.id, name: cfg.name, image: cfg.imageName, labels: cfg.labels });
    pid = created.pid;
    if (cfg.networks?.length) {
      const { attachContainerNetworks, writeNetworkFiles } = await import('../../network/index.js');
      const r = await attachContainerNetworks({ id: e.id, name: cfg.name, hostname: cfg.hostname, networks: cfg.networks, aliases: cfg.networkAliases, staticIP: cfg.staticIP, links: cfg.links, ports: cfg.ports }, `/proc/${pid}/ns/net`);
      writeNetworkFiles(ud, r, { addHosts: cfg.addHosts, dns: cfg.dns, dnsSearch: cfg.dnsSearch, dnsOptions: cfg.dnsOptions });
    } else if (net === 'slirp4netns') {
      const h = await startSlirp(pid, netDir(e.id), { ...slirpOpts, onSpawn });
      if (cfg.ports.length) await addPortForwards(h, cfg.ports, slirpAddr.guest);
    }
    // attach (engine/attach.ts): connect to conmon's attach socket before the container runs, so no output is lost
    if (beforeStart) await beforeStart(e.id);
    await rt.startContainer(e.id);
  } catch (err) {
    // undo: nothing of a failed start may keep running
    stopContainerSlirp(e.id, slirpPid);
    if (peerHosts) await removePeerHostsEntry(peerHosts, cfg.name).catch(() => undefined);
    if (cfg.networks?.length) await (await import('../../network/index.js')).detachContainerNetworks(e.id).catch(() => undefined);
    try { await rt.killContainer(e.id, 'SIGKILL'); } catch { /* not started */ }
    try { await rt.deleteContainer(e.id, true); } catch { /* nothing */ }
    if (conmonPid > 0) { try { process.kill(conmonPid, 'SIGKILL'); } catch { /* gone */ } }
    await unmountRootfs(ctrDir);
    await store.patch(e.id, (x) => { x.state = e.state === 'configured' ? 'created' : e.state; x.pid = 0; x.conmonPid = 0; x.slirpPid = 0; });
    throw err;
  }
  if (cfg.conmonPidfile) { try { writeFileAtomic(cfg.conmonPidfile, `${conmonPid}\n`, 0o644); } catch (err) { log.warn(`writing the conmon PID file ${cfg.conmonPidfile}: ${errorMessage(err)}`); } }
  const now = new Date().toISOString();
  const healthPid = cfg.health && cfg.health.interval > 0 ? startHealthSchedule(e.id, cfg.health, conmonPid) : 0;
  await store.patch(e.id, (x) => {
    Object.assign(x, { healthPid, state: 'running', pid, conmonPid, slirpPid, startedAt: now, finishedAt: '', exitCode: 0, stoppedByUser: false, mounted: true, health: cfg.health ? 'starting' : '', healthFailures: 0 });
  });
  containerEvent('start', { id: e.id, name: cfg.name, image: cfg.imageName, labels: cfg.labels });
  return { id: e.id, name: cfg.name, pid, conmonPid, notified: Promise.resolve() };
}

/** A namespace of another (running) container, as an OCI namespace path. */
function joinNamespace(store: ContainerStore, input: string, ns: string, what: string): { path: string } {
  const other = syncedState(store.resolve(input));
  if (other.state !== 'running' || !other.pid) throw new ConflictError(`cannot join the ${what} of container ${input}: it is not running`);
  return { path: `/proc/${other.pid}/ns/${ns}` };
}

/**
 * --hostuser: the host's passwd entry of each user (by name or UID) appended to the container's
 * /etc/passwd when it has no such user yet; a user the host does not know cannot start (126, as Podman).
 */
function addHostUsers(rootfs: string, users: string[]): void {
  const host = fs.readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean).map((l) => l.split(':'));
  const file = secureJoin(rootfs, '/etc/passwd');
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { /* none yet */ }
  const have = new Set(text.split('\n').map((l) => l.split(':')[0]));
  for (const u of users) {
    const entry = host.find((f) => f[0] === u || (/^\d+$/.test(u) && f[2] === u));
    if (!entry) throw new TspodError(`--hostuser: user "${u}" is not in the host's /etc/passwd`, 'EHOSTUSER', 126);
    if (have.has(entry[0])) continue;
    text += `${text && !text.endsWith('\n') ? '\n' : ''}${entry.join(':')}\n`;
    have.add(entry[0]);
  }
  fs.writeFileSync(file, text, { mode: 0o644 });
}

/** Mappings for --userns=keep-id (container/keep-id.ts), sized to tspod's rootless namespace. */
async function keepIdSetup(value: string) {
  const { parseUserns, keepIdMappings, fuseMapping } = await import('../../container/keep-id.js');
  const ids = parseUserns(value, hostUid(), hostGid()).keepId!;
  const spec = keepIdMappings(ids);
  return { ids, spec, fuse: { uid: fuseMapping(spec.uidMappings), gid: fuseMapping(spec.gidMappings) } };
}

/** Options of one start (not kept with the container). */
export interface StartOptions {
  /** run --preserve-fds N: this process's fds 3..3+N-1 are passed to the container process. */
  preserveFds?: number | undefined;
}

/** beforeStart runs after `runc create`, before `runc start` (attach uses it); not called if the container is already running. */
export async function startContainer(nameOrId: string, beforeStart?: (id: string) => Promise<void>, o: StartOptions = {}): Promise<StartReport> {
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
      return startLocked(store, cur, beforeStart, proxy?.dir, o);
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

function lexists(p: string): boolean {
  try { fs.lstatSync(p); return true; } catch { return false; }
}
