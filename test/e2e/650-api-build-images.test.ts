// End-to-end: the API's build, image archive and container file endpoints,
// driven by the real docker CLI and the Python Docker SDK: docker build (a
// build arg, a multi-stage Dockerfile), save | load, cp both ways (and a tar
// that tries to leave the container), export, diff, top, stats, commit,
// system df; python's images.build.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { execa } from 'execa';
import * as tar from 'tar-stream';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { apiRequest, docker, startApiService, type ApiService } from '../fixtures/api-service.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let authReg: RegistryFixture;
let env: TspodEnv;
let svc: ApiService;
let BB = '';

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } }));
  BB = `${reg.host}/e2e/bb:latest`;
  authReg = await startRegistry({ htpasswd: [{ username: 'alice', password: 's3cret' }] });
  env = await makeEnv(t, { insecure: [reg.host, authReg.host] });
  svc = await startApiService(env);
  const pulled = await docker(svc, env, ['pull', BB]);
  if (pulled.exitCode !== 0) throw new Error(`pull: ${pulled.stderr}`);
});
t.teardown(async () => { await svc?.stop(); await reg?.stop(); await authReg?.stop(); });

const ok = (t: Test, r: { exitCode: number; stderr: string }, what: string) => t.equal(r.exitCode, 0, `${what}: ${r.stderr}`);

function tarOf(entries: Array<{ name: string; body: string }>): Promise<Buffer> {
  const pk = tar.pack();
  for (const e of entries) pk.entry({ name: e.name, mode: 0o644 }, e.body);
  pk.finalize();
  return new Promise((resolve, reject) => { const c: Buffer[] = []; pk.on('data', (d: Buffer) => c.push(d)); pk.on('end', () => resolve(Buffer.concat(c))); pk.on('error', reject); });
}

t.test('docker build: a multi-stage Dockerfile with a build arg, COPY and RUN; the image runs', async (t) => {
  const ctx = path.join(env.dir, 'ctx');
  fs.mkdirSync(ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, 'file.txt'), 'from the context\n');
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), [
    `FROM ${BB} AS builder`,
    'ARG GREETING=hello',
    'RUN echo "$GREETING from stage one" > /msg',
    `FROM ${BB}`,
    'COPY --from=builder /msg /msg',
    'COPY file.txt /file.txt',
    'LABEL made=by-docker-build',
    'CMD ["cat", "/msg", "/file.txt"]',
    '',
  ].join('\n'));
  const b = await docker(svc, env, ['build', '-t', 'built:1', '--build-arg', 'GREETING=hi', ctx], { timeout: 300_000 });
  ok(t, b, 'docker build');
  t.match(b.stdout, /Successfully built [0-9a-f]{12}/);
  t.match(b.stdout, /Successfully tagged built:1/);
  const run = await docker(svc, env, ['run', '--rm', 'built:1']);
  ok(t, run, 'run the built image');
  t.equal(run.stdout, 'hi from stage one\nfrom the context');
  const insp = JSON.parse((await docker(svc, env, ['image', 'inspect', 'built:1'])).stdout) as Array<{ Config: { Labels: Record<string, string> } }>;
  t.equal(insp[0]!.Config.Labels['made'], 'by-docker-build');

  // a target stage, and a Dockerfile under another name
  fs.writeFileSync(path.join(ctx, 'Other.dockerfile'), `FROM ${BB} AS one\nRUN echo one > /which\nFROM ${BB} AS two\nRUN echo two > /which\n`);
  const tb = await docker(svc, env, ['build', '-q', '-t', 'built:target', '-f', path.join(ctx, 'Other.dockerfile'), '--target', 'one', ctx], { timeout: 300_000 });
  ok(t, tb, 'build --target');
  t.match(tb.stdout, /^sha256:[0-9a-f]{64}$/, 'quiet: the ID only');
  t.equal((await docker(svc, env, ['run', '--rm', 'built:target', 'cat', '/which'])).stdout, 'one');

  // a failing step: the error comes inside the stream and the CLI fails
  fs.writeFileSync(path.join(ctx, 'Bad.dockerfile'), `FROM ${BB}\nRUN exit 3\n`);
  const bad = await docker(svc, env, ['build', '-t', 'built:bad', '-f', path.join(ctx, 'Bad.dockerfile'), ctx], { timeout: 300_000 });
  t.not(bad.exitCode, 0, 'a failing RUN fails the build');
  t.match(bad.stderr + bad.stdout, /exit|3/);
  t.equal((await docker(svc, env, ['image', 'inspect', 'built:bad'])).exitCode, 1, 'nothing tagged');

  // a Dockerfile outside the context is refused before anything is built
  const esc = await apiRequest(svc.sock, 'POST', '/build?dockerfile=../../etc/passwd', await tarOf([{ name: 'Dockerfile', body: `FROM ${BB}\n` }]), { 'Content-Type': 'application/x-tar' });
  t.equal(esc.status, 400);
  t.match(esc.body, /inside the build context/);
});

