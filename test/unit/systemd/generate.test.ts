import t from 'tap';
import type { ContainerConfig } from '../../../src/container/types.js';
import type { ContainerConfig as ImageRuntimeConfig } from '../../../src/image/types.js';
import { formatMount, formatPort, runSpecArgv, runSpecFromConfig } from '../../../src/systemd/run-args.js';
import { generateQuadletFile, generateSystemdUnit, tspodInvocation, unixDate, type ContainerInput, type GenerateContext } from '../../../src/systemd/generate.js';
import { convertContainer } from '../../../src/systemd/quadlet.js';
import { parseUnitFile, splitWords } from '../../../src/systemd/unit-file.js';

const ID = 'a'.repeat(12) + 'b'.repeat(52);
const IMAGE: ImageRuntimeConfig = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'IMG=1'], Cmd: ['/bin/sh'], Labels: { 'org.test': 'yes' }, WorkingDir: '/' };

/** A container as createContainer records `tspod create --name web IMAGE` (nothing else). */
function config(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    id: ID, name: 'web', image: 'c'.repeat(64), imageName: 'localhost:5000/e2e/busybox:latest', created: '2024-01-01T00:00:00Z',
    entrypoint: [], cmd: ['/bin/sh'], args: ['/bin/sh'], env: [...IMAGE.Env!, 'container=podman'], workdir: '/', user: '', uid: 0, gid: 0,
    additionalGids: [], hostname: ID.slice(0, 12), tty: false, stdin: false, network: 'slirp4netns', dns: [], dnsSearch: [], dnsOptions: [],
    addHosts: [], ports: [], mounts: [], readOnly: false, capAdd: [], capDrop: [], privileged: false, securityOpts: [], seccomp: undefined,
    noNewPrivileges: false, labels: { 'org.test': 'yes' }, annotations: {}, restart: { name: 'no', maxRetries: 0 }, init: false,
    stopSignal: 'SIGTERM', stopTimeout: 10, health: undefined, logDriver: 'k8s-file', logPath: '/x/ctr.log', logOpts: {}, ulimits: [],
    shmSize: 64 * 1024 * 1024, sysctls: {}, resources: {}, sdnotify: 'container', detachKeys: 'ctrl-p,ctrl-q', cidfile: '', userns: '',
    autoRemove: false, timeout: 0, pidNs: '', ipcNs: '', utsNs: '', groupAdd: [],
    ...over,
  };
}

function input(over: Partial<ContainerConfig> = {}, image: ImageRuntimeConfig | undefined = IMAGE): ContainerInput {
  const c = config(over);
  return { id: c.id, name: c.name, config: c, imageConfig: image, conmonPidFile: `/run/user/1000/tspod/containers/${c.id}/conmon.pid` };
}

const CTX: GenerateContext = { tspod: ['/opt/tspod/bin/tspod'], globalArgs: [], version: '0.1.0', now: new Date('2024-03-05T07:08:09Z'), runroot: '/run/user/1000/tspod', defaultRunroot: true };

/** key -> values of one section. */
function values(text: string, section: string, key: string): string[] {
  const s = parseUnitFile(text).find((x) => x.name === section);
  return (s?.entries ?? []).filter((e) => e.key === key).map((e) => e.value);
}

