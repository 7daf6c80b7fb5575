// End-to-end: the rest of `tspod compose` (the real bin/tspod, as the unprivileged user, images from the
// loopback registry): attached `up` with prefixed output stopped by SIGINT, --exit-code-from, --scale and
// --wait on a healthcheck, --dry-run, run --rm, exec, stop/start/restart/kill/rm, ls, and a `compose up -d`
// killed with SIGKILL half way, then converged by the next `up -d`, leaving nothing after `down -v`.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMG = '';
let REG = '';

t.before(async () => {
  const { startRegistry } = await import('../fixtures/registry.js');
  const { buildBusyboxLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/compose2', 'latest', img);
  IMG = `${reg.host}/e2e/compose2:latest`;
  REG = reg.host;
  env = await makeEnv(t, { insecure: [reg.host] });
  // the image once for all projects (and the user namespace's pause process: later commands join it directly)
  const p = await env.tspod(['pull', '-q', IMG]);
  if (p.exitCode !== 0) throw new Error(`pull: ${p.stderr}`);
});

const compose = (dir: string, args: string[], extra: Record<string, string> = {}) =>
  env.tspod(['compose', ...args], { cwd: dir, env: { ...env.env, ...extra } });

function project(name: string, yaml: string): string {
  const dir = path.join(env.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), yaml);
  return dir;
}

