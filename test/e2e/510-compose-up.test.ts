// End-to-end: `tspod compose up -d`, `ps`, `logs`, `down -v` (the real bin/tspod, as the unprivileged user) on
// a two-service project from a local busybox image: web publishes a port and depends on db, db keeps its data
// in a named volume and is reached by its service name. A second `up -d` changes nothing; a changed variable
// recreates only the service it is used by; bad input creates nothing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '0.0.0.0', () => { const a = s.address() as net.AddressInfo; s.close(() => resolve(a.port)); });
  });
}

/** Poll fn until it returns a value (generous: this machine is loaded). */
async function poll<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

let env: TspodEnv;
let IMG = '';

t.before(async () => {
  const { startRegistry } = await import('../fixtures/registry.js');
  const { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const img = buildImage({ layers: [await buildBusyboxLayer(), await buildFileLayer({ 'www/': { type: 'dir' }, 'www/index.html': 'hello from web\n' })], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/compose', 'latest', img);
  IMG = `${reg.host}/e2e/compose:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});

const compose = (dir: string, args: string[], extra: Record<string, string> = {}) =>
  env.tspod(['compose', ...args], { cwd: dir, env: { ...env.env, ...extra } });

const names = async (kind: 'ps' | 'network' | 'volume'): Promise<string[]> => {
  const args = kind === 'ps' ? ['ps', '-a', '--format', '{{.Names}}'] : [kind, 'ls', '--format', '{{.Name}}'];
  const r = await env.tspod(args);
  if (r.exitCode !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).sort();
};

t.test('bad input: an unknown service in depends_on creates nothing', async (t: Test) => {
  const dir = path.join(env.dir, 'badapp');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
services:
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    depends_on: [nosuch]
    volumes: [data:/data]
volumes:
  data:
`);
  const r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 125, r.stderr);
  t.match(r.stderr, /nosuch/, 'the unknown service is named');
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.same(await names('ps'), [], 'no container');
  t.same((await names('network')).filter((n) => n.startsWith('badapp')), [], 'no network');
  t.same(await names('volume'), [], 'no volume');
  const nod = await compose(dir, ['up']);
  t.equal(nod.exitCode, 125, 'attached up validates first too');
  t.same(await names('ps'), [], 'and creates nothing');
});

t.test('up -d, convergence, ps, logs, down -v', async (t: Test) => {
  const dir = path.join(env.dir, 'shopapp');
  fs.mkdirSync(dir, { recursive: true });
  const pub = await freePort();
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
services:
  web:
    image: ${IMG}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["${pub}:80"]
    environment:
      GREETING: \${GREETING:-hello}
    depends_on: [db]
    restart: always
  db:
    image: ${IMG}
    command: ["sh", "-c", "echo db starting; echo seeded > /data/seed; exec httpd -f -p 5432 -h /data"]
    environment:
      DB_NAME: shop
    volumes:
      - dbdata:/data
volumes:
  dbdata:
`);
  t.teardown(() => compose(dir, ['down', '-v', '-t', '0']).then(() => undefined));

  let r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Network shopapp_default\s+Created/);
  t.match(r.stderr, /Volume shopapp_dbdata\s+Created/);
  t.ok(r.stderr.indexOf('Container shopapp-db-1  Started') >= 0 && r.stderr.indexOf('Container shopapp-db-1  Started') < r.stderr.indexOf('Container shopapp-web-1  Started'), 'db starts before web (depends_on)');
  t.same(await names('ps'), ['shopapp-db-1', 'shopapp-web-1']);

  // labels as Docker Compose writes them
  const lab = await env.tspod(['inspect', '--format', '{{json .Config.Labels}}', 'shopapp-web-1']);
  t.equal(lab.exitCode, 0, lab.stderr);
  const labels = JSON.parse(lab.stdout) as Record<string, string>;
  t.match(labels, {
    'com.docker.compose.project': 'shopapp', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False', 'com.docker.compose.project.working_dir': dir, 'com.docker.compose.project.config_files': path.join(dir, 'compose.yaml'),
    'com.docker.compose.depends_on': 'db:service_started:false', 'com.docker.compose.image': IMG,
  });
  t.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
  const netLabels = await env.tspod(['network', 'inspect', '--format', '{{json .labels}}', 'shopapp_default']);
  t.match(JSON.parse(netLabels.stdout), { 'com.docker.compose.project': 'shopapp', 'com.docker.compose.network': 'default' });
  const volLabels = await env.tspod(['volume', 'inspect', '--format', '{{json .Labels}}', 'shopapp_dbdata']);
  t.match(JSON.parse(volLabels.stdout), { 'com.docker.compose.project': 'shopapp', 'com.docker.compose.volume': 'dbdata' });

  const body = await poll(async () => { const res = await fetch(`http://127.0.0.1:${pub}/`); return res.ok ? await res.text() : undefined; });
  t.equal(body, 'hello from web\n', 'web answers on its published port');
  const seed = await poll(async () => { const x = await env.tspod(['exec', 'shopapp-web-1', 'wget', '-qO-', 'http://db:5432/seed']); return x.exitCode === 0 ? x.stdout : undefined; });
  t.equal(seed, 'seeded', 'web reaches db by its service name; db wrote into its named volume');
  r = await env.tspod(['exec', 'shopapp-web-1', 'sh', '-c', 'echo $GREETING']);
  t.equal(r.stdout, 'hello', 'environment');

  const ids = async () => {
    const q = await compose(dir, ['ps', '-q', '-a']);
    t.equal(q.exitCode, 0, q.stderr);
    return q.stdout.split('\n').filter(Boolean);
  };
  const json = async () => {
    const j = await compose(dir, ['ps', '--format', 'json']);
    t.equal(j.exitCode, 0, j.stderr);
    return Object.fromEntries(j.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Service: string; ID: string; State: string; Name: string }).map((x) => [x.Service, x]));
  };
  const before = await json();
  t.same(Object.keys(before).sort(), ['db', 'web']);
  t.equal(before['web']?.State, 'running');
  t.equal(before['db']?.Name, 'shopapp-db-1');
  t.same((await ids()).sort(), [before['db']!.ID, before['web']!.ID].sort(), 'ps -q: full IDs');
  r = await compose(dir, ['ps', '--services']);
  t.equal(r.stdout, 'db\nweb');
  r = await compose(dir, ['ps']);
  t.match(r.stdout, /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+STATUS\s+PORTS\n/);
  t.match(r.stdout, new RegExp(`shopapp-web-1 .* web .*Up .*0\\.0\\.0\\.0:${pub}->80/tcp`));

  // nothing changed: nothing touched
  r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container shopapp-db-1\s+Running/);
  t.match(r.stderr, /Container shopapp-web-1\s+Running/);
  t.notMatch(r.stderr, /Created|Recreated|Started/, 'no container created or started');
  const again = await json();
  t.equal(again['web']?.ID, before['web']?.ID, 'web kept');
  t.equal(again['db']?.ID, before['db']?.ID, 'db kept');

  // a changed value recreates only the service that uses it
  r = await compose(dir, ['up', '-d'], { GREETING: 'bonjour' });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container shopapp-web-1\s+Recreated/);
  t.match(r.stderr, /Container shopapp-db-1\s+Running/);
  const after = await json();
  t.not(after['web']?.ID, before['web']?.ID, 'web recreated');
  t.equal(after['db']?.ID, before['db']?.ID, 'db untouched');
  const greet = await poll(async () => { const x = await env.tspod(['exec', 'shopapp-web-1', 'sh', '-c', 'echo $GREETING']); return x.exitCode === 0 ? x.stdout : undefined; });
  t.equal(greet, 'bonjour', 'the new value is in the new container');
  const body2 = await poll(async () => { const res = await fetch(`http://127.0.0.1:${pub}/`); return res.ok ? await res.text() : undefined; });
  t.equal(body2, 'hello from web\n', 'the recreated web publishes its port again');

  // logs: prefixed and aligned, or bare
  r = await compose(dir, ['logs', 'db']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^db-1 \| db starting$/m, 'one service: its short name and " | "');
  r = await compose(dir, ['logs']);
  t.match(r.stdout, /^db-1  \| db starting$/m, 'several: names aligned');
  r = await compose(dir, ['logs', '--no-log-prefix', 'db']);
  t.equal(r.stdout, 'db starting');

  // down -v: nothing of the project is left, found by label even without the file
  fs.renameSync(path.join(dir, 'compose.yaml'), path.join(dir, 'compose.yaml.bak'));
  r = await compose(dir, ['down']);
  t.equal(r.exitCode, 125, 'no file and no -p: refused');
  t.same(await names('ps'), ['shopapp-db-1', 'shopapp-web-1'], 'and nothing removed');
  fs.renameSync(path.join(dir, 'compose.yaml.bak'), path.join(dir, 'compose.yaml'));
  r = await compose(dir, ['down', '-v', '-t', '2']);
  t.equal(r.exitCode, 0, r.stderr);
  const stoppedAt = (c: string) => r.stderr.indexOf(`Container ${c}  Stopped`);
  t.ok(stoppedAt('shopapp-web-1') >= 0 && stoppedAt('shopapp-web-1') < stoppedAt('shopapp-db-1'), 'web (which depends on db) stops before db');
  t.match(r.stderr, /Container shopapp-web-1\s+Removed/);
  t.match(r.stderr, /Network shopapp_default\s+Removed/);
  t.match(r.stderr, /Volume shopapp_dbdata\s+Removed/);
  t.same(await names('ps'), [], 'no container left');
  t.same((await names('network')).filter((n) => n.startsWith('shopapp')), [], 'no network left');
  t.same(await names('volume'), [], 'no volume left');

  // down by label alone (-p, no file) after a fresh up
  r = await compose(dir, ['up', '-d', 'db']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(await names('ps'), ['shopapp-db-1'], 'up SERVICE starts only that service');
  fs.rmSync(path.join(dir, 'compose.yaml'));
  r = await compose(dir, ['-p', 'shopapp', 'down', '-v', '-t', '0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(await names('ps'), [], 'removed by label without the file');
  t.same(await names('volume'), []);
});

t.test('depends_on condition service_healthy: the dependent starts only once the dependency is healthy', async (t: Test) => {
  const dir = path.join(env.dir, 'healthapp');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
services:
  db:
    image: ${IMG}
    command: ["sh", "-c", "sleep 4; date +%s > /tmp/readyat; touch /tmp/ready; exec sleep 600"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 100
  app:
    image: ${IMG}
    command: ["sh", "-c", "date +%s > /tmp/startat; exec sleep 600"]
    depends_on:
      db:
        condition: service_healthy
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  const h = await env.tspod(['inspect', '--format', '{{.State.Health.Status}}', 'healthapp-db-1']);
  t.equal(h.stdout, 'healthy', 'db is healthy when up returns');
  const readyAt = Number((await env.tspod(['exec', 'healthapp-db-1', 'cat', '/tmp/readyat'])).stdout);
  const startAt = Number((await env.tspod(['exec', 'healthapp-app-1', 'cat', '/tmp/startat'])).stdout);
  t.ok(readyAt > 0 && startAt >= readyAt, `app started (${startAt}) after db became ready (${readyAt})`);
  const l = await env.tspod(['inspect', '--format', '{{json .Config.Labels}}', 'healthapp-app-1']);
  t.equal((JSON.parse(l.stdout) as Record<string, string>)['com.docker.compose.depends_on'], 'db:service_healthy:false');
});

t.test('build: an image built from the service\'s context, and logs -f until the container exits', async (t: Test) => {
  const dir = path.join(env.dir, 'buildapp');
  fs.mkdirSync(path.join(dir, 'ctx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ctx', 'Containerfile'), `FROM ${IMG}\nARG WHO=nobody\nLABEL who=$WHO\nCOPY hello.txt /hello.txt\n`);
  fs.writeFileSync(path.join(dir, 'ctx', 'hello.txt'), 'built by compose\n');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
services:
  job:
    build:
      context: ./ctx
      dockerfile: Containerfile
      args: { WHO: compose }
    command: ["sh", "-c", "cat /hello.txt; sleep 3; echo done"]
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  let r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Image buildapp-job\s+Built/);
  const label = await env.tspod(['image', 'inspect', '--format', '{{index .Config.Labels "who"}}', 'buildapp-job']);
  t.equal(label.stdout, 'compose', 'build args reach the build');
  r = await compose(dir, ['logs', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'job-1 | built by compose\njob-1 | done', 'follows until the container exits');
  r = await compose(dir, ['ps', '-a', '--format', 'json']);
  t.match(JSON.parse(r.stdout), { Service: 'job', State: 'exited', ExitCode: 0 });
  r = await compose(dir, ['ps', '-q']);
  t.equal(r.stdout, '', 'ps without -a: running containers only');
});
