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
import type { Change, CommitOptions, CommitReport, MountReport, PathStat } from './files.js';
import type { CpOptions } from './cp.js';
import type { StatsReport } from './container/stats.js';
import type { AttachSession, ContainerState, ExecProcess, ExecProcessOptions, LogEntriesOptions } from './container/streams.js';
import type { ContainerConfig, ContainerEntry } from '../container/types.js';
import type { LogEntry } from '../runtime/k8s-log.js';
import type { OutputChunk } from '../runtime/attach-socket.js';
import type { ImageRow, ImageSummary, ListImagesOptions, PruneImagesOptions, PruneReport, RemoveImageReport, RemoveImagesOptions, TagReport, HistoryRow } from './images.js';
import type { ImportOptions, ImportReport } from './import.js';
import type { LoadOptions, LoadReport, SaveOptions, SaveReport } from './archive.js';
import type { LoginOptions } from './login.js';
import type { NetworkCreateOptions, NetworkInspect, NetworkRmReport } from './networks.js';
import type { PullEvent, PullOptions, PullReport } from './pull.js';
import type { PushOptions, PushReport } from './push.js';
import type { ManifestAddOptions, ManifestAnnotateOptions, ManifestCreateOptions, ManifestRegistryOptions, ManifestReport } from './manifest.js';
import type { ManifestPushOptions, ManifestPushReport } from './manifest-push.js';
import type { DiskUsageReport } from './system.js';
import type { VersionReport } from './version.js';
import type { FullDiskUsage } from './df.js';
import type { SystemPruneOptions, SystemPruneReport } from './system-prune.js';
import type { VolumeCreateOptions, VolumeInspect, VolumeRmReport } from './volumes.js';
import type { ReadEventsOptions, TspodEvent, WatchEventsOptions } from './events.js';
import type {
  PodCreateOptions, PodCreateReport, PodInspect, PodKillOptions, PodListOptions, PodLogsOptions, PodRecord, PodRemoveOptions, PodRemoveReport, PodReport, PodRow,
  PodStatus, PodStopOptions, PodTargetsOptions, PodTopOptions, PodNamespace, PodContainerRow, PodStatsOptions, PodStatsRow,
} from './pod/types.js';

export type {
  AttachIO, AttachSession, BuildOptions, ContainerConfig, ContainerEntry, ContainerState, ExecProcess, ExecProcessOptions, LogEntriesOptions, LogEntry, OutputChunk, BuildReport, Change, CommitOptions, CommitReport, ContainerCreateOptions, CpOptions, CreateReport, DiskUsageReport, ExecIO, FullDiskUsage,
  HealthcheckReport, HistoryRow, ImageRow, ImageSummary, ImportOptions, ImportReport, ListImagesOptions, LoadOptions, LoadReport, LoginOptions, LogsOptions, MountReport,
  NetworkCreateOptions, NetworkInspect, NetworkRmReport, PathStat, PortMapping, StatsReport, PruneImagesOptions, PruneReport, PsRow, PullEvent, PullOptions, PullReport, PushOptions,
  PushReport, ManifestAddOptions, ManifestAnnotateOptions, ManifestCreateOptions, ManifestRegistryOptions, ManifestReport, ManifestPushOptions, ManifestPushReport, RemoveImageReport, RemoveImagesOptions, RemoveReport, RunOptions, RunReport, SaveOptions, SaveReport, StartReport, StopReport, TagReport, VersionReport,
  VolumeCreateOptions, VolumeInspect, VolumeRmReport, ReadEventsOptions, WatchEventsOptions, TspodEvent,
  PodCreateOptions, PodCreateReport, PodInspect, PodKillOptions, PodListOptions, PodLogsOptions, PodRecord, PodRemoveOptions, PodRemoveReport, PodReport, PodRow,
  PodStatus, PodStopOptions, PodTargetsOptions, PodTopOptions, PodNamespace, PodContainerRow, PodStatsOptions, PodStatsRow, SystemPruneOptions, SystemPruneReport,
};
export { TspodError, NotFoundError, ConflictError, InvalidArgumentError } from '../util/errors.js';

