// Normalization to the model of src/compose/types.ts: each short syntax of the Specification to its long
// form, strings to numbers/booleans, durations to ms, sizes to bytes; plus the config hash and names.
import t from 'tap';
import * as path from 'node:path';
import { parsePortSpec } from '../../../src/compose/ports.js';
import { parseVolumeSpec } from '../../../src/compose/volumes.js';
import { formatDuration } from '../../../src/compose/units.js';
import {
  serviceConfigHash, containerName, oneOffContainerName, resourceName, builtImageName, normalizeProjectName,
  renderProject, dependencyOrder,
} from '../../../src/compose/index.js';
import { loadYaml, projectDir, load } from '../../fixtures/compose/project.js';

const tcp = { protocol: 'tcp', mode: 'ingress' };

t.test('ports: short syntax with ranges, IPs and protocols; long syntax', async (t) => {
  const table: [string | number, object[]][] = [
    ['3000', [{ target: 3000, ...tcp }]],
    [80, [{ target: 80, ...tcp }]],
    ['3000-3002', [{ target: 3000, ...tcp }, { target: 3001, ...tcp }, { target: 3002, ...tcp }]],
    ['8000:8000', [{ target: 8000, published: '8000', ...tcp }]],
    ['9090-9091:8080-8081', [{ target: 8080, published: '9090', ...tcp }, { target: 8081, published: '9091', ...tcp }]],
    ['49100:22', [{ target: 22, published: '49100', ...tcp }]],
    ['127.0.0.1:8001:8001', [{ target: 8001, published: '8001', host_ip: '127.0.0.1', ...tcp }]],
    ['127.0.0.1:5000-5010:5000', [{ target: 5000, published: '5000-5010', host_ip: '127.0.0.1', ...tcp }]],
    ['127.0.0.1::5000', [{ target: 5000, host_ip: '127.0.0.1', ...tcp }]],
    ['6060:6060/udp', [{ target: 6060, published: '6060', protocol: 'udp', mode: 'ingress' }]],
    ['[::1]:6001:6001', [{ target: 6001, published: '6001', host_ip: '::1', ...tcp }]],
    ['12400-12500:1240', [{ target: 1240, published: '12400-12500', ...tcp }]],
  ];
  for (const [spec, want] of table) t.same(parsePortSpec(spec), want, String(spec));
  t.same(parsePortSpec({ target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'udp', mode: 'host', name: 'web', app_protocol: 'http' }),
    [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'udp', mode: 'host', name: 'web', app_protocol: 'http' }]);
  t.same(parsePortSpec({ target: '81', published: '8000-8010' }), [{ target: 81, published: '8000-8010', ...tcp }]);
  for (const bad of ['0', '70000', 'abc', '80/xtp', '1:2:3:4', 'a.b.c.d:80:80', '3000-2000', '1-3:4-5']) t.throws(() => parsePortSpec(bad), /invalid port/, bad);
});

