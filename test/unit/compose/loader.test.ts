// The loader end to end on real files: discovery, environment, project name, extends, include, profiles,
// and the bad-input errors (one line, naming the file/path/services).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject, enableServices, discoverFiles } from '../../../src/compose/index.js';
import { load, loadYaml, projectDir } from '../../fixtures/compose/project.js';

const WEB = 'services:\n  web:\n    image: busybox\n';

t.test('discovery: preferred name, parents, override file; none is an error', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': 'services:\n  web:\n    image: from-compose\n',
    'docker-compose.yml': 'services:\n  web:\n    image: from-docker\n',
    'compose.override.yaml': 'services:\n  web:\n    environment: [OVER=1]\n',
    'sub/deeper/.keep': '',
  });
  const p = load(path.join(dir, 'sub', 'deeper'));
  t.equal(p.services['web']!.image, 'from-compose', 'compose.yaml is preferred');
  t.same(p.services['web']!.environment, { OVER: '1' }, 'the override file is merged');
  t.equal(p.working_dir, dir, 'found in a parent directory, which is the project directory');
  t.equal(p.name, 'myapp');
  t.match(p.warnings.join('\n'), /found multiple config files/);
  const legacy = projectDir(t, { 'docker-compose.yml': WEB, 'docker-compose.override.yml': 'services:\n  web:\n    user: "1"\n' });
  t.same(discoverFiles(legacy), [path.join(legacy, 'docker-compose.yml'), path.join(legacy, 'docker-compose.override.yml')]);
  const empty = projectDir(t, {});
  t.throws(() => load(empty), /no configuration file provided/);
});

t.test('-f -, COMPOSE_FILE with COMPOSE_PATH_SEPARATOR, --project-directory', async (t) => {
  const dir = projectDir(t, { 'a.yaml': WEB, 'b.yaml': 'services:\n  web:\n    user: nobody\n', 'other/.env': 'TAG=from-other\n' });
  const p = load(dir, { files: ['-'], readStdin: () => 'services:\n  s:\n    image: stdin\n' });
  t.equal(p.services['s']!.image, 'stdin');
  t.equal(p.working_dir, dir, 'stdin: the current directory is the project directory');
  const q = load(dir, { env: { COMPOSE_FILE: 'a.yaml;b.yaml', COMPOSE_PATH_SEPARATOR: ';' } });
  t.equal(q.services['web']!.user, 'nobody');
  const r = load(dir, { env: { COMPOSE_FILE: 'a.yaml:b.yaml' } });
  t.equal(r.services['web']!.user, 'nobody', 'the default separator is :');
  const s = load(dir, { files: ['a.yaml'], projectDirectory: 'other' });
  t.equal(s.working_dir, path.join(dir, 'other'));
  t.equal(s.name, 'other');
  t.equal(s.environment['TAG'], 'from-other', '.env is read from the project directory');
  t.throws(() => load(dir, { files: ['missing.yaml'] }), new RegExp(`${dir}/missing.yaml: no such file`));
});

t.test('project name: -p > COMPOSE_PROJECT_NAME > name: > directory; explicit invalid names are errors', async (t) => {
  const dir = projectDir(t, { 'compose.yaml': `name: \${N:-From_File}\n${WEB}` }, 'My.Dir');
  t.equal(load(dir, { projectName: 'cli' }).name, 'cli');
  t.equal(load(dir, { env: { COMPOSE_PROJECT_NAME: 'envname' } }).name, 'envname');
  t.equal(load(dir).name, 'from_file', 'name: is interpolated and normalized');
  t.equal(load(dir, { env: { N: '' } }).name, 'from_file');
  t.equal(load(dir, { env: { N: 'x' } }).name, 'x');
  const bare = projectDir(t, { 'compose.yaml': WEB }, '_My.App-1');
  t.equal(load(bare).name, 'myapp-1', 'the directory name: lowercased, [a-z0-9_-] kept, no leading _ or -');
  t.throws(() => load(dir, { projectName: 'Bad' }), /invalid project name "Bad" \(from -p\)/);
  t.throws(() => load(dir, { projectName: '-x' }), /invalid project name "-x"/);
  t.throws(() => load(dir, { env: { COMPOSE_PROJECT_NAME: 'a b' } }), /invalid project name "a b" \(from COMPOSE_PROJECT_NAME\)/);
  const p = load(dir, { projectName: 'cli' });
  t.equal(p.environment['COMPOSE_PROJECT_NAME'], 'cli', 'exposed for interpolation');
  const q = loadYaml(t, 'services:\n  web:\n    image: busybox\n    command: echo ${COMPOSE_PROJECT_NAME}\n', { projectName: 'pp' });
  t.same(q.services['web']!.command, ['echo', 'pp']);
});