t.test('run options: only what differs from the image comes back', async (t) => {
  t.same(runSpecArgv(runSpecFromConfig(config(), IMAGE)), ['localhost:5000/e2e/busybox:latest'], 'a plain container needs nothing but the image');
  const c = config({
    env: [...IMAGE.Env!, 'container=podman', 'FOO=bar baz', 'IMG=2'],
    ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIP: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' }],
    mounts: [
      { type: 'bind', source: '/srv/data', destination: '/data', readonly: true, options: [] },
      { type: 'volume', source: 'vol1', destination: '/v', readonly: false, options: ['U'] },
      { type: 'volume', source: '', destination: '/anon', readonly: false, options: [], anonymous: true },
      { type: 'tmpfs', source: '', destination: '/tmp', readonly: false, options: ['size=64m'] },
    ],
    labels: { 'org.test': 'yes', app: 'web', flag: '' }, annotations: { 'io.x': 'y' }, network: 'none', hostname: 'h1',
    dns: ['1.1.1.1'], dnsSearch: ['example.com'], dnsOptions: ['ndots:2'], addHosts: ['db:10.0.0.2'], workdir: '/srv', user: '1000:1000',
    groupAdd: ['wheel'], readOnly: true, privileged: false, capAdd: ['CAP_NET_ADMIN'], capDrop: ['CAP_CHOWN'], securityOpts: ['no-new-privileges'],
    init: true, stopSignal: 'SIGINT', stopTimeout: 3, timeout: 100, logDriver: 'none', logOpts: { 'max-size': '10m' },
    ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }], shmSize: 128 * 1024 * 1024, sysctls: { 'net.ipv4.ip_forward': '1' },
    resources: { memory: 536870912, pidsLimit: 100 }, tty: true, stdin: true, cmd: ['sleep', '100'],
  });
  c.env.push('TERM=xterm');
  const argv = runSpecArgv(runSpecFromConfig(c, IMAGE, { name: 'web' }));
  t.same(argv, [
    '--name', 'web', '--tty', '--interactive', '--env', 'IMG=2', '--env', 'FOO=bar baz',
    '--publish', '8080:80', '--publish', '127.0.0.1:5353:53/udp',
    '--volume', '/srv/data:/data:ro', '--volume', 'vol1:/v:U', '--volume', '/anon', '--tmpfs', '/tmp:size=64m',
    '--label', 'app=web', '--label', 'flag', '--annotation', 'io.x=y', '--network', 'none', '--hostname', 'h1',
    '--dns', '1.1.1.1', '--dns-search', 'example.com', '--dns-option', 'ndots:2', '--add-host', 'db:10.0.0.2',
    '--workdir', '/srv', '--user', '1000:1000', '--group-add', 'wheel', '--read-only', '--cap-add', 'CAP_NET_ADMIN', '--cap-drop', 'CAP_CHOWN',
    '--security-opt', 'no-new-privileges', '--init', '--stop-signal', 'SIGINT', '--stop-timeout', '3', '--timeout', '100',
    '--log-driver', 'none', '--log-opt', 'max-size=10m', '--ulimit', 'nofile=1024:2048', '--shm-size', '134217728',
    '--sysctl', 'net.ipv4.ip_forward=1', '--memory', '536870912', '--pids-limit', '100',
    'localhost:5000/e2e/busybox:latest', 'sleep', '100',
  ]);
});

t.test('run options: --expose beyond the image\'s EXPOSE and --publish, --device', async (t) => {
  const c = config({
    ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    exposedPorts: ['7000/tcp', '80/tcp', '9000/udp'],
    devices: [{ source: '/dev/zero', destination: '/dev/zero', permissions: 'rwm' }, { source: '/dev/null', destination: '/dev/n', permissions: 'r' }],
  });
  t.same(runSpecArgv(runSpecFromConfig(c, { ...IMAGE, ExposedPorts: { '7000/tcp': {} } })), [
    '--publish', '8080:80', '--expose', '9000/udp', '--device', '/dev/zero:/dev/zero', '--device', '/dev/null:/dev/n:r', 'localhost:5000/e2e/busybox:latest',
  ]);
});

t.test('run options: entrypoint, command and health check rules', async (t) => {
  const img: ImageRuntimeConfig = { ...IMAGE, Entrypoint: ['/entry'], Cmd: ['arg'], Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30e9, Timeout: 30e9, Retries: 3 } };
  const base = { entrypoint: ['/entry'], cmd: ['arg'], health: { test: ['CMD-SHELL', 'true'], interval: 30000, timeout: 30000, retries: 3, startPeriod: 0 } };
  t.same(runSpecFromConfig(config(base), img).options, [], 'image defaults are not repeated');
  t.same(runSpecArgv(runSpecFromConfig(config({ ...base, cmd: ['other'] }), img)).slice(-2), ['localhost:5000/e2e/busybox:latest', 'other'], 'a new CMD after the image');
  t.same(runSpecArgv(runSpecFromConfig(config({ ...base, entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] }), img)), ['--entrypoint', '["/bin/sh","-c"]', 'localhost:5000/e2e/busybox:latest', 'echo hi'], 'a multi-word entrypoint as JSON');
  t.same(runSpecArgv(runSpecFromConfig(config({ ...base, entrypoint: [], cmd: ['/bin/true'] }), img)), ['--entrypoint', '', 'localhost:5000/e2e/busybox:latest', '/bin/true'], 'a cleared entrypoint');
  t.same(runSpecFromConfig(config({ ...base, health: undefined }), img).options, [{ flag: '--no-healthcheck' }]);
  t.same(runSpecFromConfig(config({ ...base, health: { ...base.health, interval: 5000, retries: 5 } }), img).options, [{ flag: '--health-interval', value: '5s' }, { flag: '--health-retries', value: '5' }]);
  t.same(runSpecFromConfig(config({ health: { test: ['CMD', 'wget', '-q', 'x'], interval: 1500, timeout: 30000, retries: 3, startPeriod: 0 } }), IMAGE).options,
    [{ flag: '--health-cmd', value: '["wget","-q","x"]' }, { flag: '--health-interval', value: '1500ms' }]);
  t.same(runSpecFromConfig(config({ stopSignal: 'SIGQUIT' }), { ...IMAGE, StopSignal: 'quit' }).options, [], 'the image STOPSIGNAL is normalised before comparing');
  t.same(runSpecArgv(runSpecFromConfig(config({ env: [...IMAGE.Env!, 'container=podman'] }), undefined)), ['--env', 'IMG=1', '--label', 'org.test=yes', 'localhost:5000/e2e/busybox:latest', '/bin/sh'], 'without the image everything is spelled out');
});