t.test('volumes: short and long syntax', async (t) => {
  t.same(parseVolumeSpec('/var/lib/mysql'), { type: 'volume', target: '/var/lib/mysql' }, 'anonymous');
  t.same(parseVolumeSpec('data:/data'), { type: 'volume', source: 'data', target: '/data' }, 'named');
  t.same(parseVolumeSpec('data:/data:ro,nocopy'), { type: 'volume', source: 'data', target: '/data', read_only: true, volume: { nocopy: true } });
  t.same(parseVolumeSpec('./cache:/tmp/cache:rw,z'), { type: 'bind', source: './cache', target: '/tmp/cache', read_only: false, bind: { create_host_path: true, selinux: 'z' } });
  t.same(parseVolumeSpec('/opt/data:/data:rshared'), { type: 'bind', source: '/opt/data', target: '/data', bind: { create_host_path: true, propagation: 'rshared' } });
  t.same(parseVolumeSpec('~/configs:/etc/configs/:ro'), { type: 'bind', source: '~/configs', target: '/etc/configs/', read_only: true, bind: { create_host_path: true } });
  for (const bad of ['a:b:c:d', 'data:/d:bogus', '/a:/b:nocopy', 'vol:/b:Z', 'rel']) t.throws(() => parseVolumeSpec(bad), /invalid volume/, bad);

  const dir = projectDir(t, {
    'compose.yaml': [
      'services:', '  web:', '    image: x', '    volumes:',
      '      - type: bind', '        source: ./static', '        target: /opt/app/static', '        read_only: "true"', '        bind: {create_host_path: false, propagation: rslave}',
      '      - type: volume', '        source: db', '        target: /db', '        volume: {nocopy: true, subpath: sub}',
      '      - type: tmpfs', '        target: /run/t', '        tmpfs: {size: 64m, mode: 01777}',
      '      - ./short:/short',
      '    tmpfs: /run', 'volumes:', '  db: {}',
    ].join('\n'),
  });
  const v = load(dir).services['web']!;
  t.same(v.volumes, [
    { type: 'bind', source: path.join(dir, 'static'), target: '/opt/app/static', read_only: true, bind: { create_host_path: false, propagation: 'rslave' } },
    { type: 'volume', source: 'db', target: '/db', volume: { nocopy: true, subpath: 'sub' } },
    { type: 'tmpfs', target: '/run/t', tmpfs: { size: 64 * 1024 * 1024, mode: 0o1777 } },
    { type: 'bind', source: path.join(dir, 'short'), target: '/short', bind: { create_host_path: true } },
  ]);
  t.same(v.tmpfs, ['/run'], 'string_or_list');
});

t.test('environment (map, list, bare KEY from the environment) and env_file (required, raw, precedence)', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': [
      'services:', '  a:', '    image: x', '    env_file: [a.env, {path: opt.env, required: false}, {path: raw.env, format: raw}]',
      '    environment:', '      - FROM_ENV', '      - UNSET_ONE', '      - OVER=compose', '      - EMPTY=',
      '  b:', '    image: x', '    environment:', '      RACK_ENV: development', '      SHOW: "true"', '      USER_INPUT:', '      N: 3',
    ].join('\n'),
    'a.env': 'OVER=file\nFILE_ONLY=${FROM_ENV}\nUNSET_ONE=file\n',
    'raw.env': 'RAW=$NOT "x"\n',
  });
  const p = load(dir, { env: { FROM_ENV: 'host' } });
  t.same(p.services['a']!.environment, { OVER: 'compose', FILE_ONLY: 'host', UNSET_ONE: null, RAW: '$NOT "x"', FROM_ENV: 'host', EMPTY: '' },
    'environment wins over env_file even for a variable without a value (null: not passed)');
  t.same(p.services['a']!.env_file, [
    { path: path.join(dir, 'a.env'), required: true }, { path: path.join(dir, 'opt.env'), required: false }, { path: path.join(dir, 'raw.env'), required: true, format: 'raw' },
  ]);
  t.same(p.services['b']!.environment, { RACK_ENV: 'development', SHOW: 'true', USER_INPUT: null, N: '3' });
});

