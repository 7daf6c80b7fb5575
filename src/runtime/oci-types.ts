// The parts of the OCI runtime-spec (config.json, v1.0.2) that tspod writes,
// plus runc's `state` output. Field names follow the spec exactly.

export interface OCISpec {
  ociVersion: string;
  process: OCIProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OCIMount[];
  annotations?: Record<string, string>;
  linux: OCILinux;
}

export interface OCIUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface OCICapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface OCIRlimit {
  type: string; // RLIMIT_NOFILE ...
  hard: number;
  soft: number;
}

export interface OCIProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: OCIUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: OCICapabilities;
  rlimits?: OCIRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface OCIMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export type OCINamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OCINamespace {
  type: OCINamespaceType;
  path?: string;
}

export interface OCIIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OCIDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface OCIResources {
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  devices?: Array<{ allow: boolean; type?: string; major?: number; minor?: number; access?: string }>;
}

export type SeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_NOTIFY';

export type SeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

export interface OCISeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface OCISeccompSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: OCISeccompArg[];
}

export interface OCISeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OCISeccompSyscall[];
}

export interface OCILinux {
  uidMappings?: OCIIDMapping[];
  gidMappings?: OCIIDMapping[];
  sysctl?: Record<string, string>;
  resources?: OCIResources;
  cgroupsPath?: string;
  namespaces: OCINamespace[];
  devices?: OCIDevice[];
  seccomp?: OCISeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  mountLabel?: string;
}

/** `runc state <id>` output. */
export interface RuncState {
  ociVersion: string;
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  rootfs: string;
  created: string;
  owner?: string;
  annotations?: Record<string, string>;
}
