// End-to-end: exec into a running container (non-interactive; -it is tested
// with attach through a real pseudo-terminal elsewhere).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/bin:/bin', 'IMGVAR=img'], WorkingDir: '/tmp' } }));
  BB = `${reg.host}/e2e/bb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['run', '-d', '--name', 'ex', '-e', 'RUNVAR=run', BB, 'sleep', '1000']);
  if (r.exitCode !== 0) throw new Error(`run: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

t.test('exec: env, user, workdir, env-file', async (t) => {
  let r = await env.tspod(['exec', 'ex', 'sh', '-c', 'echo $IMGVAR $RUNVAR $HOME; pwd; id -u']);
  t.equal(r.stdout, 'img run /root\n/tmp\n0', 'the container environment, workdir and user');
  const ef = path.join(env.dir, 'exec.env');
  fs.writeFileSync(ef, 'FROMFILE=f\nOVER=file\n');
  r = await env.tspod(['exec', '-e', 'A=1', '-e', 'OVER=flag', '--env-file', ef, '-e', 'RUNVAR=execd', 'ex', 'sh', '-c', 'echo $A $FROMFILE $OVER $RUNVAR']);
  t.equal(r.stdout, '1 f flag execd');
  r = await env.tspod(['exec', '-u', 'tester', '-w', '/home/tester', 'ex', 'sh', '-c', 'id; pwd; echo $HOME']);
  t.match(r.stdout, /^uid=1000\(tester\) gid=1000\(tester\)/);
  t.match(r.stdout, /\n\/home\/tester\n\/home\/tester$/);
  r = await env.tspod(['exec', '-u', '1000:65534', 'ex', 'id']);
  t.match(r.stdout, /^uid=1000\(tester\) gid=65534\(nobody\)/);
  r = await env.tspod(['exec', '-u', '555', 'ex', 'id', '-u']);
  t.equal(r.stdout, '555');
  r = await env.tspod(['exec', 'ex', 'sh', '-c', 'echo to-out; echo to-err >&2']);
  t.equal(r.stdout, 'to-out');
  t.equal(r.stderr, 'to-err');
  r = await env.tspod(['exec', '-i', 'ex', 'cat'], { input: 'piped\n' });
  t.equal(r.stdout, 'piped', 'exec -i pipes stdin');
  r = await env.tspod(['exec', '-d', 'ex', 'sh', '-c', 'sleep 0.2; touch /tmp/detached']);
  t.equal(r.exitCode, 0, r.stderr);
  await sleep(800);
  r = await env.tspod(['exec', 'ex', 'ls', '/tmp/detached']);
  t.equal(r.exitCode, 0, 'exec -d ran in the background');
});

t.test('exec exit codes', async (t) => {
  const table: Array<[string, string[], number]> = [
    ['true', ['true'], 0],
    ['false', ['false'], 1],
    ['exit 42', ['sh', '-c', 'exit 42'], 42],
    ['missing command', ['nosuchcmd'], 127],
    ['a directory', ['/tmp'], 126],
  ];
  for (const [what, cmd, code] of table) {
    const r = await env.tspod(['exec', 'ex', ...cmd]);
    t.equal(r.exitCode, code, `${what} -> ${code}`);
  }
  let r = await env.tspod(['exec', 'nosuch', 'true']);
  t.equal(r.exitCode, 125, 'exec in a missing container');
  r = await env.tspod(['exec', '--bogus', 'ex', 'true']);
  t.equal(r.exitCode, 125, 'bad flag');
  r = await env.tspod(['exec', '-u', 'nobodyhere', 'ex', 'true']);
  t.not(r.exitCode, 0, 'unknown user');
  await env.tspod(['stop', '-t', '0', 'ex']);
  r = await env.tspod(['exec', 'ex', 'true']);
  t.equal(r.exitCode, 125, 'exec on a stopped container -> 125');
  t.match(r.stderr, /can only create exec sessions on running containers/);
  await env.tspod(['rm', '-f', 'ex']);
});