const ctr = () => import('./container/index.js');
const pod = () => import('./pod/index.js');

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
  /** A pod's infra container goes with its whole pod (else it is refused). */
  depend?: boolean | undefined;
}
/** Options of {@link containers.restart}. */
export interface RestartOptions extends TargetsOptions { timeout?: number | undefined }
/** Options of {@link containers.start}. */
export interface StartOptions {
  container: string;
  /** Runs once the container is created in the runtime, before its process starts (attach here: no output is lost). */
  beforeStart?: ((id: string) => Promise<void>) | undefined;
}
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
  async start(o: StartOptions): Promise<StartReport> { return (await ctr()).startContainer(o.container, o.beforeStart); },
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
  async list(o: ListOptions & { ago?: (ms: number) => string } = {}): Promise<PsRow[]> { return (await ctr()).listContainers(o, o.ago); },
  /** A container's entry (its state synced from the runtime) and its configuration. */
  async state(o: ContainerOptions): Promise<ContainerState> { return (await import('./container/streams.js')).containerState(o.container); },
  /** Every container's entry and configuration. */
  async states(): Promise<Array<{ entry: ContainerEntry; config: ContainerConfig | undefined }>> { return (await import('./container/streams.js')).allContainerStates(); },
  /** Podman's inspect document of one container. */
  async inspect(o: ContainerOptions): Promise<Record<string, unknown>> { return (await ctr()).inspectContainer(o.container); },
  /** Whether a container exists. */
  async exists(o: ContainerOptions & { /** also what `ps --external` lists */ external?: boolean | undefined }): Promise<boolean> { return o.external ? (await ctr()).containerExistsExternal(o.container) : (await ctr()).containerExists(o.container); },
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
  async copy(o: CopyOptions): Promise<void> { return (await import('./cp.js')).copy(o.source, o.destination, o); },
  /** A container's log, as entries (stream, time, text). */
  async logEntries(o: ContainerOptions & LogEntriesOptions): Promise<{ entries: LogEntry[]; offset: number }> { return (await import('./container/streams.js')).logEntries(o.container, o); },
  /** Follow a container's log from a byte offset of its log file, until it stops or `signal` aborts. */
  async followLogEntries(o: ContainerOptions & { offset: number; onEntry: (e: LogEntry) => void; signal: AbortSignal }): Promise<void> { return (await import('./container/streams.js')).followLogEntries(o.container, o); },
  /** Connect to a container's stdio (conmon's attach socket) with callbacks of the caller's own: several may attach, before it starts. */
  async connectAttach(o: ContainerOptions & { onOutput: (c: OutputChunk) => void }): Promise<AttachSession> { return (await import('./container/streams.js')).connectAttachSession(o.container, o.onOutput); },
  /** Resize a running container's terminal. */
  async resize(o: ContainerOptions & { rows: number; cols: number }): Promise<void> { return (await import('./container/streams.js')).resizeTerminal(o.container, o.rows, o.cols); },
  /** A scanner that finds a detach key sequence in input. */
  async detachScanner(o: { keys?: string | undefined } = {}): Promise<{ push(b: Buffer): { data: Buffer; detached: boolean } }> { return (await import('./container/streams.js')).detachScanner(o.keys); },
  /** Start a process in a running container with its stdio pipes left to the caller (exec for a front end with its own connections). */
  async execProcess(o: ContainerOptions & ExecProcessOptions): Promise<ExecProcess> { return (await import('./container/streams.js')).spawnExecProcess(o.container, o); },
  /** Stat a path inside a container (the last component not followed), as Docker's archive endpoints report it. */
  async statPath(o: ContainerOptions & { path: string }): Promise<PathStat> { return (await import('./files.js')).statPath(o.container, o.path); },
  /** One sample of a running container's CPU, memory, process and network usage. */
  async stats(o: ContainerOptions): Promise<StatsReport> { return (await import('./container/stats.js')).containerStats(o.container); },
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

/**
 * Pods: groups of containers sharing namespaces (by default net, ipc and uts) held by an
 * infra container, which also holds the pod's published ports, /etc/hosts, DNS and hostname.
 * Members are created with `containers.create({ pod: NAME_OR_ID, ... })`.
 */
