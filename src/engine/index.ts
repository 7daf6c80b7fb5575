/**
 * tspod's engine as a library: `import { containers, images } from 'tspod'`.
 *
 * Every verb of the CLI, grouped by noun (`containers`, `images`, `volumes`, `networks`,
 * `events`, `system`), each taking one `<Verb>Options` object and resolving to a
 * `<Verb>Report`. Verbs that act on several targets report per target (each entry carries
 * its own `error`), so a caller can tell exactly which failed. Output streams are
 * arguments, never the process's own stdio; long work reports progress through callbacks
 * and stops on an `AbortSignal`. Nothing here exits the process or prints.
 *
 * Rootless: operations that touch layers, mounts or containers must run inside tspod's
 * user namespace. A program calls {@link system.enterUserNamespace} first (as the CLI does
 * for its own commands): it re-executes the program there and tells the outer copy to exit.
 *
 * Modules load lazily: importing this file costs little; the first call of a verb loads
 * what that verb needs.
 * @packageDocumentation
 */
import type { Readable, Writable } from 'node:stream';
import type { CreateOptions as ContainerCreateOptions } from '../container/options.js';
import type { PortMapping } from '../container/types.js';
import type { AttachIO } from './attach.js';
import type { BuildOptions, BuildReport } from './build.js';
import type { CreateReport, ExecIO, HealthcheckReport, ListOptions, LogsOptions, PsRow, RemoveReport, RunOptions, RunReport, StartReport, StopReport } from './container/index.js';
import type { Change, CommitOptions, CommitReport, CpOptions, MountReport } from './files.js';
import type { ImageRow, ImageSummary, ListImagesOptions, PruneImagesOptions, PruneReport, RemoveImageReport, RemoveImagesOptions, TagReport, HistoryRow } from './images.js';
import type { ImportOptions, ImportReport } from './import.js';
import type { LoadOptions, LoadReport, SaveOptions, SaveReport } from './archive.js';
import type { LoginOptions } from './login.js';
import type { NetworkCreateOptions, NetworkInspect, NetworkRmReport } from './networks.js';
import type { PullEvent, PullOptions, PullReport } from './pull.js';
import type { PushOptions, PushReport } from './push.js';
import type { DiskUsageReport, VersionReport } from './system.js';
import type { SpaceUsage } from './disk-usage.js';
import type { SystemPruneOptions, SystemPruneReport } from './system-prune.js';
import type { VolumeCreateOptions, VolumeInspect, VolumeRmReport } from './volumes.js';
import type { ReadEventsOptions, TspodEvent, WatchEventsOptions } from './events.js';

export type {
  AttachIO, BuildOptions, BuildReport, Change, CommitOptions, CommitReport, ContainerCreateOptions, CpOptions, CreateReport, DiskUsageReport, ExecIO,
  HealthcheckReport, HistoryRow, ImageRow, ImageSummary, ImportOptions, ImportReport, ListImagesOptions, LoadOptions, LoadReport, LoginOptions, LogsOptions, MountReport,
  NetworkCreateOptions, NetworkInspect, NetworkRmReport, PortMapping, PruneImagesOptions, PruneReport, PsRow, PullEvent, PullOptions, PullReport, PushOptions,
  PushReport, RemoveImageReport, RemoveImagesOptions, RemoveReport, RunOptions, RunReport, SaveOptions, SaveReport, StartReport, StopReport, TagReport, VersionReport,
  VolumeCreateOptions, VolumeInspect, VolumeRmReport, ReadEventsOptions, WatchEventsOptions, TspodEvent, SpaceUsage, SystemPruneOptions, SystemPruneReport,
};
export { TspodError, NotFoundError, ConflictError, InvalidArgumentError } from '../util/errors.js';

const ctr = () => import('./container/index.js');

// ---------------------------------------------------------------------------------------------
// Options of the verbs that act on named targets