t.test('formatPort and formatMount', async (t) => {
  t.equal(formatPort({ hostIP: '0.0.0.0', hostPort: 1, containerPort: 2, protocol: 'tcp' }), '1:2');
  t.equal(formatPort({ hostIP: '::1', hostPort: 1, containerPort: 2, protocol: 'udp' }), '[::1]:1:2/udp');
  t.same(formatMount({ type: 'tmpfs', source: '', destination: '/t', readonly: true, options: [] }), { flag: '--tmpfs', value: '/t:ro' });
  t.same(formatMount({ type: 'volume', source: '', destination: '/a', readonly: true, options: [], anonymous: true }), { flag: '--mount', value: 'type=volume,target=/a,readonly' });
});

t.test('generate systemd: existing container (Podman 4.3 shape)', async (t) => {
  const u = generateSystemdUnit(input(), {}, CTX);
  t.equal(u.fileName, `container-${ID}.service`, 'named by ID without --name');
  t.equal(u.text.split('\n')[0], `# container-${ID}.service`);
  t.match(u.text, /^# autogenerated by tspod 0\.1\.0\n# Tue Mar  5 07:08:09 UTC 2024\n/m);
  t.same(values(u.text, 'Service', 'Type'), ['forking']);
  t.same(values(u.text, 'Service', 'PIDFile'), [`/run/user/1000/tspod/containers/${ID}/conmon.pid`], "PIDFile is conmon's pid file");
  t.same(values(u.text, 'Service', 'Restart'), ['on-failure']);
  t.same(values(u.text, 'Service', 'TimeoutStopSec'), ['70'], 'stop timeout + 60');
  t.same(values(u.text, 'Service', 'Environment'), ['TSPOD_SYSTEMD_UNIT=%n']);
  t.same(values(u.text, 'Service', 'ExecStart').map(splitWords), [['/opt/tspod/bin/tspod', 'start', ID]]);
  t.same(values(u.text, 'Service', 'ExecStop').map(splitWords), [['/opt/tspod/bin/tspod', 'stop', '-t', '10', ID]]);
  t.same(values(u.text, 'Service', 'ExecStopPost').map(splitWords), [['/opt/tspod/bin/tspod', 'stop', '-t', '10', ID]]);
  t.same(values(u.text, 'Service', 'KillMode'), [], 'no KillMode (Podman 4.3 dropped KillMode=none)');
  t.same(values(u.text, 'Unit', 'Wants'), ['network-online.target']);
  t.same(values(u.text, 'Unit', 'RequiresMountsFor'), ['/run/user/1000/tspod']);
  t.same(values(u.text, 'Install', 'WantedBy'), ['default.target']);
  t.same(u.warnings, []);

  const n = generateSystemdUnit(input({ restart: { name: 'always', maxRetries: 0 } }), { useName: true, stopTimeout: 5, noHeader: true, containerPrefix: 'ctr', separator: '_', after: ['a.service'], wants: ['b.service'], requires: ['c.service', 'd.service'], env: ['A=1', 'B=two words'], restartSec: 3, startTimeout: 20, restartPolicy: 'always' }, CTX);
  t.equal(n.fileName, 'ctr_web.service');
  t.ok(n.text.startsWith('[Unit]\n'), '--no-header');
  t.same(values(n.text, 'Service', 'ExecStop').map(splitWords), [['/opt/tspod/bin/tspod', 'stop', '-t', '5', 'web']], 'the name with --name, -t from --time');
  t.same(values(n.text, 'Service', 'TimeoutStopSec'), ['65']);
  t.same(values(n.text, 'Service', 'RestartSec'), ['3']);
  t.same(values(n.text, 'Service', 'TimeoutStartSec'), ['20']);
  t.same(values(n.text, 'Service', 'Restart'), ['always']);
  t.same(values(n.text, 'Service', 'Environment').flatMap(splitWords), ['TSPOD_SYSTEMD_UNIT=%n', 'A=1', 'B=two words']);
  t.same(values(n.text, 'Unit', 'After'), ['network-online.target a.service']);
  t.same(values(n.text, 'Unit', 'Wants'), ['network-online.target b.service']);
  t.same(values(n.text, 'Unit', 'Requires'), ['c.service d.service']);
  t.match(n.warnings[0], /restart policy "always" which can lead to issues on shutdown/);
});

t.test('generate systemd --new: the unit creates and removes the container', async (t) => {
  const c = input({ env: [...IMAGE.Env!, 'container=podman', 'PCT=100%', 'DOLLAR=$HOME'], ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], cmd: ['httpd', '-f'], restart: { name: 'unless-stopped', maxRetries: 0 } });
  const u = generateSystemdUnit(c, { new: true, useName: true }, { ...CTX, globalArgs: ['--root', '/data/tspod'] });
  t.equal(u.fileName, 'container-web.service');
  t.same(values(u.text, 'Service', 'Type'), ['notify'], 'Type=notify: tspod run -d --sdnotify=conmon tells systemd MAINPID and READY');
  t.same(values(u.text, 'Service', 'NotifyAccess'), ['all'], 'the notification comes from tspod, not from the main process');
  t.same(values(u.text, 'Service', 'PIDFile'), [], 'no PIDFile: MAINPID comes with READY=1');
  t.same(values(u.text, 'Service', 'Restart'), ['always'], "with --new the container's restart policy becomes systemd's");
  t.same(values(u.text, 'Unit', 'RequiresMountsFor'), ['%t/tspod']);
  t.same(values(u.text, 'Service', 'ExecStartPre').map(splitWords), [['/bin/rm', '-f', '%t/%n.ctr-id']]);
  const start = splitWords(values(u.text, 'Service', 'ExecStart')[0]!);
  t.same(start, ['/opt/tspod/bin/tspod', '--root', '/data/tspod', 'run', '--cidfile=%t/%n.ctr-id', '--rm', '--sdnotify=conmon', '--replace', '-d', '--name', 'web',
    '--env', 'PCT=100%%', '--env', 'DOLLAR=$$HOME', '--publish', '8080:80', 'localhost:5000/e2e/busybox:latest', 'httpd', '-f'], '% and $ of the configuration are escaped for systemd');
  t.notOk(start.includes('--restart'), 'no --restart: systemd restarts the unit');
  t.same(values(u.text, 'Service', 'ExecStartPost'), []);
  t.same(values(u.text, 'Service', 'ExecStop').map(splitWords), [['/opt/tspod/bin/tspod', '--root', '/data/tspod', 'stop', '--ignore', '-t', '10', '--cidfile=%t/%n.ctr-id']]);
  t.same(values(u.text, 'Service', 'ExecStopPost').map(splitWords), [
    ['/opt/tspod/bin/tspod', '--root', '/data/tspod', 'rm', '-f', '--ignore', '-t', '10', '--cidfile=%t/%n.ctr-id'],
  ], 'stop and removal go by the ID file');

  const tpl = generateSystemdUnit(c, { new: true, template: true, useName: true }, CTX);
  t.equal(tpl.fileName, 'container-web@.service');
  t.same(values(tpl.text, 'Unit', 'Description'), ['tspod container-web.service for %I']);
  t.ok(splitWords(values(tpl.text, 'Service', 'ExecStart')[0]!).join(' ').includes('--name web-%i'));
  t.same(splitWords(values(tpl.text, 'Service', 'ExecStop')[0]!).slice(-1), ['--cidfile=%t/%n.ctr-id'], 'each instance has its own ID file (%n)');

  const byId = generateSystemdUnit(c, { new: true }, CTX);
  t.equal(byId.fileName, `container-${ID}.service`, 'without --name the unit is named by ID');
  t.ok(splitWords(values(byId.text, 'Service', 'ExecStart')[0]!).join(' ').includes('--name web'), '...and the container it creates keeps its name');
});