t.test('docker save | docker load round trip', async (t) => {
  const file = path.join(env.dir, 'built.tar');
  ok(t, await docker(svc, env, ['save', '-o', file, 'built:1']), 'save');
  t.ok(fs.statSync(file).size > 1000, 'an archive was written');
  const list = await execa('tar', ['-tf', file]);
  t.match(String(list.stdout), /manifest\.json/);
  ok(t, await docker(svc, env, ['rmi', 'built:1']), 'rmi');
  t.equal((await docker(svc, env, ['image', 'inspect', 'built:1'])).exitCode, 1, 'gone');
  const load = await docker(svc, env, ['load', '-i', file]);
  ok(t, load, 'load');
  t.match(load.stdout, /Loaded image: .*built:1/);
  t.equal((await docker(svc, env, ['run', '--rm', 'built:1'])).stdout, 'hi from stage one\nfrom the context', 'the loaded image runs');
  const nf = await apiRequest(svc.sock, 'GET', '/images/nosuch:1/get');
  t.equal(nf.status, 404);
  // several images in one archive (/images/get?names=)
  const two = path.join(env.dir, 'two.tar');
  ok(t, await docker(svc, env, ['save', '-o', two, 'built:1', BB]), 'save two images');
  ok(t, await docker(svc, env, ['rmi', 'built:1']), 'rmi');
  const load2 = await docker(svc, env, ['load', '-i', two]);
  ok(t, load2, 'load two');
  t.match(load2.stdout, /Loaded image: .*built:1/);
  t.match(load2.stdout, new RegExp(`Loaded image: ${BB.replace(/[.]/g, '\\.')}`));
});

