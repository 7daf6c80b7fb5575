// `run` behaviours Podman users' scripts rely on (Podman's own 030-run system
// tests check them): -a/--attach, inspect -l and rm -l.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => {
  ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'runcompat/bb'));
  await env.tspod(['pull', '-q', IMAGE]);
});

t.test('run -a/--attach attaches only the named streams', async (t) => {
  const sh = ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3'];
  let r = await env.tspod(['run', '--rm', '-a', 'stderr', IMAGE, ...sh]);
  t.equal(r.exitCode, 3, 'the exit code is still the container\'s');
  t.equal(r.stdout, '', 'stdout not attached');
  t.equal(r.stderr, 'to-err', 'stderr attached');
  r = await env.tspod(['run', '--rm', '--attach', 'stdout', IMAGE, ...sh]);
  t.equal(r.stdout, 'to-out');
  t.equal(r.stderr, '');
  r = await env.tspod(['run', '--rm', '-a', 'stdout,stderr', IMAGE, ...sh]);
  t.equal(r.stdout, 'to-out');
  t.equal(r.stderr, 'to-err');

  // neither output attached: the container ID is printed, and the run still waits for the exit
  r = await env.tspod(['run', '--name', 'att-in', '--attach', 'stdin', IMAGE, 'sh', '-c', 'echo hello; sleep 1']);
  t.equal(r.exitCode, 0, r.stderr);
  const id = await env.tspod(['inspect', '--format', '{{.Id}}', 'att-in']);
  t.equal(r.stdout, id.stdout, 'the ID, and no output');
  const st = await env.tspod(['inspect', '--format', '{{.State.Status}}', 'att-in']);
  t.equal(st.stdout, 'exited', 'run returned once the container exited');

  // inspect -l: the container created last
  r = await env.tspod(['inspect', '-l', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'att-in');
  r = await env.tspod(['container', 'inspect', '--latest', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'att-in');
  r = await env.tspod(['inspect', '-l', 'att-in']);
  t.equal(r.exitCode, 125, '--latest with a name is refused');
  r = await env.tspod(['rm', '-l']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['ps', '-a', '--format', '{{.Names}}'])).stdout, '', 'rm -l removed it');

  const before = await env.tspod(['ps', '-aq']);
  r = await env.tspod(['run', '--rm', '-a', 'stdout', '-a', 'bogus', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: invalid stream "bogus" for --attach - must be one of stdin, stdout, or stderr: invalid argument');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before.stdout, 'nothing created');
});