/** Targets of a multi-container verb: names or IDs (or unique ID prefixes), or `all`. */
export interface TargetsOptions {
  /** Container names or IDs. */
  containers?: string[] | undefined;
  /** Every container (that the verb applies to). */
  all?: boolean | undefined;
}
/** Options of {@link containers.stop}. */
export interface StopOptions extends TargetsOptions {
  /** Seconds to wait after the stop signal before SIGKILL (default: the container's own). */
  timeout?: number | undefined;
  /** A missing container is not an error. */
  ignore?: boolean | undefined;
}
/** Options of {@link containers.kill}. */
export interface KillOptions extends TargetsOptions { /** Signal name or number (default SIGKILL). */ signal?: string | undefined }
/** Options of {@link containers.remove}. */
export interface RemoveOptions extends TargetsOptions {
  /** Stop running containers first. */
  force?: boolean | undefined;
  /** Remove their anonymous volumes too. */
  volumes?: boolean | undefined;
  /** A missing container is not an error. */
  ignore?: boolean | undefined;
  /** Stop timeout in seconds when forcing. */
  timeout?: number | undefined;
}
/** Options of {@link containers.restart}. */
export interface RestartOptions extends TargetsOptions { timeout?: number | undefined }
/** Options of {@link containers.start}. */
export interface StartOptions { container: string }
/** Options of {@link containers.attach}. */
export interface AttachOptions {
  container: string;
  /** Forward `io.stdin` (when the container was created with `interactive`). */
  stdin?: boolean | undefined;
  detachKeys?: string | undefined;
  /** Resolve to the container's exit code once it exited (else 0 when the stream ends). */
  waitExit?: boolean | undefined;
  /** Start the container, attached before it runs (no output lost). */
  start?: boolean | undefined;
  /** Forward the process's termination signals to the container (default false for library callers). */
  sigProxy?: boolean | undefined;
  io: AttachIO;
  /** Aborting detaches; the container keeps running. */
  signal?: AbortSignal | undefined;
}
/** Options of {@link containers.exec}. */
export interface ExecOptions {
  container: string;
  command: string[];
  interactive?: boolean | undefined;
  tty?: boolean | undefined;
  detach?: boolean | undefined;
  env?: string[] | undefined;
  user?: string | undefined;
  workdir?: string | undefined;
  privileged?: boolean | undefined;
  /** Streams; required for library callers (the CLI passes its own stdio). */
  io?: ExecIO | undefined;
  signal?: AbortSignal | undefined;
}
/** What an exec session ended with. */
export interface ExecReport { exitCode: number }
/** Options of {@link containers.wait}. */
export interface WaitOptions { container: string; /** States that end the wait (default `exited`). */ conditions?: string[] | undefined }
/** Options of {@link containers.copy}: `CONTAINER:PATH` or a host path on each side (`-` for a tar stream). */
export interface CopyOptions extends CpOptions { source: string; destination: string }
/** Options of {@link containers.rename}. */
export interface RenameOptions { container: string; name: string }
/** Options of {@link containers.export}. */
export interface ExportOptions { container: string; file?: string | undefined; stream?: Writable | undefined }
/** Options of a verb on one container. */
export interface ContainerOptions { container: string }
/** Options of {@link images.tag} and {@link images.untag}. */
export interface TagOptions { image: string; names: string[] }
/** Options of {@link images.remove}. */
export interface RemoveImagesTargets extends RemoveImagesOptions { images?: string[] | undefined }
/** Options of a verb on one image. */
export interface ImageOptions { image: string }
/** Options of {@link volumes.remove}. */
export interface RemoveVolumesOptions { volumes?: string[] | undefined; force?: boolean | undefined; all?: boolean | undefined }
/** Options of {@link networks.remove}. */
export interface RemoveNetworksOptions { networks: string[]; force?: boolean | undefined; timeout?: number | undefined }
/** Options of {@link networks.connect}. */
export interface ConnectOptions { network: string; container: string; aliases?: string[] | undefined; ip?: string | undefined }
/** Options of listings and prunes that take Podman-style `key=value` filters. */
export interface FilterOptions { filters?: string[] | undefined }

// ---------------------------------------------------------------------------------------------

