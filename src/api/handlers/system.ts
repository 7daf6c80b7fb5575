// /_ping, /version, /info, /system/df, /auth.
import * as os from 'node:os';
import { API_VERSION, MIN_API_VERSION, Reply, type Router } from '../router.js';
import { badRequest, ApiError } from '../errors.js';
import { engine, allContainers, TspodError } from '../engine-adapter.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export async function versionReport(): Promise<Record<string, unknown>> {
  const TSPOD_VERSION = (await engine.system.version()).Client.Version;
  const arch = ARCH[process.arch] ?? process.arch;
  const base = { Version: TSPOD_VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: '', GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: arch, KernelVersion: os.release(), BuildTime: '' };
  return { Platform: { Name: `tspod ${TSPOD_VERSION}` }, Components: [{ Name: 'Engine', Version: TSPOD_VERSION, Details: { ...base, Experimental: 'false' } }], ...base, Experimental: false };
}

export async function infoReport(): Promise<Record<string, unknown>> {
  const i = await engine.system.info() as { host: Record<string, unknown>; store: Record<string, unknown> };
  const list = await allContainers();
  const count = (s: string[]) => list.filter((c) => s.includes(c.entry.state)).length;
  let nImages = 0;
  try { nImages = (await engine.images.list()).length; } catch { nImages = 0; }
  const host = i.host;
  const sec = host['security'] as { rootless?: boolean; seccompEnabled?: boolean } | undefined;
  return {
    ID: os.hostname(), Containers: list.length, ContainersRunning: count(['running', 'stopping']), ContainersPaused: count(['paused']),
    ContainersStopped: list.length - count(['running', 'stopping', 'paused']), Images: nImages,
    Driver: 'overlay', DriverStatus: [['Backing Filesystem', 'fuse-overlayfs']], Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file', 'none'] },
    MemoryLimit: false, SwapLimit: false, KernelMemory: false, CpuCfsPeriod: false, CpuCfsQuota: false, CPUShares: false, CPUSet: false, PidsLimit: false,
    IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false, Debug: false, NFd: 0, OomKillDisable: false, NGoroutines: 0,
    SystemTime: new Date().toISOString(), LoggingDriver: 'k8s-file', CgroupDriver: 'cgroupfs', CgroupVersion: host['cgroupVersion'] === 'v2' ? '2' : '1', NEventsListener: 0,
    KernelVersion: os.release(), OperatingSystem: 'tspod', OSVersion: '', OSType: 'linux', Architecture: os.machine?.() ?? process.arch,
    IndexServerAddress: 'https://index.docker.io/v1/', RegistryConfig: { AllowNondistributableArtifactsCIDRs: [], AllowNondistributableArtifactsHostnames: [], InsecureRegistryCIDRs: [], IndexConfigs: {}, Mirrors: [] },
    NCPU: os.cpus().length, MemTotal: os.totalmem(), GenericResources: null, DockerRootDir: String(i.store['graphRoot'] ?? ''),
    HttpProxy: process.env['HTTP_PROXY'] ?? '', HttpsProxy: process.env['HTTPS_PROXY'] ?? '', NoProxy: process.env['NO_PROXY'] ?? '',
    Name: os.hostname(), Labels: [], ExperimentalBuild: false, ServerVersion: (await engine.system.version()).Client.Version,
    Runtimes: { runc: { path: 'runc' } }, DefaultRuntime: 'runc', Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false, Isolation: '', InitBinary: 'catatonit', ContainerdCommit: { ID: '', Expected: '' }, RuncCommit: { ID: '', Expected: '' }, InitCommit: { ID: '', Expected: '' },
    SecurityOptions: [...(sec?.seccompEnabled ? ['name=seccomp,profile=default'] : []), ...(sec?.rootless ? ['name=rootless'] : [])],
    Warnings: host['cgroupVersion'] === 'v1' && sec?.rootless ? ['WARNING: rootless containers on cgroups v1 have no resource limits'] : [],
  };
}

/** Docker's /system/df from the engine's full disk usage. */
export async function systemDf(): Promise<Record<string, unknown>> {
  const du = await engine.system.df();
  const state = (s: string) => (s === 'configured' ? 'created' : s === 'stopping' ? 'running' : s);
  return {
    LayersSize: du.Totals.Layers.Size,
    Images: du.Images.map((i) => ({
      Id: `sha256:${i.ImageID}`, ParentId: '', RepoTags: i.Repository === '<none>' ? [] : [`${i.Repository}:${i.Tag}`], RepoDigests: [], Created: i.Created,
      Size: i.Size, SharedSize: i.SharedSize, VirtualSize: i.Size, Labels: {}, Containers: i.Containers,
    })),
    Containers: du.Containers.map((c) => ({
      Id: c.Id, Names: c.Names.map((n) => `/${n}`), Image: c.Image, ImageID: `sha256:${c.ImageID}`, Command: c.Command, Created: c.Created,
      State: state(c.State), Status: c.Status, SizeRw: c.SizeRw, SizeRootFs: c.SizeRw, Labels: c.Labels, Mounts: [], Ports: [], HostConfig: { NetworkMode: 'default' }, NetworkSettings: { Networks: {} },
    })),
    Volumes: du.Volumes.map((v) => ({ Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: 'local', Options: v.Options, UsageData: { Size: v.Size, RefCount: v.RefCount } })),
    BuildCache: [],
  };
}

/** POST /auth: check the credentials against the registry (nothing is stored: the client keeps them). */
export async function auth(body: Buffer): Promise<Record<string, unknown>> {
  let b: { username?: unknown; password?: unknown; serveraddress?: unknown };
  try { b = JSON.parse(body.toString('utf8') || '{}') as typeof b; } catch { throw badRequest('invalid JSON in the request body'); }
  if (typeof b !== 'object' || b === null) throw badRequest('the request body must be a JSON object');
  const username = typeof b.username === 'string' ? b.username : '';
  const password = typeof b.password === 'string' ? b.password : '';
  const registry = typeof b.serveraddress === 'string' && b.serveraddress ? b.serveraddress : 'docker.io';
  if (!username) throw badRequest('username is required');
  try {
    await engine.system.verifyLogin({ registry: registry.replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, ''), username, password });
  } catch (err) {
    // a refusal by the registry is the client's 401; an unreachable registry is ours to report
    if (err instanceof TspodError && /unauthori[sz]ed|invalid username|incorrect|denied|401/i.test(err.message)) throw new ApiError(401, `login attempt to ${registry} failed: ${err.message}`);
    throw err;
  }
  return { Status: 'Login Succeeded', IdentityToken: '' };
}

export function systemRoutes(r: Router): void {
  const ping = () => new Reply(200, 'OK', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', 'Pragma': 'no-cache' });
  r.add('GET', '/_ping', ping);
  r.add('HEAD', '/_ping', ping);
  r.add('GET', '/version', () => versionReport());
  r.add('GET', '/info', () => infoReport());
  r.add('GET', '/system/df', () => systemDf());
  r.add('POST', '/auth', (req) => auth(req.body));
}
