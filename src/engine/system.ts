// Engine API: info, version, reset, disk usage.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageStore, removeTree } from '../image/store.js';
import { run, which } from '../util/exec.js';
import { hostGid, hostUid, isRootless, paths } from '../util/paths.js';
import { readSubIds, userName } from '../rootless/idmap.js';
import { readJSON } from '../state/atomic.js';
import { log } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import { pauseDir } from '../rootless/pause.js';
import { containerImageRefs } from './refs.js';

import { goArch, version } from './version.js';

async function toolVersion(name: string): Promise<{ path: string; version: string; package: string } | undefined> {
  const p = which(name);
  if (!p) return undefined;
  const r = await run(p, ['--version'], { reject: false, timeout: 5000 });
  const first = (r.stdout || r.stderr).split('\n').filter(Boolean).slice(0, name === 'runc' ? 3 : 1).join('\n');
  return { path: p, version: first, package: '' };
}

export interface Prerequisite { name: string; ok: boolean; detail: string }

/** The rootless prerequisites, each with the fix when missing. */
export function checkPrerequisites(): Prerequisite[] {
  const out: Prerequisite[] = [];
  const uid = hostUid();
  const user = userName(uid);
  const rootless = isRootless();
  if (rootless) {
    out.push({ name: 'subuid', ok: readSubIds('/etc/subuid', uid, user).length > 0, detail: `no subuid range for user "${user}" in /etc/subuid: run "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}" as root` });
    out.push({ name: 'subgid', ok: readSubIds('/etc/subgid', uid, user).length > 0, detail: `no subgid range for user "${user}" in /etc/subgid: run "usermod --add-subgids 100000-165535 ${user}" as root` });
    for (const t of ['newuidmap', 'newgidmap']) {
      const p = which(t);
      let setuid = false;
      try { const st = fs.statSync(p ?? ''); setuid = (st.mode & 0o4000) !== 0 && st.uid === 0; } catch { /* missing */ }
      out.push({ name: t, ok: !!p && setuid, detail: p ? `${p} is not setuid root: run "chmod u+s ${p}" as root (or reinstall the uidmap package)` : `${t} not found: install the uidmap package` });
    }
    let fuseOk = false;
    try { fs.accessSync('/dev/fuse', fs.constants.R_OK | fs.constants.W_OK); fuseOk = true; } catch { /* no */ }
    out.push({ name: '/dev/fuse', ok: fuseOk, detail: '/dev/fuse is not accessible to this user: run "chmod 0666 /dev/fuse" as root (fuse-overlayfs needs it)' });
    let tunOk = false;
    try { fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK); tunOk = true; } catch { /* no */ }
    out.push({ name: '/dev/net/tun', ok: tunOk, detail: '/dev/net/tun is not accessible to this user: run "chmod 0666 /dev/net/tun" as root (slirp4netns needs it)' });
  }
  for (const [t, pkg] of [['runc', 'runc'], ['conmon', 'conmon'], ['fuse-overlayfs', 'fuse-overlayfs'], ['slirp4netns', 'slirp4netns']] as const) {
    if (t === 'slirp4netns' && !rootless) continue;
    out.push({ name: t, ok: !!which(t), detail: `${t} not found: install the ${pkg} package` });
  }
  return out;
}

function cgroupVersion(): 'v1' | 'v2' {
  try { return fs.statSync('/sys/fs/cgroup/cgroup.controllers').isFile() ? 'v2' : 'v1'; } catch { return 'v1'; }
}

