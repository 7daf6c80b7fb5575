// The flags `run` and `create` share, and their mapping to CreateOptions.
import { Flags } from '@oclif/core';
import type { CreateOptions } from '../container/options.js';

const many = (description: string, char?: string) => Flags.string({ description, multiple: true, multipleNonGreedy: true, ...(char ? { char: char as 'a' } : {}) });

export const createFlags = {
  name: Flags.string({ description: 'Assign a name to the container' }),
  interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open even if not attached' }),
  tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY for the container' }),
  rm: Flags.boolean({ description: 'Remove the container (and its anonymous volumes) when it exits' }),
  env: many('Set environment variables in the container (KEY=VALUE, or KEY to take it from the host)', 'e'),
  'env-file': many('Read environment variables from a file'),
  workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
  user: Flags.string({ char: 'u', description: 'Username or UID (format: <name|uid>[:<group|gid>])' }),
  entrypoint: Flags.string({ description: "Overwrite the default ENTRYPOINT of the image ('' to clear it)" }),
  publish: many('Publish a container port to the host ([ip:][hostPort:]containerPort[/protocol], ranges allowed)', 'p'),
  'publish-all': Flags.boolean({ char: 'P', description: 'Publish all exposed ports to random ports on the host' }),
  network: Flags.string({ description: 'Network mode: slirp4netns (default), none, host, container:NAME', aliases: ['net'] }),
  hostname: Flags.string({ char: 'h', description: 'Set the container host name' }),
  'network-alias': many('Add a network-scoped alias for the container (user-defined networks)'),
  ip: Flags.string({ description: 'Static IPv4 address on the user-defined network' }),
  link: many('Add a hosts entry for another container (NAME[:ALIAS]) on the same user-defined network'),
  'add-host': many('Add a custom host-to-IP mapping (host:ip)'),
  dns: many('Set custom DNS servers'),
  'dns-search': many('Set custom DNS search domains'),
  'dns-option': many('Set custom DNS options'),
  volume: many('Bind mount a volume (SOURCE:DEST[:OPTIONS], or DEST for an anonymous volume)', 'v'),
  mount: many('Attach a filesystem mount (type=bind|volume|tmpfs,source=...,target=...)'),
  tmpfs: many('Mount a temporary filesystem (DEST[:OPTIONS])'),
  'volumes-from': many('Mount volumes from the specified container(s) (CONTAINER[:ro|rw])'),
  'read-only': Flags.boolean({ description: 'Make the container root filesystem read-only' }),
  'cap-add': many('Add capabilities'),
  'cap-drop': many('Drop capabilities'),
  'security-opt': many('Security options: no-new-privileges, seccomp=unconfined|PROFILE, label=disable'),
  privileged: Flags.boolean({ description: 'Give extended privileges to the container (as far as rootless allows)' }),
  label: many('Set metadata on the container (key=value)', 'l'),
  annotation: many('Add an annotation to the container (key=value)'),
  restart: Flags.string({ description: 'Restart policy: no, on-failure[:max_retries], always, unless-stopped' }),
  init: Flags.boolean({ description: 'Run an init (catatonit) inside the container that forwards signals and reaps processes' }),
  'stop-signal': Flags.string({ description: 'Signal to stop the container (default: the image STOPSIGNAL or SIGTERM)' }),
  'stop-timeout': Flags.integer({ description: 'Timeout (in seconds) to stop a container (default 10)' }),
  'detach-keys': Flags.string({ description: 'Key sequence for detaching (default ctrl-p,ctrl-q)' }),
  'health-cmd': Flags.string({ description: 'Command to run to check health' }),
  'health-interval': Flags.string({ description: 'Time between health checks (e.g. 30s, "disable")' }),
  'health-retries': Flags.integer({ description: 'Consecutive failures needed to report unhealthy' }),
  'health-timeout': Flags.string({ description: 'Maximum time a health check may take' }),
  'health-start-period': Flags.string({ description: 'Initialization time before failures count' }),
  'no-healthcheck': Flags.boolean({ description: 'Disable any container-specified HEALTHCHECK' }),
  pull: Flags.option({ options: ['missing', 'always', 'never', 'newer'] as const, description: 'Pull image policy' })(),
  replace: Flags.boolean({ description: 'Replace an existing container of the same name' }),
  cidfile: Flags.string({ description: 'Write the container ID to the file' }),
  ulimit: many('Ulimit options (type=soft[:hard])'),
  'shm-size': Flags.string({ description: 'Size of /dev/shm (e.g. 64m)' }),
  sdnotify: Flags.option({ options: ['container', 'conmon', 'ignore'] as const, description: 'Control sd-notify behavior' })(),
  'log-driver': Flags.option({ options: ['k8s-file', 'journald', 'none'] as const, description: 'Logging driver for the container' })(),
  'log-opt': many('Logging driver options (e.g. max-size=10m)'),
  memory: Flags.string({ char: 'm', description: 'Memory limit (a warning when rootless cgroups v1 cannot apply it)' }),
  cpus: Flags.custom<number>({ description: 'Number of CPUs (a warning when rootless cgroups v1 cannot apply it)', parse: async (s) => { const n = Number(s); if (!Number.isFinite(n)) throw new Error(`invalid --cpus "${s}"`); return n; } })(),
  'pids-limit': Flags.integer({ description: 'Limit the number of processes (a warning when rootless cgroups v1 cannot apply it)' }),
  userns: Flags.string({ description: 'User namespace to use (host)' }),
  'group-add': many('Add additional groups to the primary container process'),
  sysctl: many('Set namespaced kernel parameters'),
  pid: Flags.string({ description: 'PID namespace to use' }),
  ipc: Flags.string({ description: 'IPC namespace to use' }),
  uts: Flags.string({ description: 'UTS namespace to use' }),
  'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates when pulling the image' }),
  platform: Flags.string({ description: 'Platform of the image to pull (os/arch[/variant])' }),
  timeout: Flags.integer({ description: 'Maximum time a container may run before it is killed (seconds)' }),
};

