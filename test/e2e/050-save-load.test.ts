// End-to-end: `tspod save` / `tspod load` against the real tools of the
// ecosystem. Archives made by skopeo and podman load into tspod; archives made
// by tspod load into podman (and run there). Corrupt input stores nothing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, BIN, UNSET, type TspodEnv } from '../fixtures/tspod.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, type BuiltImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

for (const tool of ['skopeo', 'podman', 'script']) {
  try { await execa(tool, ['--version']); } catch {
    t.fail(`${tool} is required by the save/load end-to-end tests (apt-get install ${tool === 'script' ? 'bsdutils' : tool})`);
    process.exit(1);
  }
}

let image: BuiltImage;
let layoutDir: string;
t.before(async () => {
  const base = await buildBusyboxLayer();
  const extra = await buildFileLayer({ 'etc/motd': 'saved and loaded\n' });
  image = buildImage({ layers: [base, extra], config: { Cmd: ['/bin/sh'], Labels: { 'org.test': 'save-load' } } });
  layoutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-e2e-layout-'));
  const put = (d: string, b: Buffer): void => fs.writeFileSync(path.join(layoutDir, 'blobs', 'sha256', d.slice(7)), b);
  fs.mkdirSync(path.join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  for (const l of image.layers) put(l.digest, l.bytes);
  put(image.configDigest, image.configBytes);
  put(image.manifestDigest, image.manifestBytes);
  fs.writeFileSync(path.join(layoutDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(layoutDir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
});
t.teardown(() => fs.rmSync(layoutDir, { recursive: true, force: true }));

const ID = (): string => image.configDigest.slice(7);

async function skopeo(...args: string[]): Promise<void> {
  await execa('skopeo', ['--insecure-policy', ...args]);
}

/** A podman with its own storage and runtime dirs, as the same unprivileged user. */
async function makePodman(t: Test): Promise<(args: string[]) => Promise<{ stdout: string; stderr: string; exitCode: number }>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-e2e-podman-'));
  fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
  const env = { ...process.env, XDG_RUNTIME_DIR: path.join(dir, 'run'), XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data'), NODE_OPTIONS: '' };
  const base = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs'];
  const podman = async (args: string[]) => {
    const r = await execa('podman', [...base, ...args], { env, reject: false, timeout: 300_000 });
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
  };
  t.teardown(async () => {
    // podman's files belong to subordinate ids: remove them from inside its namespace, then end its pause process
    await podman(['unshare', 'rm', '-rf', path.join(dir, 'root'), path.join(dir, 'runroot')]);
    const pidFile = path.join(dir, 'run', 'libpod', 'tmp', 'pause.pid');
    if (fs.existsSync(pidFile)) { try { process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim())); } catch { /* gone */ } }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return podman;
}

function oneLine(t: Test, stderr: string, re: RegExp): void {
  const lines = stderr.trim().split('\n');
  t.equal(lines.length, 1, `one line on stderr: ${stderr}`);
  t.match(lines[0] ?? '', re);
}

async function loadSkopeoArchive(t: Test, env: TspodEnv): Promise<void> {
  const archive = path.join(env.dir, 'skopeo.tar');
  await skopeo('copy', `oci:${layoutDir}:latest`, `docker-archive:${archive}:busybox:latest`);
  const r = await env.tspod(['load', '-i', archive]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'Loaded image: docker.io/library/busybox:latest');
}

t.test('load a skopeo docker-archive; save; podman loads and runs it', async (t) => {
  const env = await makeEnv(t);
  await loadSkopeoArchive(t, env);
  let r = await env.tspod(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.equal(r.stdout.trim(), `docker.io/library/busybox:latest ${ID().slice(0, 12)}`, 'tspod images shows it');

  const out = path.join(env.dir, 'x.tar');
  r = await env.tspod(['save', '-o', out, 'busybox']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '', 'nothing on stdout with -o');
  t.ok(fs.statSync(out).size > 1_000_000, 'archive written');

  const podman = await makePodman(t);
  let p = await podman(['load', '-i', out]);
  t.equal(p.exitCode, 0, p.stderr);
  t.match(p.stdout, /Loaded image: docker\.io\/library\/busybox:latest/);
  p = await podman(['images', '--no-trunc', '--format', '{{.ID}}', 'docker.io/library/busybox:latest']);
  t.equal(p.stdout.trim(), `sha256:${ID()}`, 'podman has the same image ID');
  p = await podman(['run', '--rm', '--net', 'none', 'docker.io/library/busybox:latest', 'sh', '-c', 'cat /etc/motd; stat -c %u:%g /home/tester']);
  t.equal(p.exitCode, 0, p.stderr);
  t.equal(p.stdout, 'saved and loaded\n1000:1000', 'podman runs the image tspod saved: every layer intact, ownership kept');

  // stdout, and stdin
  const viaStdout = path.join(env.dir, 'stdout.tar');
  r = await env.tspod(['save', 'busybox'], { stdout: { file: viaStdout } });
  t.equal(r.exitCode, 0, r.stderr);
  t.same(fs.readFileSync(viaStdout), fs.readFileSync(out), 'the same bytes on stdout as with -o');
  const env2 = await makeEnv(t);
  r = await env2.tspod(['load', '-q'], { inputFile: viaStdout });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'Loaded image: docker.io/library/busybox:latest');

  // a terminal is refused, like podman
  const tty = await execa('script', ['-qec', `env ${UNSET.join(' ')} ${BIN} save busybox`, '/dev/null'], { env: env.env, extendEnv: false, reject: false });
  t.equal(tty.exitCode, 125, 'exit 125 on a terminal');
  t.match(String(tty.stdout), /Error: refusing to save to terminal\. Use -o flag or redirect/);
});

t.test('podman save -> tspod load, docker-archive and oci-archive, and oci-archive to podman', async (t) => {
  const env = await makeEnv(t);
  await loadSkopeoArchive(t, env);
  const podman = await makePodman(t);
  const src = path.join(env.dir, 'for-podman.tar');
  let r = await env.tspod(['save', '--format', 'oci-archive', '-o', src, 'busybox']);
  t.equal(r.exitCode, 0, r.stderr);
  let p = await podman(['load', '-i', src]);
  t.equal(p.exitCode, 0, p.stderr);
  t.match(p.stdout, /Loaded image: docker\.io\/library\/busybox:latest/, 'podman loads our oci-archive with its name');
  p = await podman(['images', '--no-trunc', '--format', '{{.ID}} {{.Digest}}', 'docker.io/library/busybox:latest']);
  t.equal(p.stdout.trim().split(' ')[0], `sha256:${ID()}`);

  await podman(['tag', 'docker.io/library/busybox:latest', 'localhost/frompodman:1', 'localhost/frompodman-oci:2']);
  const pd = path.join(env.dir, 'podman-docker.tar');
  const po = path.join(env.dir, 'podman-oci.tar');
  p = await podman(['save', '-o', pd, 'localhost/frompodman:1']);
  t.equal(p.exitCode, 0, p.stderr);
  p = await podman(['save', '--format', 'oci-archive', '-o', po, 'localhost/frompodman-oci:2']);
  t.equal(p.exitCode, 0, p.stderr);

  const fresh = await makeEnv(t);
  r = await fresh.tspod(['load', '-i', pd]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'Loaded image: localhost/frompodman:1');
  r = await fresh.tspod(['load', '-i', po]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'Loaded image: localhost/frompodman-oci:2');
  r = await fresh.tspod(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.same(r.stdout.trim().split('\n').sort(), [`localhost/frompodman-oci:2 ${ID().slice(0, 12)}`, `localhost/frompodman:1 ${ID().slice(0, 12)}`], 'one image, both names, same ID as podman');

  // a multi-image archive back to podman
  const m = path.join(env.dir, 'multi.tar');
  r = await fresh.tspod(['save', '-m', '-o', m, 'frompodman:1', 'frompodman-oci:2']);
  t.equal(r.exitCode, 0, r.stderr);
  const podman2 = await makePodman(t);
  p = await podman2(['load', '-i', m]);
  t.equal(p.exitCode, 0, p.stderr);
  t.match(p.stdout, /Loaded image: localhost\/frompodman:1/);
  t.match(p.stdout, /localhost\/frompodman-oci:2/);
});

t.test('load -i http://...: the archive is downloaded, then loaded (as Podman)', async (t) => {
  const env = await makeEnv(t);
  const archive = path.join(env.dir, 'served.tar');
  await skopeo('copy', `oci:${layoutDir}:latest`, `docker-archive:${archive}:served:latest`);
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.url === '/image.tar') { res.writeHead(200, { 'content-type': 'application/x-tar' }); fs.createReadStream(archive).pipe(res); return; }
    res.writeHead(404); res.end('not here\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  let r = await env.tspod(['load', '-i', `${base}/missing.tar`]);
  t.equal(r.exitCode, 125, 'a URL that is not found fails');
  oneLine(t, r.stderr, /^Error: downloading http:\/\/127\.0\.0\.1:\d+\/missing\.tar: HTTP 404/);
  r = await env.tspod(['load', '-i', `${base}/image.tar`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'Loaded image: docker.io/library/served:latest');
  r = await env.tspod(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.equal(r.stdout.trim(), `docker.io/library/served:latest ${ID().slice(0, 12)}`, 'the image is stored');
  t.same(fs.readdirSync(path.join(env.dataDir, 'tspod', 'storage', 'tmp')), [], 'the download is not left behind');
});

t.test('errors: unknown image, corrupt archive, garbage; nothing stored', async (t) => {
  const env = await makeEnv(t);
  const out = path.join(env.dir, 'never.tar');
  let r = await env.tspod(['save', '-o', out, 'nope']);
  t.equal(r.exitCode, 125);
  oneLine(t, r.stderr, /^Error: nope: image not known$/);
  t.notOk(fs.existsSync(out), 'no archive written');
  r = await env.tspod(['save', '--format', 'oci-archive', '-m', '-o', out, 'a', 'b']);
  t.equal(r.exitCode, 125);
  oneLine(t, r.stderr, /only docker-archive/);

  // a docker-archive whose layer content was altered (the tar stays valid)
  const good = path.join(env.dir, 'good.tar');
  await skopeo('copy', `oci:${layoutDir}:latest`, `docker-archive:${good}:busybox:latest`);
  const bytes = fs.readFileSync(good);
  const elf = bytes.indexOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  t.ok(elf > 0, 'found the busybox binary in the archive');
  for (let i = 0; i < 16; i++) bytes[elf + 4096 + i] = bytes[elf + 4096 + i]! ^ 0xff;
  const corrupt = path.join(env.dir, 'corrupt.tar');
  fs.writeFileSync(corrupt, bytes);
  r = await env.tspod(['load', '-i', corrupt]);
  t.equal(r.exitCode, 125);
  oneLine(t, r.stderr, /^Error: .*content does not match the image config: diffID is sha256:[a-f0-9]{64}, the config says sha256:[a-f0-9]{64}$/);

  const garbage = path.join(env.dir, 'garbage.tar');
  fs.writeFileSync(garbage, 'this is not an archive\n'.repeat(50));
  r = await env.tspod(['load', '-i', garbage]);
  t.equal(r.exitCode, 125);
  oneLine(t, r.stderr, /^Error: payload does not match any of the supported image formats: .*garbage\.tar: not a tar archive/);
  r = await env.tspod(['load', '-i', path.join(env.dir, 'missing.tar')]);
  t.equal(r.exitCode, 125);
  oneLine(t, r.stderr, /no such file or directory/);

  r = await env.tspod(['images', '-q']);
  t.equal(r.stdout.trim(), '', 'no image stored');
  const storage = path.join(env.dataDir, 'tspod', 'storage');
  const list = (d: string): string[] => { try { return fs.readdirSync(path.join(storage, d)); } catch { return []; } };
  t.same(list('layers'), [], 'no layer directory');
  t.same(list('blobs/sha256'), [], 'no blob');
  t.same(list('tmp'), [], 'no temp leftovers');

  // and the good archive still loads afterwards
  r = await env.tspod(['load', '-i', good]);
  t.equal(r.exitCode, 0, r.stderr);
});