const psNames = async (): Promise<string[]> => {
  const r = await env.tspod(['ps', '-a', '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean).sort();
};
const state = async (name: string): Promise<string> => (await env.tspod(['inspect', '--format', '{{.State.Status}}', name])).stdout;

async function until(what: () => boolean | Promise<boolean>, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) { if (await what()) return true; await new Promise((r) => setTimeout(r, 200)); }
  return false;
}

// a service that runs until SIGTERM (as PID 1 it needs its own handler)
const LOOP = (line: string) => `["sh", "-c", "trap 'exit 0' TERM; echo ${line}; while true; do sleep 0.2; done"]`;

t.test('attached up: prefixed output of every service, SIGINT stops the containers', async (t: Test) => {
  const dir = project('attachapp', `
services:
  web:
    image: ${IMG}
    command: ${LOOP('web says hi')}
  job:
    image: ${IMG}
    command: ["sh", "-c", "echo job line 1; echo job line 2"]
  flaky:
    image: ${IMG}
    command: ["sh", "-c", "echo flaky run; sleep 1; exit 1"]
    restart: on-failure:2
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const [cmd, args] = tspodCommand(['compose', 'up']);
  const child = execa(cmd, args, { cwd: dir, env: env.env, extendEnv: false, reject: false, timeout: 180_000 });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const seen = await until(() => /^web-1 +\| web says hi$/m.test(out) && /^job-1 exited with code 0$/m.test(out));
  t.ok(seen, `both services' output seen:\n${out}`);
  t.match(out, /^Attaching to (?=.*flaky-1)(?=.*job-1)(?=.*web-1).*$/m);
  t.ok(await until(() => (out.match(/^flaky-1 +\| flaky run$/mg) ?? []).length >= 2), `a container restarted by its policy is followed again:\n${out}`);
  t.match(out, /^job-1 +\| job line 1\njob-1 +\| job line 2$/m, 'lines prefixed with the short container name, aligned');
  t.equal(await state('attachapp-web-1'), 'running');
  child.kill('SIGINT');
  const r = await child;
  t.equal(r.exitCode, 130, `exits as interrupted: ${String(r.stderr)}`);
  t.match(out, /Gracefully stopping/);
  t.match(String(r.stderr), /Container attachapp-web-1\s+Stopped/);
  t.equal(await state('attachapp-web-1'), 'exited', 'the container was stopped');
});

t.test('attached up: a second SIGINT kills what the first could not stop', async (t: Test) => {
  const dir = project('stubbornapp', `
services:
  stubborn:
    image: ${IMG}
    command: ["sh", "-c", "trap '' TERM; echo stubborn; while true; do sleep 0.2; done"]
    stop_grace_period: 2m
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const [cmd, args] = tspodCommand(['compose', 'up']);
  const child = execa(cmd, args, { cwd: dir, env: env.env, extendEnv: false, reject: false, timeout: 180_000 });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  t.ok(await until(() => /^stubborn-1 +\| stubborn$/m.test(out)), out);
  child.kill('SIGINT');
  t.ok(await until(() => /Gracefully stopping/.test(out)), 'the first SIGINT stops gracefully');
  await new Promise((res) => setTimeout(res, 1500));
  t.match(await state('stubbornapp-stubborn-1'), /^(running|stopping)$/, 'still up: it ignores SIGTERM and has 2 minutes');
  const t0 = Date.now();
  child.kill('SIGINT');
  const r = await child;
  t.equal(r.exitCode, 130, String(r.stderr));
  t.ok(Date.now() - t0 < 30_000, 'the second SIGINT does not wait for the grace period');
  t.match(String(r.stderr), /Container stubbornapp-stubborn-1\s+Killed/);
  t.ok(await until(async () => (await state('stubbornapp-stubborn-1')) === 'exited'), 'killed');
});

t.test('up --exit-code-from: the tests\' exit code, the others stopped', async (t: Test) => {
  const dir = project('exitapp', `
services:
  web:
    image: ${IMG}
    command: ${LOOP('serving')}
  tests:
    image: ${IMG}
    command: ["sh", "-c", "sleep 1; echo testing; exit 3"]
    depends_on: [web]
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const r = await compose(dir, ['--parallel', '1', 'up', '--exit-code-from', 'tests']);
  t.equal(r.exitCode, 3, r.stderr);
  t.match(r.stdout, /^tests-1 +\| testing$/m);
  t.match(r.stdout, /Aborting on container exit/);
  t.equal(await state('exitapp-web-1'), 'exited', 'web stopped when tests exited');
  const bad = await compose(dir, ['up', '--exit-code-from', 'nosuch']);
  t.equal(bad.exitCode, 125);
  t.match(bad.stderr, /nosuch/);
});

t.test('--scale, --wait on a healthcheck, --dry-run, ls', async (t: Test) => {
  const dir = project('scaleapp', `
services:
  web:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /tmp/ok; while true; do sleep 0.2; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 1s
      retries: 60
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  let r = await compose(dir, ['--dry-run', 'up', '--scale', 'web=2']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /DRY-RUN MODE - Network scaleapp_default\s+Created/);
  t.match(r.stderr, /DRY-RUN MODE - Container scaleapp-web-2\s+Created/);
  t.same(await psNames(), (await psNames()).filter((n) => !n.startsWith('scaleapp')), 'dry run: no container');
  t.notOk((await env.tspod(['network', 'exists', 'scaleapp_default'])).exitCode === 0, 'dry run: no network');

  r = await compose(dir, ['up', '-d', '--scale', 'web=3', '--wait']);
  t.equal(r.exitCode, 0, r.stderr);
  const names = (await psNames()).filter((n) => n.startsWith('scaleapp'));
  t.same(names, ['scaleapp-web-1', 'scaleapp-web-2', 'scaleapp-web-3'], '<project>-<service>-<n>');
  for (const n of names) t.equal((await env.tspod(['inspect', '--format', '{{.State.Health.Status}}', n])).stdout, 'healthy', `${n} healthy when --wait returns`);
  const num = await env.tspod(['inspect', '--format', '{{index .Config.Labels "com.docker.compose.container-number"}}', 'scaleapp-web-3']);
  t.equal(num.stdout, '3');

  r = await env.tspod(['compose', 'ls', '--format', 'json'], { cwd: env.dir });
  t.equal(r.exitCode, 0, r.stderr);
  const ls = (JSON.parse(r.stdout) as { Name: string; Status: string; ConfigFiles: string }[]).find((p) => p.Name === 'scaleapp');
  t.same(ls, { Name: 'scaleapp', Status: 'running(3)', ConfigFiles: path.join(dir, 'compose.yaml') });

  r = await compose(dir, ['up', '-d', '--scale', 'web=1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container scaleapp-web-3\s+Removed/);
  t.match(r.stderr, /Container scaleapp-web-1\s+Running/, 'web-1 kept');
  t.same((await psNames()).filter((n) => n.startsWith('scaleapp')), ['scaleapp-web-1']);
  r = await compose(dir, ['port', 'web', '80']);
  t.equal(r.exitCode, 125, 'port: nothing published');
  r = await compose(dir, ['ps', '--format', '{{.Name}} {{.Service}} {{.State}}']);
  t.equal(r.stdout, 'scaleapp-web-1 web running', r.stderr);
  r = await compose(dir, ['ps', '--status', 'exited', '-q']);
  t.equal(r.stdout, '', 'ps --status');
  r = await compose(dir, ['ps', '--filter', 'status=bogus']);
  t.equal(r.exitCode, 125);

  r = await compose(dir, ['stop', '-t', '1']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['compose', 'ls'], { cwd: env.dir });
  t.notMatch(r.stdout, /scaleapp/, 'ls: stopped projects only with -a');
  r = await env.tspod(['compose', 'ls', '-a'], { cwd: env.dir });
  t.match(r.stdout, /^NAME\s+STATUS\s+CONFIG FILES$/m);
  t.match(r.stdout, new RegExp(`^scaleapp\\s+exited\\(1\\)\\s+${dir}/compose.yaml$`, 'm'));
});

t.test('up --wait fails naming the unhealthy or late container', async (t: Test) => {
  const dir = project('waitapp', `
services:
  sick:
    image: ${IMG}
    command: ${LOOP('sick')}
    healthcheck: { test: ["CMD", "false"], interval: 1s, retries: 1 }
  slow:
    image: ${IMG}
    command: ${LOOP('slow')}
    healthcheck: { test: ["CMD", "test", "-f", "/never"], interval: 1s, retries: 1000 }
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  let r = await compose(dir, ['up', '-d', '--wait', 'sick']);
  t.equal(r.exitCode, 125, r.stderr);
  t.match(r.stderr, /container waitapp-sick-1 is unhealthy/);
  const t0 = Date.now();
  r = await compose(dir, ['up', '-d', '--wait', '--wait-timeout', '3', 'slow']);
  t.equal(r.exitCode, 125, r.stderr);
  t.match(r.stderr, /timeout waiting for waitapp-slow-1/);
  t.ok(Date.now() - t0 < 60_000, 'gives up after --wait-timeout');
});

t.test('run, exec, stop, start, restart, kill, pause, rm', async (t: Test) => {
  const dir = project('lifeapp', `
services:
  db:
    image: ${IMG}
    command: ${LOOP('db up')}
  web:
    image: ${IMG}
    command: ${LOOP('web up')}
    environment:
      WHO: web
    ports: ["80"]
    depends_on: [db]
    secrets: [token, fromenv]
    configs:
      - source: app_conf
        target: /etc/app.conf
secrets:
  token:
    file: ./token.txt
  fromenv:
    environment: SECRET_VALUE
configs:
  app_conf:
    content: hello config
`);
  fs.writeFileSync(path.join(dir, 'token.txt'), 's3cret');
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET_VALUE=from-the-environment\n');
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  let r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);

  // secrets and configs: files mounted read-only
  r = await compose(dir, ['exec', '-T', 'web', 'sh', '-c', 'cat /run/secrets/token; echo; cat /run/secrets/fromenv; echo; cat /etc/app.conf']);
  t.equal(r.stdout, 's3cret\nfrom-the-environment\nhello config', r.stderr);
  r = await compose(dir, ['exec', '-T', 'web', 'sh', '-c', 'echo x > /run/secrets/token']);
  t.not(r.exitCode, 0, 'a secret is read-only');

  // logs: --since/--until, --index
  r = await compose(dir, ['logs', '--no-log-prefix', '--since', '1h', '--index', '1', 'web']);
  t.equal(r.stdout, 'web up', r.stderr);
  r = await compose(dir, ['logs', '--until', '2000-01-01T00:00:00Z', 'web']);
  t.equal(r.stdout, '', 'nothing before 2000');

  // exec: environment, user flags, exit code, --index
  r = await compose(dir, ['exec', '-T', '-e', 'EXTRA=1', 'web', 'sh', '-c', 'echo $WHO$EXTRA; exit 7']);
  t.equal(r.exitCode, 7, 'the command\'s exit code');
  t.equal(r.stdout, 'web1');
  r = await compose(dir, ['exec', '-T', '-w', '/tmp', 'web', 'pwd']);
  t.equal(r.stdout, '/tmp');
  r = await compose(dir, ['exec', '-T', '--index', '2', 'web', 'true']);
  t.equal(r.exitCode, 125, 'no container number 2');
  t.match(r.stderr, /not running/);

  // port: the published port of the service
  r = await compose(dir, ['port', 'web', '80']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^0\.0\.0\.0:\d+$/);

  // run --rm: a one-off container without the service's ports, gone afterwards
  r = await compose(dir, ['run', '--rm', '-T', '-e', 'EXTRA=2', 'web', 'sh', '-c', 'echo run:$WHO$EXTRA; exit 4']);
  t.equal(r.exitCode, 4, r.stderr);
  t.match(r.stdout, /run:web2/);
  t.ok(await until(async () => !(await psNames()).some((n) => n.includes('-run-'))), 'the --rm one-off is removed');
  r = await compose(dir, ['run', '-d', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^lifeapp-web-run-[0-9a-f]{12}$/, 'run -d prints the one-off\'s name');
  const oneoff = r.stdout;
  const labels = JSON.parse((await env.tspod(['inspect', '--format', '{{json .Config.Labels}}', oneoff])).stdout) as Record<string, string>;
  t.match(labels, { 'com.docker.compose.oneoff': 'True', 'com.docker.compose.service': 'web', 'com.docker.compose.project': 'lifeapp' });
  t.equal((await env.tspod(['port', oneoff])).stdout, '', 'no ports without --service-ports');
  t.notOk('com.docker.compose.container-number' in labels, 'a one-off has no container number');
  t.equal((await compose(dir, ['ps', '-q'])).stdout.split('\n').filter(Boolean).length, 2, 'ps: the services\' containers');
  t.equal((await compose(dir, ['ps', '-q', '-a'])).stdout.split('\n').filter(Boolean).length, 3, 'ps -a: and the one-off');
  await env.tspod(['rm', '-f', '-t', '0', oneoff]);

  // pause: the engine's freezer (a clear per-container error where rootless cgroups v1 has none)
  r = await compose(dir, ['pause', 'web']);
  if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    t.equal(r.exitCode, 0, r.stderr);
    t.match(r.stderr, /Container lifeapp-web-1\s+Paused/);
    t.equal(await state('lifeapp-web-1'), 'paused');
    r = await compose(dir, ['unpause']);
    t.equal(r.exitCode, 0, r.stderr);
    t.match(r.stderr, /Container lifeapp-web-1\s+Unpaused/);
  } else {
    t.equal(r.exitCode, 1, 'partial failure: exit 1');
    t.match(r.stderr, /lifeapp-web-1: pause is not supported for rootless containers on cgroups v1/);
  }
  t.equal(await state('lifeapp-web-1'), 'running');

  r = await compose(dir, ['stop', '-t', '1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stderr.indexOf('lifeapp-web-1  Stopped') >= 0 && r.stderr.indexOf('lifeapp-web-1  Stopped') < r.stderr.indexOf('lifeapp-db-1  Stopped'), 'dependents stop first');
  t.equal(await state('lifeapp-db-1'), 'exited');
  r = await compose(dir, ['start']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stderr.indexOf('lifeapp-db-1  Started') < r.stderr.indexOf('lifeapp-web-1  Started'), 'dependencies start first');
  t.equal(await state('lifeapp-web-1'), 'running');

  const started = async () => (await env.tspod(['inspect', '--format', '{{.State.StartedAt}}', 'lifeapp-web-1'])).stdout;
  const before = await started();
  r = await compose(dir, ['restart', '-t', '1', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container lifeapp-web-1\s+Restarted/);
  t.not(await started(), before, 'web restarted');

  r = await compose(dir, ['kill', '-s', 'SIGKILL', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container lifeapp-web-1\s+Killed/);
  t.ok(await until(async () => (await state('lifeapp-web-1')) === 'exited'), 'killed');

  r = await compose(dir, ['rm', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container lifeapp-web-1\s+Removed/);
  t.same((await psNames()).filter((n) => n.startsWith('lifeapp')), ['lifeapp-db-1'], 'rm: stopped containers only');
  r = await compose(dir, ['rm', '-f', '-s']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same((await psNames()).filter((n) => n.startsWith('lifeapp')), [], 'rm -s: stopped, then removed');
  r = await compose(dir, ['rm', '-f']);
  t.match(r.stderr, /No stopped containers/);
});

t.test('depends_on: service_completed_successfully, required: false; run --service-ports', async (t: Test) => {
  const dir = project('depsapp', `
services:
  migrate:
    image: ${IMG}
    command: ["sh", "-c", "sleep 2; date +%s > /dev/null; exit 0"]
  broken:
    image: ${IMG}
    command: ["sh", "-c", "exit 1"]
  app:
    image: ${IMG}
    command: ${LOOP('app')}
    ports: ["80"]
    depends_on:
      migrate:
        condition: service_completed_successfully
      broken:
        condition: service_completed_successfully
        required: false
`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  let r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /optional dependency \\?"broken\\?" of \\?"app\\?": .*didn't complete successfully: exit 1/, 'an optional dependency that failed only warns');
  t.equal(await state('depsapp-migrate-1'), 'exited');
  t.equal(await state('depsapp-app-1'), 'running', 'app started once migrate completed');
  const ended = (await env.tspod(['inspect', '--format', '{{.State.FinishedAt}}', 'depsapp-migrate-1'])).stdout;
  const began = (await env.tspod(['inspect', '--format', '{{.State.StartedAt}}', 'depsapp-app-1'])).stdout;
  t.ok(Date.parse(began) >= Date.parse(ended), `app started (${began}) after migrate ended (${ended})`);

  fs.writeFileSync(path.join(dir, 'compose.yaml'), fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8').replace('required: false', 'required: true'));
  r = await compose(dir, ['up', '-d', '--force-recreate', 'app']);
  t.not(r.exitCode, 0, 'a required dependency that failed fails up');
  t.match(r.stderr, /broken.*didn't complete successfully/);

  r = await compose(dir, ['run', '-d', '--no-deps', '--service-ports', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  const port = await env.tspod(['port', r.stdout]);
  t.match(port.stdout, /^80\/tcp -> 0\.0\.0\.0:\d+$/m, '--service-ports publishes the service\'s ports');
  await env.tspod(['rm', '-f', '-t', '0', r.stdout]);
});

t.test('up -d killed half way: the next up -d converges, down -v leaves nothing', async (t: Test) => {
  const dir = project('crashapp', `
services:
  db:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3; touch /tmp/ok; while true; do sleep 0.2; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 1s
      retries: 60
    volumes: [data:/data]
  web:
    image: ${IMG}
    command: ${LOOP('web')}
    depends_on:
      db:
        condition: service_healthy
  worker:
    image: ${IMG}
    command: ${LOOP('worker')}
    depends_on: [web]
volumes:
  data:
`);
  t.teardown(() => compose(dir, ['down', '-v', '-t', '0']).then(() => undefined));
  const [cmd, args] = tspodCommand(['compose', 'up', '-d']);
  const child = execa(cmd, args, { cwd: dir, env: env.env, extendEnv: false, reject: false, detached: true, timeout: 180_000 });
  // kill it while web waits for db to become healthy: db exists, web and worker do not yet
  const midway = await until(async () => (await psNames()).includes('crashapp-db-1'));
  t.ok(midway, 'db created');
  process.kill(-child.pid!, 'SIGKILL');
  await child;
  t.notOk((await psNames()).includes('crashapp-worker-1'), 'killed before worker was created');

  let r = await compose(dir, ['up', '-d']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same((await psNames()).filter((n) => n.startsWith('crashapp')), ['crashapp-db-1', 'crashapp-web-1', 'crashapp-worker-1'], 'converged: one container per service');
  for (const n of ['crashapp-db-1', 'crashapp-web-1', 'crashapp-worker-1']) t.equal(await state(n), 'running', `${n} running`);
  r = await compose(dir, ['up', '-d']);
  t.notMatch(r.stderr, /Created|Recreated|Started/, 'a second up changes nothing');

  r = await compose(dir, ['down', '-v', '-t', '1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same((await psNames()).filter((n) => n.startsWith('crashapp')), [], 'no container');
  t.notOk((await env.tspod(['network', 'exists', 'crashapp_default'])).exitCode === 0, 'no network');
  t.notOk((await env.tspod(['volume', 'exists', 'crashapp_data'])).exitCode === 0, 'no volume');
});

t.test('build, push, pull, create, start, events, top, images, cp, wait, version, down --rmi', async (t: Test) => {
  const dir = project('toolsapp', `
services:
  app:
    build: { context: ./ctx }
    image: ${REG}/e2e/toolsapp:1
    command: ${LOOP('app')}
  once:
    image: ${IMG}
    command: ["sh", "-c", "sleep 1; exit 5"]
`);
  fs.mkdirSync(path.join(dir, 'ctx'));
  fs.writeFileSync(path.join(dir, 'ctx', 'Containerfile'), `FROM ${IMG}\nRUN echo built > /built.txt\n`);
  t.teardown(() => compose(dir, ['down', '-t', '0']).then(() => undefined));
  const APP = `${REG}/e2e/toolsapp:1`;

  let r = await compose(dir, ['build', '-q']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, new RegExp(`Image ${APP.replace(/[.]/g, '\\.')}\\s+Built`));
  r = await compose(dir, ['push', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /app Pushed/);
  t.equal((await env.tspod(['rmi', APP])).exitCode, 0);
  r = await compose(dir, ['pull', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /app Pulled/);
  t.equal((await env.tspod(['image', 'exists', APP])).exitCode, 0, 'pulled back from the registry');

  r = await compose(dir, ['create', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(await state('toolsapp-app-1'), 'created', 'create starts nothing');

  // events from now on, as JSON lines
  const [cmd, args] = tspodCommand(['compose', 'events', '--json']);
  const ev = execa(cmd, args, { cwd: dir, env: env.env, extendEnv: false, reject: false, timeout: 120_000 });
  let evOut = '';
  ev.stdout!.on('data', (d: Buffer) => { evOut += d.toString(); });
  await new Promise((res) => setTimeout(res, 1500));
  r = await compose(dir, ['start', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container toolsapp-app-1\s+Started/);
  const gotEvent = await until(() => evOut.split('\n').some((l) => l && (JSON.parse(l) as { action: string; service: string }).action === 'start'));
  ev.kill('SIGINT');
  await ev;
  t.ok(gotEvent, `a start event: ${evOut}`);
  const start = evOut.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['action'] === 'start');
  t.match(start, { type: 'container', action: 'start', service: 'app', id: /^[0-9a-f]{64}$/, attributes: { name: 'toolsapp-app-1' } });

  r = await compose(dir, ['top']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^toolsapp-app-1\n.*PID/m, 'the container, then its processes');
  t.match(r.stdout, /while true/);

  r = await compose(dir, ['images', '--format', 'json']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(JSON.parse(r.stdout), [{ ContainerName: 'toolsapp-app-1', Repository: `${REG}/e2e/toolsapp`, Tag: '1', ID: /^[0-9a-f]{64}$/ }]);

  fs.writeFileSync(path.join(dir, 'in.txt'), 'from the host');
  r = await compose(dir, ['cp', './in.txt', 'app:/tmp/in.txt']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await compose(dir, ['exec', '-T', 'app', 'cat', '/tmp/in.txt'])).stdout, 'from the host');
  r = await compose(dir, ['cp', 'app:/built.txt', path.join(dir, 'out.txt')]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'built\n', 'copied out of the built image\'s file');

  // a rebuilt image recreates the containers that run the old one (the configuration is unchanged)
  r = await compose(dir, ['up', '-d', 'app']);
  t.match(r.stderr, /Container toolsapp-app-1\s+Running/, 'same image, same configuration: kept');
  fs.writeFileSync(path.join(dir, 'ctx', 'Containerfile'), `FROM ${IMG}\nRUN echo rebuilt > /built.txt\n`);
  r = await compose(dir, ['build', '-q', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await compose(dir, ['up', '-d', 'app']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Container toolsapp-app-1\s+Recreated/, 'a new image: recreated');
  t.equal((await compose(dir, ['exec', '-T', 'app', 'cat', '/built.txt'])).stdout, 'rebuilt');
  r = await compose(dir, ['up', '-d', 'app']);
  t.match(r.stderr, /Container toolsapp-app-1\s+Running/, 'then kept again');

  r = await compose(dir, ['up', '-d', 'once']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await compose(dir, ['wait', 'once']);
  t.equal(r.exitCode, 5, 'wait: the exit code');
  t.equal(r.stdout, '5');

  r = await compose(dir, ['version', '--short']);
  t.match(r.stdout, /^\d+\.\d+\.\d+/);

  r = await compose(dir, ['down', '--rmi', 'all', '-t', '0', '--dry-run']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, new RegExp(`DRY-RUN MODE - Image ${APP.replace(/[.]/g, '\\.')}\\s+Removed`));
  t.equal((await env.tspod(['image', 'exists', APP])).exitCode, 0, 'dry run: nothing removed');
  t.equal(await state('toolsapp-app-1'), 'running');
  r = await compose(dir, ['down', '--rmi', 'all', '-t', '0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.notOk((await env.tspod(['image', 'exists', APP])).exitCode === 0, 'down --rmi all removed the service\'s image');
  t.same((await psNames()).filter((n) => n.startsWith('toolsapp')), []);
});