export function toCreateOptions(image: string, command: string[], f: Record<string, unknown>): CreateOptions {
  const s = (k: string) => f[k] as string | undefined;
  const a = (k: string) => f[k] as string[] | undefined;
  const b = (k: string) => f[k] as boolean | undefined;
  const n = (k: string) => f[k] as number | undefined;
  return {
    image, command, name: s('name'), interactive: b('interactive'), tty: b('tty'), rm: b('rm'), env: a('env'), envFile: a('env-file'), workdir: s('workdir'),
    user: s('user'), entrypoint: s('entrypoint'), publish: a('publish'), publishAll: b('publish-all'), network: s('network'), hostname: s('hostname'),
    addHost: a('add-host'), dns: a('dns'), dnsSearch: a('dns-search'), dnsOption: a('dns-option'), volume: a('volume'), mount: a('mount'), tmpfs: a('tmpfs'),
    volumesFrom: a('volumes-from'), readOnly: b('read-only'), capAdd: a('cap-add'), capDrop: a('cap-drop'), securityOpt: a('security-opt'), privileged: b('privileged'),
    label: a('label'), annotation: a('annotation'), restart: s('restart'), init: b('init'), stopSignal: s('stop-signal'), stopTimeout: n('stop-timeout'),
    detachKeys: s('detach-keys'), healthCmd: s('health-cmd'), healthInterval: s('health-interval'), healthRetries: n('health-retries'), healthTimeout: s('health-timeout'),
    healthStartPeriod: s('health-start-period'), noHealthcheck: b('no-healthcheck'), pull: f['pull'] as CreateOptions['pull'], replace: b('replace'), cidfile: s('cidfile'),
    ulimit: a('ulimit'), shmSize: s('shm-size'), sdnotify: f['sdnotify'] as CreateOptions['sdnotify'], logDriver: s('log-driver'), logOpt: a('log-opt'),
    memory: s('memory'), cpus: n('cpus'), pidsLimit: n('pids-limit'), userns: s('userns'), groupAdd: a('group-add'), sysctl: a('sysctl'), pid: s('pid'),
    ipc: s('ipc'), uts: s('uts'), networkAlias: a('network-alias'), ip: s('ip'), link: a('link'), tlsVerify: b('tls-verify'), platform: s('platform'), timeout: n('timeout'),
  };
}
