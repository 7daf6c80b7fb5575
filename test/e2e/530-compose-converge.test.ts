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
  await env.tspod(['rm', 'exp', 'expall']);
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
});