t.test('generate systemd: invalid input', async (t) => {
  t.throws(() => generateSystemdUnit(input(), { template: true }, CTX), /--template cannot be set without --new/);
  t.throws(() => generateSystemdUnit(input(), { restartPolicy: 'sometimes' }, CTX), /invalid --restart-policy "sometimes"/);
  t.throws(() => generateSystemdUnit(input(), { env: ['no-equals!'] }, CTX), /invalid --env "no-equals!"/);
  t.throws(() => generateSystemdUnit(input(), { after: ['a b'] }, CTX), /invalid --after/);
  t.throws(() => generateSystemdUnit(input(), { useName: true, separator: '/' }, CTX), /invalid unit name/);
  t.match(generateSystemdUnit(input({ autoRemove: true }), {}, CTX).warnings[0], /created with --rm/);
});

t.test('tspodInvocation: node off the default PATH is named explicitly', async (t) => {
  t.same(tspodInvocation('/x/bin/tspod', '/usr/bin/node'), ['/x/bin/tspod']);
  t.same(tspodInvocation('/x/bin/tspod', '/home/u/.nvm/v20/bin/node'), ['/home/u/.nvm/v20/bin/node', '/x/bin/tspod']);
});

t.test('unixDate pads like Go', async (t) => {
  t.equal(unixDate(new Date('2026-11-22T11:09:12Z')), 'Sun Nov 22 11:09:12 UTC 2026');
});

