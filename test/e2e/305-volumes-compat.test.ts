// End-to-end: volume behaviours a Podman user's scripts rely on (Podman 4.3's system tests check
// the same): the same -v twice is one mount, two on one path are refused; :U gives a bind mount to
// the container's user (recursively, unless its top is already theirs); NeedsCopyUp/NeedsChown
// turn false when a copy-up / the first use really happens, and the first use gives the volume to
// the container's user; a bind volume on a missing directory; volume rm --force of a missing
// volume; containers.conf's image_volume_mode (CONTAINERS_CONF) for an image's VOLUMEs.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';
let VOLIMG = '';

t.before(async () => {
  reg = await startRegistry();
  const busybox = await buildBusyboxLayer();
  const files = await buildFileLayer({ 'data/': { type: 'dir' }, 'data/seed.txt': 'seed\n' });
  await pushImage(reg.url, 'e2e/volc', 'latest', buildImage({ layers: [busybox, files], config: { Cmd: ['/bin/sh'] } }));
  await pushImage(reg.url, 'e2e/volc', 'withvol', buildImage({ layers: [busybox, files], config: { Cmd: ['/bin/sh'], Volumes: { '/data': {} } } }));
  IMG = `${reg.host}/e2e/volc:latest`;
  VOLIMG = `${reg.host}/e2e/volc:withvol`;
  env = await makeEnv(t, { insecure: [reg.host] });
  for (const img of [IMG, VOLIMG]) {
    const r = await env.tspod(['pull', '-q', img]);
    if (r.exitCode !== 0) throw new Error(`pull failed: ${r.stderr}`);
  }
});
t.teardown(async () => { await reg?.stop(); });

t.test('the same mount twice is one mount; two mounts on one destination are refused', async (t) => {
  const a = fs.mkdtempSync(path.join(env.dir, 'a-')), b = fs.mkdtempSync(path.join(env.dir, 'b-'));
  let r = await env.tspod(['run', '--rm', '-v', `${a}:/v`, '-v', `${a}:/v`, IMG, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '-v', `${a}:${a}`, '-v', `${b}:${a}`, IMG, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), `Error: ${a}: duplicate mount destination`);
  r = await env.tspod(['run', '--rm', '-v', 'dupvol:/v', '-v', 'dupvol:/v', IMG, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '-v', 'dupvol:/v', '-v', 'other:/v', IMG, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), 'Error: /v: duplicate mount destination');
  r = await env.tspod(['volume', 'ls', '-q']);
  t.equal(r.stdout.trim(), 'dupvol', 'the refused run created no volume');
  await env.tspod(['volume', 'rm', 'dupvol']);
});

t.test(':U gives a bind mount to the container user, recursively unless its top is theirs already', async (t) => {
  const dir = fs.mkdtempSync(path.join(env.dir, 'u-'));
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  let r = await env.tspod(['run', '--name', 'uctr', '--user', '1000:2000', '-v', `${dir}:/data:U`, IMG, 'stat', '-c', '%u:%g', '/data', '/data/f']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '1000:2000\n1000:2000', 'the directory and its content');
  t.equal((await env.tspod(['unshare', 'chown', '-R', '100:200', dir])).exitCode, 0);
  r = await env.tspod(['start', '--attach', 'uctr']);
  t.equal(r.stdout, '1000:2000\n1000:2000', 'chowned again at the next start');
  t.equal((await env.tspod(['unshare', 'chown', '100:200', path.join(dir, 'f')])).exitCode, 0);
  r = await env.tspod(['start', '--attach', 'uctr']);
  t.equal(r.stdout, '1000:2000\n100:200', 'the top is theirs: the file inside is left alone');
  await env.tspod(['rm', 'uctr']);
  // owned by subordinate ids now: removed from inside the namespace
  await env.tspod(['unshare', 'rm', '-rf', dir]);
});

