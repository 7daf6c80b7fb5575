// OCI runtime spec (config.json) generation. Pure: everything that depends on the
// host (the seccomp profile, rlimit defaults, file paths) is passed in, so the
// result is a function of SpecOptions alone and is unit-testable.
//
// The defaults are Podman's, as Podman 4.3 writes them for a rootless container on
// this machine (checked with `podman init` + config.json): the same mounts, masked
// and read-only /proc paths, capabilities and sysctls.
import * as path from 'node:path';
import { InvalidArgumentError } from '../util/errors.js';
import { resolveCapabilities } from './capabilities.js';
import type { OCICapabilities, OCIIDMapping, OCIMount, OCINamespace, OCIResources, OCIRlimit, OCISeccomp, OCISpec } from './oci-types.js';

export const OCI_VERSION = '1.0.2-dev';
/** Where the init binary (catatonit) is bind-mounted in the container, as Podman does. */
export const INIT_PATH = '/run/podman-init';
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024; // 65536k
/** Podman's wording for resource flags on a system where they cannot be applied. */
export const RESOURCES_IGNORED_WARNING = 'Resource limits are not supported and ignored on cgroups V1 rootless systems';

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux', '/sys/dev/block',
];
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

export type NamespaceMode = 'private' | 'host' | { path: string };
/** 'none' and 'private' both mean a new network namespace with only `lo`. */
export type NetworkMode = 'private' | 'none' | 'host' | { path: string };

export type UserMount =
  | { type: 'bind' | 'volume'; source: string; destination: string; readonly?: boolean | undefined; options?: string[] | undefined }
  | { type: 'tmpfs'; destination: string; readonly?: boolean | undefined; options?: string[] | undefined };

export interface Ulimit {
  /** `nofile`, `NOFILE` or `RLIMIT_NOFILE`. */
  name: string;
  soft: number;
  hard: number;
}

export interface ResourceLimits {
  /** Bytes. */
  memory?: number | undefined;
  memoryReservation?: number | undefined;
  /** Bytes of memory+swap; -1 for unlimited. */
  memorySwap?: number | undefined;
  /** Fractional CPUs (`--cpus 1.5`). */
  cpus?: number | undefined;
  cpuShares?: number | undefined;
  cpusetCpus?: string | undefined;
  pidsLimit?: number | undefined;
}

export interface SpecOptions {
  args: string[];
  env?: string[] | undefined;
  /** Default variables (PATH, TERM, container, HOSTNAME) not to add: these names, or 'all'. */
  unsetEnv?: string[] | 'all' | undefined;
  cwd?: string | undefined;
  user?: { uid: number; gid: number; additionalGids?: number[] | undefined; umask?: number | undefined } | undefined;
  terminal?: boolean | undefined;
  hostname?: string | undefined;
  /** Host path of the (mounted) root filesystem. */
  rootfs: string;
  readonlyRootfs?: boolean | undefined;
  /** With readonlyRootfs: tmpfs on /tmp, /var/tmp and /run (Podman's --read-only-tmpfs, default true). */
  readonlyTmpfs?: boolean | undefined;
  mounts?: UserMount[] | undefined;
  capAdd?: string[] | undefined;
  capDrop?: string[] | undefined;
  privileged?: boolean | undefined;
  noNewPrivileges?: boolean | undefined;
  /** The converted profile (see seccomp.ts); undefined = unconfined. Ignored when privileged. */
  seccomp?: OCISeccomp | undefined;
  network?: NetworkMode | undefined;
  pid?: NamespaceMode | undefined;
  ipc?: NamespaceMode | undefined;
  uts?: NamespaceMode | undefined;
  /** Replace the default masked / read-only paths. */
  maskedPaths?: string[] | undefined;
  readonlyPaths?: string[] | undefined;
  sysctls?: Record<string, string> | undefined;
  ulimits?: Ulimit[] | undefined;
  /** rlimits used when the caller gives no --ulimit for that resource (see rlimits.ts). */
  defaultRlimits?: OCIRlimit[] | undefined;
  /** /dev/shm size in bytes (tmpfs), default 64 MiB. */
  shmSize?: number | undefined;
  /** Bind this host directory on /dev/shm instead of a private tmpfs. */
  shmPath?: string | undefined;
  annotations?: Record<string, string> | undefined;
  resources?: ResourceLimits | undefined;
  /** Whether cgroup limits can be applied (false for rootless on cgroups v1). Default: !rootless. */
  cgroupsAvailable?: boolean | undefined;
  cgroupsPath?: string | undefined;
  oomScoreAdj?: number | undefined;
  /** Run the command under this init binary (host path of catatonit), bind-mounted at INIT_PATH. */
  init?: { path: string } | undefined;
  rootless?: boolean | undefined;
  /**
   * A user namespace of the container's own with these mappings (--userns=keep-id), or
   * another container's, joined by path (a keep-id pod's member joins its infra container's).
   */
  userns?: { uidMappings: OCIIDMapping[]; gidMappings: OCIIDMapping[]; /** join this one (runc wants its mappings too) */ path?: string | undefined } | undefined;
  /** Files bind-mounted on /etc/hosts, /etc/hostname, /etc/resolv.conf, /run/.containerenv. */
  hostsFile?: string | undefined;
  hostnameFile?: string | undefined;
  resolvConfFile?: string | undefined;
  containerEnvFile?: string | undefined;
  /** Host device nodes to bind into the container (rootless cannot mknod). */
  devices?: Array<{ source: string; destination?: string | undefined }> | undefined;
  /** gid= option for /dev/pts (the tty group); null to omit when gid 5 is not mapped. Default 5. */
  devptsGid?: number | null | undefined;
}