t.test('generate quadlet: a .container file that converts back to the same run', async (t) => {
  const c = input({
    env: [...IMAGE.Env!, 'container=podman', 'FOO=bar baz'], ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    mounts: [{ type: 'bind', source: '/srv', destination: '/data', readonly: true, options: [] }], labels: { 'org.test': 'yes', app: 'web' },
    user: '1000:100', readOnly: true, securityOpts: ['no-new-privileges'], init: true, tty: true, cmd: ['sleep', '1 2'], restart: { name: 'on-failure', maxRetries: 0 },
    network: 'none',
  });
  c.config.env.push('TERM=xterm');
  const q = generateQuadletFile(c, {}, CTX);
  t.equal(q.fileName, 'web.container');
  const ctr = (k: string) => values(q.text, 'Container', k);
  t.same(ctr('Image'), ['localhost:5000/e2e/busybox:latest']);
  t.same(ctr('ContainerName'), ['web']);
  t.same(ctr('Environment').flatMap(splitWords), ['FOO=bar baz']);
  t.same(ctr('PublishPort'), ['8080:80']);
  t.same(ctr('Volume'), ['/srv:/data:ro']);
  t.same(ctr('Label'), ['app=web']);
  t.same(ctr('User'), ['1000']);
  t.same(ctr('Group'), ['100']);
  t.same(ctr('ReadOnly'), ['true']);
  t.same(ctr('NoNewPrivileges'), ['true']);
  t.same(ctr('RunInit'), ['true']);
  t.same(ctr('Network'), ['none']);
  t.same(ctr('PodmanArgs').flatMap(splitWords), ['--tty'], 'options without a Quadlet key go to PodmanArgs');
  t.same(ctr('Exec').flatMap(splitWords), ['sleep', '1 2']);
  t.same(values(q.text, 'Service', 'Restart'), ['on-failure']);
  t.same(values(q.text, 'Install', 'WantedBy'), ['default.target']);

  // and the generator turns it into a unit whose run has the same options
  const svc = convertContainer('web.container', q.text, { sourcePath: '/q/web.container', ctx: { tspod: ['/opt/tspod/bin/tspod'], globalArgs: [] }, user: true });
  const run = splitWords(values(svc.text, 'Service', 'ExecStart')[0]!);
  const opts = (argv: string[]) => {
    const pairs: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (!a.startsWith('-')) { pairs.push(`ARG ${a}`); continue; }
      const takes = !['--tty', '--read-only', '--init', '--rm', '--replace', '-d'].includes(a) && !a.includes('=');
      pairs.push(takes ? `${a} ${argv[++i]}` : a);
    }
    return pairs.sort();
  };
  const original = runSpecArgv(runSpecFromConfig(c.config, IMAGE, { name: 'web' }));
  const fromQuadlet = run.slice(run.indexOf('run') + 1).filter((w) => !['--cidfile=%t/%N.cid', '--replace', '--rm', '--sdnotify=conmon', '-d'].includes(w)).map((w) => w.replace(/^--name=/, '--name '));
  t.same(opts(fromQuadlet.flatMap((w) => w.startsWith('--name ') ? w.split(' ') : [w])), opts(original), 'the same options survive generate quadlet -> tspod quadlet');
});

t.test('generate systemd: --env NAME takes the value from tspod\'s environment (as Podman)', async (t) => {
  const ctx = { ...CTX, hostEnv: { FROM_HOST: 'h v', PRE_A: '1', PRE_B: '2', OTHER: 'x' } };
  const u = generateSystemdUnit(input(), { env: ['A=1', 'FROM_HOST', 'UNSET_NAME', 'PRE_*'], noHeader: true }, ctx);
  t.same(values(u.text, 'Service', 'Environment'), ['TSPOD_SYSTEMD_UNIT=%n', 'A=1', '"FROM_HOST=h v"', 'PRE_A=1', 'PRE_B=2'], 'NAME from the host, unset names left out, PREFIX* expanded');
});
