// End-to-end: `tspod compose config` (the real bin/tspod, as the unprivileged user) on a realistic two-service
// project: normalized interpolated output, the listing flags, the global compose flags before and after the
// subcommand, and every bad-input case with its exit code and one-line message.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let dir = '';

const COMPOSE = `
name: shop
x-common: &common
  restart: always
  labels:
    app: shop
services:
  web:
    <<: *common
    build:
      context: ./web
      dockerfile: Containerfile
      args:
        GREETING: "\${GREETING:-hello}"
    ports:
      - "\${WEB_PORT:-8080}:80"
    environment:
      DB_HOST: db
      DB_PASSWORD: "\${DB_PASSWORD:?set DB_PASSWORD in .env}"
    depends_on:
      db:
        condition: service_healthy
    volumes:
      - ./web/html:/srv/html:ro
    networks: [front, back]
  db:
    <<: *common
    image: "local/db:\${DB_TAG-latest}"
    container_name: shop-db
    environment:
      - POSTGRES_DB=shop
      - EMPTY_TAG=\${DB_TAG-unset}
    volumes:
      - dbdata:/var/lib/db
    networks: [back]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 2s
      retries: 10
  debug:
    image: busybox
    profiles: [debug]
    command: sleep 1000
volumes:
  dbdata:
networks:
  front:
  back:
    internal: true
`;

t.before(async () => {
  env = await makeEnv(t);
  dir = path.join(env.dir, 'shop-project');
  fs.mkdirSync(path.join(dir, 'web', 'html'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE);
  fs.writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=secret\nDB_TAG=\n');
  fs.writeFileSync(path.join(dir, 'web', 'Containerfile'), 'FROM busybox\n');
});

const compose = (args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) =>
  env.tspod(['compose', ...args], { cwd: opts.cwd ?? dir, ...(opts.input !== undefined ? { input: opts.input } : {}), env: { ...env.env, ...(opts.env ?? {}) } });

t.test('config prints the normalized, interpolated project', async (t) => {
  const r = await compose(['config']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stderr, '', 'no warnings');
  const doc = parse(r.stdout) as Record<string, any>;
  t.equal(doc['name'], 'shop');
  t.same(Object.keys(doc['services']), ['db', 'web'], 'the debug profile is not active');
  const web = doc['services']['web'];
  t.same(web.build, { context: path.join(dir, 'web'), dockerfile: 'Containerfile', args: { GREETING: 'hello' } });
  t.same(web.ports, [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }]);
  t.same(web.environment, { DB_HOST: 'db', DB_PASSWORD: 'secret' }, '.env supplies DB_PASSWORD');
  t.same(web.depends_on, { db: { condition: 'service_healthy', required: true, restart: false } });
  t.same(web.volumes, [{ type: 'bind', source: path.join(dir, 'web', 'html'), target: '/srv/html', read_only: true, bind: { create_host_path: true } }]);
  t.equal(web.restart, 'always', 'from the x-common anchor');
  t.same(web.labels, { app: 'shop' });
  const db = doc['services']['db'];
  t.equal(db.image, 'local/db:', 'DB_TAG is set but empty: ${DB_TAG-latest} keeps the empty value');
  t.same(db.environment, { POSTGRES_DB: 'shop', EMPTY_TAG: '' });
  t.same(db.healthcheck, { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '2s', retries: 10 });
  t.same(doc['volumes'], { dbdata: { name: 'shop_dbdata', external: false } });
  t.same(doc['networks'], { back: { name: 'shop_back', external: false, internal: true }, front: { name: 'shop_front', external: false } }, 'no default network: no service uses it');

  const j = await compose(['config', '--format', 'json']);
  t.equal(j.exitCode, 0, j.stderr);
  t.same(JSON.parse(j.stdout), doc, 'JSON says the same');
});

t.test('listing flags, -q, --hash, --no-interpolate, profiles', async (t) => {
  const cases: [string[], string][] = [
    [['config', '--services'], 'db\nweb'],
    [['config', '--volumes'], 'dbdata'],
    [['config', '--images'], 'local/db:\nshop-web'],
    [['config', '--profiles'], 'debug'],
    [['config', '-q'], ''],
    [['--profile', 'debug', 'config', '--services'], 'db\ndebug\nweb'],
  ];
  for (const [args, out] of cases) {
    const r = await compose(args);
    t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    t.equal(r.stdout, out, args.join(' '));
  }
  const prof = await compose(['config', '--services'], { env: { COMPOSE_PROFILES: 'debug' } });
  t.equal(prof.stdout, 'db\ndebug\nweb', 'COMPOSE_PROFILES');
  const h = await compose(['config', '--hash', '*']);
  t.equal(h.exitCode, 0, h.stderr);
  t.match(h.stdout, /^db [0-9a-f]{64}\nweb [0-9a-f]{64}$/);
  const h2 = await compose(['config', '--hash', 'web'], { env: { WEB_PORT: '9090' } });
  t.not(h2.stdout.trim(), h.stdout.split('\n')[1], 'a changed variable changes the hash of the service using it');
  const h3 = await compose(['config', '--hash', 'db'], { env: { WEB_PORT: '9090' } });
  t.equal(h3.stdout, h.stdout.split('\n')[0], 'and only that service');
  const raw = await compose(['config', '--no-interpolate']);
  t.equal(raw.exitCode, 0, raw.stderr);
  t.match(raw.stdout, /DB_PASSWORD: \$\{DB_PASSWORD:\?set DB_PASSWORD in \.env\}/);
  t.match(raw.stdout, /- \$\{WEB_PORT:-8080\}:80/, 'values stay as written');
});