export interface GeneratedSpec {
  spec: OCISpec;
  warnings: string[];
}

const RLIMITS = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

/** `nofile` / `NOFILE` / `RLIMIT_NOFILE` -> `RLIMIT_NOFILE`. */
export function rlimitType(name: string): string {
  const n = name.trim().toLowerCase().replace(/^rlimit_/, '');
  if (!RLIMITS.includes(n)) throw new InvalidArgumentError(`invalid ulimit type: ${name}`);
  return `RLIMIT_${n.toUpperCase()}`;
}

// Sysctls that are namespaced (so a container may set them), as runc validates.
const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
const UTS_SYSCTLS = ['kernel.domainname', 'kernel.hostname'];

function checkSysctl(name: string, ns: { network: boolean; ipc: boolean; uts: boolean }): void {
  if (name.startsWith('net.')) {
    if (!ns.network) throw new InvalidArgumentError(`sysctl "${name}" cannot be set since Network Namespace set to host`);
    return;
  }
  if (IPC_SYSCTLS.includes(name) || name.startsWith('fs.mqueue.')) {
    if (!ns.ipc) throw new InvalidArgumentError(`sysctl "${name}" cannot be set since IPC Namespace set to host`);
    return;
  }
  if (UTS_SYSCTLS.includes(name)) {
    if (!ns.uts) throw new InvalidArgumentError(`sysctl "${name}" cannot be set since UTS Namespace set to host`);
    return;
  }
  throw new InvalidArgumentError(`sysctl "${name}" is not allowed (only namespaced sysctls: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)`);
}

function namespaceEntry(type: OCINamespace['type'], mode: NamespaceMode | NetworkMode | undefined): OCINamespace | undefined {
  if (mode === 'host') return undefined;
  if (mode === undefined || mode === 'private' || mode === 'none') return { type };
  if (!mode.path || !path.isAbsolute(mode.path)) throw new InvalidArgumentError(`${type} namespace path must be absolute: "${mode.path}"`);
  return { type, path: mode.path };
}

function depth(dest: string): number {
  return path.posix.normalize(dest).split('/').filter(Boolean).length;
}

