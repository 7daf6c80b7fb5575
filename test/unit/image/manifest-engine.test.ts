// Manifest lists against a real image store in a temp directory: the record a list is, the
// index it stores (Podman's key order, Docker list type), entries from local images and
// local lists, overrides, annotate/remove, and the errors (nothing written on a failure).
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageStore } from '../../../src/image/store.js';
import { MT, isManifestList, type ImageRecord } from '../../../src/image/types.js';
import { readImageConfig } from '../../../src/image/config.js';
import { listInstance, readIndex } from '../../../src/image/manifest-list.js';
import { selectPlatform, defaultPlatform } from '../../../src/image/platform.js';
import {
  addToManifest, annotateManifest, createManifest, inspectManifest, manifestExists, removeFromManifest, removeManifests, serializeIndex,
} from '../../../src/engine/manifest.js';
import { buildImage, buildTar, layerFromTar, type BuiltImage } from '../../fixtures/image-builder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-manifest-engine-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
// events and locks of this process go to the temp dir too
process.env['TSPOD_ROOT'] = path.join(dir, 'root');
process.env['TSPOD_RUNROOT'] = path.join(dir, 'run');
const store = new ImageStore(path.join(dir, 'root'));

/** An image in the store as pull records one (blobs and record; its layer is not unpacked: not needed here). */
async function addImage(name: string, opts: { architecture?: string; variant?: string } = {}): Promise<{ rec: ImageRecord; built: BuiltImage }> {
  const layer = layerFromTar(await buildTar([{ name: `${name}.txt`, type: 'file', content: name }]));
  const built = buildImage({ layers: [layer], ...opts });
  store.writeBlob(built.configDigest, built.configBytes);
  store.writeBlob(built.manifestDigest, built.manifestBytes);
  const rec: ImageRecord = {
    id: built.configDigest.slice(7), names: [`localhost/${name}:1`], repoDigests: [], digest: built.manifestDigest, manifestMediaType: built.manifestMediaType,
    configDigest: built.configDigest, layers: [layer.diffID], size: layer.bytes.length, created: new Date().toISOString(), added: new Date().toISOString(),
  };
  await store.update((idx) => { idx.images.push(rec); });
  return { rec, built };
}

t.test('create: a record with no config and no layers, a random ID, the index as its manifest', async (t) => {
  const r = await createManifest({ list: 'empty:1' }, store);
  t.match(r.id, /^[0-9a-f]{64}$/);
  const rec = store.listImages().find((i) => i.id === r.id)!;
  t.ok(isManifestList(rec));
  t.same(rec.names, ['localhost/empty:1']);
  t.same(rec.layers, []);
  t.equal(rec.configDigest, '');
  const bytes = store.readBlob(rec.digest);
  t.equal(bytes.toString(), '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}');
  t.equal(rec.size, bytes.length, 'its size is the index\'s');
  t.same(rec.repoDigests, [`localhost/empty@${rec.digest}`]);
  t.throws(() => readImageConfig(rec, store), /localhost\/empty:1 is a manifest list, not an image/);
  t.ok(manifestExists('empty:1', store));
  await t.rejects(createManifest({ list: 'empty:1' }, store), { message: /image name "localhost\/empty:1" is already associated with image "[0-9a-f]{64}": that name is already in use/, exitCode: 125 });
  t.equal((await createManifest({ list: 'empty:1', amend: true }, store)).id, r.id, '--amend: the same list');
  await t.rejects(createManifest({ list: 'bad@sha256:' + 'a'.repeat(64) }, store), /cannot hold a digest/);
});

