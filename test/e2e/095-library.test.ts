// tspod as a library, as another project gets it: `npm pack`, the tarball installed into a
// fresh project, a TypeScript program type-checked against the shipped .d.ts files and run
// as the unprivileged user. It pulls from a loopback registry, runs a container with a
// published port, reaches it, execs in it with its own streams, reads its logs through a
// stream, sees its `died` event (written by conmon's exit command), and removes it.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { requireUnprivileged, REPO, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv, freePort } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'lib/bb')); });

const PROGRAM = `
import { PassThrough } from 'node:stream';
import * as http from 'node:http';
import { containers, events, images, system, type PullReport, type RunReport, type TspodEvent } from 'tspod';

// rootless: run inside tspod's user namespace, as the CLI does
const inner = await system.enterUserNamespace();
if (inner !== undefined) process.exit(inner);

const [ref, port] = process.argv.slice(2) as [string, string];
const out: Record<string, unknown> = {};
const progress: string[] = [];
const pulled: PullReport = await images.pull({ reference: ref, tlsVerify: false, onEvent: (e) => progress.push(e.type) });
out['pulled'] = pulled.id;
out['progress'] = progress.includes('done');

// follow the events log from now on
const ac = new AbortController();
const seen: TspodEvent[] = [];
const watching = (async () => {
  for await (const e of events.watch({ filters: ['container=lib-ctr'], signal: ac.signal })) {
    seen.push(e);
    if (e.Status === 'died') ac.abort();
  }
})();

const script = 'mkdir -p /www && echo lib-ok > /www/index.html && echo hello-from-lib && httpd -p 8080 -h /www && while [ ! -e /www/stop ]; do sleep 0.2; done; exit 7';
const run: RunReport = await containers.run({ image: ref, name: 'lib-ctr', detach: true, publish: [port + ':8080'], command: ['sh', '-c', script] });
out['run'] = run.id;
const ports = await containers.port({ container: 'lib-ctr' });
out['port'] = ports[0]?.hostPort;

const get = (): Promise<string> => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port: Number(port), path: '/index.html' }, (res) => {
    let body = '';
    res.on('data', (c) => { body += String(c); });
    res.on('end', () => resolve(body));
  }).on('error', reject);
});
let body = '';
for (let i = 0; i < 100 && !body; i++) {
  try { body = await get(); } catch { await new Promise((r) => setTimeout(r, 200)); }
}
out['http'] = body.trim();

// attach with the caller's streams; aborting detaches and leaves it running
const detach = new AbortController();
const sink = new PassThrough();
sink.resume();
setTimeout(() => detach.abort(), 1000);
const attached = await containers.attach({ container: 'lib-ctr', io: { stdin: new PassThrough(), stdout: sink, stderr: sink }, signal: detach.signal });
const after = await containers.inspect({ container: 'lib-ctr' }) as { State: { Running: boolean } };
out['attach'] = { code: attached, running: after.State.Running };

// exec with the caller's own streams
const execOut = new PassThrough();
let execText = '';
execOut.on('data', (c) => { execText += String(c); });
const ex = await containers.exec({ container: 'lib-ctr', command: ['sh', '-c', 'echo exec-out; touch /www/stop'], io: { stdout: execOut, stderr: execOut } });
out['exec'] = { code: ex.exitCode, text: execText.trim() };

out['exit'] = await containers.wait({ container: 'lib-ctr' });
const logs = new PassThrough();
let logText = '';
logs.on('data', (c) => { logText += String(c); });
await containers.logs({ container: 'lib-ctr', stdout: logs, stderr: logs });
out['logs'] = logText.trim();

const timer = setTimeout(() => ac.abort(), 60_000);
await watching;
clearTimeout(timer);
out['events'] = seen.map((e) => e.Status + (e.ContainerExitCode !== undefined ? ':' + e.ContainerExitCode : ''));

const removed = await containers.remove({ containers: ['lib-ctr'] });
out['removed'] = removed.map((r) => r.error?.message ?? r.id);
out['left'] = (await containers.list({ all: true })).length;
console.log(JSON.stringify(out));
`;

