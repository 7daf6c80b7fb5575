// The Docker-compatible API: the docker CLI (the same client for both) against
// `tspod system service` and against `podman system service`, each serving its
// own store on a unix socket in the engine's temp dir. Rows:
//   api-ps          `docker ps -a` with 10 created containers
//   api-run         `docker run --rm IMAGE true` (create, attach, start, wait, remove through the API)
//   api-activation  the first request (`docker version`) to a socket that `systemd-socket-activate`
//                   holds: the service starts on that connection (the cost of being daemonless)
// The services run with `--time 0` for the rows' duration (started in setup, stopped in teardown);
// activation starts a fresh one before every run and stops it after.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const sockOf = (e, what = 'api') => path.join(e.dirs.dir, `${what}.sock`);

/** The docker CLI against an engine's service: a timed command for run.mjs. */
const docker = (e, args, what = 'api') => ({
  program: 'docker', args,
  env: { DOCKER_HOST: `unix://${sockOf(e, what)}`, DOCKER_CONFIG: path.join(e.dirs.dir, 'docker-config') },
});

const services = new Map();

async function waitFor(cond, what, ms = 30_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Start `argv` in its own process group, output to a log in the engine's dir. */
function spawnLogged(e, argv, logName) {
  const log = fs.openSync(path.join(e.dirs.out, `${logName}.log`), 'a');
  const p = spawn(argv[0], argv.slice(1), { env: e.env, cwd: e.dirs.dir, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise((r) => { if (p.exitCode !== null) r(); else p.once('exit', () => r()); });
  return { p, exited };
}

async function stopGroup(s) {
  if (!s) return;
  try { process.kill(-s.p.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { try { process.kill(-s.p.pid, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
  await s.exited;
  clearTimeout(t);
}

async function startService(e) {
  const sock = sockOf(e);
  fs.rmSync(sock, { force: true });
  const s = spawnLogged(e, [e.bin, 'system', 'service', '--time', '0', `unix://${sock}`], 'api-service');
  services.set(e.dirs.dir, s);
  await waitFor(() => fs.existsSync(sock) || s.p.exitCode !== null, `${e.name} system service to listen on ${sock}`);
  if (s.p.exitCode !== null) throw new Error(`${e.name} system service exited (${s.p.exitCode}): see ${path.join(e.dirs.out, 'api-service.log')}`);
  const r = await e.execProgram('docker', ['version', '--format', '{{.Server.APIVersion}}'], { env: docker(e, []).env });
  if (r.code !== 0) throw new Error(`docker version through ${e.name}'s service failed: ${r.stderr.trim()}`);
}

async function stopService(e) {
  await stopGroup(services.get(e.dirs.dir));
  services.delete(e.dirs.dir);
  fs.rmSync(sockOf(e), { force: true });
}

const rmAll = (e) => e.ok(e.name === 'podman' ? ['rm', '-f', '-t', '0', '-a'] : ['rm', '-f', '-a']);

export const apiBenchmarks = [
  {
    name: 'api-ps',
    goal: 1.0,
    what: '`docker ps -a` through the engine\'s API service, 10 created containers',
    requires: ['system service', 'create', 'rm'],
    setup: async (e, ctx) => {
      await e.ok(['pull', '-q', ctx.images.base.ref]);
      for (let i = 0; i < 10; i++) await e.ok(['create', ctx.images.base.ref, 'true']);
      await startService(e);
    },
    tspodCmd: (_ctx, e) => docker(e, ['ps', '-a']),
    podmanCmd: (_ctx, e) => docker(e, ['ps', '-a']),
    check: async (e, _ctx, r) => {
      const rows = r[0].stdout.split('\n').filter((l) => l.trim()).length - 1;
      if (rows !== 10) throw new Error(`${e.label}: docker ps -a listed ${rows} containers, expected 10`);
    },
    teardown: async (e) => { await stopService(e); await rmAll(e); },
  },
  {
    name: 'api-run',
    goal: 1.0,
    what: '`docker run --rm IMAGE true` through the engine\'s API service',
    requires: ['system service'],
    setup: async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); await startService(e); },
    tspodCmd: (ctx, e) => docker(e, ['run', '--rm', ctx.images.base.ref, 'true']),
    podmanCmd: (ctx, e) => docker(e, ['run', '--rm', ctx.images.base.ref, 'true']),
    check: async (e) => {
      const r = await e.ok(['ps', '-a', '-q']);
      if (r.stdout.trim()) throw new Error(`${e.label}: docker run --rm left containers: ${r.stdout.trim()}`);
    },
    teardown: async (e) => { await stopService(e); await rmAll(e); },
  },
  {
    name: 'api-activation',
    goal: 1.0,
    what: 'first request (`docker version`) to a socket-activated service: the service starts on the connection',
    requires: ['system service'],
    before: async (e) => {
      const sock = sockOf(e, 'activation');
      fs.rmSync(sock, { force: true });
      const s = spawnLogged(e, ['systemd-socket-activate', '-l', sock, e.bin, 'system', 'service', '--time', '0'], 'api-activation');
      e.cur = { activation: s };
      await waitFor(() => fs.existsSync(sock) || s.p.exitCode !== null, `systemd-socket-activate to listen on ${sock}`);
      if (s.p.exitCode !== null) throw new Error(`systemd-socket-activate exited (${s.p.exitCode}): see ${path.join(e.dirs.out, 'api-activation.log')}`);
    },
    tspodCmd: (_ctx, e) => docker(e, ['version'], 'activation'),
    podmanCmd: (_ctx, e) => docker(e, ['version'], 'activation'),
    check: async (e, _ctx, r) => {
      if (!/Server:/.test(r[0].stdout)) throw new Error(`${e.label}: docker version printed no server part`);
    },
    after: async (e) => { await stopGroup(e.cur?.activation); fs.rmSync(sockOf(e, 'activation'), { force: true }); },
  },
];