t.test('add: local images with their platform, overrides, local lists; annotate; remove', async (t) => {
  const a = await addImage('amd', {});
  const b = await addImage('arm', { architecture: 'arm64', variant: 'v8' });
  const { id } = await createManifest({ list: 'app:1', images: ['amd:1'] }, store);
  await addToManifest({ list: 'app:1', images: ['containers-storage:localhost/arm:1'], osVersion: '7.7', annotations: ['k=v', 'x=a=b'] }, store);
  const rec = store.listImages().find((i) => i.id === id)!;
  const index = readIndex(rec, store);
  t.same(index.manifests, [
    { mediaType: MT.ociManifest, size: a.built.manifestBytes.length, digest: a.built.manifestDigest, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MT.ociManifest, size: b.built.manifestBytes.length, digest: b.built.manifestDigest, platform: { architecture: 'arm64', os: 'linux', 'os.version': '7.7', variant: 'v8' }, annotations: { k: 'v', x: 'a=b' } },
  ]);
  t.same(Object.keys(index.manifests[1]!), ['mediaType', 'size', 'digest', 'platform', 'annotations'], 'Podman\'s key order');
  t.equal(listInstance(rec, store).id, a.rec.id, 'the list stands for its image for this platform');
  t.equal(listInstance(rec, store, 'linux/arm64').id, b.rec.id, '--platform picks another');
  t.throws(() => listInstance(rec, store, 'linux/s390x'), /no image found in manifest list for architecture s390x, variant "", OS linux: image not known/);

  // a local list as the image: its entry for this platform, or every one with --all
  await createManifest({ list: 'copy:1', images: ['app:1'] }, store);
  t.same(readIndex(store.resolve('copy:1'), store).manifests.map((m) => m.digest), [a.built.manifestDigest]);
  await addToManifest({ list: 'copy:1', images: ['app:1'], all: true, arch: 'riscv64' }, store);
  t.same(readIndex(store.resolve('copy:1'), store).manifests.map((m) => `${m.digest.slice(7, 12)} ${m.platform?.architecture}`),
    [a.built.manifestDigest, b.built.manifestDigest].map((d) => `${d.slice(7, 12)} riscv64`), 'replaced in place, overrides on each');

  await annotateManifest({ list: 'app:1', digest: b.built.manifestDigest, os: 'freebsd', annotations: ['k=w'] }, store);
  const annotated = readIndex(store.resolve('app:1'), store).manifests[1]!;
  t.equal(annotated.platform?.os, 'freebsd');
  t.same(annotated.annotations, { k: 'w', x: 'a=b' });
  await t.rejects(annotateManifest({ list: 'app:1', digest: `sha256:${'0'.repeat(64)}` }, store), /no instance matching digest/);

  const before = store.resolve('app:1').digest;
  await removeFromManifest({ list: 'app:1', digest: b.built.manifestDigest }, store);
  const after = store.resolve('app:1');
  t.not(after.digest, before, 'a new index, a new digest');
  t.same(readIndex(after, store).manifests.map((m) => m.digest), [a.built.manifestDigest]);
  t.same(JSON.parse(await inspectManifest({ name: 'app:1' }, store)), JSON.parse(store.readBlob(after.digest).toString()));
  t.match(await inspectManifest({ name: 'app:1' }, store), /^\{\n {4}"schemaVersion": 2,/);
});

t.test('errors: Podman\'s wording, nothing written', async (t) => {
  const snapshot = JSON.stringify(store.read());
  await t.rejects(addToManifest({ list: 'nope:1', images: ['amd:1'] }, store), { message: 'nope:1: image not known', exitCode: 125 });
  await t.rejects(addToManifest({ list: 'amd:1', images: ['amd:1'] }, store), { message: 'localhost/amd:1: image is not a manifest list' });
  await t.rejects(addToManifest({ list: 'app:1', images: ['containers-storage:gone:1'] }, store), { message: 'gone:1: image not known' });
  await t.rejects(addToManifest({ list: 'app:1', images: ['oci-archive:/x.tar'] }, store), /transport is not supported/);
  await t.rejects(addToManifest({ list: 'app:1', images: ['amd:1'], annotations: ['novalue'] }, store), /KEY=VALUE/);
  await t.rejects(createManifest({ list: 'new:1', images: ['containers-storage:gone:1'] }, store), /gone:1: image not known/);
  await t.rejects(removeFromManifest({ list: 'app:1', digest: 'sha256:12' }, store), /invalid image digest "sha256:12"/);
  await t.rejects(inspectManifest({ name: 'localhost/amd:1' }, store), /localhost\/amd:1: image is not a manifest list/);
  t.equal(JSON.stringify(store.read()), snapshot, 'the index is unchanged');
  t.notOk(manifestExists('amd:1', store));
});

t.test('rm: lists only, reports as rmi', async (t) => {
  const reps = await removeManifests(['copy:1', 'amd:1', 'nope'], store);
  t.same(reps.map((r) => [r.input, r.untagged, r.deleted.length, r.error?.message]), [
    ['copy:1', ['localhost/copy:1'], 1, undefined],
    ['amd:1', [], 0, 'localhost/amd:1: image is not a manifest list'],
    ['nope', [], 0, 'nope: image not known'],
  ]);
  t.notOk(manifestExists('copy:1', store));
  t.ok(store.listImages().some((i) => i.names.includes('localhost/amd:1')), 'the image stays');
});

t.test('serializeIndex and selectPlatform (moved out of the registry client)', async (t) => {
  t.equal(serializeIndex(MT.ociIndex, [], { a: 'b' }).toString(), '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"a":"b"}}');
  const d = { mediaType: MT.ociManifest, size: 1, digest: `sha256:${'1'.repeat(64)}`, platform: defaultPlatform() };
  t.equal(selectPlatform({ schemaVersion: 2, manifests: [d] }, defaultPlatform()), d);
});