/** Containers: create, run, start, stop, kill, pause, remove, inspect, logs, exec, attach, and the rest. */
export const containers = {
  /** Create a container from an image (pulled if missing, per `pull`). Validates everything before writing anything. */
  async create(o: ContainerCreateOptions & { onPull?: (e: PullEvent) => void }): Promise<CreateReport> { return (await ctr()).createContainer(o, o.onPull); },
  /** Create and start; detached, returns once running; else once it exited (with its exit code). */
  async run(o: RunOptions): Promise<RunReport> { return (await ctr()).runContainer(o); },
  /** Start a created or exited container. */
  async start(o: StartOptions): Promise<StartReport> { return (await ctr()).startContainer(o.container); },
  /** Stop containers: the stop signal, then SIGKILL after the timeout. One report per target. */
  async stop(o: StopOptions): Promise<StopReport[]> { return (await ctr()).stopContainers(o.containers ?? [], { timeout: o.timeout, all: o.all, ignore: o.ignore }); },
  /** Send a signal to running containers. */
  async kill(o: KillOptions): Promise<StopReport[]> { return (await ctr()).killContainers(o.containers ?? [], { signal: o.signal, all: o.all }); },
  /** Pause running containers (where the cgroup freezer is available). */
  async pause(o: TargetsOptions): Promise<StopReport[]> { return (await ctr()).pauseContainers(o.containers ?? [], true); },
  /** Unpause paused containers. */
  async unpause(o: TargetsOptions): Promise<StopReport[]> { return (await ctr()).pauseContainers(o.containers ?? [], false); },
  /** Stop (if running) and start again. */
  async restart(o: RestartOptions): Promise<StopReport[]> { return (await ctr()).restartContainers(o.containers ?? [], { timeout: o.timeout, all: o.all }); },
  /** Remove containers (with `force`, running ones too). */
  async remove(o: RemoveOptions): Promise<RemoveReport[]> { return (await ctr()).removeContainers(o.containers ?? [], o); },
  /** Remove every stopped container; resolves to the removed IDs. */
  async prune(o: FilterOptions = {}): Promise<string[]> { return (await ctr()).pruneContainers(o.filters); },
  /** The containers, as `ps` lists them (running only unless `all`). */
  async list(o: ListOptions = {}): Promise<PsRow[]> { return (await ctr()).listContainers(o); },
  /** Podman's inspect document of one container. */
  async inspect(o: ContainerOptions): Promise<Record<string, unknown>> { return (await ctr()).inspectContainer(o.container); },
  /** Whether a container exists. */
  async exists(o: ContainerOptions): Promise<boolean> { return (await ctr()).containerExists(o.container); },
  /** Write a container's logs to the given streams (following until it stops, or `signal` aborts). */
  async logs(o: LogsOptions & ContainerOptions): Promise<void> { return (await ctr()).containerLogs(o.container, o); },
  /** Attach the given streams to a container's stdio (conmon's attach socket). Resolves to its exit code with `waitExit`. */
  async attach(o: AttachOptions): Promise<number> {
    const { attachContainer } = await import('./attach.js');
    return attachContainer(o.container, { stdin: !!o.stdin, tty: false, detachKeys: o.detachKeys, waitExit: !!o.waitExit, start: o.start, sigProxy: o.sigProxy ?? false, io: o.io, signal: o.signal });
  },
  /** Run a process in a running container. */
  async exec(o: ExecOptions): Promise<ExecReport> { return { exitCode: await (await ctr()).execInContainer(o.container, o) }; },
  /** Wait for a container to reach one of `conditions`; resolves to its exit code. */
  async wait(o: WaitOptions): Promise<number> { return (await ctr()).waitContainer(o.container, o.conditions); },
  /** Rename a container. */
  async rename(o: RenameOptions): Promise<void> { return (await ctr()).renameContainer(o.container, o.name); },
  /** The published ports of a container. */
  async port(o: ContainerOptions): Promise<PortMapping[]> { return (await ctr()).portsOf(o.container); },
  /** The processes of a running container, as rows (the first is the header). */
  async top(o: ContainerOptions): Promise<string[][]> { return (await ctr()).topContainer(o.container); },
  /** Run a container's health check once. */
  async healthcheck(o: ContainerOptions): Promise<HealthcheckReport> { return (await ctr()).runHealthcheck(o.container); },
  /** Copy between a container and the host (or a tar stream). Never writes outside the destination root. */
  async copy(o: CopyOptions): Promise<void> { return (await import('./files.js')).copy(o.source, o.destination, o); },
  /** Changes of a container's filesystem against its image. */
  async diff(o: ContainerOptions): Promise<Change[]> { return (await import('./files.js')).diffContainer(o.container); },
  /** Make an image of a container's filesystem. */
  async commit(o: CommitOptions): Promise<CommitReport> { return (await import('./files.js')).commitContainer(o); },
  /** A tar of a container's filesystem, to a file or a stream. */
  async export(o: ExportOptions): Promise<void> { return (await import('./files.js')).exportContainer(o.container, { file: o.file, stream: o.stream }); },
  /** Mount containers' root filesystems; reports their paths. */
  async mount(o: TargetsOptions): Promise<MountReport[]> { return (await import('./files.js')).mountContainers(o.containers ?? []); },
  /** Unmount containers' root filesystems. */
  async unmount(o: TargetsOptions & { force?: boolean }): Promise<MountReport[]> { return (await import('./files.js')).unmountContainers(o.containers ?? [], { all: o.all, force: o.force }); },
};

