// End-to-end: the parts of `tspod compose` that follow the engine's own options and Docker Compose's
// convergence (the real bin/tspod, as the unprivileged user, images from the loopback registry):
// `devices:` and `expose:` as `run --device` and `run --expose` give them, dependents stopped before a
// recreated dependency and started after it, `up --attach-dependencies`, and `logs -f` following a container
// through restarts and picking up containers `up` creates later.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMG = '';

t.before(async () => {
  const { startRegistry } = await import('../fixtures/registry.js');
  const { buildBusyboxLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'], ExposedPorts: { '7000/tcp': {} } } });
  await pushImage(reg.url, 'e2e/compose3', 'latest', img);
  IMG = `${reg.host}/e2e/compose3:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const p = await env.tspod(['pull', '-q', IMG]);
  if (p.exitCode !== 0) throw new Error(`pull: ${p.stderr}`);
});

const compose = (dir: string, args: string[]) => env.tspod(['compose', ...args], { cwd: dir });

function project(name: string, yaml: string): string {
  const dir = path.join(env.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), yaml);
  return dir;
}

const inspect = async (name: string, format: string): Promise<string> => (await env.tspod(['inspect', '--format', format, name])).stdout;
const psNames = async (): Promise<string[]> => (await env.tspod(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();

async function until(what: () => boolean | Promise<boolean>, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) { if (await what()) return true; await new Promise((r) => setTimeout(r, 200)); }
  return false;
}

// a service that runs until SIGTERM (as PID 1 it needs its own handler)
const LOOP = (line: string) => `["sh", "-c", "trap 'exit 0' TERM; echo ${line}; while true; do sleep 0.2; done"]`;

t.test('run --device and --expose: the device node inside, the ports in Config.ExposedPorts, -P publishes them', async (t: Test) => {
  const r = await env.tspod(['run', '--rm', '--device', '/dev/zero:/dev/mydev:r', IMG, 'sh', '-c', 'test -c /dev/mydev && head -c 3 /dev/mydev | od -An -tx1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /00 00 00/, 'the host device is readable at the container path');
  const c = await env.tspod(['create', '--name', 'exp', '--expose', '8080', '--expose', '9000-9001/udp', '--device', '/dev/zero', '-p', '8081', IMG, 'true']);
  t.equal(c.exitCode, 0, c.stderr);
  const exposed = JSON.parse(await inspect('exp', '{{json .Config.ExposedPorts}}')) as Record<string, unknown>;
  t.same(Object.keys(exposed).sort(), ['7000/tcp', '8080/tcp', '8081/tcp', '9000/udp', '9001/udp'], "the image's EXPOSE, --expose and -p");
  t.same(JSON.parse(await inspect('exp', '{{json .HostConfig.Devices}}')), [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/zero', CgroupPermissions: 'rwm' }]);
  t.equal((await env.tspod(['port', 'exp'])).stdout.split('\n').filter(Boolean).length, 1, 'only -p is published');
  const pa = await env.tspod(['create', '--name', 'expall', '--expose', '8080', '-P', IMG, 'true']);
  t.equal(pa.exitCode, 0, pa.stderr);
  t.match((await env.tspod(['port', 'expall'])).stdout, /^8080\/tcp -> 0\.0\.0\.0:\d+$/m, '-P publishes an --expose port');
  const hs = await env.tspod(['create', '--name', 'hsi', '--health-cmd', 'true', '--health-start-period', '10s', '--health-start-interval', '2s', IMG, 'true']);
  t.equal(hs.exitCode, 0, hs.stderr);
  t.equal(await inspect('hsi', '{{.Config.Healthcheck.StartInterval}}'), String(2e9), '--health-start-interval');
  await env.tspod(['rm', 'exp', 'expall', 'hsi']);
  for (const [args, msg] of [
    [['--device', '/dev/nonexistent'], /device \/dev\/nonexistent does not exist/],
    [['--device', '/etc/passwd'], /\/etc\/passwd is not a device/],
    [['--device', '/dev/zero:/dev/z:rx'], /invalid device permissions "rx"/],
    [['--expose', '80-70'], /invalid --expose "80-70"/],
  ] as const) {
    const b = await env.tspod(['create', ...args, IMG, 'true']);
    t.equal(b.exitCode, 125, `${args.join(' ')}: exit 125`);
    t.match(b.stderr, msg);
  }
  t.same(await psNames(), [], 'bad input created nothing');
});

t.test('compose devices: and expose: as the engine takes them; a bad device fails before anything exists', async (t: Test) => {
  const dir = project('devapp', `
services:
  app:
    image: ${IMG}
    command: ${LOOP('app up')}
    devices:
      - /dev/zero:/dev/myzero
      - source: /dev/null
        target: /dev/mynull
        permissions: r
    expose: ["8080", "9000-9001/udp"]
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const up = await compose(dir, ['up', '-d']);
  t.equal(up.exitCode, 0, up.stderr);
  t.notMatch(up.stderr, /devices/, 'no warning: devices are applied');
  const e = await env.tspod(['exec', 'devapp-app-1', 'sh', '-c', 'test -c /dev/myzero && test -c /dev/mynull && head -c 2 /dev/myzero | od -An -tx1']);
  t.equal(e.exitCode, 0, e.stderr);
  t.match(e.stdout, /00 00/);
  t.same(JSON.parse(await inspect('devapp-app-1', '{{json .HostConfig.Devices}}')), [
    { PathOnHost: '/dev/zero', PathInContainer: '/dev/myzero', CgroupPermissions: 'rwm' },
    { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' },
  ]);
  const exposed = JSON.parse(await inspect('devapp-app-1', '{{json .Config.ExposedPorts}}')) as Record<string, unknown>;
  t.same(Object.keys(exposed).sort(), ['7000/tcp', '8080/tcp', '9000/udp', '9001/udp']);
  t.equal((await env.tspod(['port', 'devapp-app-1'])).stdout, '', 'exposed, not published');
  await compose(dir, ['down', '-t', '0']);

  // a device node this user may not open: bind-mounted all the same, with the engine's warning (as run gives it)
  const closed = ['/dev/cpu_dma_latency', '/dev/loop-control', '/dev/console', '/dev/kvm'].find((d) => {
    try { if (!fs.statSync(d).isCharacterDevice()) return false; fs.accessSync(d, fs.constants.R_OK); return false; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EACCES'; }
  });
  t.ok(closed, 'a character device the test user cannot open');
  const runWarn = await env.tspod(['run', '--rm', '--device', `${closed}:/dev/closed`, IMG, 'test', '-c', '/dev/closed']);
  t.equal(runWarn.exitCode, 0, runWarn.stderr);
  t.match(runWarn.stderr, `device ${closed} is not accessible to your user: rootless, the container cannot open it either`);
  const wdir = project('closeddev', `
services:
  app:
    image: ${IMG}
    command: ["test", "-c", "/dev/closed"]
    devices: ["${closed}:/dev/closed"]
`);
  const wup = await compose(wdir, ['up', '-d']);
  t.equal(wup.exitCode, 0, wup.stderr);
  t.match(wup.stderr, `closeddev-app-1: device ${closed} is not accessible to your user: rootless, the container cannot open it either`, 'the same warning from compose');
  await compose(wdir, ['down', '-t', '0']);

  const bad = project('baddev', `
services:
  ok:
    image: ${IMG}
    command: ${LOOP('ok')}
    networks: [back]
  app:
    image: ${IMG}
    devices: ["/dev/does-not-exist"]
networks:
  back: {}
`);
  const b = await compose(bad, ['up', '-d']);
  t.equal(b.exitCode, 125);
  t.match(b.stderr, /^Error: service "app": device \/dev\/does-not-exist does not exist on the host$/m);
  t.same(await psNames(), [], 'no container');
  t.notMatch((await env.tspod(['network', 'ls', '--format', '{{.Name}}'])).stdout, /baddev/, 'no network');
  const run = await compose(bad, ['run', '--rm', 'app', 'true']);
  t.equal(run.exitCode, 125);
  t.match(run.stderr, /^Error: service "app": device \/dev\/does-not-exist does not exist on the host$/m, 'run checks it too');
  t.same(await psNames(), [], 'no container');
});

const startedAt = async (name: string): Promise<string> => inspect(name, '{{.State.StartedAt}}');
const idOf = async (name: string): Promise<string> => inspect(name, '{{.Id}}');

t.test('a recreated dependency: restart dependents stop before it and start after it; the others are left running', async (t: Test) => {
  const yaml = `
services:
  db:
    image: ${IMG}
    command: ${LOOP('db ${DBV}')}
  web:
    image: ${IMG}
    command: ${LOOP('web')}
    depends_on:
      db: { condition: service_started, restart: true }
  side:
    image: ${IMG}
    command: ${LOOP('side')}
    network_mode: "service:db"
  report:
    image: ${IMG}
    command: ${LOOP('report')}
    depends_on: [db]
`;
  const dir = project('restartdeps', yaml);
  fs.writeFileSync(path.join(dir, '.env'), 'DBV=1\n');
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const up = await compose(dir, ['up', '-d']);
  t.equal(up.exitCode, 0, up.stderr);
  const before = Object.fromEntries(await Promise.all(['db', 'web', 'side', 'report'].map(async (s) => [s, { id: await idOf(`restartdeps-${s}-1`), at: await startedAt(`restartdeps-${s}-1`) }] as const)));

  // a second up with nothing changed touches nothing
  const same = await compose(dir, ['up', '-d']);
  t.notMatch(same.stderr, /Stopped|Recreated|Started/, same.stderr);

  fs.writeFileSync(path.join(dir, '.env'), 'DBV=2\n');
  const dry = await compose(dir, ['up', '-d', '--dry-run']);
  t.equal(dry.exitCode, 0, dry.stderr);
  t.match(dry.stderr, /DRY-RUN MODE - Container restartdeps-web-1\s+Stopped/);
  t.match(dry.stderr, /DRY-RUN MODE - Container restartdeps-web-1\s+Started/);
  t.equal(await idOf('restartdeps-db-1'), before['db']!.id, 'the dry run recreated nothing');

  const re = await compose(dir, ['up', '-d']);
  t.equal(re.exitCode, 0, re.stderr);
  const lines = re.stderr.split('\n');
  const at = (re2: RegExp) => lines.findIndex((l) => re2.test(l));
  const recreated = at(/Container restartdeps-db-1\s+Recreated/);
  t.ok(recreated >= 0, `db recreated:\n${re.stderr}`);
  const stopped = at(/Container restartdeps-web-1\s+Stopped/), started = at(/Container restartdeps-web-1\s+Started/);
  t.ok(stopped >= 0 && stopped < recreated, `web stopped before db is recreated:\n${re.stderr}`);
  t.ok(started > recreated, `web started after db:\n${re.stderr}`);
  t.equal(await idOf('restartdeps-web-1'), before['web']!.id, 'web kept (its own config did not change)');
  t.not(await startedAt('restartdeps-web-1'), before['web']!.at, 'web started again');
  t.equal(await inspect('restartdeps-web-1', '{{.State.Status}}'), 'running');
  // side joins db's network namespace: removed before db (the engine removes no container others join), created after
  const removed = at(/Container restartdeps-side-1\s+Removed/), created = at(/Container restartdeps-side-1\s+Created/);
  t.ok(removed >= 0 && removed < recreated, `side removed before db is recreated:\n${re.stderr}`);
  t.ok(created > recreated, `side created again after db:\n${re.stderr}`);
  t.equal(await inspect('restartdeps-side-1', '{{.State.Status}}'), 'running');
  t.equal(at(/restartdeps-report-1\s+(Stopped|Started)/), -1, 'report (restart: false) is not stopped');
  t.equal(await startedAt('restartdeps-report-1'), before['report']!.at, 'report kept running');
  // side shares the new db's network namespace
  const dbNs = await env.tspod(['exec', 'restartdeps-db-1', 'readlink', '/proc/self/ns/net']);
  const sideNs = await env.tspod(['exec', 'restartdeps-side-1', 'readlink', '/proc/self/ns/net']);
  t.equal(sideNs.stdout, dbNs.stdout, 'side joined the recreated db\'s network namespace');

  // `up --force-recreate db` alone: web is not converged, but stopped and started again around db
  const webAt = await startedAt('restartdeps-web-1');
  const only = await compose(dir, ['up', '-d', '--force-recreate', 'db']);
  t.equal(only.exitCode, 0, only.stderr);
  t.match(only.stderr, /Container restartdeps-web-1\s+Stopped[\s\S]*Container restartdeps-db-1\s+Recreated[\s\S]*Container restartdeps-web-1\s+Started/);
  t.not(await startedAt('restartdeps-web-1'), webAt);
  t.equal(await inspect('restartdeps-web-1', '{{.State.Status}}'), 'running');

  // down from the labels alone (the file is gone): side, which joins db's namespace, goes before db
  fs.rmSync(path.join(dir, 'compose.yaml'));
  const down = await env.tspod(['compose', '-p', 'restartdeps', 'down', '-t', '0'], { cwd: env.dir });
  t.equal(down.exitCode, 0, down.stderr);
  t.same((await psNames()).filter((n) => n.startsWith('restartdeps')), [], 'nothing left');
});

t.test('up --attach-dependencies: the dependencies\' output too; without it only the named services\'', async (t: Test) => {
  const dir = project('attachdeps', `
services:
  db:
    image: ${IMG}
    command: ["sh", "-c", "echo db line; sleep 2"]
  web:
    image: ${IMG}
    command: ["sh", "-c", "echo web line; sleep 3"]
    depends_on: [db]
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const plain = await compose(dir, ['up', 'web']);
  t.equal(plain.exitCode, 0, plain.stderr);
  t.match(plain.stdout, /^Attaching to web-1$/m);
  t.match(plain.stdout, /^web-1 +\| web line$/m);
  t.notMatch(plain.stdout, /db line/, 'the dependency\'s output is not shown');
  await compose(dir, ['down', '-t', '0']);
  const deps = await compose(dir, ['up', '--attach-dependencies', 'web']);
  t.equal(deps.exitCode, 0, deps.stderr);
  t.match(deps.stdout, /^Attaching to db-1, web-1$/m);
  t.match(deps.stdout, /^db-1 +\| db line$/m);
  t.match(deps.stdout, /^web-1 +\| web line$/m);
  const bad = await compose(dir, ['up', '-d', '--attach-dependencies']);
  t.not(bad.exitCode, 0, 'not with -d');
});

t.test('logs -f follows a container through restarts and picks up containers up creates later', async (t: Test) => {
  const dir = project('followapp', `
services:
  web:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; echo web start $$(cat /proc/uptime); while true; do sleep 0.2; done"]
  flaky:
    image: ${IMG}
    command: ["sh", "-c", "echo flaky run; sleep 1; exit 3"]
    restart: on-failure:2
  extra:
    image: ${IMG}
    command: ${LOOP('extra here')}
    profiles: [later]
`);
  t.teardown(() => compose(dir, ['--profile', 'later', 'down', '-t', '0']).then(() => undefined));
  const up = await compose(dir, ['up', '-d', 'web']);
  t.equal(up.exitCode, 0, up.stderr);
  const [cmd, args] = tspodCommand(['compose', 'logs', '-f', '--no-color']);
  const child = execa(cmd, args, { cwd: dir, env: env.env, extendEnv: false, reject: false, timeout: 180_000 });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  t.ok(await until(() => /^web-1 +\| web start/m.test(out)), `the running container's output:\n${out}`);
  const r = await compose(dir, ['restart', '-t', '1', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(await until(() => (out.match(/^web-1 +\| web start/mg) ?? []).length >= 2), `compose restart: the new output is followed:\n${out}`);
  const up2 = await compose(dir, ['up', '-d', 'flaky']);
  t.equal(up2.exitCode, 0, up2.stderr);
  t.ok(await until(() => (out.match(/^flaky-1 +\| flaky run$/mg) ?? []).length >= 3), `a container up created later, through its restart policy's restarts:\n${out}`);
  const up3 = await compose(dir, ['--profile', 'later', 'up', '-d', 'extra']);
  t.equal(up3.exitCode, 0, up3.stderr);
  t.ok(await until(() => /^extra-1 +\| extra here$/m.test(out)), `and another:\n${out}`);
  t.equal(child.exitCode, null, 'still following');
  const stop = await compose(dir, ['--profile', 'later', 'stop', '-t', '1']);
  t.equal(stop.exitCode, 0, stop.stderr);
  const res = await child;
  t.equal(res.exitCode, 0, `logs -f ends once every container stopped: ${res.stderr}`);
  t.equal((out.match(/^web-1 +\| web start/mg) ?? []).length, 2, 'no line twice');
});

t.test('build.dockerfile_inline, deploy.resources limits as the engine takes them, ipc: service:NAME', async (t: Test) => {
  const dir = project('inlineapp', `
services:
  job:
    build:
      context: .
      dockerfile_inline: |
        FROM ${IMG}
        RUN echo inline > /made.txt
    command: ["sh", "-c", "cat /made.txt; ${'$$'}{X:-}"]
    deploy:
      resources:
        limits: { memory: 64M, pids: 50 }
  base:
    image: ${IMG}
    command: ${LOOP('base')}
    hostname: box
    domainname: example.org
  peer:
    image: ${IMG}
    command: ${LOOP('peer')}
    ipc: "service:base"
`);
  t.teardown(() => compose(dir, ['down', '-t', '0', '--rmi', 'local']).then(() => undefined));
  const up = await compose(dir, ['up', '-d']);
  t.equal(up.exitCode, 0, up.stderr);
  t.match(up.stderr, /Image inlineapp-job\s+Built/);
  t.ok(await until(async () => (await inspect('inlineapp-job-1', '{{.State.Status}}')) === 'exited'));
  t.equal((await env.tspod(['logs', 'inlineapp-job-1'])).stdout, 'inline', 'the image was built from the inline Containerfile');
  t.equal(await inspect('inlineapp-job-1', '{{.HostConfig.Memory}}'), String(64 * 1024 * 1024), 'deploy.resources.limits.memory reaches the engine');
  t.equal(await inspect('inlineapp-job-1', '{{.HostConfig.PidsLimit}}'), '50');
  t.match(up.stderr, 'inlineapp-job-1: Resource limits are not supported and ignored on cgroups V1 rootless systems', 'the engine\'s warning (rootless), as run gives it');
  t.equal((await env.tspod(['exec', 'inlineapp-base-1', 'cat', '/proc/sys/kernel/hostname'])).stdout, 'box', 'hostname');
  t.match(up.stderr, /service \\?"base\\?": domainname is not supported by tspod's engine and is ignored/, 'what the engine cannot apply is a warning');
  const ipcBase = await env.tspod(['exec', 'inlineapp-base-1', 'readlink', '/proc/self/ns/ipc']);
  const ipcPeer = await env.tspod(['exec', 'inlineapp-peer-1', 'readlink', '/proc/self/ns/ipc']);
  t.equal(ipcPeer.stdout, ipcBase.stdout, 'peer joins base\'s IPC namespace');
  t.match(ipcBase.stdout, /^ipc:\[\d+\]$/, 'an IPC namespace was read');
  // base recreated: peer, in its IPC namespace, goes first and is created again after it
  const re = await compose(dir, ['up', '-d', '--force-recreate', 'base']);
  t.equal(re.exitCode, 0, re.stderr);
  t.match(re.stderr, /Container inlineapp-peer-1\s+Removed[\s\S]*Container inlineapp-base-1\s+Recreated[\s\S]*Container inlineapp-peer-1\s+Created/);
  const ipcBase2 = await env.tspod(['exec', 'inlineapp-base-1', 'readlink', '/proc/self/ns/ipc']);
  t.equal((await env.tspod(['exec', 'inlineapp-peer-1', 'readlink', '/proc/self/ns/ipc'])).stdout, ipcBase2.stdout, 'and joins the new one');
});

t.test('healthcheck.start_interval: checks come that often during the start period', async (t: Test) => {
  const dir = project('startint', `
services:
  db:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; while true; do sleep 0.2; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 60s
      start_period: 60s
      start_interval: 1s
  web:
    image: ${IMG}
    command: ${LOOP('web')}
    depends_on:
      db: { condition: service_healthy }
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const t0 = Date.now();
  const up = await compose(dir, ['up', '-d', '--wait', '--wait-timeout', '30']);
  t.equal(up.exitCode, 0, up.stderr);
  t.ok(Date.now() - t0 < 45_000, 'healthy long before the 60s interval');
  t.equal(await inspect('startint-db-1', '{{.State.Health.Status}}'), 'healthy');
  t.equal(await inspect('startint-db-1', '{{.Config.Healthcheck.StartInterval}}'), String(1e9));
  t.equal(await inspect('startint-web-1', '{{.State.Status}}'), 'running');
});