t.test('.env and --env-file: the process environment wins; unset and empty stay different', async (t) => {
  const dir = projectDir(t, {
    '.env': 'TAG=dotenv\nEMPTY=\nFROM_DOTENV=yes\n',
    'prod.env': 'TAG=prod\n',
    'more.env': 'TAG=more\nEXTRA=${TAG}\n',
    'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG}"\n    environment:\n      A: "${EMPTY-unset}"\n      B: "${EMPTY:-empty}"\n      C: "${NOPE-unset}"\n      D: "${FROM_DOTENV}"\n',
  });
  const p = load(dir);
  t.equal(p.services['web']!.image, 'busybox:dotenv');
  t.same(p.services['web']!.environment, { A: '', B: 'empty', C: 'unset', D: 'yes' });
  t.equal(load(dir, { env: { TAG: 'os' } }).services['web']!.image, 'busybox:os', 'the process environment wins');
  const q = load(dir, { envFiles: ['prod.env', 'more.env'] });
  t.equal(q.services['web']!.image, 'busybox:more', 'later --env-file wins');
  t.equal(q.services['web']!.environment['D'], '', '--env-file replaces .env');
  t.throws(() => load(dir, { envFiles: ['nope.env'] }), /env file .*nope\.env not found/);
  const w = load(dir, { env: {} });
  t.same(w.warnings, [], 'no unset-variable warnings when defaults are used');
  const u = loadYaml(t, 'services:\n  web:\n    image: "busybox:$UNSET_TAG"\n');
  t.match(u.warnings.join('\n'), /"UNSET_TAG" variable is not set/);
});

t.test('extends: same file, other file (paths relative to it), chains, cycles', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': [
      'services:',
      '  base:', '    image: busybox', '    user: root', '    environment: {TZ: utc, PORT: "80"}', '    volumes: ["common:/var/lib/backup/data:rw"]', '    security_opt: [label:role:ROLE]',
      '  common:', '    extends: base', '    image: busybox', '  cli:', '    extends: {service: common}', '    environment: [PORT=8080]',
      '    volumes: ["cli:/var/lib/backup/data:ro"]', '    security_opt: [label:user:USER]',
      '  remote:', '    extends: {file: lib/base.yaml, service: app}', '    command: [run]',
      'volumes: {common: {}, cli: {}}',
    ].join('\n'),
    'lib/base.yaml': 'services:\n  app:\n    build: ./ctx\n    env_file: app.env\n    volumes: ["./data:/data"]\n    command: [ignored]\n',
    'lib/app.env': 'APP=1\n',
  });
  const p = load(dir);
  const cli = p.services['cli']!;
  t.equal(cli.user, 'root', 'cli gets user from base through common');
  t.same(cli.environment, { TZ: 'utc', PORT: '8080' });
  t.same(cli.volumes, [{ type: 'volume', source: 'cli', target: '/var/lib/backup/data', read_only: true }], 'same target: the local mount replaces');
  t.same(cli.security_opt, ['label:role:ROLE', 'label:user:USER']);
  const r = p.services['remote']!;
  t.equal(r.build?.context, path.join(dir, 'lib', 'ctx'), 'paths of an extended file are relative to that file');
  t.equal(r.volumes[0]!.source, path.join(dir, 'lib', 'data'));
  t.same(r.env_file, [{ path: path.join(dir, 'lib', 'app.env'), required: true }]);
  t.same(r.environment, { APP: '1' });
  t.same(r.command, ['run'], 'command replaced');
  const lib = projectDir(t, {
    'compose.yaml': 'services:\n  t1:\n    extends: {file: lib.yaml, service: base}\n    hostname: t1\n  t3:\n    extends: {file: lib.yaml, service: another}\n',
    'lib.yaml': 'services:\n  base:\n    image: base\n  another:\n    extends: base\n  nil:\n  bad:\n    ports: {not: a list}\n',
  });
  const lp = load(lib);
  t.same([lp.services['t1']!.image, lp.services['t1']!.hostname, lp.services['t3']!.image], ['base', 't1', 'base'], 'other services of an extended file need not be valid');
  const badBase = projectDir(t, { 'compose.yaml': 'services:\n  a:\n    extends: {file: lib.yaml, service: bad}\n', 'lib.yaml': 'services:\n  bad:\n    image: x\n    ports: {not: a list}\n' });
  t.throws(() => load(badBase), /compose\.yaml: validation failed: services\.a\.ports must be array/, 'the extended service itself is checked');
  t.throws(() => loadYaml(t, 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n'), /circular extends: a -> b -> a/);
  t.throws(() => loadYaml(t, 'services:\n  a:\n    image: x\n    extends: nope\n'), /services\.a\.extends: service "nope" not found/);
  t.throws(() => loadYaml(t, 'services:\n  a:\n    extends: {file: nope.yaml, service: x}\n'), /nope\.yaml: no such file/);
});