t.test('depends_on, healthcheck, restart, deploy, scale', async (t) => {
  const p = loadYaml(t, [
    'services:',
    '  web:', '    image: x', '    depends_on:', '      db: {condition: service_healthy, restart: true}', '      init: {condition: service_completed_successfully, required: false}',
    '    restart: on-failure:3', '    stop_grace_period: 1m30s', '    deploy:', '      replicas: "2"',
    '      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}',
    '      resources: {limits: {cpus: "0.5", memory: 512m, pids: 100}, reservations: {memory: 1gb}}',
    '  db:', '    image: x', '    healthcheck:', '      test: pg_isready', '      interval: 10s', '      timeout: 500ms', '      retries: "5"', '      start_period: 1h5m30s20ms', '      start_interval: 2s',
    '  init: {image: x, scale: 0, healthcheck: {disable: true}}',
    '  other: {image: x, depends_on: [db], healthcheck: {test: [NONE]}}',
  ].join('\n'));
  const web = p.services['web']!;
  t.same(web.depends_on, {
    db: { condition: 'service_healthy', required: true, restart: true },
    init: { condition: 'service_completed_successfully', required: false, restart: false },
  });
  t.equal(web.restart, 'on-failure:3');
  t.equal(web.stop_grace_period, 90_000);
  t.equal(web.scale, 2, 'deploy.replicas');
  t.same(web.deploy?.restart_policy, { condition: 'on-failure', delay: 5000, max_attempts: 3, window: 120_000 });
  t.same(web.deploy?.resources, { limits: { cpus: 0.5, memory: 512 * 1024 ** 2, pids: 100 }, reservations: { memory: 1024 ** 3 } });
  t.same(p.services['db']!.healthcheck, { test: ['CMD-SHELL', 'pg_isready'], interval: 10_000, timeout: 500, retries: 5, start_period: 3_930_020, start_interval: 2000 });
  t.same(p.services['init']!.healthcheck, { disable: true });
  t.equal(p.services['init']!.scale, 0);
  t.same(p.services['other']!.healthcheck, { test: ['NONE'], disable: true });
  t.same(p.services['other']!.depends_on, { db: { condition: 'service_started', required: true, restart: false } });
  t.equal(p.services['db']!.scale, 1, 'default one replica');
  t.same(dependencyOrder(p.services), ['db', 'init', 'other', 'web']);
});

t.test('networks, network_mode, the implicit default network', async (t) => {
  const p = loadYaml(t, [
    'services:',
    '  web:', '    image: x', '    networks:', '      front:', '        aliases: [www]', '        ipv4_address: 172.16.238.10', '        priority: 1000', '      back:',
    '  db: {image: x, networks: [back]}',
    '  host: {image: x, network_mode: host}',
    '  side: {image: x, network_mode: "service:web"}',
    'networks:', '  front:', '    driver: bridge', '    internal: "true"', '    labels: [a=b]', '    ipam:', '      config:', '        - subnet: 172.16.238.0/24', '          gateway: 172.16.238.1', '          ip_range: 172.16.238.128/25',
    '  back: {name: custom-back}', '  ext: {external: true}', '  extnamed: {external: true, name: real}',
  ].join('\n'), { projectName: 'proj' });
  t.same(p.services['web']!.networks, { front: { aliases: ['www'], ipv4_address: '172.16.238.10', priority: 1000 }, back: {} });
  t.same(p.services['db']!.networks, { back: {} });
  t.equal(p.services['host']!.network_mode, 'host');
  t.equal(p.services['host']!.networks, undefined);
  t.same(p.services['side']!.depends_on, { web: { condition: 'service_started', required: true, restart: true } }, 'service:web is an implicit dependency, restarted with it (as Compose)');
  t.same(p.networks['front'], { name: 'proj_front', external: false, driver: 'bridge', internal: true, labels: { a: 'b' }, ipam: { config: [{ subnet: '172.16.238.0/24', gateway: '172.16.238.1', ip_range: '172.16.238.128/25' }] } });
  t.equal(p.networks['back']!.name, 'custom-back');
  t.equal(p.networks['ext']!.name, 'ext');
  t.equal(p.networks['extnamed']!.name, 'real');
  t.notOk('default' in p.networks, 'no implicit default network when no service uses it');
  const q = loadYaml(t, 'services:\n  a: {image: x}\n', { projectName: 'proj' });
  t.same(q.services['a']!.networks, { default: {} });
  t.same(q.networks, { default: { name: 'proj_default', external: false } }, 'the implicit default network when used');
});

