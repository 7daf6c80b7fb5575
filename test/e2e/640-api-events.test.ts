// End-to-end: GET /events of the API service, from the engine's events log, read by
// the real docker CLI: a --since/--until window, a follow that sees a container
// another process starts, Docker's action names, and a bad filter.
import t from 'tap';
import { execa } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { apiRequest, docker, startApiService, type ApiService } from '../fixtures/api-service.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let svc: ApiService;
let IMAGE = '';

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'ev/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } }));
  IMAGE = `${reg.host}/ev/bb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  svc = await startApiService(env);
});
t.teardown(async () => { await svc?.stop(); await reg?.stop(); });

t.test('docker events --since/--until: a container\'s life with Docker\'s action names', async (t) => {
  const since = Math.floor(Date.now() / 1000) - 1;
  let r = await env.tspod(['run', '--name', 'ev1', IMAGE, 'sh', '-c', 'exit 3']);
  t.equal(r.exitCode, 3, r.stderr);
  r = await env.tspod(['rm', 'ev1']);
  t.equal(r.exitCode, 0, r.stderr);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const d = await docker(svc, env, ['events', '--since', String(since), '--until', String(until), '--filter', 'container=ev1', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}{{if .Actor.Attributes.exitCode}} {{.Actor.Attributes.exitCode}}{{end}}']);
  t.equal(d.exitCode, 0, d.stderr);
  const lines = d.stdout.split('\n');
  t.ok(lines.includes('container create ev1'), d.stdout);
  t.ok(lines.includes('container start ev1'), 'start');
  t.ok(lines.includes('container die ev1 3'), 'died is Docker\'s "die", with the exit code');
  t.ok(lines.includes('container destroy ev1'), 'remove is Docker\'s "destroy"');
  const order = ['create', 'start', 'die', 'destroy'].map((a) => lines.findIndex((l) => l.startsWith(`container ${a} `)));
  t.same([...order].sort((a, b) => a - b), order, 'in order');
  const only = await docker(svc, env, ['events', '--since', String(since), '--until', String(until), '--filter', 'event=die', '--format', '{{.Action}}']);
  t.equal(only.stdout, 'die', 'an event filter in Docker\'s names');
});

t.test('docker events follows: a container started by another process shows up', async (t) => {
  const follower = execa('docker', ['events', '--filter', 'type=container', '--filter', 'event=start', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.dir, DOCKER_HOST: svc.host, DOCKER_CONFIG: path.join(env.dir, 'docker-config') },
    extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000,
  });
  let seen = '';
  follower.stdout?.on('data', (c: Buffer) => { seen += c.toString(); });
  await sleep(1500);
  const r = await env.tspod(['run', '-d', '--name', 'ev2', IMAGE, 'sleep', '60']);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 150 && !seen.includes('start ev2'); i++) await sleep(200);
  t.match(seen, /start ev2/, 'the follower saw it');
  follower.kill('SIGTERM');
  await follower;
  await env.tspod(['rm', '-f', '-t', '0', 'ev2']);
});

t.test('bad filters: 400 and Docker\'s message shape', async (t) => {
  let r = await apiRequest(svc.sock, 'GET', `/v1.41/events?until=${Math.floor(Date.now() / 1000)}&filters=${encodeURIComponent('{"bogus":["x"]}')}`);
  t.equal(r.status, 400);
  t.match(JSON.parse(r.body), { message: /invalid filter 'bogus'/ });
  r = await apiRequest(svc.sock, 'GET', `/events?until=1&filters=notjson`);
  t.equal(r.status, 400);
  r = await apiRequest(svc.sock, 'GET', '/events?since=yesterday&until=1');
  t.equal(r.status, 400);
});
