// End-to-end: the image side of tspod as an unprivileged user against a real
// docker-registry on loopback, with images the test builds itself.
import t from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, tspodCommand } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, buildIndex, pushImage, pushIndex, layerFromTar, buildTar } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
t.before(async () => { reg = await startRegistry(); });
t.teardown(async () => { await reg?.stop(); });

async function seedBusybox(repo: string, tag = 'latest', extra: Record<string, string> = {}) {
  const base = await buildBusyboxLayer();
  const layers = [base];
  if (Object.keys(extra).length) layers.push(await buildFileLayer(extra));
  const img = buildImage({ layers, config: { Cmd: ['/bin/sh'], Labels: { 'org.test': 'yes' } } });
  await pushImage(reg.url, repo, tag, img);
  return img;
}

t.test('pull, images, tag, push to another repository, rmi, pull again', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const img = await seedBusybox('e2e/busybox', 'latest', { 'etc/motd': 'hi\n' });
  const ref = `${reg.host}/e2e/busybox:latest`;
  let r = await env.tspod(['pull', ref]);
  t.equal(r.exitCode, 0, r.stderr);
  const id = img.configDigest.slice(7);
  t.equal(r.stdout.trim().split('\n').pop(), id, 'pull prints the image ID (the config digest)');
  t.match(r.stderr, /Copying blob/, 'progress lines on stderr when not a TTY');

  r = await env.tspod(['images']);
  t.equal(r.exitCode, 0);
  t.match(r.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
  t.match(r.stdout, new RegExp(`${reg.host.replace(/\./g, '\\.')}/e2e/busybox\\s+latest\\s+${id.slice(0, 12)}`));

  r = await env.tspod(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.equal(r.stdout.trim(), `${ref} ${id.slice(0, 12)}`);
  r = await env.tspod(['images', '-q']);
  t.equal(r.stdout.trim(), id.slice(0, 12));
  r = await env.tspod(['images', '--digests', '--format', '{{.Digest}}']);
  t.equal(r.stdout.trim(), img.manifestDigest, 'the manifest digest is kept');
  r = await env.tspod(['images', '--format', 'json']);
  const js = JSON.parse(r.stdout) as Array<{ Id: string; RepoTags: string[]; RepoDigests: string[]; Labels: Record<string, string> }>;
  t.equal(js[0]!.Id, id);
  t.same(js[0]!.RepoTags, [ref]);
  t.same(js[0]!.RepoDigests, [`${reg.host}/e2e/busybox@${img.manifestDigest}`]);
  t.same(js[0]!.Labels, { 'org.test': 'yes' });

  r = await env.tspod(['image', 'inspect', '--format', '{{.Config.Cmd}} {{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}', ref]);
  t.equal(r.stdout.trim(), '[/bin/sh] linux/amd64 2');
  r = await env.tspod(['inspect', ref]);
  t.equal(JSON.parse(r.stdout)[0].Id, id, 'inspect finds images');
  r = await env.tspod(['history', '--format', '{{.CreatedBy}}', ref]);
  t.match(r.stdout, /tspod test fixture layer 1\ntspod test fixture layer 0/);

  const other = `${reg.host}/e2e/copy:v2`;
  r = await env.tspod(['tag', ref, other]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['push', other]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /skipped: mounted from another repository/, 'blobs are mounted, not uploaded again');
  const res = await fetch(`${reg.url}/v2/e2e/copy/manifests/v2`, { headers: { accept: img.manifestMediaType } });
  t.equal(res.headers.get('docker-content-digest'), img.manifestDigest, 'the pushed manifest is byte-identical');

  r = await env.tspod(['rmi', other]);
  t.equal(r.stdout.trim(), `Untagged: ${other}`, 'rmi of one of two names only untags');
  r = await env.tspod(['rmi', ref]);
  t.match(r.stdout, new RegExp(`Deleted: ${id}`));
  r = await env.tspod(['images', '-q']);
  t.equal(r.stdout.trim(), '');
  t.same(fs.readdirSync(path.join(env.dataDir, 'tspod', 'storage', 'layers')), [], 'layers are removed with the last image');

  r = await env.tspod(['pull', '-q', `${reg.host}/e2e/copy:v2`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), id, '-q prints only the ID');
  t.equal(r.stderr, '', '-q prints no progress');
  r = await env.tspod(['pull', `${reg.host}/e2e/busybox@${img.manifestDigest}`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /skipped: already exists/, 'layers already present are not downloaded again');
});

t.test('layers are shared between images and ownership is preserved in the user namespace', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  await seedBusybox('e2e/a', 'latest', { 'a.txt': 'a' });
  const base = await buildBusyboxLayer();
  const owned = await buildFileLayer({ 'home/': { type: 'dir', mode: 0o755 }, 'home/u1000': { content: 'x', uid: 1000, gid: 1000, mode: 0o4755 } });
  await pushImage(reg.url, 'e2e/b', 'latest', buildImage({ layers: [base, owned] }));
  t.equal((await env.tspod(['pull', `${reg.host}/e2e/a`])).exitCode, 0);
  const r = await env.tspod(['pull', `${reg.host}/e2e/b`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /skipped: already exists/, 'the shared base layer is stored once');
  const layers = fs.readdirSync(path.join(env.dataDir, 'tspod', 'storage', 'layers'));
  t.equal(layers.length, 3, 'three distinct layers for two images sharing a base');
  const st = fs.statSync(path.join(env.dataDir, 'tspod', 'storage', 'layers', owned.diffID.slice(7), 'diff', 'home', 'u1000'));
  const sub = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${process.env['USER'] ?? ''}:`) || l.startsWith(`${require_user()}:`));
  const start = Number(sub?.split(':')[1]);
  t.equal(st.uid, start + 999, 'container uid 1000 maps to subuid start + 999 on the host');
  t.equal(st.mode & 0o7777, 0o4755, 'setuid bit preserved');
  const df = await env.tspod(['system', 'df', '--format', 'json', '--verbose']);
  const du = JSON.parse(df.stdout) as { Images: Array<{ SharedSize: number; UniqueSize: number }>; Totals: { Layers: { Total: number; Size: number } } };
  t.equal(du.Totals.Layers.Total, 3);
  const sum = du.Images.reduce((a, i) => a + i.SharedSize + i.UniqueSize, 0);
  t.ok(sum > du.Totals.Layers.Size, 'per-image sizes count the shared base in each image, the total counts it once');
});

function require_user(): string {
  return (process.env['USER'] || process.env['LOGNAME'] || '') as string;
}

t.test('manifest lists: linux/amd64 by default, --platform picks another, a missing platform is a clear error', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const amd = buildImage({ layers: [await buildFileLayer({ 'arch': 'amd64\n' })], architecture: 'amd64' });
  const arm = buildImage({ layers: [await buildFileLayer({ 'arch': 'arm64\n' })], architecture: 'arm64', variant: 'v8' });
  await pushIndex(reg.url, 'e2e/multi', 'latest', buildIndex([{ image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { image: amd, platform: { os: 'linux', architecture: 'amd64' } }]));
  let r = await env.tspod(['pull', '-q', `${reg.host}/e2e/multi`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), amd.configDigest.slice(7));
  r = await env.tspod(['pull', '-q', '--platform', 'linux/arm64', `${reg.host}/e2e/multi`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), arm.configDigest.slice(7));
  r = await env.tspod(['pull', '--platform', 'linux/s390x', `${reg.host}/e2e/multi`]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /s390x/);
  t.match(r.stderr, /linux\/amd64/, 'the error lists the available platforms');
});

t.test('docker v2 schema 2 images pull too', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const img = buildImage({ layers: [await buildBusyboxLayer({ format: 'docker' })], format: 'docker' });
  await pushImage(reg.url, 'e2e/docker', 'v1', img);
  const r = await env.tspod(['pull', '-q', `${reg.host}/e2e/docker:v1`]);
  t.equal(r.exitCode, 0, r.stderr);
  const i = await env.tspod(['image', 'inspect', '--format', '{{.ManifestType}}', `${reg.host}/e2e/docker:v1`]);
  t.equal(i.stdout.trim(), 'application/vnd.docker.distribution.manifest.v2+json');
});

t.test('bad input: one line, exit 125, nothing stored', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const cases: Array<[string[], RegExp]> = [
    [['pull', 'UPPER/case'], /invalid reference format/],
    [['pull', 'a:b:c'], /invalid reference format/],
    [['pull', `${reg.host}/e2e/nope:missing`], /not found|manifest unknown/i],
    [['pull', '127.0.0.1:1/x/y'], /127\.0\.0\.1:1/],
    [['tag', 'nothere', 'x'], /image not known/],
    [['push', 'nothere'], /image not known/],
    [['image', 'inspect', 'nothere'], /image not known/],
    [['images', '--filter', 'bogus=1'], /invalid image filter/],
    [['images', '--nonexistent-flag'], /Nonexistent flag|nonexistent/i],
    [['nonexistent-command'], /unrecognized command/],
    [['images', '--format', '{{.Nope'], /template/],
  ];
  for (const [args, re] of cases) {
    const r = await env.tspod(args);
    t.equal(r.exitCode, 125, `${args.join(' ')} exits 125`);
    t.match(r.stderr, re, `${args.join(' ')}: ${r.stderr.trim()}`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.filter((l) => l.startsWith('Error: ')).length, 1, `${args.join(' ')}: one error line`);
    t.match(lines[lines.length - 1], /^Error: /, `${args.join(' ')}: the error is the last line`);
    t.ok(lines.every((l) => l.startsWith('Error: ') || l.startsWith('Trying to pull')), `${args.join(' ')}: no stack traces or noise`);
  }
  // rmi of a missing image is Podman's exit 1 (2 when in use, 125 otherwise), one line
  const rmi = await env.tspod(['rmi', 'nothere']);
  t.equal(rmi.exitCode, 1, 'rmi of a missing image exits 1, as podman');
  t.match(rmi.stderr, /^Error: .*image not known$/);
  const r = await env.tspod(['images', '-q']);
  t.equal(r.stdout.trim(), '');
});

t.test('a layer whose content does not match the config diff ID is refused and nothing is stored', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const good = await buildFileLayer({ 'f': 'good' });
  const bad = await buildFileLayer({ 'f': 'evil' });
  // a config that names `good`'s diffID, served with `bad`'s blob
  const forged = buildImage({ layers: [{ ...bad, diffID: good.diffID }] });
  await pushImage(reg.url, 'e2e/forged', 'latest', forged);
  const r = await env.tspod(['pull', `${reg.host}/e2e/forged`]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /diffID mismatch|digest mismatch/i);
  t.equal((await env.tspod(['images', '-q'])).stdout.trim(), '');
  const layersDir = path.join(env.dataDir, 'tspod', 'storage', 'layers');
  t.same(fs.existsSync(layersDir) ? fs.readdirSync(layersDir) : [], [], 'no layer left behind');
});

t.test('a registry serving tampered blobs is caught by digest verification', async (t) => {
  const env = await makeEnv(t, { insecure: [] });
  const layer = await buildFileLayer({ 'f': 'original content' });
  const img = buildImage({ layers: [layer] });
  await pushImage(reg.url, 'e2e/tamper', 'latest', img);
  // a proxy in front of the real registry that flips one byte of the layer blob
  const port = await freePort();
  const server = http.createServer(async (req, res) => {
    const up = await fetch(`${reg.url}${req.url}`, { method: req.method, headers: { accept: String(req.headers['accept'] ?? '*/*') } });
    let body = Buffer.from(await up.arrayBuffer());
    if (req.url?.includes(`/blobs/${layer.digest}`)) { body = Buffer.from(body); body[body.length - 10] ^= 0xff; }
    const headers: Record<string, string> = {};
    up.headers.forEach((v, k) => { if (k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v; });
    headers['content-length'] = String(body.length);
    res.writeHead(up.status, headers);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.teardown(() => server.close());
  fs.writeFileSync(path.join(env.configDir, 'containers', 'registries.conf'), `[[registry]]\nlocation = "127.0.0.1:${port}"\ninsecure = true\n`);
  const r = await env.tspod(['pull', `127.0.0.1:${port}/e2e/tamper`]);
  t.equal(r.exitCode, 125, r.stderr);
  t.match(r.stderr, /digest mismatch|does not match|differs/i);
  t.equal((await env.tspod(['images', '-q'])).stdout.trim(), '');
});

t.test('malicious layers are refused and write nothing outside the layer', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const outside = fs.mkdtempSync('/tmp/tspod-outside-');
  t.teardown(() => fs.rmSync(outside, { recursive: true, force: true }));
  const cases: Array<[string, Parameters<typeof buildTar>[0]]> = [
    ['dotdot', [{ name: '../../../../../../..' + outside + '/pwned', type: 'file', content: 'x' }]],
    ['inner dotdot', [{ name: 'a/../../x', type: 'file', content: 'x' }]],
    ['symlink parent', [{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/pwned', type: 'file', content: 'x' }]],
    ['symlink dotdot parent', [{ name: 'd', type: 'symlink', linkname: '..' }, { name: 'd/pwned', type: 'file', content: 'x' }]],
    ['hardlink out', [{ name: 'h', type: 'link', linkname: '../../../../etc/passwd' }]],
    ['hardlink absolute', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }]],
  ];
  for (const [name, entries] of cases) {
    const layer = layerFromTar(await buildTar(entries));
    await pushImage(reg.url, `e2e/evil-${name.replace(/ /g, '-')}`, 'latest', buildImage({ layers: [layer] }));
    const r = await env.tspod(['pull', `${reg.host}/e2e/evil-${name.replace(/ /g, '-')}`]);
    t.equal(r.exitCode, 125, `${name}: refused`);
    t.match(r.stderr, /unsafe|refus|outside|\.\./i, `${name}: ${r.stderr.trim()}`);
  }
  t.same(fs.readdirSync(outside), [], 'nothing written outside');
  t.equal((await env.tspod(['images', '-q'])).stdout.trim(), '', 'no image stored');
  // an absolute path is neutralised into the layer, never written to the host
  const abs = layerFromTar(await buildTar([{ name: `${outside}/abs`, type: 'file', content: 'x' }]));
  await pushImage(reg.url, 'e2e/abs', 'latest', buildImage({ layers: [abs] }));
  const r = await env.tspod(['pull', '-q', `${reg.host}/e2e/abs`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.notOk(fs.existsSync(`${outside}/abs`), 'absolute path did not reach the host');
  t.ok(fs.existsSync(path.join(env.dataDir, 'tspod', 'storage', 'layers', abs.diffID.slice(7), 'diff', outside.slice(1), 'abs')), 'it landed inside the layer');
});

t.test('whiteouts and opaque directories are kept for the overlay', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const l1 = await buildFileLayer({ 'keep': 'k', 'gone': 'g', 'd/': { type: 'dir' }, 'd/old': 'o' });
  const l2 = await buildFileLayer({ 'gone': { type: 'whiteout' }, 'd/': { type: 'dir' }, 'd': { type: 'opaque' }, 'd/new': 'n' });
  await pushImage(reg.url, 'e2e/wh', 'latest', buildImage({ layers: [l1, l2] }));
  const r = await env.tspod(['pull', '-q', `${reg.host}/e2e/wh`]);
  t.equal(r.exitCode, 0, r.stderr);
  const d2 = path.join(env.dataDir, 'tspod', 'storage', 'layers', l2.diffID.slice(7), 'diff');
  t.ok(fs.existsSync(path.join(d2, '.wh.gone')), 'whiteout kept');
  t.ok(fs.existsSync(path.join(d2, 'd', '.wh..wh..opq')), 'opaque marker kept');
});

t.test('concurrent pulls of the same image all succeed and store it once', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  await seedBusybox('e2e/conc', 'latest', { 'x': 'y' });
  const rs = await Promise.all([1, 2, 3, 4].map(() => env.tspod(['pull', '-q', `${reg.host}/e2e/conc`])));
  for (const r of rs) t.equal(r.exitCode, 0, r.stderr);
  t.equal(new Set(rs.map((r) => r.stdout.trim())).size, 1);
  const q = await env.tspod(['images', '--format', '{{.ID}}']);
  t.equal(q.stdout.trim().split('\n').length, 1, 'one image');
  t.equal(fs.readdirSync(path.join(env.dataDir, 'tspod', 'storage', 'layers')).length, 2, 'each layer once');
  const tmp = path.join(env.dataDir, 'tspod', 'storage', 'tmp');
  t.same(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no temp work left');
});

t.test('kill -9 during a pull, then a clean pull', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  // a big, incompressible layer so the pull is still running when killed
  const big = Buffer.alloc(48 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
  const layer = layerFromTar(await buildTar([{ name: 'big.bin', type: 'file', content: big }]));
  await pushImage(reg.url, 'e2e/big', 'latest', buildImage({ layers: [await buildBusyboxLayer(), layer] }));
  const [cmd, cargs] = tspodCommand(['pull', `${reg.host}/e2e/big`]);
  const child = execa(cmd, cargs, { env: env.env, extendEnv: false, reject: false });
  // wait until the download has started
  const deadline = Date.now() + 20000;
  const tmp = path.join(env.dataDir, 'tspod', 'storage', 'tmp');
  while (Date.now() < deadline && !(fs.existsSync(tmp) && fs.readdirSync(tmp).length)) await new Promise((r) => setTimeout(r, 20));
  // kill the whole tree (outer process and the re-executed one in the namespace)
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try { if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${reg.host}/e2e/big`) && Number(p) !== process.pid) process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
  }
  const killed = await child;
  t.not(killed.exitCode, 0, 'the pull was interrupted');
  let r = await env.tspod(['images', '-q']);
  t.equal(r.exitCode, 0, 'the store is readable after kill -9');
  r = await env.tspod(['pull', '-q', `${reg.host}/e2e/big`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'leftovers of the killed pull were cleaned');
  r = await env.tspod(['images', '--format', '{{.Repository}}']);
  t.equal(r.stdout.trim(), `${reg.host}/e2e/big`);
});