t.test('a running container: cp both ways, diff, top, stats, export, commit', async (t) => {
  ok(t, await docker(svc, env, ['run', '-d', '--name', 'files', BB, 'sleep', '300']), 'run -d');
  t.teardown(() => docker(svc, env, ['rm', '-f', 'files']).then(() => undefined));
  const host = path.join(env.dir, 'in.txt');
  fs.writeFileSync(host, 'copied in\n');
  ok(t, await docker(svc, env, ['cp', host, 'files:/tmp/']), 'cp into a directory');
  t.equal((await docker(svc, env, ['exec', 'files', 'cat', '/tmp/in.txt'])).stdout, 'copied in');
  ok(t, await docker(svc, env, ['cp', host, 'files:/tmp/renamed.txt']), 'cp to a new name');
  t.equal((await docker(svc, env, ['exec', 'files', 'cat', '/tmp/renamed.txt'])).stdout, 'copied in');
  ok(t, await docker(svc, env, ['exec', 'files', 'sh', '-c', 'mkdir -p /data/sub && echo inside > /data/sub/f']), 'exec');
  const out = path.join(env.dir, 'out');
  ok(t, await docker(svc, env, ['cp', 'files:/data', out]), 'cp a directory out');
  t.equal(fs.readFileSync(path.join(out, 'sub', 'f'), 'utf8'), 'inside\n');
  const nf = await docker(svc, env, ['cp', 'files:/no/such', path.join(env.dir, 'x')]);
  t.not(nf.exitCode, 0, 'a missing source fails');
  t.match(nf.stderr, /Could not find the file \/no\/such/);

  // escapes: ".." stops at the container's root; a tar entry with ".." is refused and writes nothing
  const marker = `escape-${process.pid}-${Date.now()}`;
  ok(t, await docker(svc, env, ['cp', host, `files:/../../../../../tmp/${marker}`]), 'cp with ../ in the container path');
  t.equal((await docker(svc, env, ['exec', 'files', 'cat', `/tmp/${marker}`])).stdout, 'copied in', 'it landed inside the container');
  t.notOk(fs.existsSync(`/tmp/${marker}`), 'and not on the host');
  const evil = await apiRequest(svc.sock, 'PUT', '/containers/files/archive?path=/tmp', await tarOf([{ name: `../../../../../../tmp/${marker}-tar`, body: 'evil' }]), { 'Content-Type': 'application/x-tar' });
  t.ok(evil.status >= 400, `a tar leaving the destination is refused (${evil.status} ${evil.body.trim()})`);
  t.notOk(fs.existsSync(`/tmp/${marker}-tar`), 'nothing written on the host');
  t.equal((await docker(svc, env, ['exec', 'files', 'ls', `/${marker}-tar`])).exitCode, 1, 'nor at the container root');
  const head = await apiRequest(svc.sock, 'HEAD', '/containers/files/archive?path=/tmp/in.txt');
  t.equal(head.status, 200);
  const st = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString()) as { name: string; size: number; mode: number };
  t.same([st.name, st.size, st.mode & 0x80000000], ['in.txt', 10, 0], 'the path-stat header');

  const diff = await docker(svc, env, ['diff', 'files']);
  ok(t, diff, 'diff');
  t.match(diff.stdout, /^A \/tmp\/in\.txt$/m);
  t.match(diff.stdout, /^A \/data$/m);
  t.match(diff.stdout, /^C \/tmp$/m);

  const top = await docker(svc, env, ['top', 'files']);
  ok(t, top, 'top');
  t.match(top.stdout, /PID/);
  t.match(top.stdout, /sleep 300/);

  const stats = await docker(svc, env, ['stats', '--no-stream', '--format', '{{json .}}', 'files']);
  ok(t, stats, 'stats --no-stream');
  const s = JSON.parse(stats.stdout) as { Name: string; PIDs: string; MemUsage: string; CPUPerc: string };
  t.equal(s.Name, 'files');
  t.ok(Number(s.PIDs) >= 1, `PIDs ${s.PIDs}`);
  t.match(s.MemUsage, /^[1-9][\d.]*[KMG]i?B \//, `memory from procfs: ${s.MemUsage}`);
  t.match(s.CPUPerc, /^\d+\.\d\d%$/);

  // the stream: one document a second, each with the previous sample as precpu
  type Cpu = { cpu_usage: { total_usage: number } };
  type StatsDoc = { read: string; preread: string; cpu_stats: Cpu; precpu_stats: Cpu; pids_stats: { current: number } };
  const docs = await new Promise<StatsDoc[]>((resolve, reject) => {
    const got: StatsDoc[] = [];
    let buf = '';
    const req = http.get({ socketPath: svc.sock, path: '/containers/files/stats' }, (res) => {
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { got.push(JSON.parse(buf.slice(0, i)) as StatsDoc); buf = buf.slice(i + 1); }
        if (got.length >= 2) { req.destroy(); resolve(got); }
      });
    });
    req.on('error', (e) => { if (got.length < 2) reject(e); });
  });
  t.equal(docs[1]!.precpu_stats.cpu_usage.total_usage, docs[0]!.cpu_stats.cpu_usage.total_usage, 'precpu is the previous sample');
  t.equal(docs[1]!.preread, docs[0]!.read);
  t.ok(docs[1]!.pids_stats.current >= 1);

  const exp = path.join(env.dir, 'export.tar');
  ok(t, await docker(svc, env, ['export', '-o', exp, 'files']), 'export');
  const names = String((await execa('tar', ['-tf', exp])).stdout).split('\n');
  t.ok(names.some((n) => /^(\.\/)?tmp\/in\.txt$/.test(n)), 'the export has the copied file');
  t.ok(names.some((n) => /^(\.\/)?bin\/busybox$/.test(n)), 'and the image content');

  const c = await docker(svc, env, ['commit', '-c', 'ENV COMMITTED=yes', 'files', 'committed:1']);
  ok(t, c, 'commit');
  t.match(c.stdout, /^sha256:[0-9a-f]{64}$/);
  const r = await docker(svc, env, ['run', '--rm', 'committed:1', 'sh', '-c', 'cat /tmp/in.txt; echo $COMMITTED']);
  t.equal(r.stdout, 'copied in\nyes', 'the committed image has the file and the change');
});

