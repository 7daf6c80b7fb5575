// End-to-end: restart policies applied without a daemon (conmon's exit
// command restarts the container) and health checks (`tspod healthcheck run`,
// status in ps and inspect). Scheduling of health checks is not covered: tspod
// does not schedule them yet.
import t from 'tap';
import { makeEnv, processesMatching, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
let HC = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'] } }));
  await pushImage(reg.url, 'e2e/hc', 'latest', buildImage({
    layers: [base],
    config: { Cmd: ['sleep', '1000'], Healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/healthy'], Interval: 30e9, Timeout: 5e9, Retries: 2 } },
  }));
  BB = `${reg.host}/e2e/bb:latest`;
  HC = `${reg.host}/e2e/hc:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

async function st(name: string): Promise<{ status: string; code: number; restarts: number }> {
  const r = await env.tspod(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', name]);
  const [status, code, restarts] = r.stdout.split(' ');
  return { status: status ?? `error ${r.stderr}`, code: Number(code), restarts: Number(restarts) };
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) { if (await fn()) return true; await sleep(200); }
  t.comment(`timed out waiting for ${what}`);
  return false;
}

t.test('on-failure:2 restarts twice, then stays exited', async (t) => {
  const r = await env.tspod(['run', '-d', '--name', 'of', '--restart', 'on-failure:2', BB, 'sh', '-c', 'echo run; sleep 0.3; exit 3']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(await until('two restarts and exited', async () => { const s = await st('of'); return s.restarts === 2 && s.status === 'exited'; }));
  await sleep(1500);
  const s = await st('of');
  t.same(s, { status: 'exited', code: 3, restarts: 2 }, 'RestartCount 2, exit code 3, no third restart');
  const logs = await env.tspod(['logs', 'of']);
  t.equal(logs.stdout, 'run\nrun\nrun', 'three runs in all');
  const ps = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.RestartCount}}']);
  t.equal(ps.stdout, 'of 2');
  await env.tspod(['rm', '-f', 'of']);
});

t.test('on-failure does not restart a success', async (t) => {
  await env.tspod(['run', '-d', '--name', 'ok', '--restart', 'on-failure', BB, 'true']);
  await sleep(1500);
  t.same(await st('ok'), { status: 'exited', code: 0, restarts: 0 });
  await env.tspod(['rm', '-f', 'ok']);
});

t.test('always restarts after exit; stop keeps it stopped; start resumes the policy', async (t) => {
  const r = await env.tspod(['run', '-d', '--name', 'al', '--restart', 'always', BB, 'sh', '-c', 'sleep 0.5; exit 0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(await until('three restarts', async () => (await st('al')).restarts >= 3), 'restarts after every exit');
  await until('running', async () => (await st('al')).status === 'running', 3000);
  const stop = await env.tspod(['stop', 'al']);
  t.equal(stop.exitCode, 0, stop.stderr);
  const after = await st('al');
  await sleep(1500);
  const later = await st('al');
  t.equal(later.status, 'exited', 'stop of an always container: it stays stopped');
  t.equal(later.restarts, after.restarts, 'no restart after stop');
  await env.tspod(['start', 'al']);
  t.ok(await until('restarting again after start', async () => (await st('al')).restarts > later.restarts), 'start brings the policy back');
  await env.tspod(['rm', '-f', 'al']);
});

t.test('unless-stopped restarts after exit, not after stop', async (t) => {
  await env.tspod(['run', '-d', '--name', 'us', '--restart', 'unless-stopped', BB, 'sh', '-c', 'sleep 0.5; exit 1']);
  t.ok(await until('a restart', async () => (await st('us')).restarts >= 1));
  await until('running', async () => (await st('us')).status === 'running', 3000);
  await env.tspod(['stop', 'us']);
  const a = await st('us');
  await sleep(1500);
  const b = await st('us');
  t.equal(b.status, 'exited');
  t.equal(b.restarts, a.restarts, 'stopped by the user: no restart');
  await env.tspod(['rm', '-f', 'us']);
});

t.test('--restart is validated; --rm conflicts with a restart policy', async (t) => {
  let r = await env.tspod(['run', '-d', '--restart', 'sometimes', BB, 'true']);
  t.equal(r.exitCode, 125);
  r = await env.tspod(['run', '-d', '--rm', '--restart', 'always', BB, 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /--rm .*conflicts with --restart/);
});

t.test('health: --health-cmd, healthcheck run 0/1, ps and inspect show the status', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok', '--health-retries', '2', '--health-interval', '59m59s', BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', '--format', '{{.State.Health.Status}} {{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}', 'hc']);
  t.equal(r.stdout, 'starting [CMD-SHELL test -e /tmp/ok] 2');
  r = await env.tspod(['ps', '--format', '{{.Status}}']);
  t.match(r.stdout, /^Up .*\(starting\)$/);
  r = await env.tspod(['healthcheck', 'run', 'hc']);
  t.equal(r.exitCode, 1, 'a failed check exits 1');
  t.equal(r.stdout, 'unhealthy');
  r = await env.tspod(['inspect', '--format', '{{.State.Health.Status}} {{.State.Health.FailingStreak}}', 'hc']);
  t.equal(r.stdout, 'starting 1', 'one failure of two retries: not unhealthy yet');
  r = await env.tspod(['healthcheck', 'run', 'hc']);
  t.equal(r.exitCode, 1);
  r = await env.tspod(['inspect', '--format', '{{.State.Health.Status}} {{.State.Health.FailingStreak}}', 'hc']);
  t.equal(r.stdout, 'unhealthy 2', 'unhealthy after `retries` consecutive failures');
  r = await env.tspod(['ps', '--format', '{{.Status}}', '--filter', 'health=unhealthy']);
  t.match(r.stdout, /^Up .*\(unhealthy\)$/);
  await env.tspod(['exec', 'hc', 'touch', '/tmp/ok']);
  r = await env.tspod(['healthcheck', 'run', 'hc']);
  t.equal(r.exitCode, 0, `a passing check exits 0: ${r.stderr}`);
  t.equal(r.stdout, '');
  r = await env.tspod(['inspect', 'hc']);
  const h = JSON.parse(r.stdout)[0].State.Health as { Status: string; FailingStreak: number; Log: Array<{ ExitCode: number; Start: string; End: string; Output: string }> };
  t.equal(h.Status, 'healthy');
  t.equal(h.FailingStreak, 0);
  t.same(h.Log.map((l) => l.ExitCode), [1, 1, 0], 'the log of checks');
  t.ok(h.Log.every((l) => Date.parse(l.End) >= Date.parse(l.Start)));
  r = await env.tspod(['ps', '--filter', 'health=healthy', '--format', '{{.Names}} {{.Status}}']);
  t.match(r.stdout, /^hc Up .*\(healthy\)$/);
  t.ok(processesMatching('sleep 3599').length > 0, 'the schedule waits its interval (59m59s)');
  await env.tspod(['stop', '-t', '0', 'hc']);
  for (let i = 0; i < 50 && processesMatching('sleep 3599').length; i++) await new Promise((res) => setTimeout(res, 100));
  t.same(processesMatching('sleep 3599'), [], 'the stop ended the schedule, its sleep too');
  r = await env.tspod(['healthcheck', 'run', 'hc']);
  t.equal(r.exitCode, 125, 'a stopped container cannot be checked');
  r = await env.tspod(['run', '-d', '--name', 'nohc', BB, 'sleep', '1000']);
  r = await env.tspod(['healthcheck', 'run', 'nohc']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /has no defined healthcheck/);
  await env.tspod(['rm', '-f', 'hc', 'nohc']);
});

t.test("health: the image's HEALTHCHECK, CMD form output in the log, --no-healthcheck", async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'ihc', HC]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', '--format', '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}', 'ihc']);
  t.equal(r.stdout, '[CMD-SHELL test -e /tmp/healthy] 2', 'HEALTHCHECK from the image');
  await env.tspod(['exec', 'ihc', 'touch', '/tmp/healthy']);
  r = await env.tspod(['healthcheck', 'run', 'ihc']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '-d', '--name', 'cmdhc', '--health-cmd', '["echo","checked"]', BB, 'sleep', '1000']);
  r = await env.tspod(['healthcheck', 'run', 'cmdhc']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', '--format', '{{(index .State.Health.Log 0).Output}}', 'cmdhc']);
  t.equal(r.stdout, 'checked', 'the output of the check is logged');
  r = await env.tspod(['run', '-d', '--name', 'nhc', '--no-healthcheck', HC]);
  r = await env.tspod(['healthcheck', 'run', 'nhc']);
  t.equal(r.exitCode, 125, '--no-healthcheck drops the image HEALTHCHECK');
  await env.tspod(['rm', '-a', '-f']);
});