t.test('include: short and long syntax, own project directory and .env, local environment wins, conflicts', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': 'include:\n  - inc/compose.yaml\n  - path: [other/a.yaml, other/b.yaml]\n    env_file: other/custom.env\nservices:\n  web:\n    image: busybox\n    depends_on: [db, cache]\n',
    'inc/compose.yaml': 'services:\n  db:\n    image: "db:${DB_TAG}"\n    volumes: ["./data:/data", "dbdata:/var"]\nvolumes:\n  dbdata: {}\n',
    'inc/.env': 'DB_TAG=from-include\n',
    'other/a.yaml': 'services:\n  cache:\n    image: "cache:${CACHE_TAG:-none}"\n',
    'other/b.yaml': 'services:\n  cache:\n    user: "42"\n',
    'other/custom.env': 'CACHE_TAG=custom\n',
  });
  const p = load(dir);
  t.equal(p.services['db']!.image, 'db:from-include', 'the included project\'s .env');
  t.equal(p.services['db']!.volumes[0]!.source, path.join(dir, 'inc', 'data'), 'relative to the included file');
  t.equal(p.volumes['dbdata']!.name, 'myapp_dbdata', 'included resources belong to this project');
  t.equal(p.services['cache']!.image, 'cache:custom');
  t.equal(p.services['cache']!.user, '42', 'a list of paths is merged');
  t.equal(load(dir, { env: { DB_TAG: 'local' } }).services['db']!.image, 'db:local', 'the including environment wins');
  const clash = projectDir(t, { 'compose.yaml': 'include: [inc.yaml]\nservices:\n  db:\n    image: other\n', 'inc.yaml': 'services:\n  db:\n    image: db\n' });
  t.throws(() => load(clash), /services\.db conflicts with the one included from/);
  const cyc = projectDir(t, { 'compose.yaml': 'include: [a.yaml]\nservices: {}\n', 'a.yaml': 'include: [b.yaml]\n', 'b.yaml': 'include: [a.yaml]\n' });
  t.throws(() => load(cyc), /include cycle/);
});

