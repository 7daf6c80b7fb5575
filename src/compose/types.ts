// The Compose project model: what the loader produces and the planner/executor converges the engine to.
//
// Conventions:
// - Keys keep the Compose Specification's spelling (snake_case), so `tspod compose config` prints the model
//   as it is and each field is documented by the Specification's own section of the same name.
// - Every value is in its canonical (long) form: short syntaxes are expanded, lists-or-mappings are mappings,
//   strings-or-lists are lists, strings that stand for booleans and numbers are booleans and numbers.
// - Durations are milliseconds (number); byte sizes are bytes (number).
// - Paths on the host (build contexts, bind sources, env files, secret and config files) are absolute.
// - Variables are already interpolated, unless the project was loaded with `interpolate: false`.
// - A key that is absent means "not set" (the image's or engine's default applies).
// - Keys the loader does not interpret (e.g. blkio_config, cpu_shares, x-* extensions) are kept as the
//   schema validated them, in the index signature of ServiceConfig.

/** A loaded, merged, validated and normalized Compose project. */
export interface Project {
  /** Project name (already normalized and validated): `-p` > COMPOSE_PROJECT_NAME > `name:` > directory. */
  name: string;
  /** Project directory (absolute): relative paths in the files were resolved against it. */
  working_dir: string;
  /** The Compose files, in merge order, absolute (`-` for standard input). */
  config_files: string[];
  /** The variables used for interpolation (.env files, --env-file, the process environment, COMPOSE_PROJECT_NAME). */
  environment: Record<string, string>;
  /** Active profiles. */
  profiles: string[];
  /** Enabled services (no profiles, or a profile that is active), by service name. */
  services: Record<string, ServiceConfig>;
  /** Services left out by the active profiles (a command naming one enables it: see enableServices()). */
  disabled_services: Record<string, ServiceConfig>;
  /** Networks, including the implicit `default` one when some enabled service uses it. */
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  /** Top-level `x-*` extensions. */
  extensions: Record<string, unknown>;
  /** Non-fatal findings (obsolete `version`, unset variables, limits rootless cannot apply, ...). */
  warnings: string[];
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServiceDependency {
  condition: DependsOnCondition;
  /** false: only warn when the dependency is missing or fails. */
  required: boolean;
  /** Restart this service when Compose restarts (updates) the dependency. */
  restart: boolean;
}

export interface BuildConfig {
  /** Absolute directory, or a URL (git/http) kept as written. */
  context: string;
  /** Relative to the context unless absolute (kept as written, default Dockerfile is left to the builder). */
  dockerfile?: string;
  dockerfile_inline?: string;
  /** null: declared without a value and not set in the environment (the builder's default applies). */
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  pull?: boolean;
  network?: string;
  shm_size?: number;
  extra_hosts?: Record<string, string[]>;
  tags?: string[];
  platforms?: string[];
  ssh?: string[];
  secrets?: ServiceFileReference[];
  additional_contexts?: Record<string, string>;
  [other: string]: unknown;
}

export interface ServicePort {
  /** Container port. */
  target: number;
  /** Host port or range ("8080", "8000-8010"); absent: a free port chosen by the engine. */
  published?: string;
  host_ip?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode: 'ingress' | 'host';
  name?: string;
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Volume key (type volume; absent: anonymous), absolute host path (bind), image (type image). */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z'; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Record<string, string> };
  tmpfs?: { size?: number; mode?: number };
  image?: { subpath?: string };
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  interface_name?: string;
  driver_opts?: Record<string, string>;
  /** Order in which the container is connected (higher first). */
  priority?: number;
  gw_priority?: number;
}

/** A service's use of a secret or config: mounted read-only at `target`. */
export interface ServiceFileReference {
  /** The secret/config key in the project. */
  source: string;
  /** Absolute path in the container: /run/secrets/<source> (secrets) or /<source> (configs) by default. */
  target: string;
  uid?: string;
  gid?: string;
  /** File mode (octal in the file, e.g. 0440). */
  mode?: number;
}

export interface HealthcheckConfig {
  /** ["CMD", ...], ["CMD-SHELL", "cmd"], or ["NONE"]; a string test is ["CMD-SHELL", test]. */
  test?: string[];
  interval?: number;
  timeout?: number;
  start_period?: number;
  start_interval?: number;
  retries?: number;
  /** The image's healthcheck is disabled (also set for test ["NONE"]). */
  disable?: boolean;
}

export interface EnvFileReference { path: string; required: boolean; format?: string }

export interface RestartPolicyConfig { condition?: 'none' | 'on-failure' | 'any'; delay?: number; max_attempts?: number; window?: number }

export interface ResourceSpec { cpus?: number; memory?: number; pids?: number; [other: string]: unknown }

export interface DeployConfig {
  mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  restart_policy?: RestartPolicyConfig;
  resources?: { limits?: ResourceSpec; reservations?: ResourceSpec };
  [other: string]: unknown;
}

export interface LoggingConfig { driver?: string; options?: Record<string, string> }

export interface UlimitConfig { soft: number; hard: number }

export interface ServiceConfig {
  image?: string;
  build?: BuildConfig;
  /** always | missing | never | build | refresh | daily | weekly | every_<duration> (if_not_present -> missing). */
  pull_policy?: string;
  /** null: explicitly the image's; [] : explicitly empty. Absent: the image's. */
  command?: string[] | null;
  entrypoint?: string[] | null;
  /** env_file contents, then `environment` over them; null: declared but unset everywhere (not passed). */
  environment: Record<string, string | null>;
  env_file?: EnvFileReference[];
  ports: ServicePort[];
  expose?: string[];
  volumes: ServiceVolume[];
  volumes_from?: string[];
  tmpfs?: string[];
  depends_on: Record<string, ServiceDependency>;
  healthcheck?: HealthcheckConfig;
  /** no | always | on-failure[:N] | unless-stopped, as written. */
  restart?: string;
  deploy?: DeployConfig;
  /** Number of containers: deploy.replicas, else scale, else 1 (both set and different is an error). */
  scale: number;
  /** Networks to join (absent when network_mode is set); the implicit `default` when none is listed. */
  networks?: Record<string, ServiceNetwork>;
  /** host | none | bridge | service:NAME | container:NAME. */
  network_mode?: string;
  container_name?: string;
  hostname?: string;
  domainname?: string;
  labels: Record<string, string>;
  user?: string;
  working_dir?: string;
  init?: boolean;
  read_only?: boolean;
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  /** As written: HOST[:CONTAINER[:PERMISSIONS]], or CDI names. */
  devices?: string[];
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  /** Host name -> addresses. */
  extra_hosts?: Record<string, string[]>;
  shm_size?: number;
  sysctls?: Record<string, string>;
  ulimits?: Record<string, UlimitConfig>;
  stop_signal?: string;
  stop_grace_period?: number;
  tty?: boolean;
  stdin_open?: boolean;
  logging?: LoggingConfig;
  secrets: ServiceFileReference[];
  configs: ServiceFileReference[];
  platform?: string;
  profiles?: string[];
  mem_limit?: number;
  mem_reservation?: number;
  memswap_limit?: number;
  cpus?: number;
  pids_limit?: number;
  /** Other keys the Specification allows, as validated (x-* extensions included). */
  [other: string]: unknown;
}

export interface IpamPool { subnet?: string; gateway?: string; ip_range?: string; aux_addresses?: Record<string, string> }

export interface NetworkConfig {
  /** The engine's name: `name:`, else the key for an external network, else <project>_<key>. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: { driver?: string; config?: IpamPool[]; options?: Record<string, string> };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
  [other: string]: unknown;
}

export interface VolumeConfig {
  /** The engine's name: `name:`, else the key for an external volume, else <project>_<key>. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
  [other: string]: unknown;
}

/** A top-level secret or config: exactly one of file, environment, content (or external). */
export interface FileObjectConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  [other: string]: unknown;
}
