// End-to-end: how the API service runs. Socket activation through
// systemd-socket-activate, idle exit (--time) and what keeps the service alive
// (a `logs -f` stream), TCP with TLS client certificates (openssl-made CA,
// server and client certificates; a client whose certificate the CA did not
// sign is refused), plain TCP refused off loopback.
import t from 'tap';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, UNSET, makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { freePort, startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { apiRequest, docker, startApiService } from '../fixtures/api-service.js';
import { which } from '../../src/util/exec.js';

if (!requireUnprivileged(t)) process.exit(1);
for (const tool of ['systemd-socket-activate', 'openssl', 'docker']) {
  if (!which(tool)) { t.fail(`${tool} is needed for these tests: run scripts/setup.sh (packages systemd, openssl, docker.io)`); process.exit(1); }
}

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (p: cp.ChildProcess) => p.exitCode === null && p.signalCode === null;

t.before(async () => {
  reg = await startRegistry();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } }));
  BB = `${reg.host}/e2e/bb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

t.test('socket activation: the first request is answered; --time 2 exits 2 s after the last one', async (t) => {
  const sock = path.join(env.dir, 'activated.sock');
  const act = cp.spawn('systemd-socket-activate', ['-l', sock, 'env', ...UNSET, BIN, 'system', 'service', '--time', '2'], { env: env.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  act.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  t.teardown(() => { if (alive(act)) act.kill('SIGKILL'); });
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await sleep(50);
  t.ok(fs.existsSync(sock), 'systemd-socket-activate listens');
  const ping = await apiRequest(sock, 'GET', '/_ping');
  t.equal(ping.status, 200, `the first request is served by the activated service: ${log}`);
  t.equal(ping.body, 'OK');
  const v = JSON.parse((await apiRequest(sock, 'GET', '/version')).body) as { ApiVersion: string };
  t.equal(v.ApiVersion, '1.41');
  const last = Date.now();
  await new Promise<void>((r) => { if (!alive(act)) r(); else act.once('exit', () => r()); });
  const took = Date.now() - last;
  t.ok(took >= 1800 && took < 6000, `exited ${took} ms after the last request`);
  t.match(log, /listening on fd:3/, 'it served the inherited socket');
});

t.test('idle accounting: an open logs -f keeps the service alive, its end lets it go', async (t) => {
  const sock = path.join(env.dir, 'idle.sock');
  const svc = await startApiService(env, ['--time', '2'], { sock });
  t.teardown(() => svc.stop());
  t.equal(fs.statSync(sock).mode & 0o777, 0o600);
  t.teardown(async () => { await env.tspod(['rm', '-f', '--ignore', 'ticker']); });
  const run = await docker(svc, env, ['run', '-d', '--name', 'ticker', BB, 'sh', '-c', 'while true; do echo tick; sleep 0.5; done']);
  t.equal(run.exitCode, 0, run.stderr);
  const follow = cp.spawn('docker', ['logs', '-f', 'ticker'], { env: { PATH: process.env['PATH'], HOME: env.dir, DOCKER_HOST: svc.host, DOCKER_CONFIG: path.join(env.dir, 'dc') }, stdio: ['ignore', 'pipe', 'ignore'] });
  let got = '';
  follow.stdout.on('data', (d: Buffer) => { got += d.toString(); });
  await sleep(4500);
  t.equal(svc.proc.exitCode, null, 'still running 4.5 s into a logs -f with --time 2');
  t.match(got, /tick\ntick\n/, 'the stream flows');
  const followEnded = new Promise<void>((r) => follow.once('exit', () => r()));
  // SIGKILL: the client vanishes without a goodbye, the harder case for the service
  follow.kill('SIGKILL');
  await followEnded;
  const t0 = Date.now();
  await Promise.race([svc.exited, sleep(8000)]);
  const took = Date.now() - t0;
  t.ok(took >= 1500 && took < 6000, `exited ${took} ms after the stream closed`);
  t.match(svc.log(), /idle for 2s: exiting/);
  const rm = await env.tspod(['rm', '-f', 'ticker']);
  t.equal(rm.exitCode, 0, rm.stderr);
});

function openssl(args: string[], cwd: string): void {
  const r = cp.spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** Docker's documented set-up: a CA, a server certificate for 127.0.0.1, a client certificate (extendedKeyUsage=clientAuth). */
function makeTlsSet(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tspod test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'server.ext'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'client.csr', '-subj', '/CN=client'], dir);
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage = clientAuth\n');
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'client.ext'], dir);
  // a client whose certificate no CA of ours signed
  fs.mkdirSync(path.join(dir, 'rogue'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue/key.pem', '-out', 'rogue/cert.pem', '-days', '2', '-subj', '/CN=rogue'], dir);
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(dir, 'rogue', 'ca.pem'));
}

t.test('tcp: TLS with client certificates; plain TCP refused off loopback, warned on it', async (t) => {
  const dir = path.join(env.dir, 'tls');
  makeTlsSet(dir);
  const port = await freePort();
  const svc = cp.spawn('env', [...UNSET, BIN, 'system', 'service', `tcp://127.0.0.1:${port}`, '--time', '0', '--tlsverify',
    '--tlscacert', path.join(dir, 'ca.pem'), '--tlscert', path.join(dir, 'server-cert.pem'), '--tlskey', path.join(dir, 'server-key.pem')], { env: env.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  svc.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  t.teardown(() => { if (alive(svc)) svc.kill('SIGKILL'); });
  for (let i = 0; i < 100 && !/listening/.test(log); i++) await sleep(50);
  const host = { host: `tcp://127.0.0.1:${port}` };
  const good = await docker(host, env, ['--tlsverify', '--tlscacert', path.join(dir, 'ca.pem'), '--tlscert', path.join(dir, 'cert.pem'), '--tlskey', path.join(dir, 'key.pem'), 'version', '--format', '{{.Server.APIVersion}}']);
  t.equal(good.exitCode, 0, `a client with a CA-signed certificate is served: ${good.stderr} ${log}`);
  t.equal(good.stdout, '1.41');
  const rogue = await docker(host, env, ['--tlsverify', '--tlscacert', path.join(dir, 'ca.pem'), '--tlscert', path.join(dir, 'rogue', 'cert.pem'), '--tlskey', path.join(dir, 'rogue', 'key.pem'), 'version', '--format', '{{.Server.APIVersion}}']);
  t.not(rogue.exitCode, 0, 'a client certificate the CA did not sign is refused');
  t.notMatch(rogue.stdout, /1\.41/, 'and nothing was served to it');
  const none = await docker(host, env, ['--tlsverify', '--tlscacert', path.join(dir, 'ca.pem'), 'ps']);
  t.not(none.exitCode, 0, 'a client without a certificate is refused');
  const plain = await docker(host, env, ['ps']);
  t.not(plain.exitCode, 0, 'plain HTTP to the TLS port is refused');
  t.match(log, /TLS client refused/);

  const open = await env.tspod(['system', 'service', 'tcp://0.0.0.0:1', '--time', '1']);
  t.equal(open.exitCode, 125, 'plain TCP on all interfaces is refused');
  t.match(open.stderr, /refusing to serve the API on 0\.0\.0\.0:1 without TLS/);
  const lport = await freePort();
  const lo = cp.spawn('env', [...UNSET, BIN, 'system', 'service', `tcp://127.0.0.1:${lport}`, '--time', '1'], { env: env.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let llog = '';
  lo.stderr.on('data', (d: Buffer) => { llog += d.toString(); });
  for (let i = 0; i < 100 && !/listening/.test(llog); i++) await sleep(50);
  const r = await docker({ host: `tcp://127.0.0.1:${lport}` }, env, ['version', '--format', '{{.Server.APIVersion}}']);
  t.equal(r.stdout, '1.41', 'plain TCP on loopback serves');
  t.match(llog, /level=warning msg=".*no TLS/, 'with a warning, in the logrus form Podman uses off a terminal');
  await new Promise<void>((res) => { if (!alive(lo)) res(); else lo.once('exit', () => res()); });
  const bad = await env.tspod(['system', 'service', 'ftp://x', '--time', '1']);
  t.equal(bad.exitCode, 125);
  t.match(bad.stderr, /^Error: invalid URI "ftp:\/\/x"/);
});
