// A container as tspod records it: the index entry (what `ps` reads) and the
// per-container configuration (fixed at create time).

export type ContainerState = 'configured' | 'created' | 'running' | 'paused' | 'stopping' | 'exited' | 'removing';

/** The state machine as predicates (not scattered ifs). */
export const can = {
  start: (s: ContainerState) => s === 'created' || s === 'configured' || s === 'exited',
  stop: (s: ContainerState) => s === 'running' || s === 'paused' || s === 'stopping',
  kill: (s: ContainerState) => s === 'running' || s === 'paused' || s === 'stopping',
  pause: (s: ContainerState) => s === 'running',
  unpause: (s: ContainerState) => s === 'paused',
  exec: (s: ContainerState) => s === 'running',
  removeWithoutForce: (s: ContainerState) => s !== 'running' && s !== 'paused' && s !== 'stopping',
};

export interface PortMapping { hostIP: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;          // host path (bind), volume name (volume), '' (tmpfs)
  destination: string;
  readonly: boolean;
  options: string[];
  anonymous?: boolean;
}

/** A device of --device: host node, path in the container, cgroup permissions (r, w, m). */
export interface DeviceSpec { source: string; destination: string; permissions: string }

export interface HealthSpec {
  test: string[]; interval: number; timeout: number; retries: number; startPeriod: number;
  /** Time between checks during the start period (Docker's start interval; default: interval). */
  startInterval?: number | undefined;
}

export interface RestartPolicy { name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maxRetries: number }

export interface ContainerEntry {
  id: string;
  names: string[];
  image: string;          // image ID
  imageName: string;      // as the user typed it, resolved
  layers: string[];       // diffIDs pinned by this container
  command: string[];
  created: string;
  state: ContainerState;
  pid: number;
  conmonPid: number;
  slirpPid: number;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  ports: PortMapping[];
  labels: Record<string, string>;
  restartCount: number;
  health: '' | 'starting' | 'healthy' | 'unhealthy';
  healthFailures: number;
  autoRemove: boolean;
  stoppedByUser: boolean;
  mounted: boolean;
  /** the per-container health check schedule (a shell loop), 0 when none */
  healthPid?: number;
  /** the pod this container belongs to (its ID) */
  pod?: string | undefined;
  /** this container is its pod's infra container */
  podInfra?: boolean | undefined;
  /** an init container of its pod: run to completion, in order, before the others start ('once': then removed) */
  initCtr?: 'once' | 'always' | undefined;
}

export interface ContainerConfig {
  id: string;
  name: string;
  image: string;
  imageName: string;
  /** The image's manifest digest (inspect .ImageDigest). */
  imageDigest?: string | undefined;
  created: string;
  entrypoint: string[];
  cmd: string[];
  args: string[];
  env: string[];
  workdir: string;
  user: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  hostname: string;
  tty: boolean;
  stdin: boolean;
  network: string;          // slirp4netns | none | host | container:ID
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  addHosts: string[];
  ports: PortMapping[];
  mounts: MountSpec[];
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpts: string[];
  seccomp: string | undefined;
  noNewPrivileges: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  restart: RestartPolicy;
  init: boolean;
  stopSignal: string;
  stopTimeout: number;
  health: HealthSpec | undefined;
  /** json-file is kept as given (inspect shows it) and logs as k8s-file does, as Podman's. */
  logDriver: 'k8s-file' | 'json-file' | 'journald' | 'none' | 'passthrough';
  logPath: string;
  logOpts: Record<string, string>;
  /** log-opt max-size in bytes (decimal units, as Podman): conmon's --log-size-max. */
  logSize?: number | undefined;
  ulimits: Array<{ name: string; soft: number; hard: number }>;
  shmSize: number;
  sysctls: Record<string, string>;
  resources: { memory?: number | undefined; cpus?: number | undefined; pidsLimit?: number | undefined };
  sdnotify: 'container' | 'conmon' | 'ignore';
  detachKeys: string;
  cidfile: string;
  userns: string;
  autoRemove: boolean;
  timeout: number;
  pidNs: string;
  ipcNs: string;
  utsNs: string;
  groupAdd: string[];
  /** user-defined networks (src/network) the container joins, with its aliases there */
  networks?: string[] | undefined;
  networkAliases?: string[] | undefined;
  staticIP?: string | undefined;
  links?: string[] | undefined;
  /** the pod this container belongs to (its ID), and whether it is the pod's infra container */
  pod?: string | undefined;
  podInfra?: boolean | undefined;
  /** an init container of its pod (see ContainerEntry.initCtr) */
  initCtr?: 'once' | 'always' | undefined;
  /** --runtime: the OCI runtime of this container (default: the global one, runc). */
  ociRuntime?: string | undefined;
  /** --conmon-pidfile */
  conmonPidfile?: string | undefined;
  /** --tz: the zoneinfo file the container's /etc/localtime shows (resolved at create). */
  timezoneFile?: string | undefined;
  timezone?: string | undefined;
  /** --unsetenv / --unsetenv-all: defaults tspod must not add at start (PATH, TERM, container, HOME, HOSTNAME). */
  unsetEnv?: string[] | undefined;
  unsetEnvAll?: boolean | undefined;
  /** --workdir was given: it must exist (in the image or a mount); the image's WORKDIR is created. */
  workdirFromUser?: boolean | undefined;
  /** --hostuser: host users (name or UID) added to /etc/passwd at every start. */
  hostUsers?: string[] | undefined;
  /** --rmi: remove the image with the container. */
  removeImage?: boolean | undefined;
  /** --device: host device nodes in the container. */
  devices?: DeviceSpec[] | undefined;
  /** Config.ExposedPorts (`80/tcp`): the image's EXPOSE, --expose and the published ports. */
  exposedPorts?: string[] | undefined;
}

export function emptyEntry(id: string): ContainerEntry {
  return {
    id, names: [], image: '', imageName: '', layers: [], command: [], created: new Date().toISOString(), state: 'configured',
    pid: 0, conmonPid: 0, slirpPid: 0, startedAt: '', finishedAt: '', exitCode: 0, ports: [], labels: {}, restartCount: 0,
    health: '', healthFailures: 0, autoRemove: false, stoppedByUser: false, mounted: false,
  };
}