t.test('NeedsCopyUp and NeedsChown turn false when a copy-up or the first use happens', async (t) => {
  let r = await env.tspod(['volume', 'create', 'cv']);
  t.equal(r.exitCode, 0, r.stderr);
  const fields = async () => (await env.tspod(['volume', 'inspect', '--format', '{{.NeedsCopyUp}} {{.NeedsChown}}', 'cv'])).stdout.trim();
  t.equal(await fields(), 'true true', 'a fresh volume');
  r = await env.tspod(['volume', 'ls', '--format', 'json']);
  const [ls] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  t.same([ls!['NeedsCopyUp'], ls!['NeedsChown']], [true, true], 'volume ls --format json has both');
  // nothing at /empty in the image: no copy-up; the first user (uid 1000) is given the volume
  r = await env.tspod(['run', '--rm', '--user', '1000:1000', '-v', 'cv:/empty', IMG, 'sh', '-c', 'touch /empty/mine && stat -c %u /empty']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '1000', 'owned by the container user at its first use');
  t.equal(await fields(), 'true false', 'no content copied yet; chowned');
  r = await env.tspod(['run', '--rm', '-v', 'cv:/data', IMG, 'ls', '/data']);
  t.equal(r.stdout, 'mine', 'a volume with content is not copied into');
  t.equal(await fields(), 'true false');
  await env.tspod(['volume', 'rm', 'cv']);
  t.equal((await env.tspod(['volume', 'create', 'cv2'])).exitCode, 0);
  r = await env.tspod(['run', '--rm', '-v', 'cv2:/data', IMG, 'cat', '/data/seed.txt']);
  t.equal(r.stdout, 'seed');
  r = await env.tspod(['volume', 'inspect', '--format', '{{.NeedsCopyUp}} {{.NeedsChown}}', 'cv2']);
  t.equal(r.stdout.trim(), 'false false', 'copied up');
  await env.tspod(['volume', 'rm', 'cv2']);
});

t.test('a bind volume on a missing directory; rm --force of a missing volume', async (t) => {
  let r = await env.tspod(['volume', 'create', '-o', 'type=bind', '-o', 'device=/no/such/dir', 'bv']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), "Error: invalid volume option device for driver 'local': stat /no/such/dir: no such file or directory");
  r = await env.tspod(['volume', 'rm', 'bogus']);
  t.equal(r.exitCode, 1);
  t.equal(r.stderr.trim(), 'Error: no volume with name "bogus" found: no such volume');
  r = await env.tspod(['volume', 'rm', '--force', 'bogus']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout + r.stderr, '', 'says nothing');
});

t.test("containers.conf's image_volume_mode decides what an image's VOLUME becomes", async (t) => {
  const conf = path.join(env.dir, 'containers.conf');
  fs.writeFileSync(conf, '[engine]\nimage_volume_mode="tmpfs"\n');
  const withConf = { env: { ...env.env, CONTAINERS_CONF: conf } };
  let r = await env.tspod(['run', '--rm', VOLIMG, 'stat', '-f', '-c', '%T', '/data'], withConf);
  t.equal(r.stdout.trim(), 'tmpfs', r.stderr);
  r = await env.tspod(['run', '--rm', '--image-volume', 'bind', VOLIMG, 'stat', '-f', '-c', '%T', '/data'], withConf);
  t.not(r.stdout.trim(), 'tmpfs', '--image-volume wins');
  r = await env.tspod(['run', '--rm', '--image-volume', 'ignore', VOLIMG, 'cat', '/data/seed.txt'], withConf);
  t.equal(r.stdout, 'seed', 'ignore: the image content, no volume');
  r = await env.tspod(['run', '--rm', VOLIMG, 'stat', '-f', '-c', '%T', '/data']);
  t.not(r.stdout.trim(), 'tmpfs', 'without the file: an anonymous volume');
  fs.writeFileSync(conf, '[engine]\nimage_volume_mode="bogus"\n');
  r = await env.tspod(['create', VOLIMG], withConf);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /^Error: invalid image volume mode "bogus" in containers.conf/);
  await env.tspod(['rm', '-a', '--volumes']);
});
