// The pod noun's public types: what callers (the CLI, kube play, the API) pass in and get back.
// A pod is a record (store.ts) plus an infra container holding the shared namespaces; its
// members are ordinary containers whose configuration names the pod.
import type { PortMapping } from '../../container/types.js';

/** Namespaces a pod's members can share with its infra container. */
export type PodNamespace = 'cgroup' | 'ipc' | 'net' | 'pid' | 'uts';
/** Podman's default `--share`. */
export const DEFAULT_SHARE: readonly PodNamespace[] = ['ipc', 'net', 'uts'];

/** Options of {@link pods.create}. Everything is validated before anything is written. */
export interface PodCreateOptions {
  /** The pod's name (default: a random name). */
  name?: string | undefined;
  /** `[[ip:]hostPort:]containerPort[/proto]` entries, published on the infra container. */
  publish?: string[] | undefined;
  /** The infra container's network: slirp4netns (default), none, host, or a network made with `tspod network create`. */
  network?: string | undefined;
  /** Network aliases on a user-defined network. */
  networkAlias?: string[] | undefined;
  /** `net,ipc,uts` (default), `none`, or a leading `+` to add to the default. */
  share?: string | undefined;
  /** The pod's hostname (UTS namespace; default: the pod's name). */
  hostname?: string | undefined;
  /** `host:ip` entries for the pod's /etc/hosts. */
  addHost?: string[] | undefined;
  dns?: string[] | undefined;
  dnsSearch?: string[] | undefined;
  dnsOption?: string[] | undefined;
  /** `KEY=VALUE` labels (as the CLI passes them). */
  label?: string[] | undefined;
  /** Labels as a record (as library callers, e.g. kube play, have them); merged over `label`. */
  labels?: Record<string, string> | undefined;
  /** Volumes (`-v` syntax) every member gets. */
  volume?: string[] | undefined;
  /** The user namespace mode members get unless they ask for their own. */
  userns?: string | undefined;
  /** `continue` (default): the pod keeps running when its last member exits; `stop`: it stops with it. */
  exitPolicy?: 'continue' | 'stop' | undefined;
  /** Remove a pod of the same name first. */
  replace?: boolean | undefined;
  /** Write the pod's ID to this file. */
  podIdFile?: string | undefined;
  /** Create an infra container (default true). Without one, members share nothing. */
  infra?: boolean | undefined;
  /** The infra container's image (default: a local image tspod makes from the host's catatonit). */
  infraImage?: string | undefined;
  /** The infra container's command (default: `/catatonit -P`). */
  infraCommand?: string[] | undefined;
  /** The infra container's name (default: the first 12 characters of the pod ID + `-infra`). */
  infraName?: string | undefined;
  /** Write the infra container's conmon PID to this file when it starts. */
  infraConmonPidfile?: string | undefined;
  /** The command line that created the pod (inspect's CreateCommand; systemd units use it). */
  createCommand?: string[] | undefined;
}

/** What {@link pods.create} made. */
export interface PodCreateReport { id: string; name: string; /** '' without an infra container */ infraId: string; warnings: string[] }

/** Targets of a pod verb: names, IDs or unique ID prefixes, or `all`. */
export interface PodTargetsOptions {
  pods?: string[] | undefined;
  all?: boolean | undefined;
  /** A missing pod is not an error. */
  ignore?: boolean | undefined;
}
/** Options of {@link pods.stop} and {@link pods.restart}. */
export interface PodStopOptions extends PodTargetsOptions { /** Seconds before SIGKILL (default: each container's own). */ timeout?: number | undefined }
/** Options of {@link pods.kill}. */
export interface PodKillOptions extends PodTargetsOptions { /** Signal name or number (default SIGKILL). */ signal?: string | undefined }
/** Options of {@link pods.remove}. */
export interface PodRemoveOptions extends PodTargetsOptions {
  /** Stop running members first (else a pod with running containers is refused). */
  force?: boolean | undefined;
  /** Stop timeout in seconds when forcing. */
  timeout?: number | undefined;
}