t.test('auth: htpasswd basic auth via login, logout and --creds', async (t) => {
  const secured = await startRegistry({ htpasswd: [{ username: 'alice', password: 's3cret' }] });
  t.teardown(() => secured.stop());
  const env = await makeEnv(t, { insecure: [secured.host, reg.host] });
  await seedBusybox('e2e/auth');
  let r = await env.tspod(['pull', '-q', `${reg.host}/e2e/auth`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['tag', `${reg.host}/e2e/auth`, `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['push', `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 125, 'push without credentials fails');
  t.match(r.stderr, /auth|unauthorized|credentials/i);
  r = await env.tspod(['login', '-u', 'alice', '-p', 'wrong', secured.host]);
  t.equal(r.exitCode, 125, 'a wrong password is refused');
  t.match(r.stderr, /invalid username\/password|unauthorized|authentication/i);
  r = await env.tspod(['login', '-u', 'alice', '--password-stdin', secured.host], { input: 's3cret\n' });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /Login Succeeded/);
  const auth = JSON.parse(fs.readFileSync(env.env['REGISTRY_AUTH_FILE']!, 'utf8'));
  t.ok(auth.auths[secured.host].auth, 'credentials stored in auth.json');
  t.equal(fs.statSync(env.env['REGISTRY_AUTH_FILE']!).mode & 0o777, 0o600);
  r = await env.tspod(['push', `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['rmi', '-a']);
  r = await env.tspod(['pull', '-q', `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['logout', secured.host]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['rmi', '-a']);
  r = await env.tspod(['pull', `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 125, 'after logout the pull needs credentials again');
  r = await env.tspod(['pull', '-q', '--creds', 'alice:s3cret', `${secured.host}/priv/auth:1`]);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('auth: bearer token flow', async (t) => {
  const secured = await startRegistry({ token: { users: [{ username: 'bob', password: 'pw' }] } });
  t.teardown(() => secured.stop());
  const env = await makeEnv(t, { insecure: [secured.host, reg.host] });
  await seedBusybox('e2e/tok');
  let r = await env.tspod(['pull', '-q', `${reg.host}/e2e/tok`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['tag', `${reg.host}/e2e/tok`, `${secured.host}/bob/tok:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['push', '--creds', 'bob:pw', `${secured.host}/bob/tok:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['rmi', '-a']);
  r = await env.tspod(['pull', '-q', '--creds', 'bob:pw', `${secured.host}/bob/tok:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(secured.tokenRequests.some((q) => q.user === 'bob' && q.scopes.some((s) => s.includes('bob/tok'))), 'a token was requested for the repository scope');
});

t.test('short names resolve through unqualified-search-registries', async (t) => {
  const env = await makeEnv(t, { registries: [reg.host], insecure: [reg.host] });
  await seedBusybox('library/shorty');
  let r = await env.tspod(['pull', '-q', 'library/shorty']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['images', '--format', '{{.Repository}}']);
  t.equal(r.stdout.trim(), `${reg.host}/library/shorty`);
  r = await env.tspod(['image', 'exists', 'library/shorty']);
  t.equal(r.exitCode, 0, 'the short name finds the local image');
  r = await env.tspod(['image', 'exists', 'shorty']);
  t.equal(r.exitCode, 0, 'like Podman, a bare name matches a local repository ending in /shorty');
  r = await env.tspod(['image', 'exists', 'other/shorty']);
  t.equal(r.exitCode, 1, 'another namespace does not match');
});

t.test('import a rootfs tarball, then it can be pushed and pulled', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const tarBytes = await buildTar([{ name: 'hello.txt', type: 'file', content: 'hello\n' }]);
  const file = path.join(env.dir, 'rootfs.tar');
  fs.writeFileSync(file, tarBytes);
  let r = await env.tspod(['import', file, 'imported:1', '--change', 'CMD ["/bin/cat","/hello.txt"]', '--change', 'ENV A=b']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['image', 'inspect', '--format', '{{json .Config.Cmd}} {{index .Config.Env 1}}', 'imported:1']);
  t.equal(r.stdout.trim(), '["/bin/cat","/hello.txt"] A=b');
  r = await env.tspod(['import', path.join(env.dir, 'missing.tar')]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no such file/);
  r = await env.tspod(['import', file, 'x', '--change', 'BOGUS 1']);
  t.equal(r.exitCode, 125);
});
