// /_ping, /version, /info, /system/df, /auth.
import * as os from 'node:os';
import { API_VERSION, MIN_API_VERSION, Reply, type Router } from '../router.js';
import { system, TSPOD_VERSION, allContainers, images } from '../engine-adapter.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export function versionReport(): Record<string, unknown> {
  const arch = ARCH[process.arch] ?? process.arch;
  const base = { Version: TSPOD_VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: '', GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: arch, KernelVersion: os.release(), BuildTime: '' };
  return { Platform: { Name: `tspod ${TSPOD_VERSION}` }, Components: [{ Name: 'Engine', Version: TSPOD_VERSION, Details: { ...base, Experimental: 'false' } }], ...base, Experimental: false };
}

export async function infoReport(): Promise<Record<string, unknown>> {
  const i = await system.info() as { host: Record<string, unknown>; store: Record<string, unknown> };
  const list = await allContainers();
  const count = (s: string[]) => list.filter((c) => s.includes(c.entry.state)).length;
  let nImages = 0;
  try { nImages = images.listImages().length; } catch { nImages = 0; }
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
    Name: os.hostname(), Labels: [], ExperimentalBuild: false, ServerVersion: TSPOD_VERSION,
    Runtimes: { runc: { path: 'runc' } }, DefaultRuntime: 'runc', Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false, Isolation: '', InitBinary: 'catatonit', ContainerdCommit: { ID: '', Expected: '' }, RuncCommit: { ID: '', Expected: '' }, InitCommit: { ID: '', Expected: '' },
    SecurityOptions: [...(sec?.seccompEnabled ? ['name=seccomp,profile=default'] : []), ...(sec?.rootless ? ['name=rootless'] : [])],
    Warnings: host['cgroupVersion'] === 'v1' && sec?.rootless ? ['WARNING: rootless containers on cgroups v1 have no resource limits'] : [],
  };
}

export function systemRoutes(r: Router): void {
  const ping = () => new Reply(200, 'OK', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', 'Pragma': 'no-cache' });
  r.add('GET', '/_ping', ping);
  r.add('HEAD', '/_ping', ping);
  r.add('GET', '/version', () => versionReport());
  r.add('GET', '/info', () => infoReport());
  r.add('GET', '/system/df', async () => {
    const du = system.diskUsage() as unknown as { Totals: { Layers: { Size: number } }; Images: Array<Record<string, unknown>> };
    const list = await allContainers();
    const vols = (await import('../engine-adapter.js')).volumes.listVolumes();
    return {
      LayersSize: du.Totals.Layers.Size,
      Images: du.Images.map((i) => ({ Id: `sha256:${String(i['ImageID'])}`, ParentId: '', RepoTags: [`${String(i['Repository'])}:${String(i['Tag'])}`], RepoDigests: [], Created: i['Created'], Size: i['Size'], SharedSize: i['SharedSize'], VirtualSize: i['Size'], Labels: {}, Containers: i['Containers'] })),
      Containers: list.map((c) => ({ Id: c.entry.id, Names: c.entry.names.map((n) => `/${n}`), Image: c.entry.imageName, ImageID: `sha256:${c.entry.image}`, Command: c.entry.command.join(' '), Created: Math.floor(Date.parse(c.entry.created) / 1000), State: c.entry.state, Status: c.entry.state, SizeRw: 0, SizeRootFs: 0, Labels: c.entry.labels, Mounts: [] })),
      Volumes: vols.map((v) => ({ Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: 'local', Options: v.Options, UsageData: { Size: -1, RefCount: 0 } })),
      BuildCache: [],
    };
  });
}