t.test('docker system df', async (t) => {
  ok(t, await docker(svc, env, ['volume', 'create', 'dfvol']), 'volume create');
  const df = await docker(svc, env, ['system', 'df']);
  ok(t, df, 'system df');
  t.match(df.stdout, /^Images\s+\d+\s+\d+/m);
  t.match(df.stdout, /^Containers\s+\d+/m);
  t.match(df.stdout, /^Local Volumes\s+1\s+0/m, 'one volume, in use by none');
  ok(t, await docker(svc, env, ['create', '--name', 'dfctr', '-v', 'dfvol:/data', BB, 'true']), 'a container using the volume');
  const raw = JSON.parse((await apiRequest(svc.sock, 'GET', '/system/df')).body) as { Volumes: Array<{ Name: string; UsageData: { RefCount: number; Size: number } }>; Containers: Array<{ Names: string[]; SizeRw: number }> };
  t.same(raw.Volumes.find((x) => x.Name === 'dfvol')?.UsageData.RefCount, 1, 'the volume\'s users are counted');
  t.ok(raw.Containers.some((c) => c.Names.includes('/dfctr')), 'the containers are listed');
  const v = await docker(svc, env, ['system', 'df', '-v']);
  ok(t, v, 'system df -v');
  t.match(v.stdout, /built\s+1/);
  t.match(v.stdout, /dfvol/);
});

t.test('docker login: POST /auth checks the credentials against the registry', async (t) => {
  const bad = await docker(svc, env, ['login', '-u', 'alice', '--password-stdin', authReg.host], { input: 'wrong\n' });
  t.not(bad.exitCode, 0, 'a wrong password is refused');
  t.match(bad.stderr, /401|unauthorized|invalid username/i);
  const good = await docker(svc, env, ['login', '-u', 'alice', '--password-stdin', authReg.host], { input: 's3cret\n' });
  ok(t, good, 'login');
  t.match(good.stdout, /Login Succeeded/);
  const raw = await apiRequest(svc.sock, 'POST', '/auth', '{"username": ');
  t.equal(raw.status, 400, 'malformed JSON is a 400');
});

const PY = `
import sys, io, json, docker
c = docker.DockerClient(base_url=sys.argv[2])
df = io.BytesIO(('FROM %s\\nRUN echo built-by-python > /py\\nCMD ["cat", "/py"]\\n' % sys.argv[1]).encode())
img, logs = c.images.build(fileobj=df, tag='pybuilt:1', rm=True)
out = {'tags': img.tags, 'id': img.id, 'logs': ''.join(l.get('stream', '') for l in logs)}
out['run'] = c.containers.run('pybuilt:1', remove=True).decode()
print(json.dumps(out))
`;

t.test('Python SDK: images.build', async (t) => {
  const r = await execa('python3', ['-c', PY, BB, svc.host], { reject: false, timeout: 300_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.dir }, extendEnv: false });
  t.equal(r.exitCode, 0, `python: ${r.stderr}`);
  const out = JSON.parse(String(r.stdout)) as { tags: string[]; id: string; logs: string; run: string };
  t.ok(out.tags.some((x) => /pybuilt:1$/.test(x)), `tags ${JSON.stringify(out.tags)}`);
  t.match(out.id, /^sha256:[0-9a-f]{64}$/);
  t.match(out.logs, /Successfully built/);
  t.equal(out.run, 'built-by-python\n');
});