/** One pod's outcome of a lifecycle verb (start, stop, kill, pause...). */
export interface PodReport {
  /** As the caller named it. */
  input: string;
  /** The pod's ID ('' when not found). */
  id: string;
  /** Per-container failures (the pod's verb failed for these members). */
  errors?: Array<{ id: string; error: Error }> | undefined;
  /** Set when the verb failed for the pod (the first member error, or the pod's own). */
  error?: Error | undefined;
}
/** One pod's outcome of {@link pods.remove}. */
export interface PodRemoveReport extends PodReport { /** IDs of the containers removed with it (infra included). */ removedContainers: string[] }

/** Podman's pod statuses. */
export type PodStatus = 'Created' | 'Running' | 'Stopped' | 'Exited' | 'Paused' | 'Degraded' | 'Error';

/** A pod's container as listings show it. */
export interface PodContainerRow { Id: string; Names: string; Status: string; RestartCount: number }

/** One row of {@link pods.list}: Podman's `pod ps --format json` shape. */
export interface PodRow {
  Cgroup: string;
  Containers: PodContainerRow[];
  Created: string;
  Id: string;
  InfraId: string;
  Name: string;
  Namespace: string;
  Networks: string[];
  Status: PodStatus;
  Labels: Record<string, string>;
}

/** Options of {@link pods.list}. */
export interface PodListOptions {
  /** Podman's pod filters: id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number, network, until. */
  filters?: string[] | undefined;
}

/** Podman's pod inspect document (the fields tspod fills). */
export interface PodInspect {
  Id: string;
  Name: string;
  Created: string;
  CreateCommand: string[];
  ExitPolicy: 'continue' | 'stop';
  State: PodStatus;
  Hostname: string;
  Labels: Record<string, string>;
  CreateCgroup: boolean;
  CgroupParent: string;
  CgroupPath: string;
  CreateInfra: boolean;
  InfraContainerID: string;
  InfraConfig: {
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    HostNetwork: boolean;
    StaticIP: string;
    StaticMAC: string;
    NoManageResolvConf: boolean;
    DNSServer: string[] | null;
    DNSSearch: string[] | null;
    DNSOption: string[] | null;
    NoManageHosts: boolean;
    HostAdd: string[] | null;
    Networks: string[];
    NetworkOptions: Record<string, string[]> | null;
    pid_ns: string;
    userns: string;
    uts_ns: string;
  } | undefined;
  SharedNamespaces: PodNamespace[];
  NumContainers: number;
  Containers: Array<{ Id: string; Name: string; State: string }>;
  /** Volumes every member gets (`-v` syntax), as given at create. */
  Mounts: Array<{ Type: string; Source: string; Destination: string; RW: boolean }>;
}

/** Options of {@link pods.top}. */
export interface PodTopOptions { pod: string }
/** Options of {@link pods.logs}. */
export interface PodLogsOptions {
  pod: string;
  /** Only this member's logs (name or ID). */
  container?: string | undefined;
  follow?: boolean | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  tail?: number | undefined;
  timestamps?: boolean | undefined;
  /** Prefix each line with the container's name instead of its short ID (Podman's `--names`). */
  names?: boolean | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal | undefined;
}

/** The record of a pod in tspod's store (pods/pods.json). */
export interface PodRecord {
  id: string;
  name: string;
  created: string;
  labels: Record<string, string>;
  /** '' when created with infra=false */
  infraId: string;
  share: PodNamespace[];
  hostname: string;
  exitPolicy: 'continue' | 'stop';
  createCommand: string[];
  /** What the infra container was made with (inspect's InfraConfig). */
  network: string;
  ports: PortMapping[];
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  addHost: string[];
  volumes: string[];
  userns: string;
  infraConmonPidfile: string;
  podIdFile: string;
}
