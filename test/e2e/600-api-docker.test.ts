// End-to-end: the Docker-compatible API service (tspod system service) driven
// by the real docker CLI, plus raw requests for status codes and error bodies.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { apiRequest, docker, startApiService, type ApiService } from '../fixtures/api-service.js';
import { httpEventually } from '../fixtures/http.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let svc: ApiService;
let BB = '';
let WEB = '';

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } }));
  const page = await buildFileLayer({ '/www/index.html': 'hello from the api\n' });
  await pushImage(reg.url, 'e2e/web', 'latest', buildImage({ layers: [base, page], config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {} } } }));
  BB = `${reg.host}/e2e/bb:latest`;
  WEB = `${reg.host}/e2e/web:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  svc = await startApiService(env);
});
t.teardown(async () => { await svc?.stop(); await reg?.stop(); });

const ok = (t: Test, r: { exitCode: number; stderr: string }, what: string) => t.equal(r.exitCode, 0, `${what}: ${r.stderr}`);

t.test('socket, _ping, version, errors as Docker sends them', async (t) => {
  t.equal(fs.statSync(svc.sock).mode & 0o777, 0o600, 'the socket is mode 0600');
  for (const p of ['/_ping', '/v1.41/_ping', '/v1.24/_ping']) {
    const r = await apiRequest(svc.sock, 'GET', p);
    t.equal(r.status, 200, p);
    t.equal(r.body, 'OK');
    t.equal(r.headers['api-version'], '1.41');
    t.equal(r.headers['ostype'], 'linux');
  }
  const head = await apiRequest(svc.sock, 'HEAD', '/_ping');
  t.equal(head.status, 200);
  t.equal(head.body, '');
  const v = JSON.parse((await apiRequest(svc.sock, 'GET', '/version')).body) as Record<string, unknown>;
  t.equal(v['ApiVersion'], '1.41');
  t.equal(v['MinAPIVersion'], '1.24');
  const nf = await apiRequest(svc.sock, 'GET', '/v1.41/containers/nosuch/json');
  t.equal(nf.status, 404);
  t.same(JSON.parse(nf.body), { message: 'No such container: nosuch' });
  const ni = await apiRequest(svc.sock, 'GET', '/images/nosuch:1/json');
  t.equal(ni.status, 404);
  t.same(JSON.parse(ni.body), { message: 'No such image: nosuch:1' });
  t.equal((await apiRequest(svc.sock, 'GET', '/nothing/here')).status, 404);
  t.equal((await apiRequest(svc.sock, 'DELETE', '/_ping')).status, 405);
});

t.test('docker CLI: version, info, pull, images, run --rm, exit codes', async (t) => {
  const v = await docker(svc, env, ['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
  ok(t, v, 'version');
  t.equal(v.stdout, '1.41 linux');
  const info = await docker(svc, env, ['info', '--format', '{{.OSType}} {{.Driver}}']);
  ok(t, info, 'info');
  t.equal(info.stdout, 'linux overlay');
  const p = await docker(svc, env, ['pull', BB]);
  ok(t, p, 'pull');
  t.match(p.stdout, /Downloaded newer image|Image is up to date/);
  const imgs = await docker(svc, env, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  t.match(imgs.stdout, `${reg.host}/e2e/bb:latest`);
  const r = await docker(svc, env, ['run', '--rm', BB, 'echo', 'hello api']);
  ok(t, r, 'run --rm');
  t.equal(r.stdout, 'hello api');
  const err = await docker(svc, env, ['run', '--rm', BB, 'sh', '-c', 'echo to-stderr >&2; exit 3']);
  t.equal(err.exitCode, 3, 'the container\'s exit code');
  t.equal(err.stderr, 'to-stderr', 'stderr stays stderr (multiplexed frames)');
  const left = await docker(svc, env, ['ps', '-a', '-q']);
  t.equal(left.stdout, '', '--rm containers are gone');
  // a missing image is pulled by the CLI after create's 404
  const web = await docker(svc, env, ['run', '--rm', WEB, 'cat', '/www/index.html']);
  ok(t, web, 'run pulls a missing image');
  t.equal(web.stdout, 'hello from the api');
});

t.test('docker CLI: run -d -p, logs, ps --filter, inspect, exec, stop, rm -f', async (t) => {
  const run = await docker(svc, env, ['run', '-d', '--name', 'web', '-l', 'tier=front', '-p', '127.0.0.1::80', WEB]);
  ok(t, run, 'run -d');
  const id = run.stdout;
  const port = await docker(svc, env, ['port', 'web', '80/tcp']);
  ok(t, port, 'port');
  const hostPort = Number(/:(\d+)$/.exec(port.stdout)?.[1]);
  t.ok(hostPort > 0, `a random host port: ${port.stdout}`);
  t.equal(await httpEventually(hostPort), 'hello from the api\n', 'the published port answers');
  const ps = await docker(svc, env, ['ps', '--filter', 'label=tier=front', '--format', '{{.ID}} {{.Names}} {{.Status}}']);
  t.match(ps.stdout, new RegExp(`^${id.slice(0, 12)} web Up`));
  t.equal((await docker(svc, env, ['ps', '--filter', 'label=tier=back', '-q'])).stdout, '');
  const insp = JSON.parse((await docker(svc, env, ['inspect', 'web'])).stdout) as Array<Record<string, any>>;
  t.equal(insp[0]!['Id'], id);
  t.equal(insp[0]!['Name'], '/web');
  t.equal(insp[0]!['State']['Running'], true);
  t.equal(insp[0]!['NetworkSettings']['Ports']['80/tcp'][0]['HostPort'], String(hostPort));
  t.equal(insp[0]!['Config']['Labels']['tier'], 'front');
  const ex = await docker(svc, env, ['exec', 'web', 'sh', '-c', 'echo in-$HOSTNAME; exit 4']);
  t.equal(ex.exitCode, 4, 'exec exit code');
  t.equal(ex.stdout, `in-${id.slice(0, 12)}`);
  const exi = await docker(svc, env, ['exec', '-i', 'web', 'sh', '-c', 'tr a-z A-Z'], { input: 'piped stdin\n' });
  ok(t, exi, 'exec -i');
  t.equal(exi.stdout, 'PIPED STDIN', 'stdin reaches the exec, its EOF too');
  const lr = await docker(svc, env, ['run', '-d', '--name', 'talker', BB, 'sh', '-c', 'for i in 1 2 3; do echo line$i; done; echo err >&2; sleep 1000']);
  ok(t, lr, 'run talker');
  await new Promise((r) => setTimeout(r, 500));
  const logs = await docker(svc, env, ['logs', 'talker']);
  t.equal(logs.stdout, 'line1\nline2\nline3');
  t.equal(logs.stderr, 'err');
  t.equal((await docker(svc, env, ['logs', '--tail', '1', 'talker'])).stderr, 'err');
  t.match((await docker(svc, env, ['logs', '-t', 'talker'])).stdout, /^\d{4}-\d\d-\d\dT\S+ line1$/m);
  ok(t, await docker(svc, env, ['stop', '-t', '1', 'web']), 'stop');
  t.match((await docker(svc, env, ['ps', '-a', '--filter', 'name=web', '--format', '{{.Status}}'])).stdout, /^Exited/);
  ok(t, await docker(svc, env, ['rm', '-f', 'talker', 'web']), 'rm -f');
  t.equal((await docker(svc, env, ['ps', '-a', '-q'])).stdout, '');
});

t.test('docker CLI: network create + run --network by name, volume create + -v', async (t) => {
  ok(t, await docker(svc, env, ['network', 'create', 'apinet']), 'network create');
  const srv = await docker(svc, env, ['run', '-d', '--name', 'srv', '--network', 'apinet', '--network-alias', 'backend', WEB]);
  ok(t, srv, 'run --network');
  const cli = await docker(svc, env, ['run', '--rm', '--network', 'apinet', BB, 'wget', '-q', '-O', '-', 'http://backend/index.html']);
  ok(t, cli, 'reach the other container by its alias');
  t.equal(cli.stdout, 'hello from the api');
  t.match((await docker(svc, env, ['network', 'ls', '--format', '{{.Name}}'])).stdout, /apinet/);
  ok(t, await docker(svc, env, ['volume', 'create', 'apivol']), 'volume create');
  ok(t, await docker(svc, env, ['run', '--rm', '-v', 'apivol:/data', BB, 'sh', '-c', 'echo kept > /data/f']), 'write the volume');
  const rd = await docker(svc, env, ['run', '--rm', '-v', 'apivol:/data', BB, 'cat', '/data/f']);
  t.equal(rd.stdout, 'kept', 'the volume keeps data between containers');
  ok(t, await docker(svc, env, ['rm', '-f', 'srv']), 'rm srv');
  ok(t, await docker(svc, env, ['network', 'rm', 'apinet']), 'network rm');
  ok(t, await docker(svc, env, ['volume', 'rm', 'apivol']), 'volume rm');
});

t.test('bad requests: Docker\'s status and message, nothing changed', async (t) => {
  const before = (await docker(svc, env, ['ps', '-a', '-q'])).stdout;
  const bad = await apiRequest(svc.sock, 'POST', '/containers/create', '{"Image": ');
  t.equal(bad.status, 400);
  t.match(JSON.parse(bad.body).message, /^invalid JSON/);
  const port = await apiRequest(svc.sock, 'POST', '/containers/create?name=badport', JSON.stringify({ Image: BB, HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'abc' }] } } }));
  t.equal(port.status, 400);
  t.same(JSON.parse(port.body), { message: 'invalid port specification: "abc"' });
  const key = await apiRequest(svc.sock, 'POST', '/containers/create', JSON.stringify({ Image: BB, ExposedPorts: { 'eighty/tcp': {} } }));
  t.equal(key.status, 400);
  const typ = await apiRequest(svc.sock, 'POST', '/containers/create', JSON.stringify({ Image: BB, Env: 'A=1' }));
  t.equal(typ.status, 400, 'a field of the wrong type');
  const noimg = await apiRequest(svc.sock, 'POST', '/containers/create', JSON.stringify({ Image: 'nosuch/image:1' }));
  t.equal(noimg.status, 404);
  t.same(JSON.parse(noimg.body), { message: 'No such image: nosuch/image:1' });
  for (const [m, p] of [['POST', '/containers/ghost/start'], ['POST', '/containers/ghost/stop'], ['DELETE', '/containers/ghost'], ['GET', '/containers/ghost/logs?stdout=1']] as const) {
    const r = await apiRequest(svc.sock, m, p);
    t.equal(r.status, 404, `${m} ${p}`);
    t.same(JSON.parse(r.body), { message: 'No such container: ghost' });
  }
  t.equal((await docker(svc, env, ['ps', '-a', '-q'])).stdout, before, 'no container was created');
  // 409 and 304 around the state machine
  const c = await apiRequest(svc.sock, 'POST', '/containers/create?name=state', JSON.stringify({ Image: BB, Cmd: ['sleep', '1000'] }));
  t.equal(c.status, 201);
  const dup = await apiRequest(svc.sock, 'POST', '/containers/create?name=state', JSON.stringify({ Image: BB, Cmd: ['sleep', '1000'] }));
  t.equal(dup.status, 409, 'a name in use is a conflict');
  t.equal((await apiRequest(svc.sock, 'POST', '/containers/state/stop')).status, 304, 'stop of a stopped container');
  t.equal((await apiRequest(svc.sock, 'POST', '/containers/state/start')).status, 204);
  t.equal((await apiRequest(svc.sock, 'POST', '/containers/state/start')).status, 304, 'start of a running container');
  t.equal((await apiRequest(svc.sock, 'DELETE', '/containers/state')).status, 409, 'remove of a running container without force');
  t.equal((await apiRequest(svc.sock, 'DELETE', '/containers/state?force=1')).status, 204);
});

t.test('docker CLI through a real terminal (tmux): run -it and exec -it, and run -i with piped stdin', async (t) => {
  const piped = await docker(svc, env, ['run', '--rm', '-i', BB, 'sh', '-c', 'read x; echo got:$x'], { input: 'piped in\n' });
  t.equal(piped.stdout, 'got:piped in', 'stdin through the hijacked attach, its EOF too');
  const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => fs.existsSync(p));
  if (!TMUX) { t.fail('tmux not found: apt-get install tmux'); return; }
  const sock = path.join(env.dir, 'tmux-api');
  const tmux = (args: string[]) => execa(TMUX, ['-S', sock, ...args], { reject: false }).then((r) => String(r.stdout));
  t.teardown(() => tmux(['kill-server']));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const shell = async (name: string, cmd: string, lines: string[], want: RegExp) => {
    await tmux(['new-session', '-d', '-s', name, '-x', '100', '-y', '30', `env DOCKER_HOST=${svc.host} DOCKER_CONFIG=${path.join(env.dir, 'dc')} ${cmd}; echo EXITED $?; sleep 30`]);
    let screen = '';
    for (let i = 0; i < 100 && !/# $/m.test(screen); i++) { await sleep(100); screen = await tmux(['capture-pane', '-p', '-t', name]); }
    for (const l of lines) { await tmux(['send-keys', '-t', name, '-l', l]); await tmux(['send-keys', '-t', name, 'Enter']); await sleep(300); }
    for (let i = 0; i < 100 && !want.test(screen); i++) { await sleep(100); screen = await tmux(['capture-pane', '-p', '-t', name]); }
    return screen;
  };
  const run = await shell('run', `docker run --rm -it ${BB} sh`, ['echo hello-$((6*7)); tty', 'exit 3'], /EXITED \d+/);
  t.match(run, /hello-42\n\/dev\/pts\/0/, 'typed into the container\'s terminal');
  t.match(run, /EXITED 3/, 'its exit code');
  t.equal((await docker(svc, env, ['run', '-d', '--name', 'itx', BB, 'sleep', '1000'])).exitCode, 0);
  const ex = await shell('exec', 'docker exec -it itx sh', ['echo exec-$((6*7)); tty', 'exit 4'], /EXITED \d+/);
  t.match(ex, /exec-42\n\/dev\/pts\/\d+/, 'exec -it gets a terminal');
  t.match(ex, /EXITED 4/);
  t.equal((await docker(svc, env, ['rm', '-f', 'itx'])).exitCode, 0);
});

t.test('wait on an auto-removed container that is already gone answers its exit code (docker run --rm racing its own wait)', async (t) => {
  const pulled = await docker(svc, env, ['pull', '-q', BB]);
  ok(t, pulled, 'pull');
  const created = await apiRequest(svc.sock, 'POST', '/v1.41/containers/create?name=gone-rm', JSON.stringify({ Image: BB, Cmd: ['sh', '-c', 'exit 7'], HostConfig: { AutoRemove: true } }), { 'Content-Type': 'application/json' });
  t.equal(created.status, 201, created.body);
  const id = (JSON.parse(created.body) as { Id: string }).Id;
  const started = await apiRequest(svc.sock, 'POST', `/v1.41/containers/${id}/start`);
  t.equal(started.status, 204, started.body);
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    gone = (await apiRequest(svc.sock, 'GET', `/v1.41/containers/${id}/json`)).status === 404;
    if (!gone) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(gone, 'the container exited and was removed');
  for (const condition of ['removed', 'not-running']) {
    const w = await apiRequest(svc.sock, 'POST', `/v1.41/containers/${id}/wait?condition=${condition}`);
    t.equal(w.status, 200, `wait ${condition}: ${w.body}`);
    t.same(JSON.parse(w.body), { StatusCode: 7, Error: null }, `wait ${condition}: the exit code, from the events log`);
  }
  const byName = await apiRequest(svc.sock, 'POST', '/v1.41/containers/gone-rm/wait');
  t.equal(byName.status, 404, 'by its old name it is gone: a name may be reused, only the ID is answered from the log');
  const never = await apiRequest(svc.sock, 'POST', '/v1.41/containers/never-existed/wait');
  t.equal(never.status, 404, 'a container that never existed is still a 404');
});