t.test('profiles: the Specification\'s illustrative example', async (t) => {
  const yaml = [
    'services:', '  foo: {image: foo}', '  bar: {image: bar, profiles: [test]}',
    '  baz: {image: baz, depends_on: [bar], profiles: [test]}', '  zot: {image: zot, depends_on: [bar], profiles: [debug]}',
  ].join('\n');
  const dir = projectDir(t, { 'compose.yaml': yaml });
  const names = (p: { services: object }): string[] => Object.keys(p.services).sort();
  t.same(names(load(dir)), ['foo'], 'no profile: only foo');
  t.same(names(load(dir, { profiles: ['test'] })), ['bar', 'baz', 'foo']);
  t.throws(() => load(dir, { profiles: ['debug'] }), /service "zot" depends on undefined service "bar": service "bar" is not enabled by the active profiles/);
  t.same(names(load(dir, { profiles: ['debug', 'test'] })), ['bar', 'baz', 'foo', 'zot']);
  t.same(names(load(dir, { env: { COMPOSE_PROFILES: 'test,debug' } })), ['bar', 'baz', 'foo', 'zot'], 'COMPOSE_PROFILES');
  t.same(names(load(dir, { profiles: ['*'] })), ['bar', 'baz', 'foo', 'zot'], '* enables all');
  const base = load(dir);
  t.same(names(enableServices(base, ['bar'])), ['bar', 'baz', 'foo'], 'naming bar activates test');
  t.same(names(enableServices(base, ['baz'])), ['bar', 'baz', 'foo'], 'naming baz pulls bar in through test');
  t.throws(() => enableServices(base, ['zot']), /depends on undefined service "bar"/, 'zot and bar share no profile');
  t.same(names(enableServices(load(dir, { profiles: ['test'] }), ['zot'])), ['bar', 'baz', 'foo', 'zot']);
  t.same(Object.keys(base.disabled_services).sort(), ['bar', 'baz', 'zot']);
  const opt = loadYaml(t, 'services:\n  a:\n    image: a\n    depends_on:\n      b: {condition: service_started, required: false}\n  b: {image: b, profiles: [x]}\n');
  t.same(opt.services['a']!.depends_on, {}, 'an optional dependency that is not enabled is dropped');
  t.match(opt.warnings.join('\n'), /required: false/);
});

t.test('anchors, merge keys and x-* extensions (Specification examples)', async (t) => {
  const p = loadYaml(t, [
    'x-env: &env', '  environment: [CONFIG_KEY=1]', 'x-function: &function', '  labels: {function: "true"}', '  restart: always',
    'services:', '  first:', '    <<: *env', '    image: my-image', '    x-foo: bar',
    '  second:', '    <<: [*env, *function]', '    image: another', '    restart: "no"',
    'volumes:', '  db-data: &default-volume', '    driver: local', '    name: data', '  metrics:', '    <<: *default-volume', '    name: metrics',
  ].join('\n'));
  t.same(p.services['first']!.environment, { CONFIG_KEY: '1' });
  t.equal(p.services['first']!['x-foo'], 'bar', 'extensions kept on services');
  t.same(p.services['second']!.labels, { function: 'true' });
  t.equal(p.services['second']!.restart, 'no', 'explicit keys win over merged ones');
  t.equal(p.volumes['metrics']!.name, 'metrics');
  t.equal(p.volumes['metrics']!.driver, 'local');
  t.same(Object.keys(p.extensions), ['x-env', 'x-function']);
});

