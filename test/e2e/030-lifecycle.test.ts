// End-to-end: the container lifecycle (create/start/stop/restart/kill/rm/wait,
// pause, top, port, rename, prune, exists) and its robustness: kill -9 of
// tspod mid-run, killed conmon, 20 parallel runs, a name race, a simulated
// reboot (runroot gone), and no processes left behind.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } }));
  BB = `${reg.host}/e2e/bb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', BB]);
  if (r.exitCode !== 0) throw new Error(`pull: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

async function state(name: string): Promise<string> {
  const r = await env.tspod(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]);
  return r.exitCode === 0 ? r.stdout : `error: ${r.stderr}`;
}

/** conmon, slirp4netns, fuse-overlayfs, catatonit ... of this env (their command lines name its directories). */
function leftovers(): string[] {
  const out: string[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.statSync(`/proc/${p}`).uid !== process.getuid!()) continue;
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(env.dir) && !cmd.includes(' system reset')) out.push(`${p}: ${cmd.slice(0, 160)}`);
    } catch { /* gone */ }
  }
  return out;
}

t.test('create, start, stop, restart, kill -s, rm', async (t) => {
  let r = await env.tspod(['create', '--name', 'lc', BB, 'sh', '-c', 'trap "echo got-hup" HUP; trap "exit 0" TERM; echo started; while true; do sleep 0.1; done']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^[0-9a-f]{64}$/);
  t.equal(await state('lc'), 'created 0');
  r = await env.tspod(['start', 'lc']);
  t.equal(r.stdout, 'lc', 'start prints the name it was given');
  t.equal(await state('lc'), 'running 0');
  r = await env.tspod(['start', 'lc']);
  t.equal(r.exitCode, 0, 'starting a running container is not an error');
  r = await env.tspod(['kill', '-s', 'HUP', 'lc']);
  t.equal(r.exitCode, 0, r.stderr);
  await sleep(400);
  r = await env.tspod(['logs', 'lc']);
  t.match(r.stdout, /got-hup/, 'kill -s HUP reached the trap');
  t.equal(await state('lc'), 'running 0', 'HUP does not stop it');
  const t0 = Date.now();
  r = await env.tspod(['stop', 'lc']);
  t.equal(r.stdout, 'lc');
  t.ok(Date.now() - t0 < 5000, 'SIGTERM stopped it without waiting for the timeout');
  t.equal(await state('lc'), 'exited 0');
  r = await env.tspod(['stop', 'lc']);
  t.equal(r.exitCode, 0, 'stopping a stopped container is not an error');
  r = await env.tspod(['restart', 'lc']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(await state('lc'), 'running 0');
  r = await env.tspod(['logs', 'lc']);
  t.equal(r.stdout.match(/started/g)?.length, 2, 'restart ran it again (the log keeps both runs)');
  r = await env.tspod(['rm', 'lc']);
  t.equal(r.exitCode, 2, 'rm of a running container without -f: exit 2 as podman');
  t.match(r.stderr, /running .*cannot be removed without force|without force/);
  r = await env.tspod(['kill', 'lc']);
  t.equal(r.exitCode, 0, r.stderr);
  await env.tspod(['wait', 'lc']);
  t.equal(await state('lc'), 'exited 137', 'kill = SIGKILL: 128+9');
  r = await env.tspod(['kill', 'lc']);
  t.equal(r.exitCode, 125, 'kill of a stopped container fails');
  r = await env.tspod(['rm', 'lc']);
  t.equal(r.stdout, 'lc');
  r = await env.tspod(['rm', 'lc']);
  t.equal(r.exitCode, 1, 'rm of a missing container: exit 1 as podman');
  t.match(r.stderr, /no container with name or ID "lc" found/);
  r = await env.tspod(['rm', '-f', 'lc']);
  t.equal(r.exitCode, 0, 'rm -f of a missing container is fine');
});

t.test('stop honours --stop-signal and --stop-timeout; rm -f and -a', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'ss', '--stop-signal', 'USR1', BB, 'sh', '-c', 'trap "echo usr1; exit 7" USR1; while true; do sleep 0.1; done']);
  t.equal(r.exitCode, 0, r.stderr);
  await sleep(300);
  await env.tspod(['stop', 'ss']);
  t.equal(await state('ss'), 'exited 7', 'the stop signal was USR1');
  r = await env.tspod(['run', '-d', '--name', 'st', '--stop-timeout', '1', BB, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  await sleep(300);
  const t0 = Date.now();
  r = await env.tspod(['stop', 'st']);
  const took = Date.now() - t0;
  t.ok(took >= 1000 && took < 6000, `--stop-timeout 1: SIGKILL after ~1 s (took ${took} ms)`);
  t.match(r.stderr, /resorting to SIGKILL/);
  t.equal(await state('st'), 'exited 137');
  r = await env.tspod(['run', '-d', '--name', 'st2', BB, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  await sleep(200);
  const t1 = Date.now();
  r = await env.tspod(['stop', '-t', '0', 'st2']);
  t.ok(Date.now() - t1 < 3000, 'stop -t 0 kills at once');
  r = await env.tspod(['run', '-d', '--name', 'rf', BB, 'sleep', '1000']);
  r = await env.tspod(['rm', '-f', 'rf']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'rf');
  r = await env.tspod(['rm', '-a', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['ps', '-a', '-q']);
  t.equal(r.stdout, '', 'rm -a -f removed everything');
});

t.test('--cidfile on stop, kill and rm: the container named by its ID file', async (t) => {
  const cid = path.join(env.dir, 'cid-lifecycle');
  let r = await env.tspod(['run', '-d', '--cidfile', cid, BB, 'sleep', '600']);
  t.equal(r.exitCode, 0, r.stderr);
  const id = fs.readFileSync(cid, 'utf8').trim();
  t.equal(id, r.stdout.trim(), 'run wrote the ID');
  r = await env.tspod(['kill', '--cidfile', cid]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), id, 'kill prints the ID it read');
  t.match(await state(id), /^exited /);
  await env.tspod(['start', id]);
  r = await env.tspod(['stop', '-t', '0', '--cidfile', cid]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(await state(id), /^exited /, 'stop --cidfile stopped it');
  r = await env.tspod(['rm', '--cidfile', cid]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(await state(id), /^error: /, 'rm --cidfile removed it');
  t.notOk(fs.existsSync(cid), 'and its ID file');
  for (const cmd of ['stop', 'kill', 'rm']) {
    r = await env.tspod([cmd, '--cidfile', cid]);
    t.equal(r.exitCode, 125, `${cmd} --cidfile of a missing file`);
    t.match(r.stderr, /^Error: reading CIDFile .*cid-lifecycle: no such file$/, 'one line naming the file');
  }
  r = await env.tspod(['rm', '--ignore', '--cidfile', cid]);
  t.equal(r.exitCode, 0, 'rm --ignore --cidfile of a missing file: nothing to do');
  fs.writeFileSync(cid, 'f'.repeat(64));
  r = await env.tspod(['rm', '-f', '--ignore', '--cidfile', cid]);
  t.equal(r.exitCode, 0, r.stderr);
  t.notOk(fs.existsSync(cid), 'a stale ID file (its container gone) is removed by rm --cidfile');
});

t.test('start -a exit code and output; wait', async (t) => {
  let r = await env.tspod(['create', '--name', 'sa', BB, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  r = await env.tspod(['start', '-a', 'sa']);
  t.equal(r.exitCode, 3, 'start -a returns the exit code');
  t.equal(r.stdout, 'out');
  t.equal(r.stderr, 'err');
  r = await env.tspod(['start', '-a', 'sa']);
  t.equal(r.stdout, 'out', 'a second start -a shows only the new output');
  r = await env.tspod(['wait', 'sa']);
  t.equal(r.stdout, '3', 'wait on an exited container prints its code');
  r = await env.tspod(['run', '-d', '--name', 'wt', BB, 'sh', '-c', 'sleep 1; exit 5']);
  r = await env.tspod(['wait', 'wt']);
  t.equal(r.stdout, '5', 'wait blocks until exit');
  t.equal(r.exitCode, 0);
  r = await env.tspod(['wait', 'nosuch']);
  t.equal(r.exitCode, 125);
  await env.tspod(['rm', '-a', '-f']);
});

t.test('pause is a clear error on rootless cgroups v1; top, port, rename, prune, exists', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'p1', '-p', '80', BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pause', 'p1']);
  let v2 = false;
  try { v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers'); } catch { /* v1 */ }
  if (!v2) {
    t.equal(r.exitCode, 125);
    t.match(r.stderr, /pause is not supported for rootless containers on cgroups v1/);
    t.equal(await state('p1'), 'running 0', 'still running');
  } else {
    t.equal(r.exitCode, 0, r.stderr);
    await env.tspod(['unpause', 'p1']);
  }
  r = await env.tspod(['unpause', 'p1']);
  t.equal(r.exitCode, 125, 'unpause of a running container');
  r = await env.tspod(['top', 'p1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^USER\s+PID\s+PPID\s+%CPU\s+ELAPSED\s+TTY\s+TIME\s+COMMAND\nroot\s+1\s+0\s+\S+\s+\S+\s+\?\s+\S+\s+sleep 1000$/);
  r = await env.tspod(['port', 'p1']);
  t.match(r.stdout, /^80\/tcp -> 0\.0\.0\.0:\d+$/);
  const hostPort = r.stdout.split(':').pop();
  r = await env.tspod(['port', 'p1', '80/tcp']);
  t.equal(r.stdout, `0.0.0.0:${hostPort}`);
  r = await env.tspod(['rename', 'p1', 'p2']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['ps', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'p2');
  r = await env.tspod(['container', 'exists', 'p2']);
  t.equal(r.exitCode, 0);
  r = await env.tspod(['container', 'exists', 'p1']);
  t.equal(r.exitCode, 1);
  await env.tspod(['run', '--name', 'done1', BB, 'true']);
  await env.tspod(['create', '--name', 'made1', BB, 'true']);
  r = await env.tspod(['container', 'prune', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.split('\n').length, 2, 'prune removed the exited and the created container');
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'p2', 'the running one stays');
  await env.tspod(['rm', '-f', 'p2']);
});

t.test('kill -9 of tspod during run -d: the store still works and rm -f -a cleans up', async (t) => {
  for (const delay of [150, 350, 600]) {
    const [cmd, args] = tspodCommand(['run', '-d', '--name', `k${delay}`, BB, 'sleep', '1000']);
    const child = execa(cmd, args, { env: env.env, extendEnv: false, reject: false });
    await sleep(delay);
    child.kill('SIGKILL');
    await child;
  }
  // the re-exec'd child inside the user namespace may finish its work: give it a moment
  await sleep(1500);
  let r = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
  t.equal(r.exitCode, 0, `ps works: ${r.stderr}`);
  r = await env.tspod(['run', '--rm', BB, 'echo', 'still-works']);
  t.equal(r.stdout, 'still-works');
  r = await env.tspod(['rm', '-f', '-a']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['ps', '-a', '-q']);
  t.equal(r.stdout, '');
  t.same(leftovers(), [], 'no conmon/slirp4netns/fuse-overlayfs left');
});

t.test('a foreground run killed while its container runs: conmon\'s exit command cleans up in its place', async (t) => {
  const [cmd, args] = tspodCommand(['run', '--name', 'fg', BB, 'sleep', '1000']);
  const child = execa(cmd, args, { env: env.env, extendEnv: false, reject: false });
  // the foreground run claims the cleanup before the container starts (engine/container/cleanup-claim.ts)
  let claim = '';
  for (let i = 0; i < 200 && !claim; i++) {
    const r = await env.tspod(['inspect', '--format', '{{.Id}} {{.State.Status}}', 'fg']);
    const [id, status] = r.stdout.split(' ');
    const file = path.join(env.runDir, 'tspod', 'cleanup-claims', id ?? '');
    if (r.exitCode === 0 && status === 'running' && fs.existsSync(file)) claim = fs.readFileSync(file, 'utf8');
    else await sleep(50);
  }
  t.match(claim, /^\d+ \d+\n$/, 'the running foreground run holds the claim (its pid and start time)');
  // the claimant is the node process inside the user namespace: kill it, and its launcher
  try { process.kill(Number(claim.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ }
  child.kill('SIGKILL');
  await child;
  let r = await env.tspod(['kill', 'fg']);
  t.equal(r.exitCode, 0, r.stderr);
  // nobody alive holds the claim: the exit command runs tspod's cleanup, which records `died`
  let died = '';
  for (let i = 0; i < 100 && !died; i++) {
    await sleep(100);
    died = (await env.tspod(['events', '--stream=false', '--filter', 'container=fg', '--filter', 'event=died', '--format', '{{.Status}} {{.ContainerExitCode}}'])).stdout;
  }
  t.equal(died, 'died 137', 'the exit command cleaned up after the killed run');
  r = await env.tspod(['rm', 'fg']);
  t.equal(r.exitCode, 0, `removable without -f: ${r.stderr}`);
});

t.test('killing conmon: ps shows the container exited', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'cm', BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, r.stderr);
  const pids = JSON.parse((await env.tspod(['inspect', 'cm'])).stdout)[0].State;
  t.ok(pids.ConmonPid > 0 && pids.Pid > 0);
  process.kill(pids.ConmonPid, 'SIGKILL');
  // conmon is gone; the container process may be too (it is its child) or linger
  try { process.kill(pids.Pid, 'SIGKILL'); } catch { /* gone */ }
  await sleep(300);
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
  t.equal(r.stdout, 'cm exited');
  r = await env.tspod(['start', 'cm']);
  t.equal(r.exitCode, 0, `it can be started again: ${r.stderr}`);
  t.equal(await state('cm'), 'running 0');
  r = await env.tspod(['rm', '-f', 'cm']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('20 parallel run -d: none lost', async (t) => {
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => env.tspod(['run', '-d', '--name', `par${i}`, '--network', 'none', BB, 'sleep', '1000'])));
  t.same(rs.map((r) => r.exitCode), Array(20).fill(0), rs.map((r) => r.stderr).filter(Boolean).join('\n'));
  const ids = new Set(rs.map((r) => r.stdout));
  t.equal(ids.size, 20);
  const r = await env.tspod(['ps', '--format', '{{.ID}} {{.Names}} {{.State}}', '--no-trunc']);
  const lines = r.stdout.split('\n').filter(Boolean);
  t.equal(lines.length, 20, 'ps shows all 20');
  t.ok(lines.every((l) => l.endsWith(' running')), 'all running');
  for (const l of lines) t.ok(ids.has(l.split(' ')[0]!), `${l.split(' ')[1]} is one of ours`);
  const rm = await env.tspod(['rm', '-a', '-f']);
  t.equal(rm.exitCode, 0, rm.stderr);
  t.same(leftovers(), [], 'nothing left running');
});

t.test('two run --name same at once: exactly one wins', async (t) => {
  for (let round = 0; round < 2; round++) {
    const rs = await Promise.all([0, 1].map(() => env.tspod(['run', '-d', '--name', 'same', BB, 'sleep', '1000'])));
    const codes = rs.map((r) => r.exitCode).sort();
    t.same(codes, [0, 125], `one wins, one gets 125 (${rs.map((r) => r.stderr).join(' | ')})`);
    t.match(rs.find((r) => r.exitCode === 125)!.stderr, /name "same" is already in use/);
    const r = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
    t.equal(r.stdout, 'same running');
    await env.tspod(['rm', '-f', 'same']);
  }
});

t.test('simulated reboot: the runroot is gone, ps -a shows exited and start works again', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'rb1', BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '-d', '--name', 'rb2', '-p', '80', BB, 'httpd', '-f', '-p', '80']);
  t.equal(r.exitCode, 0, r.stderr);
  // a reboot ends every process: the containers, conmon, slirp4netns, fuse-overlayfs, the pause process
  const ctrPids = JSON.parse((await env.tspod(['inspect', 'rb1', 'rb2'])).stdout).map((x: { State: { Pid: number } }) => x.State.Pid) as number[];
  for (const p of ctrPids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  for (const l of leftovers()) { try { process.kill(Number(l.split(':')[0]), 'SIGKILL'); } catch { /* gone */ } }
  const pauseFile = path.join(env.runDir, 'tspod', 'pause', 'pause.pid');
  try { process.kill(Number(fs.readFileSync(pauseFile, 'utf8').trim()), 'SIGKILL'); } catch (err) { t.fail(`no pause process to kill: ${String(err)}`); }
  // conmon may have started its exit command (container cleanup) before it died: after a reboot
  // nothing runs, so wait until nothing of this env does, then the runroot goes
  for (let i = 0; i < 100 && leftovers().length; i++) {
    for (const l of leftovers()) { try { process.kill(Number(l.split(':')[0]), 'SIGKILL'); } catch { /* gone */ } }
    await sleep(100);
  }
  t.same(leftovers(), [], 'nothing of this env runs after the "reboot"');
  fs.rmSync(path.join(env.runDir, 'tspod'), { recursive: true, force: true });
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(r.stdout.split('\n').sort(), ['rb1 exited', 'rb2 exited']);
  r = await env.tspod(['start', 'rb1', 'rb2']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['ps', '--format', '{{.Names}} {{.State}}']);
  t.same(r.stdout.split('\n').sort(), ['rb1 running', 'rb2 running']);
  const port = (await env.tspod(['port', 'rb2', '80'])).stdout.split(':').pop();
  const res = await fetch(`http://127.0.0.1:${port}/`).catch((e: Error) => ({ status: -1, message: e.message }));
  t.equal(res.status, 404, 'the published port works again (httpd answers 404 for /)');
  r = await env.tspod(['rm', '-a', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('after the last container is removed no process of this env remains', async (t) => {
  await env.tspod(['run', '-d', '--name', 'last', '--init', '-p', '80', BB, 'sleep', '1000']);
  await env.tspod(['run', '--rm', BB, 'true']);
  t.not(leftovers().length, 0, 'conmon and friends run while a container does');
  const r = await env.tspod(['rm', '-f', 'last']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(leftovers(), [], 'no conmon, slirp4netns, fuse-overlayfs or catatonit of this env');
});
