// Flags that used to be declared and ignored, now doing what Podman's do:
// ps --sort, exec --latest, inspect --size, volume rm --time; and exec -d
// returning at once (the detached process holds none of the caller's stdio);
// ps --external (a build's RUN step).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'flags/bb')); });

t.test('ps --sort, exec --latest, exec -d, inspect --size', async (t) => {
  for (const n of ['b-ctr', 'c-ctr', 'a-ctr']) {
    const r = await env.tspod(['run', '-d', '--name', n, IMAGE, 'sleep', '600']);
    t.equal(r.exitCode, 0, r.stderr);
  }
  let r = await env.tspod(['ps', '--sort', 'names', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'a-ctr\nb-ctr\nc-ctr', 'sorted by name');
  r = await env.tspod(['ps', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'a-ctr\nc-ctr\nb-ctr', 'default: newest first');
  r = await env.tspod(['ps', '--sort', 'bogus']);
  t.equal(r.exitCode, 125, 'an unknown sort key is refused');

  r = await env.tspod(['exec', '--latest', 'sh', '-c', 'echo $HOSTNAME > /tmp/who; cat /tmp/who']);
  t.equal(r.exitCode, 0, r.stderr);
  const latest = await env.tspod(['inspect', 'a-ctr', '--format', '{{.Config.Hostname}}']);
  t.equal(r.stdout, latest.stdout, 'exec -l ran in the latest container');

  // exec -d: returns while the process runs, even with the caller's stdout captured
  const started = Date.now();
  const d = await execa(...tspodCommand(['exec', '-d', 'b-ctr', 'sh', '-c', 'sleep 30']), { env: env.env, extendEnv: false, reject: false, timeout: 25_000 });
  t.equal(d.exitCode, 0, String(d.stderr));
  t.ok(Date.now() - started < 25_000, 'exec -d returned before its process ended');
  r = await env.tspod(['top', 'b-ctr']);
  t.match(r.stdout, /sleep 30/, 'the detached process runs');

  r = await env.tspod(['exec', 'c-ctr', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1024 count=2048 2>/dev/null']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', '--size', 'c-ctr', '--format', '{{.SizeRw}} {{.SizeRootFs}}']);
  const [rw, rootfs] = r.stdout.split(' ').map(Number) as [number, number];
  t.ok(rw >= 2048 * 1024, `SizeRw counts the written file (${rw})`);
  t.ok(rootfs > rw, `SizeRootFs adds the image (${rootfs})`);
  r = await env.tspod(['container', 'inspect', 'c-ctr', '--format', 'json']);
  t.notMatch(r.stdout, /SizeRw/, 'without --size there is no size (it is not computed)');
});

t.test('volume rm -f --time', async (t) => {
  let r = await env.tspod(['volume', 'create', 'vt']);
  t.equal(r.exitCode, 0, r.stderr);
  // a container that ignores SIGTERM: -t 1 kills it after a second, not after the default 10
  r = await env.tspod(['run', '-d', '--name', 'uses-vt', '-v', 'vt:/data', IMAGE, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done']);
  t.equal(r.exitCode, 0, r.stderr);
  const started = Date.now();
  r = await env.tspod(['volume', 'rm', '-f', '--time', '1', 'vt']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'vt');
  t.ok(Date.now() - started < 60_000, 'done');
  r = await env.tspod(['ps', '-a', '--filter', 'name=uses-vt', '-q']);
  t.equal(r.stdout, '', 'the container using it went first');
});

t.test('ps --external lists a build\'s RUN step, which ps alone does not', async (t) => {
  const ctx = fs.mkdtempSync(path.join(env.dir, 'ext-'));
  fs.writeFileSync(path.join(ctx, 'Containerfile'), `FROM ${IMAGE}\nRUN sleep 300\n`);
  const build = execa(...tspodCommand(['build', '-t', 'localhost/ext:1', ctx]), { env: env.env, extendEnv: false, reject: false, timeout: 240_000 });
  let seen = '';
  for (let i = 0; i < 300 && !seen; i++) {
    const r = await env.tspod(['ps', '--external', '--format', '{{.Status}}|{{.Names}}|{{.Command}}']);
    seen = r.stdout.split('\n').find((l) => l.startsWith('Storage|') && l.includes('sleep 300')) ?? '';
    if (!seen) await sleep(200);
  }
  t.ok(seen, `the RUN step is listed: ${seen}`);
  let r = await env.tspod(['ps', '-a', '--format', '{{.Command}}']);
  t.notMatch(r.stdout, /sleep 300/, 'ps -a alone lists only tspod\'s containers');
  const stepId = seen.split('|')[1] ?? '';
  r = await env.tspod(['container', 'exists', stepId]);
  t.equal(r.exitCode, 1, 'container exists alone does not know the step');
  r = await env.tspod(['container', 'exists', '--external', stepId]);
  t.equal(r.exitCode, 0, `container exists --external does (${stepId})`);
  r = await env.tspod(['container', 'exists', '--external', 'no-such-container']);
  t.equal(r.exitCode, 1, 'and not what nobody runs');
  build.kill('SIGINT');
  const b = await build;
  t.equal(b.exitCode, 130, 'an interrupted build exits 130');
  t.match(String(b.stderr), /build interrupted \(SIGINT\)/);
  let left = 'x';
  for (let i = 0; i < 100 && left; i++) {
    // (the other tests' containers are listed too: only external rows count here)
    left = (await env.tspod(['ps', '--external', '--format', '{{.Status}} {{.ID}}'])).stdout.split('\n').filter((l) => l.startsWith('Storage ')).join('\n');
    if (left) await sleep(200);
  }
  t.equal(left, '', 'the step is gone with the build');
});
