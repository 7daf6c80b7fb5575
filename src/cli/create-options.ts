// Flags of run/create -> CreateOptions (free of oclif, so the fast path can use it).
import type { CreateOptions } from '../container/options.js';

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
    healthStartPeriod: s('health-start-period'), healthStartInterval: s('health-start-interval'), noHealthcheck: b('no-healthcheck'), pull: f['pull'] as CreateOptions['pull'], replace: b('replace'), cidfile: s('cidfile'),
    ulimit: a('ulimit'), shmSize: s('shm-size'), sdnotify: f['sdnotify'] as CreateOptions['sdnotify'], logDriver: s('log-driver'), logOpt: a('log-opt'),
    memory: s('memory'), cpus: n('cpus'), pidsLimit: n('pids-limit'), userns: s('userns'), groupAdd: a('group-add'), sysctl: a('sysctl'), pid: s('pid'),
    ipc: s('ipc'), uts: s('uts'), networkAlias: a('network-alias'), ip: s('ip'), link: a('link'), tlsVerify: b('tls-verify'), platform: s('platform'), timeout: n('timeout'),
    pod: s('pod'), podIdFile: s('pod-id-file'), initCtr: f['init-ctr'] as CreateOptions['initCtr'],
    runtime: s('runtime'), conmonPidfile: s('conmon-pidfile'), tz: s('tz'), unsetenv: a('unsetenv'), unsetenvAll: b('unsetenv-all'), httpProxy: b('http-proxy'),
    imageVolume: f['image-volume'] as CreateOptions['imageVolume'], rmi: b('rmi'), kernelMemory: s('kernel-memory'), hostuser: a('hostuser'),
    device: a('device'), expose: a('expose'),
  };
}