t.test('bad input: one clear line naming the file, path, variable or services', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['yaml syntax', 'services:\n  web:\n    image: busybox\n   ports: [1\n', /compose\.yaml:\d+:\d+: YAML syntax error/],
    ['unknown key', 'services:\n  web:\n    image: busybox\n    imagee: x\n', /compose\.yaml: validation failed: services\.web: additional property "imagee" is not allowed/],
    ['schema type', 'services:\n  web:\n    image: busybox\n    ports:\n      - target: 80\n        published: true\n', /validation failed: services\.web\.ports\[0\]/],
    ['port syntax', 'services:\n  web:\n    image: busybox\n    ports: ["80:80:80:80"]\n', /services\.web\.ports\[0\]: invalid port "80:80:80:80"/],
    ['port range', 'services:\n  web:\n    image: busybox\n    ports: ["8000-8002:80-81"]\n', /services\.web\.ports\[0\]: invalid port .*ranges differ/],
    ['required variable', 'services:\n  web:\n    image: "${IMAGE:?set IMAGE to the web image}"\n', /error while interpolating services\.web\.image: required variable IMAGE is missing a value: set IMAGE to the web image/],
    ['cycle', 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n', /dependency cycle detected: a -> b -> c -> a/],
    ['self cycle', 'services:\n  a: {image: x, depends_on: [a]}\n', /dependency cycle detected: a -> a/],
    ['unknown dependency', 'services:\n  web: {image: x, depends_on: [db]}\n', /service "web" depends on undefined service "db": service "db" is not defined/],
    ['undefined network', 'services:\n  web: {image: x, networks: [front]}\n', /service "web" refers to undefined network "front"/],
    ['undefined volume', 'services:\n  web: {image: x, volumes: ["data:/data"]}\n', /service "web" refers to undefined volume "data"/],
    ['undefined secret', 'services:\n  web: {image: x, secrets: [token]}\n', /service "web" refers to undefined secret "token"/],
    ['undefined config', 'services:\n  web: {image: x, configs: [conf]}\n', /service "web" refers to undefined config "conf"/],
    ['no image', 'services:\n  web: {user: x}\n', /service "web" has neither an image nor a build context/],
    ['network_mode service', 'services:\n  web: {image: x, network_mode: "service:db"}\n', /service "web" depends on undefined service "db"/],
    ['both network keys', 'services:\n  web: {image: x, network_mode: host, networks: [a]}\nnetworks: {a: {}}\n', /services\.web: network_mode and networks cannot be used together/],
    ['scale conflict', 'services:\n  web: {image: x, scale: 2, deploy: {replicas: 3}}\n', /scale \(2\) and deploy\.replicas \(3\) differ/],
    ['container_name scaled', 'services:\n  web: {image: x, container_name: web1, scale: 2}\n', /container_name "web1" cannot be used with more than one replica/],
    ['bad duration', 'services:\n  web: {image: x, healthcheck: {test: [CMD, "true"], interval: soon}}\n', /services\.web\.healthcheck\.interval: invalid healthcheck\.interval "soon"/],
    ['bad restart', 'services:\n  web: {image: x, restart: sometimes}\n', /services\.web\.restart: invalid restart policy "sometimes"/],
    ['external with driver', 'services:\n  web: {image: x}\nnetworks:\n  n: {external: true, driver: bridge}\n', /networks\.n: an external resource cannot set "driver"/],
    ['secret without source', 'services:\n  web: {image: x}\nsecrets:\n  s: {name: x}\n', /secrets\.s: set exactly one of file, environment or external: true/],
    ['relative volume target', 'services:\n  web: {image: x, volumes: ["./a:data"]}\n', /services\.web\.volumes\[0\]: invalid volume "\.\/a:data": the container path "data" must be absolute/],
    ['bad interpolation', 'services:\n  web: {image: "${x y}"}\n', /error while interpolating services\.web\.image: invalid interpolation format/],
    ['missing env_file', 'services:\n  web: {image: x, env_file: [nope.env]}\n', /services\.web\.env_file\[0\]: env file .*nope\.env not found/],
  ];
  for (const [what, yaml, re] of cases) {
    let msg = '';
    try { loadYaml(t, yaml); } catch (err) { msg = (err as Error).message; t.equal((err as { exitCode?: number }).exitCode, 125, `${what}: exit code 125`); }
    t.match(msg, re, what);
    t.notOk(msg.includes('\n'), `${what}: one line`);
  }
});

t.test('the project directory is where relative paths point, and the loader writes nothing', async (t) => {
  const dir = projectDir(t, { 'compose.yaml': 'services:\n  web:\n    image: x\n    volumes: ["./nothere:/a", "~/h:/h"]\n' });
  const before = fs.readdirSync(dir);
  const p = loadProject({ cwd: dir, env: {} });
  t.equal(p.services['web']!.volumes[0]!.source, path.join(dir, 'nothere'));
  t.match(p.services['web']!.volumes[1]!.source, /\/h$/);
  t.notOk(p.services['web']!.volumes[1]!.source!.startsWith('~'), '~ is the home directory');
  t.same(fs.readdirSync(dir), before, 'no file was created');
});