function checkDestination(dest: string): string {
  if (!path.posix.isAbsolute(dest)) throw new InvalidArgumentError(`mount destination must be an absolute path: "${dest}"`);
  const n = path.posix.normalize(dest);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

// SELinux relabel and idmap options are meaningless here (no SELinux, no per-mount
// idmap); drop them rather than hand runc options it rejects.
const IGNORED_MOUNT_OPTIONS = new Set(['z', 'Z', 'U', 'O', 'idmap']);

function userMount(m: UserMount): OCIMount {
  const destination = checkDestination(m.destination);
  const extra = (m.options ?? []).filter((o) => !IGNORED_MOUNT_OPTIONS.has(o));
  if (m.type === 'tmpfs') {
    // as Podman: the tmpfs starts with what the image has at that path (runc's tmpcopyup), unless notmpcopyup
    const copyUp = extra.includes('notmpcopyup') || extra.includes('tmpcopyup') ? [] : ['tmpcopyup'];
    const opts = ['rw', 'rprivate', 'noexec', 'nosuid', 'nodev', ...extra.filter((o) => o !== 'notmpcopyup'), ...copyUp];
    if (m.readonly) opts.push('ro');
    return { destination, type: 'tmpfs', source: 'tmpfs', options: opts };
  }
  if (!path.isAbsolute(m.source)) throw new InvalidArgumentError(`bind mount source must be an absolute path: "${m.source}"`);
  const hasBind = extra.includes('bind') || extra.includes('rbind');
  const hasProp = extra.some((o) => /^r?(private|shared|slave|unbindable)$/.test(o));
  const opts = [...(hasBind ? [] : ['rbind']), ...(hasProp ? [] : ['rprivate']), ...extra];
  if (m.readonly && !opts.includes('ro')) opts.push('ro');
  return { destination, type: 'bind', source: m.source, options: opts };
}

function resourcesRequested(r: ResourceLimits | undefined): boolean {
  if (!r) return false;
  return Object.values(r).some((v) => v !== undefined);
}

function ociResources(r: ResourceLimits): OCIResources {
  const res: OCIResources = {};
  if (r.memory !== undefined || r.memoryReservation !== undefined || r.memorySwap !== undefined) {
    res.memory = {};
    if (r.memory !== undefined) res.memory.limit = r.memory;
    if (r.memoryReservation !== undefined) res.memory.reservation = r.memoryReservation;
    if (r.memorySwap !== undefined) res.memory.swap = r.memorySwap;
    else if (r.memory !== undefined) res.memory.swap = 2 * r.memory; // Podman/Docker default: swap = 2 x memory
  }
  if (r.cpus !== undefined || r.cpuShares !== undefined || r.cpusetCpus !== undefined) {
    res.cpu = {};
    if (r.cpus !== undefined) {
      if (!(r.cpus > 0)) throw new InvalidArgumentError(`invalid --cpus value ${r.cpus}: must be greater than 0`);
      res.cpu.period = 100000;
      res.cpu.quota = Math.round(r.cpus * 100000);
    }
    if (r.cpuShares !== undefined) res.cpu.shares = r.cpuShares;
    if (r.cpusetCpus !== undefined) res.cpu.cpus = r.cpusetCpus;
  }
  if (r.pidsLimit !== undefined) res.pids = { limit: r.pidsLimit };
  return res;
}

function hasEnv(env: string[], name: string): boolean {
  return env.some((e) => e === name || e.startsWith(`${name}=`));
}

/** Build the OCI spec for a container. Throws InvalidArgumentError on bad input. */
export function generateSpec(opts: SpecOptions): GeneratedSpec {
  const warnings: string[] = [];
  if (!opts.args.length) throw new InvalidArgumentError('no command specified for the container');
  if (!path.isAbsolute(opts.rootfs)) throw new InvalidArgumentError(`rootfs must be an absolute path: "${opts.rootfs}"`);
  const rootless = opts.rootless ?? false;
  const privileged = opts.privileged ?? false;
  const netns = namespaceEntry('network', opts.network ?? 'private');
  const pidns = namespaceEntry('pid', opts.pid);
  const ipcns = namespaceEntry('ipc', opts.ipc);
  const utsns = namespaceEntry('uts', opts.uts);

  // --- process
  const user = opts.user ?? { uid: 0, gid: 0 };
  const caps = resolveCapabilities({ capAdd: opts.capAdd, capDrop: opts.capDrop, privileged });
  let capabilities: OCICapabilities;
  if (user.uid === 0) {
    capabilities = { bounding: caps, effective: caps, permitted: caps };
  } else {
    // A non-root user gets only what was added explicitly (Podman), via the ambient set.
    const added = resolveCapabilities({ capDrop: ['ALL'], capAdd: (opts.capAdd ?? []).filter((c) => c.toUpperCase() !== 'ALL') })
      .filter((c) => caps.includes(c));
    capabilities = { bounding: caps, effective: added, permitted: added, inheritable: added, ambient: added };
  }

  const env = [...(opts.env ?? [])];
  // defaults unless --unsetenv NAME / --unsetenv-all took them away
  const unset = opts.unsetEnv === 'all' ? undefined : new Set(opts.unsetEnv ?? []);
  const dflt = (k: string) => unset !== undefined && !unset.has(k) && !hasEnv(env, k);
  if (dflt('PATH')) env.unshift(DEFAULT_PATH_ENV);
  if (dflt('TERM')) env.push('TERM=xterm');
  if (dflt('container')) env.push('container=tspod');
  if (opts.hostname && dflt('HOSTNAME')) env.push(`HOSTNAME=${opts.hostname}`);

  const rlimits = new Map<string, OCIRlimit>();
  for (const r of opts.defaultRlimits ?? []) rlimits.set(r.type, { ...r });
  for (const u of opts.ulimits ?? []) {
    const type = rlimitType(u.name);
    if (u.soft > u.hard && u.hard >= 0) throw new InvalidArgumentError(`ulimit ${u.name}: soft limit ${u.soft} is greater than hard limit ${u.hard}`);
    rlimits.set(type, { type, soft: u.soft, hard: u.hard });
  }

  let args = [...opts.args];
  if (opts.init) {
    if (!pidns) throw new InvalidArgumentError('--init cannot be used with the host PID namespace');
    args = [INIT_PATH, '--', ...args];
  }

  const cwd = opts.cwd || '/';
  if (!path.posix.isAbsolute(cwd)) throw new InvalidArgumentError(`working directory must be an absolute path: "${cwd}"`);

  const spec: OCISpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: opts.terminal ?? false,
      user: {
        uid: user.uid,
        gid: user.gid,
        umask: user.umask ?? 0o022,
        ...(user.additionalGids?.length ? { additionalGids: [...user.additionalGids] } : {}),
      },
      args,
      env,
      cwd,
      capabilities,
      ...(rlimits.size ? { rlimits: [...rlimits.values()] } : {}),
      noNewPrivileges: privileged ? false : (opts.noNewPrivileges ?? false),
      ...(opts.oomScoreAdj !== undefined ? { oomScoreAdj: opts.oomScoreAdj } : {}),
    },
    root: { path: opts.rootfs, ...(opts.readonlyRootfs ? { readonly: true } : {}) },
    mounts: [],
    linux: { namespaces: [] },
  };
  if (opts.hostname && utsns) spec.hostname = opts.hostname;
  else if (opts.hostname && !utsns) throw new InvalidArgumentError('cannot set the hostname with the host UTS namespace');

  // --- mounts
  const ro = opts.readonlyRootfs ? ['ro'] : [];
  const mounts: OCIMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts', type: 'devpts', source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(opts.devptsGid === null ? [] : [`gid=${opts.devptsGid ?? 5}`])],
    },
    ipcns
      ? { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] }
      : { destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['rbind', 'nosuid', 'noexec', 'nodev'] },
  ];
  if (opts.shmPath) {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: opts.shmPath, options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
  } else if (ipcns) {
    const size = opts.shmSize ?? DEFAULT_SHM_SIZE;
    if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError(`invalid shm size ${size}`);
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${Math.ceil(size / 1024)}k`] });
  } else {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] });
  }
  // sysfs can only be mounted by the owner of the network namespace: in rootless
  // mode with the host network, bind the host's /sys read-only instead.
  if (rootless && !netns) {
    // 'rro' (runc >= 1.1, kernel >= 5.12) makes the submounts (/sys/fs/cgroup/*) read-only too.
    mounts.push({ destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', ...(privileged ? ['rw'] : ['ro', 'rro']), 'rbind'] });
  } else {
    mounts.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] });
    mounts.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] });
  }
  const fileBind = (destination: string, source: string | undefined): void => {
    if (!source) return;
    if (!path.isAbsolute(source)) throw new InvalidArgumentError(`${destination} source must be an absolute path: "${source}"`);
    mounts.push({ destination, type: 'bind', source, options: ['bind', 'rprivate', ...ro] });
  };
  fileBind('/etc/hosts', opts.hostsFile);
  fileBind('/etc/hostname', opts.hostnameFile);
  fileBind('/etc/resolv.conf', opts.resolvConfFile);
  fileBind('/run/.containerenv', opts.containerEnvFile);
  if (opts.init) {
    if (!path.isAbsolute(opts.init.path)) throw new InvalidArgumentError(`init path must be absolute: "${opts.init.path}"`);
    mounts.push({ destination: INIT_PATH, type: 'bind', source: opts.init.path, options: ['bind', 'ro', 'rprivate'] });
  }
  if (opts.readonlyRootfs && (opts.readonlyTmpfs ?? true)) {
    for (const d of ['/tmp', '/var/tmp', '/run']) {
      mounts.push({ destination: d, type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] });
    }
  }
  for (const d of opts.devices ?? []) {
    if (!path.isAbsolute(d.source)) throw new InvalidArgumentError(`device path must be absolute: "${d.source}"`);
    mounts.push({ destination: checkDestination(d.destination ?? d.source), type: 'bind', source: d.source, options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'rw'] });
  }
  // A user mount replaces a default one on the same destination.
  const user_ = (opts.mounts ?? []).map(userMount);
  const seen = new Set<string>();
  for (const m of user_) {
    if (seen.has(m.destination)) throw new InvalidArgumentError(`duplicate mount destination "${m.destination}"`);
    seen.add(m.destination);
  }
  const all = mounts.filter((m) => !seen.has(m.destination)).concat(user_);
  // Parents before children: runc mounts in order.
  spec.mounts = all.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map((x) => x.m);

  // --- linux
  spec.linux.namespaces = [pidns, netns, ipcns, utsns, { type: 'mount' as const }].filter((n): n is OCINamespace => n !== undefined);
  if (opts.userns) {
    if (opts.userns.path !== undefined && !path.isAbsolute(opts.userns.path)) throw new InvalidArgumentError(`user namespace path must be absolute: "${opts.userns.path}"`);
    spec.linux.namespaces.unshift(opts.userns.path ? { type: 'user', path: opts.userns.path } : { type: 'user' });
    spec.linux.uidMappings = opts.userns.uidMappings;
    spec.linux.gidMappings = opts.userns.gidMappings;
  }

  const sysctl: Record<string, string> = {};
  if (netns) sysctl['net.ipv4.ping_group_range'] = '0 0';
  for (const [k, v] of Object.entries(opts.sysctls ?? {})) {
    checkSysctl(k, { network: !!netns, ipc: !!ipcns, uts: !!utsns });
    sysctl[k] = v;
  }
  if (Object.keys(sysctl).length) spec.linux.sysctl = sysctl;

  const cgroupsAvailable = opts.cgroupsAvailable ?? !rootless;
  if (resourcesRequested(opts.resources)) {
    if (cgroupsAvailable) spec.linux.resources = ociResources(opts.resources!);
    else warnings.push(RESOURCES_IGNORED_WARNING);
  }
  if (cgroupsAvailable && opts.cgroupsPath) spec.linux.cgroupsPath = opts.cgroupsPath;

  if (!privileged) {
    const masked = [...(opts.maskedPaths ?? DEFAULT_MASKED_PATHS)];
    // With the host's /sys bound in, also hide /sys/kernel (Podman does the same).
    if (!opts.maskedPaths && rootless && !netns && !masked.includes('/sys/kernel')) masked.unshift('/sys/kernel');
    spec.linux.maskedPaths = masked;
    spec.linux.readonlyPaths = [...(opts.readonlyPaths ?? DEFAULT_READONLY_PATHS)];
    if (opts.seccomp) spec.linux.seccomp = opts.seccomp;
  }

  const annotations = { ...(opts.annotations ?? {}) };
  if (Object.keys(annotations).length) spec.annotations = annotations;
  return { spec, warnings };
}