t.test('secrets and configs; build; other service keys', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': [
      'services:', '  web:', '    build:', '      context: ./app', '      dockerfile: Containerfile', '      args: [VERSION=1, FROM_HOST]', '      target: prod',
      '      labels: {l: v}', '      cache_from: [a]', '      no_cache: "true"', '      pull: true', '      shm_size: 2gb',
      '    secrets: [token, {source: cert, target: tls.crt, mode: 0440, uid: "103"}]', '    configs: [conf, {source: conf, target: /etc/c.conf}]',
      '    init: true', '    read_only: "yes"', '    privileged: false', '    tty: "true"', '    stdin_open: true', '    user: "1000:1000"', '    working_dir: /app',
      '    cap_add: [NET_ADMIN]', '    cap_drop: [ALL]', '    security_opt: [no-new-privileges:true]', '    devices: ["/dev/fuse:/dev/fuse:rwm", {source: /dev/a, target: /dev/b, permissions: r}]',
      '    dns: 8.8.8.8', '    dns_search: [example.com]', '    extra_hosts: ["somehost:162.242.195.82", "other=50.31.209.229", "v6:[::1]"]',
      '    shm_size: 64m', '    sysctls: [net.core.somaxconn=1024]', '    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}',
      '    stop_signal: SIGUSR1', '    logging: {driver: json-file, options: {max-size: 1m}}', '    platform: linux/amd64', '    pull_policy: if_not_present',
      '    command: /bin/sh -c \'echo "hello $$HOSTNAME"\'', '    entrypoint: []', '    labels: {com.example: "1"}', '    expose: ["3000", 8000]',
      '    hostname: h', '    domainname: d', '    container_name: my-web', '    mem_limit: 1g', '    cpus: 1.5',
      '  inline:', '    build: {context: ., dockerfile_inline: "FROM busybox\\n"}',
      'secrets:', '  token: {file: ./token.txt}', '  cert: {environment: CERT}',
      'configs:', '  conf: {content: "a=1"}',
    ].join('\n'),
  });
  const p = load(dir, { env: { FROM_HOST: 'h' }, projectName: 'proj' });
  const w = p.services['web']!;
  t.same(w.build, { context: path.join(dir, 'app'), dockerfile: 'Containerfile', args: { VERSION: '1', FROM_HOST: 'h' }, target: 'prod', labels: { l: 'v' }, cache_from: ['a'], no_cache: true, pull: true, shm_size: 2 * 1024 ** 3 });
  t.same(w.secrets, [{ source: 'token', target: '/run/secrets/token' }, { source: 'cert', target: '/run/secrets/tls.crt', mode: 0o440, uid: '103' }]);
  t.same(w.configs, [{ source: 'conf', target: '/conf' }, { source: 'conf', target: '/etc/c.conf' }], 'short form: /<name>; a config may be mounted twice at different targets');
  t.same(p.secrets['token'], { file: path.join(dir, 'token.txt'), name: 'proj_token', external: false });
  t.same(p.secrets['cert'], { environment: 'CERT', name: 'proj_cert', external: false });
  t.same(p.configs['conf'], { content: 'a=1', name: 'proj_conf', external: false });
  t.match(p.warnings.join('\n'), /secrets\.cert: environment variable "CERT" is not set/);
  t.same([w.init, w.read_only, w.privileged, w.tty, w.stdin_open], [true, true, false, true, true]);
  t.same(w.devices, ['/dev/fuse:/dev/fuse:rwm', '/dev/a:/dev/b:r']);
  t.same(w.dns, ['8.8.8.8']);
  t.same(w.extra_hosts, { somehost: ['162.242.195.82'], other: ['50.31.209.229'], v6: ['::1'] });
  t.equal(w.shm_size, 64 * 1024 ** 2);
  t.same(w.sysctls, { 'net.core.somaxconn': '1024' });
  t.same(w.ulimits, { nproc: { soft: 65535, hard: 65535 }, nofile: { soft: 20000, hard: 40000 } });
  t.same(w.logging, { driver: 'json-file', options: { 'max-size': '1m' } });
  t.equal(w.pull_policy, 'missing', 'if_not_present is missing');
  t.same(w.command, ['/bin/sh', '-c', 'echo "hello $HOSTNAME"'], 'shell form split into words; $$ is a literal $');
  t.same(w.entrypoint, [], 'an empty entrypoint stays empty');
  t.same(w.expose, ['3000', '8000']);
  t.equal(w.mem_limit, 1024 ** 3);
  t.equal(w.cpus, 1.5);
  t.same(p.services['inline']!.build, { context: dir, dockerfile_inline: 'FROM busybox\n' });
  t.throws(() => loadYaml(t, 'services:\n  a:\n    build: {context: ., dockerfile: A, dockerfile_inline: B}\n'), /dockerfile and dockerfile_inline cannot be used together/);
});