t.test('import { containers, images, events } from "tspod" in another project', async (t) => {
  const work = fs.mkdtempSync(path.join(env.dir, 'lib-'));
  const packed = await execa('npm', ['pack', '--silent', '--pack-destination', work], { cwd: REPO, reject: false });
  t.equal(packed.exitCode, 0, String(packed.stderr));
  const tarball = path.join(work, String(packed.stdout).trim().split('\n').pop()!);
  t.ok(fs.existsSync(tarball), `npm pack wrote ${tarball}`);

  const proj = path.join(work, 'app');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'tspod-library-user', private: true, type: 'module' }));
  const inst = await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: proj, reject: false, timeout: 600_000 });
  t.equal(inst.exitCode, 0, `npm install of the tarball: ${String(inst.stderr).slice(-800)}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(proj, 'node_modules', 'tspod', 'package.json'), 'utf8')) as { types?: string; exports?: unknown };
  t.ok(pkg.types && fs.existsSync(path.join(proj, 'node_modules', 'tspod', pkg.types)), 'the shipped package has its .d.ts');

  fs.writeFileSync(path.join(proj, 'main.ts'), PROGRAM);
  fs.writeFileSync(path.join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
      outDir: 'out', types: ['node'], typeRoots: [path.join(REPO, 'node_modules', '@types')], skipLibCheck: false,
    },
    files: ['main.ts'],
  }));
  const tsc = path.join(REPO, 'node_modules', '.bin', 'tsc');
  const check = await execa(tsc, ['--noEmit', '-p', proj], { reject: false });
  t.equal(check.exitCode, 0, `tsc --noEmit against the shipped types: ${String(check.stdout).slice(0, 2000)}`);
  // a program using the API wrongly does not type-check
  fs.writeFileSync(path.join(proj, 'wrong.ts'), "import { containers } from 'tspod';\nawait containers.stop({ containers: 'web', timeout: 'soon' });\n");
  const wrong = await execa(tsc, ['--noEmit', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', '--typeRoots', path.join(REPO, 'node_modules', '@types'), path.join(proj, 'wrong.ts')], { reject: false, cwd: proj });
  t.not(wrong.exitCode, 0, 'wrong option types are rejected');
  t.match(String(wrong.stdout), /TS2322/, 'as a type error');
  const build = await execa(tsc, ['-p', proj], { reject: false });
  t.equal(build.exitCode, 0, String(build.stdout).slice(0, 2000));

  const port = await freePort();
  const { NODE_OPTIONS: _drop, ...runEnv } = env.env;
  const r = await execa('node', [path.join(proj, 'out', 'main.js'), IMAGE, String(port)], { cwd: proj, env: runEnv, extendEnv: false, reject: false, timeout: 300_000 });
  t.equal(r.exitCode, 0, `the program ran: ${String(r.stderr).slice(-1500)}`);
  const out = JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.match(out['pulled'], /^[0-9a-f]{64}$/, 'pulled, with progress through the callback');
  t.equal(out['progress'], true);
  t.equal(out['port'], port, 'the published port');
  t.equal(out['http'], 'lib-ok', 'reached through the published port');
  t.same(out['attach'], { code: 0, running: true }, 'an aborted attach detaches; the container runs on');
  t.same(out['exec'], { code: 0, text: 'exec-out' }, 'exec wrote to the caller\'s stream');
  t.equal(out['exit'], 7, 'wait gives the exit code');
  t.match(out['logs'], /hello-from-lib/, 'logs through a stream');
  const evs = out['events'] as string[];
  t.ok(evs.includes('died:7'), `the died event with its exit code: ${evs.join(' ')}`);
  t.ok(evs.indexOf('create') < evs.indexOf('start') && evs.indexOf('start') < evs.indexOf('died:7'), 'in order');
  t.same(out['removed'], [out['run']], 'removed');
  t.equal(out['left'], 0, 'nothing left');
});
