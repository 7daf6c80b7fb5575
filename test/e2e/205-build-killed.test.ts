// A `tspod build` killed with SIGKILL in the middle of a RUN step (a CI timeout, an OOM kill):
// its slirp4netns and network-namespace holder die with it; the step's container and its
// fuse-overlayfs mount, which the kernel cannot tie to the build, are ended by the next build and
// by `system prune` (and `system reset`), and nothing else is touched.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, processesMatching, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BASE = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  await pushImage(reg.url, 'killed/busybox', 'latest', buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } }));
  BASE = `${reg.host}/killed/busybox:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', BASE]);
  if (r.exitCode !== 0) throw new Error(`pulling the base image failed: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

interface StepRecord { id: string; owner: { pid: number }; mountDir: string; helpers: Array<{ pid: number }> }
const stepsDir = () => path.join(env.runDir, 'tspod', 'build-steps');
const records = (): StepRecord[] => {
  try { return fs.readdirSync(stepsDir()).map((n) => JSON.parse(fs.readFileSync(path.join(stepsDir(), n), 'utf8')) as StepRecord); } catch { return []; }
};
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
/** The mount points tspod's namespace holds (the build's mounts live there, not in ours). */
const mountsInNamespace = async () => (await env.tspod(['unshare', 'cat', '/proc/self/mountinfo'])).stdout.split('\n').map((l) => l.split(' ')[4] ?? '');

/** Start a build whose RUN step sleeps (N: a number no other test sleeps), wait until the step runs, kill -9 the build. */
async function killBuildMidStep(t: Test, n: number): Promise<StepRecord> {
  const ctx = path.join(env.dir, `ctx-${n}`);
  fs.mkdirSync(ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, 'Containerfile'), `FROM ${BASE}\nRUN echo started && sleep ${n}\n`);
  const [cmd, args] = tspodCommand(['build', '-t', `killed:${n}`, ctx]);
  const child = execa(cmd, args, { env: env.env, extendEnv: false, reject: false });
  let rec: StepRecord | undefined;
  for (let i = 0; i < 300 && !rec; i++) {
    await sleep(100);
    rec = records().find((r) => r.helpers.length === 2 && processesMatching(`sleep ${n}`).length > 0);
  }
  if (!rec) { child.kill('SIGKILL'); throw new Error('the RUN step never started'); }
  t.ok(alive(rec.owner.pid), 'the record names the running build');
  process.kill(rec.owner.pid, 'SIGKILL');
  child.kill('SIGKILL');
  await child;
  return rec;
}

t.test('kill -9 mid-RUN: helpers die with the build; system prune ends the step and its mount', async (t) => {
  const rec = await killBuildMidStep(t, 6173);
  for (let i = 0; i < 50 && rec.helpers.some((h) => alive(h.pid)); i++) await sleep(100);
  t.same(rec.helpers.filter((h) => alive(h.pid)), [], 'slirp4netns and the namespace holder died with the build');
  t.ok(processesMatching('sleep 6173').length > 0, 'the step\'s container outlived it (runc keeps it)');
  const merged = path.join(rec.mountDir, 'merged');
  t.ok((await mountsInNamespace()).includes(merged), 'and so did its fuse-overlayfs mount');

  const r = await env.tspod(['system', 'prune', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 50 && processesMatching('sleep 6173').length; i++) await sleep(100);
  t.same(processesMatching('sleep 6173'), [], 'system prune ended the step\'s container');
  t.notOk((await mountsInNamespace()).includes(merged), 'and released its mount');
  t.same(records(), [], 'no record left');
  t.same((await env.tspod(['ps', '-a', '--external', '--format', '{{.ID}}'])).stdout, '', 'ps --external shows nothing left');
});

t.test('the next build ends what a killed build left, then builds', async (t) => {
  const rec = await killBuildMidStep(t, 6179);
  t.ok(processesMatching('sleep 6179').length > 0, 'left running');
  const ctx = path.join(env.dir, 'ctx-next');
  fs.mkdirSync(ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, 'Containerfile'), `FROM ${BASE}\nRUN echo next > /next\n`);
  const r = await env.tspod(['build', '-q', '-t', 'killed:next', ctx]);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 50 && processesMatching('sleep 6179').length; i++) await sleep(100);
  t.same(processesMatching('sleep 6179'), [], 'the earlier step is gone');
  t.notOk((await mountsInNamespace()).includes(path.join(rec.mountDir, 'merged')), 'its mount too');
  t.same(records(), [], 'no record left');
  t.equal((await env.tspod(['run', '--rm', 'killed:next', 'cat', '/next'])).stdout, 'next', 'the new build worked');
});

t.test('system reset ends a killed build\'s step too', async (t) => {
  await killBuildMidStep(t, 6197);
  const r = await env.tspod(['system', 'reset', '--force']);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 50 && processesMatching('sleep 6197').length; i++) await sleep(100);
  t.same(processesMatching('sleep 6197'), [], 'reset ended the step\'s container');
  t.notOk(fs.existsSync(stepsDir()), 'the runroot is gone with its records');
});