t.test('config hash: stable, ignores build/scale/depends_on/profiles, follows the rest', async (t) => {
  const base = 'services:\n  web:\n    image: busybox\n    environment: {A: "1", B: "2"}\n';
  const h = (yaml: string, env: Record<string, string> = {}): string => serviceConfigHash(loadYaml(t, yaml, { env, projectName: 'p' }).services['web']!);
  const h0 = h(base);
  t.match(h0, /^[0-9a-f]{64}$/);
  t.equal(h('services:\n  web:\n    environment: [B=2, A=1]\n    image: busybox\n'), h0, 'key order and list/map form do not matter');
  t.equal(h(`${base}    scale: 3\n`), h0, 'scale');
  t.equal(h(`${base}    deploy: {replicas: 3}\n`), h(`${base}    deploy: {}\n`), 'deploy.replicas');
  t.equal(h(`${base}    profiles: [x]\n`, { COMPOSE_PROFILES: 'x' }), h0, 'profiles');
  t.equal(h(`${base}    build: .\n`), h0, 'build');
  t.equal(h(`${base}    depends_on: [db]\n  db: {image: x}\n`), h0, 'depends_on');
  t.not(h(`${base}    user: root\n`), h0, 'any other change');
  t.not(h('services:\n  web:\n    image: busybox\n    environment: {A: "${V}", B: "2"}\n', { V: 'changed' }), h0, 'an interpolated value');
});

t.test('names and rendering', async (t) => {
  t.equal(containerName('proj', 'web', 1), 'proj-web-1');
  t.equal(oneOffContainerName('proj', 'web', 'abc123'), 'proj-web-run-abc123');
  t.equal(resourceName('proj', 'default'), 'proj_default');
  t.equal(builtImageName('proj', 'web'), 'proj-web');
  t.equal(normalizeProjectName('My Project!'), 'myproject');
  const table: [number, string][] = [[90_000, '1m30s'], [5000, '5s'], [500, '500ms'], [3_930_020, '1h5m30.02s'], [0, '0s'], [3_600_000, '1h0m0s']];
  for (const [ms, s] of table) t.equal(formatDuration(ms), s, s);
  const p = loadYaml(t, 'services:\n  web:\n    image: busybox\n    healthcheck: {test: [CMD, "true"], interval: 1m30s}\n    stop_grace_period: 5s\nx-meta: {a: 1}\n', { projectName: 'proj' });
  const yaml = renderProject(p);
  t.match(yaml, /^name: proj\nservices:\n  web:\n    image: busybox\n/);
  t.match(yaml, /interval: 1m30s/);
  t.match(yaml, /stop_grace_period: 5s/);
  t.match(yaml, /networks:\n  default:\n    name: proj_default/);
  t.match(yaml, /x-meta:\n  a: 1/);
  t.notMatch(yaml, /ports:|scale:/, 'empty lists and the default scale are left out');
  const json = JSON.parse(renderProject(p, 'json')) as { services: { web: { healthcheck: { interval: string } } } };
  t.equal(json.services.web.healthcheck.interval, '1m30s');
  const again = loadYaml(t, yaml, { projectName: 'proj' });
  t.same(again.services, p.services, 'the rendered YAML loads back to the same services');
});
