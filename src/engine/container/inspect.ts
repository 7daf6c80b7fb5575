// inspect, rename, prune, exists, port, top.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerStore } from '../../container/store.js';
import { type PortMapping } from '../../container/types.js';
import { rootfsPaths, secureJoin, isMounted } from '../../container/rootfs.js';
import { validName } from '../../container/names.js';
import { VolumeStore } from '../../volume/store.js';
import { paths } from '../../util/paths.js';
import { ConflictError, InvalidArgumentError } from '../../util/errors.js';
import { syncAll, syncedState } from './state.js';
import { pruneFilter } from '../../util/filters.js';
import { containerEvent } from '../events.js';
import { humanSizeCompact } from '../../format/units.js';

/** Podman's inspect document of a container; with `size`, SizeRw (its writable layer) and SizeRootFs (that and its image). */
export async function inspectContainer(input: string, o: { size?: boolean | undefined } = {}): Promise<Record<string, unknown>> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  const cfg = store.readConfig(e.id);
  const ud = store.userdata(e.id);
  const rf = rootfsPaths(store.ctrDir(e.id));
  const attachment = cfg.networks?.length && e.state === 'running' ? (await import('../../network/attach.js')).containerAttachment(e.id) : undefined;
  const first = attachment?.attachments[0];
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of cfg.ports) (portBindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
  const volumes = new VolumeStore();
  let sizes: { SizeRw: number; SizeRootFs: number } | undefined;
  if (o.size) {
    const { containerSizes } = await import('./size.js');
    const rw = (await containerSizes([e.id])).get(e.id) ?? 0;
    const { ImageStore } = await import('../../image/store.js');
    const idx = new ImageStore().read();
    const layers = new Map(idx.layers.map((l) => [l.id, l.size ?? 0]));
    const img = idx.images.find((x) => x.id === e.image);
    sizes = { SizeRw: rw, SizeRootFs: rw + (img?.layers ?? []).reduce((n, l) => n + (layers.get(l) ?? 0), 0) };
  }
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
    ImageDigest: cfg.imageDigest ?? '',
    ImageName: cfg.imageName,
    Rootfs: '',
    Pod: cfg.pod ?? '',
    ResolvConfPath: path.join(ud, 'resolv.conf'),
    HostnamePath: path.join(ud, 'hostname'),
    HostsPath: path.join(ud, 'hosts'),
    StaticDir: ud,
    OCIConfigPath: path.join(ud, 'config.json'),
    OCIRuntime: cfg.ociRuntime ?? 'runc',
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
    ...sizes,
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
      Healthcheck: cfg.health ? { Test: cfg.health.test, Interval: cfg.health.interval * 1e6, Timeout: cfg.health.timeout * 1e6, Retries: cfg.health.retries, StartPeriod: cfg.health.startPeriod * 1e6, ...(cfg.health.startInterval ? { StartInterval: cfg.health.startInterval * 1e6 } : {}) } : undefined,
      ExposedPorts: Object.fromEntries((cfg.exposedPorts ?? cfg.ports.map((p) => `${p.containerPort}/${p.protocol}`)).map((k) => [k, {}])),
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
      LogConfig: { Type: cfg.logDriver, Config: cfg.logOpts, Path: cfg.logPath, Tag: cfg.logOpts['tag'] ?? '', Size: humanSizeCompact(cfg.logSize ?? 0) },
      Devices: (cfg.devices ?? []).map((d) => ({ PathOnHost: d.source, PathInContainer: d.destination, CgroupPermissions: d.permissions })),
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
  containerEvent('rename', { id: e.id, name: newName, image: e.imageName, labels: e.labels });
}

/** Remove every container that is not running (and matches `filters`: label, label!, until); the removed IDs. */
export async function pruneContainers(filters?: string[]): Promise<string[]> {
  const keep = pruneFilter(filters, 'container');
  const list = await syncAll();
  const ids = list.filter((c) => (c.state === 'exited' || c.state === 'created' || c.state === 'configured') && keep({ labels: c.labels, created: c.created })).map((c) => c.id);
  // loaded here: removal brings stop, cleanup and the runtime, which inspect, port and top never need
  const { removeContainers } = await import('./remove.js');
  const reps = await removeContainers(ids, { force: false });
  return reps.filter((r) => !r.error).map((r) => r.id);
}

export function containerExists(input: string): boolean {
  try { new ContainerStore().resolve(input); return true; } catch { return false; }
}

/** containerExists, or a container runc runs for tspod that its store does not know (what `ps --external` lists), by ID, ID prefix or name. */
export async function containerExistsExternal(input: string): Promise<boolean> {
  if (containerExists(input)) return true;
  const { externalContainers } = await import('./state.js');
  const prefix = /^[0-9a-f]+$/.test(input);
  return (await externalContainers(new Set())).some((r) => r.Id === input || r.NamesList.includes(input) || (prefix && r.Id.startsWith(input)));
}

export async function portsOf(input: string): Promise<PortMapping[]> {
  const store = new ContainerStore();
  return store.resolve(input).ports;
}

export async function topContainer(input: string): Promise<string[][]> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  if (e.state !== 'running') throw new ConflictError(`top can only be used on running containers: container state improper`);
  const { pidsInNamespace } = await import('../../runtime/procs.js');
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
  // one scan of /proc for the container's processes (each row's parent is looked up in it)
  const pids = pidsInNamespace(e.pid);
  const inNamespace = new Set(pids);
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const nspid = /NSpid:\s+(.*)/.exec(status)?.[1]?.trim().split(/\s+/).pop() ?? String(pid);
      const uidLine = /Uid:\s+(\d+)/.exec(status)?.[1] ?? '0';
      const ppidHost = Number(rest[1]);
      let ppid = '0';
      if (inNamespace.has(ppidHost)) {
        try { ppid = /NSpid:\s+(.*)/.exec(fs.readFileSync(`/proc/${ppidHost}/status`, 'utf8'))?.[1]?.trim().split(/\s+/).pop() ?? '0'; } catch { ppid = '0'; }
      }
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