export async function info(): Promise<Record<string, unknown>> {
  const p = paths();
  const store = new ImageStore();
  let images = 0;
  try { images = store.listImages().length; } catch { images = -1; }
  const cidx = readJSON<{ containers: Array<{ state?: string }> }>(path.join(p.root, 'containers', 'containers.json'), { containers: [] });
  const cs = Array.isArray(cidx.containers) ? cidx.containers : [];
  const [runc, conmon, fo, slirp] = await Promise.all(['runc', 'conmon', 'fuse-overlayfs', 'slirp4netns'].map(toolVersion));
  const uid = hostUid(), gid = hostGid();
  const user = userName(uid);
  const su = readSubIds('/etc/subuid', uid, user)[0];
  const sg = readSubIds('/etc/subgid', gid === uid ? uid : uid, user)[0];
  const { searchRegistries } = await import('../registry/registries-conf.js').catch(() => ({ searchRegistries: () => ['docker.io'] }));
  const seccompPath = fs.existsSync('/usr/share/containers/seccomp.json') ? '/usr/share/containers/seccomp.json' : '';
  const prereq = checkPrerequisites();
  const mem = os.totalmem();
  return {
    host: {
      arch: goArch(),
      os: os.platform(),
      kernel: os.release(),
      hostname: os.hostname(),
      cpus: os.cpus().length,
      memTotal: mem,
      memFree: os.freemem(),
      uptime: `${Math.floor(os.uptime())}s`,
      cgroupVersion: cgroupVersion(),
      cgroupManager: 'cgroupfs',
      cgroupControllers: [],
      conmon: conmon ?? null,
      ociRuntime: runc ? { name: 'runc', ...runc } : null,
      slirp4netns: slirp ? { executable: slirp.path, version: slirp.version, package: '' } : null,
      security: {
        rootless: isRootless(),
        seccompEnabled: !!seccompPath,
        seccompProfilePath: seccompPath,
        capabilities: 'CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT',
        selinuxEnabled: false,
        apparmorEnabled: false,
      },
      idMappings: isRootless() ? {
        uidmap: [{ container_id: 0, host_id: uid, size: 1 }, ...(su ? [{ container_id: 1, host_id: su.start, size: su.count }] : [])],
        gidmap: [{ container_id: 0, host_id: gid, size: 1 }, ...(sg ? [{ container_id: 1, host_id: sg.start, size: sg.count }] : [])],
      } : null,
      prerequisites: prereq.map((x) => ({ name: x.name, ok: x.ok, ...(x.ok ? {} : { fix: x.detail }) })),
      eventLogger: 'file',
      logDriver: 'k8s-file',
      distribution: distribution(),
      // tspod's own: slirp4netns per container, user networks in a rootless network namespace
      networkBackend: 'tspod',
      remoteSocket: remoteSocket(),
    },
    store: {
      configFile: path.join(p.configDir, 'storage.conf'),
      graphRoot: p.root,
      runRoot: p.runroot,
      graphDriverName: 'overlay',
      graphOptions: { 'overlay.mount_program': { Executable: fo?.path ?? '', Version: fo?.version ?? '', Package: '' } },
      imageStore: { number: images },
      containerStore: {
        number: cs.length,
        running: cs.filter((c) => c.state === 'running').length,
        paused: cs.filter((c) => c.state === 'paused').length,
        stopped: cs.filter((c) => c.state !== 'running' && c.state !== 'paused').length,
      },
      volumePath: path.join(p.root, 'volumes'),
    },
    registries: { search: searchRegistries() },
    version: version().Client,
  };
}

/** /etc/os-release's ID, VERSION_ID and VERSION_CODENAME, as Podman's host.distribution. */
function distribution(): { distribution: string; version: string; codename: string; variant?: string } {
  const kv = new Map<string, string>();
  try {
    for (const l of fs.readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(l.trim());
      if (m) kv.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
    }
  } catch { /* none */ }
  return { distribution: kv.get('ID') ?? 'unknown', version: kv.get('VERSION_ID') ?? 'unknown', codename: kv.get('VERSION_CODENAME') ?? '' };
}

/** Where `system service` listens by default (src/api/listen.ts), and whether it is there. */
function remoteSocket(): { path: string; exists: boolean } {
  const rt = process.env['XDG_RUNTIME_DIR'];
  const p = path.join(rt ? path.join(rt, 'tspod') : path.join(process.env['TMPDIR'] || '/tmp', `tspod-${hostUid()}`), 'tspod.sock');
  let exists = false;
  try { exists = fs.statSync(p).isSocket(); } catch { /* not there */ }
  return { path: `unix://${p}`, exists };
}