t.test('global compose flags: -f (before or after the subcommand, repeated, stdin), -p, --project-directory, --env-file', async (t) => {
  fs.writeFileSync(path.join(dir, 'prod.yaml'), 'services:\n  web:\n    ports: !override ["443:443"]\n    command: ["serve"]\n');
  fs.writeFileSync(path.join(dir, 'prod.env'), 'DB_PASSWORD=prod\nDB_TAG=15\n');
  const sub = path.join(dir, 'web', 'html');
  let r = await compose(['-f', path.join(dir, 'compose.yaml'), '-f', path.join(dir, 'prod.yaml'), '-p', 'prod', 'config', '--format', 'json'], { cwd: sub });
  t.equal(r.exitCode, 0, r.stderr);
  let doc = JSON.parse(r.stdout);
  t.equal(doc.name, 'prod', '-p wins over name:');
  t.same(doc.services.web.ports, [{ target: 443, published: '443', protocol: 'tcp', mode: 'ingress' }], '!override');
  t.same(doc.services.web.command, ['serve']);
  r = await compose(['config', '--env-file', 'prod.env', '--format', 'json']);
  t.equal(r.exitCode, 0, r.stderr);
  doc = JSON.parse(r.stdout);
  t.equal(doc.services.db.image, 'local/db:15');
  t.equal(doc.services.web.environment.DB_PASSWORD, 'prod');
  r = await compose(['config', '--services'], { cwd: sub });
  t.equal(r.stdout, 'db\nweb', 'compose.yaml found in a parent directory');
  r = await compose(['-f', '-', '--project-directory', dir, 'config', '--services'], { cwd: env.dir, input: 'services:\n  only:\n    image: busybox\n' });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'only', '-f - reads standard input');
  r = await compose(['config', '--format', 'json'], { env: { COMPOSE_FILE: 'compose.yaml:prod.yaml' } });
  t.equal(r.exitCode, 0, r.stderr);
  t.same(JSON.parse(r.stdout).services.web.command, ['serve'], 'COMPOSE_FILE lists the files to merge');
});

t.test('bad input: exit 125 and one clear line', async (t) => {
  const bad = path.join(env.dir, 'bad');
  fs.mkdirSync(bad, { recursive: true });
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['yaml syntax', 'services:\n  web:\n    image: busybox\n   ports: [1\n', {}, /^Error: .*compose\.yaml:\d+:\d+: YAML syntax error/],
    ['schema path', 'services:\n  web:\n    image: busybox\n    ports:\n      - {target: 80, published: [1]}\n', {}, /^Error: .*validation failed: services\.web\.ports\[0\]/],
    ['unknown key', 'services:\n  web:\n    image: busybox\n    restrat: always\n', {}, /additional property "restrat" is not allowed/],
    ['required variable', 'services:\n  web:\n    image: "${IMAGE:?IMAGE must name the web image}"\n', {}, /required variable IMAGE is missing a value: IMAGE must name the web image/],
    ['empty is missing for :?', 'services:\n  web:\n    image: "${IMAGE:?IMAGE is empty}"\n', { IMAGE: '' }, /IMAGE is empty/],
    ['cycle', 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n', {}, /dependency cycle detected: a -> b -> a/],
    ['unknown service', 'services:\n  a: {image: x, depends_on: [nope]}\n', {}, /service "a" depends on undefined service "nope"/],
    ['port syntax', 'services:\n  a: {image: x, ports: ["99999:80"]}\n', {}, /services\.a\.ports\[0\]: invalid port "99999:80"/],
    ['invalid -p', 'services:\n  a: {image: x}\n', { COMPOSE_PROJECT_NAME: 'Not Valid' }, /invalid project name "Not Valid"/],
  ];
  for (const [what, yaml, extraEnv, re] of cases) {
    fs.writeFileSync(path.join(bad, 'compose.yaml'), yaml);
    const r = await compose(['config'], { cwd: bad, env: extraEnv });
    t.equal(r.exitCode, 125, `${what}: exit 125`);
    t.match(r.stderr, re, what);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line (${r.stderr.trim()})`);
    t.equal(r.stdout, '', `${what}: nothing on stdout`);
  }
  const r = await compose(['config', '--services'], { cwd: path.join(env.dir, 'run') });
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no configuration file provided/);
  const p = await compose(['-p', 'UPPER', 'config'], { cwd: dir });
  t.equal(p.exitCode, 125);
  t.match(p.stderr, /^Error: invalid project name "UPPER" \(from -p\)/);
});