/** Images: pull, push, build, list, inspect, tag, remove, save, load, import. */
export const images = {
  /** Pull an image; every blob's digest and size is verified. Progress through `onEvent`. */
  async pull(o: PullOptions): Promise<PullReport> { return (await import('./pull.js')).pullImage(o); },
  /** Push an image to a registry. */
  async push(o: PushOptions): Promise<PushReport> { return (await import('./push.js')).pushImage(o); },
  /** Build an image from a Containerfile; output to `stdout`/`stderr`, stops on `signal`. */
  async build(o: BuildOptions): Promise<BuildReport> { return (await import('./build.js')).buildImage(o); },
  /** The local images. */
  async list(o: ListImagesOptions = {}): Promise<ImageSummary[]> { return (await import('./images.js')).listImages(o); },
  /** Podman's inspect document of one image. */
  async inspect(o: ImageOptions): Promise<Record<string, unknown>> { return (await import('./images.js')).inspectImage(o.image); },
  /** The history (one row per layer-producing step) of an image. */
  async history(o: ImageOptions): Promise<HistoryRow[]> { return (await import('./images.js')).imageHistory(o.image); },
  /** Whether an image exists locally. */
  async exists(o: ImageOptions): Promise<boolean> { return (await import('./images.js')).imageExists(o.image); },
  /** Add names to an image. */
  async tag(o: TagOptions): Promise<TagReport> { return (await import('./images.js')).tagImage(o.image, o.names); },
  /** Remove names from an image. */
  async untag(o: TagOptions): Promise<TagReport> { return (await import('./images.js')).untagImage(o.image, o.names); },
  /** Remove images; with `force`, the containers using them go too. One report per target. */
  async remove(o: RemoveImagesTargets): Promise<RemoveImageReport[]> { return (await import('./images.js')).removeImages(o.images ?? [], o); },
  /** Remove dangling (or, with `all`, unused) images. */
  async prune(o: PruneImagesOptions = {}): Promise<PruneReport[]> { return (await import('./images.js')).pruneImages(o); },
  /** Write images to an archive (docker-archive, oci-archive, oci-dir, docker-dir). */
  async save(o: SaveOptions): Promise<SaveReport> { return (await import('./archive.js')).saveImages(o); },
  /** Load images from an archive. */
  async load(o: LoadOptions): Promise<LoadReport> { return (await import('./archive.js')).loadImages(o); },
  /** Make an image of a tarball of a filesystem. */
  async import(o: ImportOptions): Promise<ImportReport> { return (await import('./import.js')).importImage(o); },
};

/** Volumes: create, list, inspect, remove, prune, export, import. */
export const volumes = {
  /** Create a named volume. */
  async create(o: VolumeCreateOptions = {}): Promise<VolumeInspect> { return (await import('./volumes.js')).createVolume(o); },
  /** The volumes matching the filters. */
  async list(o: FilterOptions = {}): Promise<VolumeInspect[]> { return (await import('./volumes.js')).listVolumes(o); },
  /** One volume. */
  async inspect(o: { volume: string }): Promise<VolumeInspect> { return (await import('./volumes.js')).inspectVolume(o.volume); },
  /** Whether a volume exists. */
  async exists(o: { volume: string }): Promise<boolean> { return (await import('./volumes.js')).volumeExists(o.volume); },
  /** Remove volumes (with `force`, and the containers using them). */
  async remove(o: RemoveVolumesOptions): Promise<VolumeRmReport[]> { return (await import('./volumes.js')).removeVolumes(o.volumes ?? [], o); },
  /** Remove unused volumes. */
  async prune(o: FilterOptions = {}): Promise<VolumeRmReport[]> { return (await import('./volumes.js')).pruneVolumes(o.filters); },
  /** A tar of a volume's content, to a file or a stream. */
  async export(o: { volume: string; file?: string; stream?: Writable }): Promise<void> { return (await import('./volumes.js')).exportVolume(o.volume, o); },
  /** Replace a volume's content with a tar (a file, or `-` for `stdin`). */
  async import(o: { volume: string; source: string; stdin?: Readable }): Promise<void> { return (await import('./volumes.js')).importVolume(o.volume, o.source, o.stdin); },
};