/** Remove all tspod state. Works even when state files are corrupt. */
export async function reset(): Promise<void> {
  const p = paths();
  // Stop and remove every container first (conmon, the container, slirp4netns and the
  // rootfs mount would otherwise outlive the reset), then the pause process. Best effort:
  // reset must work even when the state is corrupt.
  try {
    const { removeContainers } = await import('./container/index.js');
    await removeContainers([], { all: true, force: true, timeout: 0 });
  } catch (err) { log.debug(`reset: removing containers: ${errorMessage(err)}`); }
  // RUN steps of builds that were killed (their container, mount and helpers outlived them)
  try { await (await import('../build/leftovers.js')).reapBuildLeftovers(); } catch (err) { log.debug(`reset: build leftovers: ${errorMessage(err)}`); }
  killPauseProcess();
  try {
    const { resetNetworking } = await import('../network/index.js');
    await resetNetworking();
  } catch { /* no user networks */ }
  for (const dir of [p.root, p.runroot]) {
    if (!fs.existsSync(dir)) continue;
    await unmountUnder(dir);
    removeTree(dir);
  }
}

async function unmountUnder(dir: string): Promise<void> {
  let mounts = '';
  try { mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return; }
  const points = mounts.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)));
  for (const m of points.sort((a, b) => b.length - a.length)) {
    await run('fusermount3', ['-u', '-z', m], { reject: false });
    await run('umount', ['-l', m], { reject: false });
  }
}

export interface DiskUsageReport {
  Images: Array<{ Repository: string; Tag: string; ImageID: string; Created: number; Size: number; SharedSize: number; UniqueSize: number; Containers: number }>;
  Totals: { Images: { Total: number; Active: number; Size: number; Reclaimable: number }; Layers: { Total: number; Size: number; Blobs: number } };
}

/** Disk usage counting each shared layer once. */
export function diskUsage(): DiskUsageReport {
  const store = new ImageStore();
  const idx = store.read();
  const sizes = new Map(idx.layers.map((l) => [l.id, l.size]));
  const users = new Map<string, number>();
  for (const img of idx.images) for (const l of new Set(img.layers)) users.set(l, (users.get(l) ?? 0) + 1);
  const inUse = containerImageRefs(store.root);
  const images = idx.images.map((img) => {
    let shared = 0, unique = 0;
    for (const l of new Set(img.layers)) {
      const s = sizes.get(l) ?? 0;
      if ((users.get(l) ?? 0) > 1) shared += s; else unique += s;
    }
    const n = img.names[0] ?? '<none>:<none>';
    const c = n.lastIndexOf(':');
    return { Repository: n.slice(0, c), Tag: n.slice(c + 1), ImageID: img.id, Created: Math.floor(Date.parse(img.created) / 1000), Size: shared + unique, SharedSize: shared, UniqueSize: unique, Containers: inUse.get(img.id) ?? 0 };
  });
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  let blobs = 0;
  try { for (const n of fs.readdirSync(path.join(store.dir, 'blobs', 'sha256'))) blobs += fs.statSync(path.join(store.dir, 'blobs', 'sha256', n)).size; } catch { /* none */ }
  const active = images.filter((i) => i.Containers > 0);
  const activeLayers = new Set(idx.images.filter((i) => (inUse.get(i.id) ?? 0) > 0).flatMap((i) => i.layers));
  const reclaim = [...sizes.entries()].filter(([id]) => !activeLayers.has(id)).reduce((a, [, s]) => a + s, 0);
  return { Images: images, Totals: { Images: { Total: images.length, Active: active.length, Size: total, Reclaimable: reclaim }, Layers: { Total: sizes.size, Size: total, Blobs: blobs } } };
}


/** Kill the pause process (its namespace dies with it; a new one is made on demand). */
function killPauseProcess(): void {
  let pid: number;
  try { pid = Number(fs.readFileSync(path.join(pauseDir(), 'pause.pid'), 'utf8').trim()); } catch { return; }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    // a pause holder of ours (unshare/catatonit/sleep), not a recycled pid; inside the
    // namespace /proc shows our own uid as 0, so the owner check only applies outside
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    if (process.getuid?.() !== 0 && Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== hostUid()) return;
    if (!/unshare|catatonit|sleep/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return;
    process.kill(pid, 'SIGKILL');
  } catch { /* gone */ }
}