export const pods = {
  /** Create a pod (and its infra container, unless `infra: false`). Validates everything before writing anything. */
  async create(o: PodCreateOptions = {}): Promise<PodCreateReport> { return (await pod()).createPod(o); },
  /** Start pods: the infra container first, then the members. One report per pod. */
  async start(o: PodTargetsOptions): Promise<PodReport[]> { return (await pod()).startPods(o); },
  /** Stop pods: the members, then the infra container. */
  async stop(o: PodStopOptions): Promise<PodReport[]> { return (await pod()).stopPods(o); },
  /** Stop and start pods again. */
  async restart(o: PodStopOptions): Promise<PodReport[]> { return (await pod()).restartPods(o); },
  /** Send a signal to every running container of pods. */
  async kill(o: PodKillOptions): Promise<PodReport[]> { return (await pod()).killPods(o); },
  /** Pause every running container of pods (where the cgroup freezer is available). */
  async pause(o: PodTargetsOptions): Promise<PodReport[]> { return (await pod()).pausePods(o, true); },
  /** Unpause pods. */
  async unpause(o: PodTargetsOptions): Promise<PodReport[]> { return (await pod()).pausePods(o, false); },
  /** Remove pods with their members and infra container (running ones only with `force`). */
  async remove(o: PodRemoveOptions): Promise<PodRemoveReport[]> { return (await pod()).removePods(o); },
  /** Remove every pod none of whose containers runs. */
  async prune(): Promise<PodRemoveReport[]> { return (await pod()).prunePods(); },
  /** The pods, as `pod ps` lists them. */
  async list(o: PodListOptions = {}): Promise<PodRow[]> { return (await pod()).listPods(o); },
  /** Podman's inspect document of one pod. */
  async inspect(o: { pod: string }): Promise<PodInspect> { return (await pod()).inspectPod(o.pod); },
  /** Whether a pod exists. */
  async exists(o: { pod: string }): Promise<boolean> { return (await pod()).podExists(o.pod); },
  /** The processes of a pod's running containers, as rows (the first is the header). */
  async top(o: PodTopOptions): Promise<string[][]> { return (await pod()).topPod(o.pod); },
  /** Resource usage of the running containers of pods (all running pods when none is named). */
  async stats(o: PodStatsOptions = {}): Promise<PodStatsRow[]> { return (await pod()).podStats(o); },
  /** Write the logs of a pod's members to the given streams, each line prefixed with its container's name. */
  async logs(o: PodLogsOptions): Promise<void> { return (await pod()).podLogs(o); },
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

/**
 * Manifest lists (Docker) / image indexes (OCI): kept in the image store as images with no
 * config (`images` lists them; `rmi` removes them); entries are local images or registry references.
 */
export const manifests = {
  /** Create a list (with `amend`, add to an existing one); every image is resolved before anything is written. */
  async create(o: ManifestCreateOptions): Promise<ManifestReport> { return (await import('./manifest.js')).createManifest(o); },
  /** Add images (their manifest descriptors, platform from their config unless overridden). */
  async add(o: ManifestAddOptions): Promise<ManifestReport> { return (await import('./manifest.js')).addToManifest(o); },
  /** Change the platform or annotations of one entry. */
  async annotate(o: ManifestAnnotateOptions): Promise<ManifestReport> { return (await import('./manifest.js')).annotateManifest(o); },
  /** Drop one entry, by digest. */
  async removeEntry(o: { list: string; digest: string }): Promise<ManifestReport> { return (await import('./manifest.js')).removeFromManifest(o); },
  /** A local list's index, or the manifest a registry has for the name, as indented JSON. */
  async inspect(o: ManifestRegistryOptions & { name: string }): Promise<string> { return (await import('./manifest.js')).inspectManifest(o); },
  /** Whether a manifest list of that name exists locally. */
  async exists(o: { name: string }): Promise<boolean> { return (await import('./manifest.js')).manifestExists(o.name); },
  /** Remove lists from local storage (an ordinary image is refused). One report per target. */
  async remove(o: { lists: string[] }): Promise<RemoveImageReport[]> { return (await import('./manifest.js')).removeManifests(o.lists); },
  /** Push a list (and, unless `all: false`, its images) to a registry. */
  async push(o: ManifestPushOptions): Promise<ManifestPushReport> { return (await import('./manifest-push.js')).pushManifest(o); },
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
  async version(): Promise<VersionReport> { return (await import('./version.js')).version(); },
  /** Podman's `info` document: host, store, registries. */
  async info(): Promise<Record<string, unknown>> { return (await import('./system.js')).info(); },
  /** Disk usage of images (shared layers counted once), containers' writable layers and volumes. */
  async df(): Promise<FullDiskUsage> { return (await import('./df.js')).fullDiskUsage(); },
  /** Remove stopped containers, unused networks, dangling (or with `all` unused) images and with `volumes` unused volumes. */
  async prune(o: SystemPruneOptions = {}): Promise<SystemPruneReport> { return (await import('./system-prune.js')).pruneSystem(o); },
  /** Remove every container, image, volume and network, and tspod's state. */
  async reset(): Promise<void> { return (await import('./system.js')).reset(); },
  /** Log in to a registry (credentials go to auth.json). */
  async login(o: LoginOptions): Promise<{ file: string }> { return (await import('./login.js')).login(o); },
  /** Check credentials against a registry without storing them. */
  async verifyLogin(o: Omit<LoginOptions, 'authfile'>): Promise<void> { return (await import('./login.js')).verifyLogin(o); },
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
