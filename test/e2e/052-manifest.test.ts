// Manifest lists as a Podman user makes them: `manifest create` keeps an index in the image
// store as an image with no config (listed by `images` with its own ID, removed by `rmi`),
// `manifest add` records local images and registry references with their platform,
// `manifest inspect` shows the index, `manifest push` sends the images and then the index to
// a real registry, and a list named where an image is wanted (run, inspect) is its image for
// this platform. Nothing else stumbles over a record without a config.
import t from 'tap';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, buildIndex, pushImage, pushIndex, type BuiltImage } from '../fixtures/image-builder.js';
import { docker, startApiService } from '../fixtures/api-service.js';

if (!requireUnprivileged(t)) process.exit(1);

const LIST_ACCEPT = 'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json';

let reg: RegistryFixture;
let dest: RegistryFixture;
let env: TspodEnv;
let amd64: BuiltImage;
let arm64: BuiltImage;
let LOCAL = '';
let localId = '';

async function getManifest(r: RegistryFixture, repo: string, ref: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${r.url}/v2/${repo}/manifests/${ref}`, { headers: { accept: `${LIST_ACCEPT}, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function hasBlob(r: RegistryFixture, repo: string, digest: string): Promise<boolean> {
  const res = await fetch(`${r.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  return res.status === 200;
}

t.before(async () => {
  reg = await startRegistry();
  dest = await startRegistry();
  t.teardown(async () => { await reg.stop(); await dest.stop(); });
  const layer = await buildBusyboxLayer();
  amd64 = buildImage({ layers: [layer], config: { Cmd: ['/bin/sh'] } });
  arm64 = buildImage({ layers: [layer], config: { Cmd: ['/bin/sh'], Labels: { arch: 'arm64' } }, architecture: 'arm64', variant: 'v8' });
  await pushImage(reg.url, 'base/amd64', '1', amd64);
  await pushImage(reg.url, 'base/arm64', '1', arm64);
  await pushIndex(reg.url, 'multi', '1', buildIndex([{ image: amd64, platform: { architecture: 'amd64', os: 'linux' } }, { image: arm64, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }]));
  env = await makeEnv(t, { insecure: [reg.host, dest.host] });
  LOCAL = `${reg.host}/base/amd64:1`;
  const r = await env.tspod(['pull', '-q', LOCAL]);
  if (r.exitCode !== 0) throw new Error(`pull: ${r.stderr}`);
  localId = r.stdout.trim();
});

t.test('a bare manifest list: listed by images with its own ID, images still listed, removed by rmi', async (t) => {
  let r = await env.tspod(['manifest', 'create', 'test:1.0']);
  t.equal(r.exitCode, 0, r.stderr);
  const listId = r.stdout.trim();
  t.match(listId, /^[0-9a-f]{64}$/, 'prints the new list\'s ID');
  t.not(listId, localId);

  r = await env.tspod(['images', '--format', '{{.ID}}', '--no-trunc']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(r.stdout.split('\n').sort(), [`sha256:${listId}`, `sha256:${localId}`].sort(), 'both the image and the list');
  r = await env.tspod(['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, new RegExp(`^localhost/test:1\\.0 ${listId.slice(0, 12)} \\d+ B$`, 'm'), 'own repository, tag and the size of the index');
  r = await env.tspod(['images', '--format', 'json']);
  t.equal(r.exitCode, 0, r.stderr);

  r = await env.tspod(['manifest', 'inspect', 'test:1.0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] });
  t.match(r.stdout, /^ {4}"schemaVersion": 2,$/m, 'indented as Podman prints it');
  t.equal((await env.tspod(['manifest', 'exists', 'test:1.0'])).exitCode, 0);
  t.equal((await env.tspod(['manifest', 'exists', LOCAL])).exitCode, 1, 'an ordinary image is not a list');

  r = await env.tspod(['manifest', 'create', 'test:1.0']);
  t.equal(r.exitCode, 125, 'the name is taken');
  t.match(r.stderr, `Error: creating image to hold manifest list: image name "localhost/test:1.0" is already associated with image "${listId}": that name is already in use`);
  r = await env.tspod(['manifest', 'create', '--amend', 'test:1.0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), listId, '--amend: the same list');

  // a list with no image for this platform is no image to run or inspect
  r = await env.tspod(['image', 'inspect', 'test:1.0']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no image found in manifest list for architecture amd64/);
  r = await env.tspod(['inspect', 'test:1.0']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no image found in manifest list for architecture amd64/, 'inspect says why, not "no such object"');
  r = await env.tspod(['run', '--rm', 'test:1.0', 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no image found in manifest list/);
  r = await env.tspod(['save', '-o', `${env.dir}/x.tar`, 'test:1.0']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /is a manifest list/);
  for (const args of [['system', 'df'], ['tag', 'test:1.0', 'test:2.0'], ['image', 'prune', '-f'], ['untag', 'test:2.0', 'test:2.0']]) {
    r = await env.tspod(args);
    t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  }

  r = await env.tspod(['rmi', 'test:1.0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(r.stdout.split('\n'), ['Untagged: localhost/test:1.0', `Deleted: ${listId}`]);
  r = await env.tspod(['images', '--format', '{{.ID}}', '--no-trunc']);
  t.equal(r.stdout, `sha256:${localId}`, 'the image is untouched');
  t.equal((await env.tspod(['manifest', 'exists', 'test:1.0'])).exitCode, 1);
});

t.test('create with images, add from a registry with overrides, annotate, remove an entry', async (t) => {
  let r = await env.tspod(['image', 'inspect', '--format', '{{.Digest}}', LOCAL]);
  const localDigest = r.stdout.trim();
  r = await env.tspod(['manifest', 'create', 'app:1', LOCAL]);
  t.equal(r.exitCode, 0, r.stderr);
  const listId = r.stdout.trim();
  r = await env.tspod(['manifest', 'add', '--variant', 'v8', '--os-version', '7.7', '--annotation', 'team=x', 'app:1', `docker://${reg.host}/base/arm64:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), listId, 'add prints the list\'s ID');
  r = await env.tspod(['manifest', 'inspect', 'app:1']);
  const index = JSON.parse(r.stdout) as { manifests: Array<{ digest: string; size: number; mediaType: string; platform: Record<string, string>; annotations?: Record<string, string> }> };
  t.same(index.manifests.map((m) => m.digest), [localDigest, arm64.manifestDigest]);
  t.same(index.manifests[0]!.platform, { architecture: 'amd64', os: 'linux' }, 'the local image\'s platform, from its config');
  t.same(index.manifests[1], {
    mediaType: 'application/vnd.oci.image.manifest.v1+json', size: arm64.manifestBytes.length, digest: arm64.manifestDigest,
    platform: { architecture: 'arm64', os: 'linux', 'os.version': '7.7', variant: 'v8' }, annotations: { team: 'x' },
  }, 'the registry image\'s descriptor, platform from its config, with the overrides');
  t.equal((await env.tspod(['images', '-q'])).stdout.split('\n').length, 2, 'adding from a registry pulls nothing');

  r = await env.tspod(['manifest', 'annotate', '--os', 'plan9', 'app:1', arm64.manifestDigest]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['manifest', 'inspect', 'app:1']);
  t.match(r.stdout, /"os": "plan9"/);

  // the list stands for its image for this platform
  r = await env.tspod(['image', 'inspect', '--format', '{{.Id}}', 'app:1']);
  t.equal(r.stdout.trim(), localId, r.stderr);
  r = await env.tspod(['run', '--rm', 'app:1', 'echo', 'from the list']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'from the list');

  // an index from a registry: one entry (this platform's) or, with --all, every one
  r = await env.tspod(['manifest', 'create', 'both:1', `${reg.host}/multi:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['manifest', 'inspect', 'both:1']);
  t.same((JSON.parse(r.stdout) as typeof index).manifests.map((m) => m.digest), [amd64.manifestDigest]);
  r = await env.tspod(['manifest', 'add', '--all', 'both:1', `${reg.host}/multi:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['manifest', 'inspect', 'both:1']);
  t.same((JSON.parse(r.stdout) as typeof index).manifests.map((m) => m.digest), [amd64.manifestDigest, arm64.manifestDigest], 'an entry already there is replaced, not doubled');
  r = await env.tspod(['manifest', 'remove', 'both:1', arm64.manifestDigest]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['manifest', 'inspect', 'both:1']);
  t.same((JSON.parse(r.stdout) as typeof index).manifests.map((m) => m.digest), [amd64.manifestDigest]);
  r = await env.tspod(['manifest', 'remove', 'both:1', arm64.manifestDigest]);
  t.equal(r.exitCode, 125, 'not in the list');
  r = await env.tspod(['manifest', 'inspect', `${reg.host}/multi:1`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((JSON.parse(r.stdout) as typeof index).manifests.length, 2, 'inspect of a registry\'s list');

  // bad input: clear errors, Podman's exit codes, nothing written
  const before = (await env.tspod(['images', '-q', '--no-trunc'])).stdout;
  for (const [args, code, msg] of [
    [['manifest', 'add', 'nope', LOCAL], 125, /nope: image not known/],
    [['manifest', 'add', LOCAL, LOCAL], 125, /image is not a manifest list/],
    [['manifest', 'add', 'app:1', 'containers-storage:nope:1'], 125, /nope:1: image not known/],
    [['manifest', 'create', 'new:1', 'containers-storage:nope:1'], 125, /nope:1: image not known/],
    [['manifest', 'add', '--annotation', 'novalue', 'app:1', LOCAL], 125, /KEY=VALUE/],
    [['manifest', 'remove', 'app:1', 'sha256:1234'], 125, /invalid image digest/],
    [['manifest', 'rm', LOCAL], 125, /image is not a manifest list/],
    [['manifest', 'rm', 'nope'], 1, /nope: image not known/],
  ] as Array<[string[], number, RegExp]>) {
    r = await env.tspod(args);
    t.equal(r.exitCode, code, args.join(' '));
    t.match(r.stderr, msg, args.join(' '));
  }
  t.equal((await env.tspod(['images', '-q', '--no-trunc'])).stdout, before, 'nothing was created by the failures');

  r = await env.tspod(['manifest', 'rm', 'both:1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^Untagged: localhost\/both:1\nDeleted: [0-9a-f]{64}$/);
});

t.test('manifest push: the images (local ones from storage, registry ones copied), then the index', async (t) => {
  // to another registry: the arm64 image is downloaded from the first and uploaded
  let r = await env.tspod(['manifest', 'push', 'app:1', `docker://${dest.host}/pushed/app:v1`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Writing manifest list to image destination/);
  const local = JSON.parse((await env.tspod(['manifest', 'inspect', 'app:1'])).stdout) as { manifests: Array<{ digest: string }> };
  const got = await getManifest(dest, 'pushed/app', 'v1');
  t.equal(got.status, 200);
  t.equal(got.type, 'application/vnd.docker.distribution.manifest.list.v2+json');
  t.same(JSON.parse(got.body), local, 'the index as stored');
  for (const m of local.manifests) t.equal((await getManifest(dest, 'pushed/app', m.digest)).status, 200, `entry ${m.digest} is there`);
  for (const d of [arm64.configDigest, ...arm64.layers.map((l) => l.digest)]) t.ok(await hasBlob(dest, 'pushed/app', d), `arm64 blob ${d} copied`);

  // --all=false: the index alone (its images are already in that repository); `push` of a list does what manifest push does
  r = await env.tspod(['manifest', 'push', '--all=false', 'app:1', `${dest.host}/pushed/app:v2`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.notMatch(r.stderr, /Copying image/, 'no image copied');
  t.same(JSON.parse((await getManifest(dest, 'pushed/app', 'v2')).body), local);
  r = await env.tspod(['push', 'app:1', `${dest.host}/other/app:v1`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(JSON.parse((await getManifest(dest, 'other/app', 'v1')).body), local, 'push LIST DEST pushes the list');
  for (const m of local.manifests) t.equal((await getManifest(dest, 'other/app', m.digest)).status, 200, `and its entry ${m.digest}`);

  // to the same registry, as an OCI index, with a digest file; then remove the list
  const digestfile = `${env.dir}/digest`;
  r = await env.tspod(['manifest', 'push', '--format', 'oci', '--digestfile', digestfile, '--rm', 'app:1', `${reg.host}/pushed/app:oci`]);
  t.equal(r.exitCode, 0, r.stderr);
  const oci = await getManifest(reg, 'pushed/app', 'oci');
  t.equal(oci.type, 'application/vnd.oci.image.index.v1+json');
  const { readFileSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  t.equal(readFileSync(digestfile, 'utf8'), `sha256:${createHash('sha256').update(oci.body).digest('hex')}`);
  t.equal((await env.tspod(['manifest', 'exists', 'app:1'])).exitCode, 1, '--rm removed the list');
  t.equal((await env.tspod(['image', 'exists', LOCAL])).exitCode, 0, 'not its images');

  // what was pushed is an image a fresh store pulls and runs
  const env2 = await makeEnv(t, { insecure: [dest.host] });
  r = await env2.tspod(['run', '--rm', `${dest.host}/pushed/app:v1`, 'echo', 'pulled through the list']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'pulled through the list');

  r = await env.tspod(['manifest', 'push', 'nope', `${dest.host}/x:1`]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /nope: image not known/);
});

t.test('through the Docker API: a list is listed, tagged and removed like an image', async (t) => {
  let r = await env.tspod(['manifest', 'create', 'apilist:1']);
  t.equal(r.exitCode, 0, r.stderr);
  const listId = r.stdout.trim();
  const svc = await startApiService(env);
  t.teardown(() => svc.stop());
  let d = await docker(svc, env, ['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.equal(d.exitCode, 0, d.stderr);
  t.match(d.stdout, `localhost/apilist:1 sha256:${listId}`);
  d = await docker(svc, env, ['tag', 'localhost/apilist:1', 'localhost/apilist:2']);
  t.equal(d.exitCode, 0, d.stderr);
  d = await docker(svc, env, ['rmi', 'localhost/apilist:1', 'localhost/apilist:2']);
  t.equal(d.exitCode, 0, d.stderr);
  t.match(d.stdout, `Deleted: sha256:${listId}`);
  t.equal((await env.tspod(['manifest', 'exists', 'apilist:1'])).exitCode, 1);
  d = await docker(svc, env, ['rmi', 'localhost/apilist:1']);
  t.not(d.exitCode, 0, 'gone');
});