/** Networks: create, list, inspect, remove, prune, connect, disconnect. */
export const networks = {
  /** Create a network (netavark bridge; aardvark-dns answers container names). */
  async create(o: NetworkCreateOptions = {}): Promise<NetworkInspect> { return (await import('./networks.js')).createNetwork(o); },
  /** The networks matching the filters. */
  async list(o: FilterOptions = {}): Promise<NetworkInspect[]> { return (await import('./networks.js')).listNetworks(o); },
  /** One network. */
  async inspect(o: { network: string }): Promise<NetworkInspect> { return (await import('./networks.js')).inspectNetwork(o.network); },
  /** Whether a network exists. */
  async exists(o: { network: string }): Promise<boolean> { return (await import('./networks.js')).networkExists(o.network); },
  /** Remove networks (with `force`, and the containers using them). */
  async remove(o: RemoveNetworksOptions): Promise<NetworkRmReport[]> { return (await import('./networks.js')).removeNetworks(o.networks, o); },
  /** Remove unused networks. */
  async prune(o: FilterOptions = {}): Promise<NetworkRmReport[]> { return (await import('./networks.js')).pruneNetworks(o.filters); },
  /** Connect a container to a network (live, when it runs). */
  async connect(o: ConnectOptions): Promise<void> { return (await import('./networks.js')).connectNetwork(o.network, o.container, o); },
  /** Disconnect a container from a network. */
  async disconnect(o: { network: string; container: string }): Promise<void> { return (await import('./networks.js')).disconnectNetwork(o.network, o.container); },
};

/** The events log: what happened to containers, images, volumes and networks, from every tspod process. */
export const events = {
  /** The recorded events matching the filters (Podman's: container, image, event, type, label, volume, network). */
  async read(o: ReadEventsOptions = {}): Promise<TspodEvent[]> { return (await import('./events.js')).readEvents(o); },
  /** Follow the log: recorded events after `since` first, then new ones as they happen, until `until` or `signal`. */
  watch(o: WatchEventsOptions = {}): AsyncIterable<TspodEvent> {
    return { async *[Symbol.asyncIterator]() { yield* (await import('./events.js')).watchEvents(o); } };
  },
};

/** System: version, info, disk usage, reset, registry login, and the user namespace. */
export const system = {
  /** tspod's version. */
  async version(): Promise<VersionReport> { return (await import('./system.js')).version(); },
  /** Podman's `info` document: host, store, registries. */
  async info(): Promise<Record<string, unknown>> { return (await import('./system.js')).info(); },
  /** Disk usage of images, containers and volumes. */
  async df(): Promise<DiskUsageReport> { return (await import('./system.js')).diskUsage(); },
  /** Containers' writable layers and volumes' content, with who uses what (`system df`'s other rows). */
  async spaceUsage(): Promise<SpaceUsage> { return (await import('./disk-usage.js')).spaceUsage(); },
  /** Remove stopped containers, unused networks, dangling (or with `all` unused) images and with `volumes` unused volumes. */
  async prune(o: SystemPruneOptions = {}): Promise<SystemPruneReport> { return (await import('./system-prune.js')).pruneSystem(o); },
  /** Remove every container, image, volume and network, and tspod's state. */
  async reset(): Promise<void> { return (await import('./system.js')).reset(); },
  /** Log in to a registry (credentials go to auth.json). */
  async login(o: LoginOptions): Promise<{ file: string }> { return (await import('./login.js')).login(o); },
  /** Log out of a registry (or all). */
  async logout(o: { registry?: string; all?: boolean; authfile?: string }): Promise<string> { return (await import('./login.js')).logout(o); },
  /**
   * Rootless: make sure this program runs inside tspod's user namespace, as the CLI's
   * container commands do. Outside it, the program is started again inside (same
   * node, same arguments, same environment) and this resolves, in the outer copy, to
   * the inner copy's exit code: the outer copy should exit with it and do nothing else.
   * Inside (or as root) it resolves to `undefined`: carry on.
   */
  async enterUserNamespace(): Promise<number | undefined> {
    if (process.getuid?.() === 0 || process.env['TSPOD_USERNS'] === '1') return undefined;
    const script = process.argv[1];
    if (!script) throw new Error('enterUserNamespace: no script to re-execute (process.argv[1] is empty)');
    const { reexecInUserNamespace } = await import('../rootless/reexec.js');
    return reexecInUserNamespace(script, process.argv.slice(2));
  },
};
