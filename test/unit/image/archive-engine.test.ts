// save/load against a real image store in a temp directory: what is stored,
// what is written, and that a failed load leaves nothing behind.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { loadImages, saveImages } from '../../../src/engine/archive.js';
import { ImageStore } from '../../../src/image/store.js';
import { openSource, readArchive } from '../../../src/image/archive/index.js';
import { DigestMismatchError, InvalidArgumentError, NotFoundError, UnsafeLayerError } from '../../../src/util/errors.js';
import { MT } from '../../../src/image/types.js';
import { buildFileLayer, buildImage, buildTar, layerFromTar, sha256, type BuiltImage } from '../../fixtures/image-builder.js';

function tmp(t: Test): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-archive-engine-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function haveSkopeo(t: Test): boolean {
  try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); return true; } catch {
    t.fail('skopeo is required for these tests: apt-get install skopeo');
    return false;
  }
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function writeLayout(dir: string, name: string, image: BuiltImage): void {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (d: string, b: Buffer): void => fs.writeFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)), b);
  for (const l of image.layers) put(l.digest, l.bytes);
  put(image.configDigest, image.configBytes);
  put(image.manifestDigest, image.manifestBytes);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': name } }] }));
}

async function baseLayer() {
  return buildFileLayer({ 'etc/': { type: 'dir' }, 'etc/hello': 'hello\n', 'etc/link': { type: 'symlink', target: 'hello' } });
}

async function twoLayerImage(): Promise<BuiltImage> {
  const top = await buildFileLayer({ 'etc/second': 'two\n', 'bin/': { type: 'dir' }, 'bin/tool': { content: '#!/bin/sh\n', mode: 0o755 } });
  return buildImage({ layers: [await baseLayer(), top], config: { Cmd: ['/bin/tool'], Labels: { 'org.test': 'yes' } } });
}

/** Everything on disk under the store, except the index and lock-free dirs, for "nothing stored" checks. */
function storeFiles(store: ImageStore): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number): void => {
    let ents: fs.Dirent[] = [];
    try { ents = fs.readdirSync(p, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const a = path.join(p, e.name);
      out.push(path.relative(store.dir, a));
      if (e.isDirectory() && depth < 3) walk(a, depth + 1);
    }
  };
  walk(store.dir, 0);
  return out.filter((f) => !['blobs', 'blobs/sha256', 'layers', 'tmp', 'trash', 'storage.json'].includes(f)).sort();
}

/**
 * A store with an (empty) index file. ImageStore.read() hands out a shared module-level EMPTY
 * object when storage.json is missing, and update() then mutates it, so several stores in one
 * process would see each other's records: give each its own file.
 */
function freshStore(root: string): ImageStore {
  const store = new ImageStore(root);
  fs.mkdirSync(store.dir, { recursive: true });
  fs.writeFileSync(store.indexFile, JSON.stringify({ version: 1, images: [], layers: [] }));
  return store;
}

function ttyWritable(): Writable & { isTTY: boolean } {
  return Object.assign(new Writable({ write(_c, _e, cb) { cb(); } }), { isTTY: true });
}

function collector(): { stream: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }), data: () => Buffer.concat(chunks) };
}

t.test('load a skopeo docker-archive, save it back, load that into another store', async (t) => {
  if (!haveSkopeo(t)) return;
  const dir = tmp(t);
  const built = await twoLayerImage();
  writeLayout(path.join(dir, 'lay'), 'v1', built);
  skopeo('copy', `oci:${dir}/lay:v1`, `docker-archive:${dir}/d.tar:busybox:v1`);
  const store = freshStore(path.join(dir, 'root'));
  const rep = await loadImages({ input: path.join(dir, 'd.tar') }, store);
  t.same(rep.names, ['docker.io/library/busybox:v1'], 'short RepoTags qualified with docker.io like podman');
  t.same(rep.ids, [built.configDigest.slice(7)], 'image ID is the config digest');
  const idx = store.read();
  t.equal(idx.images.length, 1);
  const img = idx.images[0]!;
  t.equal(img.manifestMediaType, MT.dockerManifest, 'a v2s2 manifest for a docker-archive');
  t.same(img.layers, built.layers.map((l) => l.diffID));
  t.same(img.repoDigests, [`docker.io/library/busybox@${img.digest}`]);
  t.same(img.labels, { 'org.test': 'yes' });
  t.equal(img.size, built.layers.reduce((a, l) => a + l.tar.length, 0));
  t.equal(fs.readFileSync(path.join(store.layerDiff(built.layers[0]!.diffID), 'etc/hello'), 'utf8'), 'hello\n', 'layer unpacked');
  t.equal(fs.readlinkSync(path.join(store.layerDiff(built.layers[0]!.diffID), 'etc/link')), 'hello');
  t.equal(fs.statSync(path.join(store.layerDiff(built.layers[1]!.diffID), 'bin/tool')).mode & 0o777, 0o755);
  for (const l of idx.layers) {
    const blob = store.readBlob(l.compressedDigest);
    t.equal(sha256(blob), l.compressedDigest, 'stored blob matches its digest');
    t.equal(sha256(zlib.gunzipSync(blob)), l.id, 'and gunzips to the diffID');
    t.equal(l.mediaType, MT.dockerLayerGzip);
  }
  t.same(JSON.parse(store.readBlob(img.digest).toString()).config.digest, built.configDigest, 'manifest stored');
  t.same(fs.readdirSync(store.tmpDir()), [], 'no temp leftovers');

  // save -> a docker-archive with the same config and uncompressed layers
  const out = path.join(dir, 'saved.tar');
  const srep = await saveImages({ names: ['busybox:v1'], output: out }, store);
  t.same(srep.images, [{ id: img.id, names: ['docker.io/library/busybox:v1'] }]);
  const back = await readArchive(await openSource(out, tmp(t)));
  t.same(back.images[0]!.names, ['docker.io/library/busybox:v1']);
  t.equal(back.images[0]!.configDigest, built.configDigest);
  t.notOk(fs.readdirSync(dir).some((f) => f.includes('.tmp-')), 'no temp file left next to the output');

  const store2 = freshStore(path.join(dir, 'root2'));
  const rep2 = await loadImages({ input: out }, store2);
  t.same(rep2.ids, rep.ids, 'same image ID after a round trip');
  t.same(store2.read().layers.map((l) => l.id).sort(), idx.layers.map((l) => l.id).sort());

  // loading again changes nothing; a second name is added
  await loadImages({ input: out }, store2);
  t.equal(store2.read().images.length, 1);
  t.equal(store2.read().layers.length, 2);
});

t.test('oci-archive keeps manifest and blob digests both ways', async (t) => {
  if (!haveSkopeo(t)) return;
  const dir = tmp(t);
  const built = await twoLayerImage();
  writeLayout(path.join(dir, 'lay'), 'v1', built);
  skopeo('copy', `oci:${dir}/lay:v1`, `oci-archive:${dir}/o.tar:mybox:v2`);
  const store = freshStore(path.join(dir, 'root'));
  const rep = await loadImages({ input: path.join(dir, 'o.tar') }, store);
  t.same(rep.names, ['localhost/mybox:v2']);
  const img = store.read().images[0]!;
  t.equal(img.digest, built.manifestDigest, 'manifest digest preserved');
  t.same(store.read().layers.map((l) => l.compressedDigest).sort(), built.layers.map((l) => l.digest).sort(), 'original blobs kept');
  const out = path.join(dir, 'saved-oci.tar');
  await saveImages({ names: ['mybox:v2'], output: out, format: 'oci-archive' }, store);
  const info = JSON.parse(skopeo('inspect', `oci-archive:${out}`)) as { Digest: string; Layers: string[] };
  t.equal(info.Digest, built.manifestDigest, 'skopeo sees the original manifest digest');
  t.same(info.Layers, built.layers.map((l) => l.digest));
  const idx = JSON.parse(execFileSync('tar', ['-xOf', out, 'index.json'], { encoding: 'utf8' }));
  t.equal(idx.manifests[0].annotations['org.opencontainers.image.ref.name'], 'localhost/mybox:v2', 'full name in ref.name, like podman');
});

t.test('a layer shared with a stored image is reused, not unpacked again', async (t) => {
  const dir = tmp(t);
  const store = freshStore(path.join(dir, 'root'));
  const base = await baseLayer();
  const a = buildImage({ layers: [base], config: { Cmd: ['a'] } });
  const b = buildImage({ layers: [base, await buildFileLayer({ b: 'b\n' })], config: { Cmd: ['b'] } });
  writeLayout(path.join(dir, 'a'), 'a:1', a);
  writeLayout(path.join(dir, 'b'), 'b:1', b);
  await loadImages({ input: path.join(dir, 'a') }, store);
  const marker = path.join(store.layerDiff(base.diffID), 'marker');
  fs.writeFileSync(marker, 'x');
  await loadImages({ input: path.join(dir, 'b') }, store);
  t.ok(fs.existsSync(marker), 'existing layer directory untouched');
  t.equal(store.read().layers.length, 2);
  t.same(store.read().images.map((i) => i.names[0]).sort(), ['localhost/a:1', 'localhost/b:1']);
  // both in one docker-archive
  const out = path.join(dir, 'm.tar');
  await saveImages({ names: ['a:1', 'b:1'], output: out, multiImageArchive: true }, store);
  const back = await readArchive(await openSource(out, tmp(t)));
  t.same(back.images.map((i) => i.names), [['localhost/a:1'], ['localhost/b:1']]);
});

async function dockerArchive(entries: Array<{ name: string; content: Buffer | string }>, file: string): Promise<void> {
  fs.writeFileSync(file, await buildTar(entries));
}

t.test('a failed load stores nothing', async (t) => {
  const dir = tmp(t);
  const good = await baseLayer();
  const other = await buildFileLayer({ 'etc/other': 'not the layer the config names\n' });
  const top = await buildFileLayer({ 'etc/top': 'the layer the config names\n' });
  const img = buildImage({ layers: [good, top] });
  const store = freshStore(path.join(dir, 'root'));
  const before = storeFiles(store);

  // 1. diffID mismatch in a docker-archive (second layer's content differs from the config)
  const f1 = path.join(dir, 'mismatch.tar');
  await dockerArchive([
    { name: 'c.json', content: img.configBytes },
    { name: 'l1.tar', content: good.tar },
    { name: 'l2.tar', content: other.tar },
    { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', RepoTags: ['localhost/bad:1'], Layers: ['l1.tar', 'l2.tar'] }]) },
  ], f1);
  const e1 = await loadImages({ input: f1 }, store).then(() => undefined, (e: unknown) => e);
  t.ok(e1 instanceof DigestMismatchError, `DigestMismatchError: ${(e1 as Error | undefined)?.message}`);
  t.match((e1 as Error).message, /layer 2\/2 \(l2.tar\): content does not match the image config/);

  // 2. an OCI layer blob whose bytes do not match the manifest's digest (valid gzip, other content)
  const lay = path.join(dir, 'lay');
  const one = buildImage({ layers: [good] });
  writeLayout(lay, 'x:1', one);
  fs.writeFileSync(path.join(lay, 'blobs', 'sha256', good.digest.slice(7)), zlib.gzipSync(good.tar, { level: 9 }));
  const e2 = await loadImages({ input: lay }, store).then(() => undefined, (e: unknown) => e);
  t.ok(e2 instanceof DigestMismatchError, `DigestMismatchError: ${(e2 as Error | undefined)?.message}`);

  // 3. a hostile layer
  const evil = layerFromTar(await buildTar([{ name: '../escape', content: 'x' }]));
  const bad = buildImage({ layers: [evil] });
  const f3 = path.join(dir, 'evil.tar');
  await dockerArchive([{ name: 'c.json', content: bad.configBytes }, { name: 'l.tar', content: evil.bytes }, { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: ['l.tar'] }]) }], f3);
  const e3 = await loadImages({ input: f3 }, store).then(() => undefined, (e: unknown) => e);
  t.ok(e3 instanceof UnsafeLayerError, `UnsafeLayerError: ${(e3 as Error | undefined)?.message}`);
  t.notOk(fs.existsSync(path.join(dir, 'escape')) || fs.existsSync(path.join(store.dir, 'escape')), 'nothing written outside');

  // 4. not an archive at all
  const f4 = path.join(dir, 'garbage.tar');
  fs.writeFileSync(f4, 'garbage\n'.repeat(100));
  await t.rejects(loadImages({ input: f4 }, store), /garbage.tar: not a tar archive/);

  t.same(store.read().images, [], 'no image recorded');
  t.same(store.read().layers, [], 'no layer recorded');
  t.same(storeFiles(store), before, 'no blob, layer or temp file left');
  t.same(fs.readdirSync(store.tmpDir()), []);
});

t.test('stdin and stdout', async (t) => {
  const dir = tmp(t);
  const store = freshStore(path.join(dir, 'root'));
  const img = buildImage({ layers: [await baseLayer()] });
  writeLayout(path.join(dir, 'lay'), 'io:1', img);
  await loadImages({ input: path.join(dir, 'lay') }, store);
  const out = collector();
  await saveImages({ names: ['io:1'], stdout: out.stream }, store);
  t.ok(out.data().length > 1024, 'archive written to stdout');
  const store2 = freshStore(path.join(dir, 'root2'));
  const stdin = new PassThrough();
  stdin.end(out.data());
  const rep = await loadImages({ stdin }, store2);
  t.same(rep.names, ['localhost/io:1']);
  t.same(rep.ids, [img.configDigest.slice(7)]);
  const gz = new PassThrough();
  gz.end(zlib.gzipSync(out.data()));
  t.same((await loadImages({ stdin: gz }, freshStore(path.join(dir, 'root3')))).names, ['localhost/io:1'], 'a gzipped archive on stdin');
  await t.rejects(loadImages({ stdin: Object.assign(Readable.from([]), { isTTY: true }) }, store2), /cannot read from terminal/);
  await t.rejects(saveImages({ names: ['io:1'], stdout: ttyWritable() }, store), /refusing to save to terminal\. Use -o flag or redirect/);
});

t.test('save: names, tags and option errors', async (t) => {
  const dir = tmp(t);
  const store = freshStore(path.join(dir, 'root'));
  const img = buildImage({ layers: [await baseLayer()] });
  writeLayout(path.join(dir, 'lay'), 'tags:1', img);
  await loadImages({ input: path.join(dir, 'lay') }, store);
  const out = path.join(dir, 'x.tar');
  const rep = await saveImages({ names: ['tags:1', 'extra:2', 'quay.io/a/b:3'], output: out }, store);
  t.same(rep.images[0]!.names, ['localhost/tags:1', 'localhost/extra:2', 'quay.io/a/b:3'], 'extra args are extra tags');
  const byId = await saveImages({ names: [img.configDigest.slice(7, 19)], output: out }, store);
  t.same(byId.images[0]!.names, [], 'saved by ID: no RepoTags (as podman)');
  const cases: Array<[Parameters<typeof saveImages>[0], RegExp, unknown]> = [
    [{ names: ['nope:1'], output: out }, /nope:1: image not known/, NotFoundError],
    [{ names: ['tags:1'], output: out, format: 'oci-archive', multiImageArchive: true }, /unsupported format "oci-archive" for saving multiple images \(only docker-archive\)/, InvalidArgumentError],
    [{ names: ['tags:1'], output: out, compress: true }, /--compress can only be set when --format is 'docker-dir'/, InvalidArgumentError],
    [{ names: ['tags:1'], output: out, format: 'tar' as never }, /unsupported format "tar"/, InvalidArgumentError],
    [{ names: ['tags:1'], format: 'oci-dir', stdout: collector().stream }, /--output is required/, InvalidArgumentError],
    [{ names: [], output: out }, /at least one image/, InvalidArgumentError],
    [{ names: ['tags:1'], output: dir }, /is a directory/, InvalidArgumentError],
  ];
  for (const [o, re, cls] of cases) {
    const err = await saveImages(o, store).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof (cls as typeof Error), `${re}: right class`);
    t.match((err as Error | undefined)?.message ?? '', re);
  }
  // dir formats create a new directory and refuse a non-empty one
  const od = path.join(dir, 'odir');
  await saveImages({ names: ['tags:1'], output: od, format: 'oci-dir' }, store);
  t.ok(fs.existsSync(path.join(od, 'index.json')));
  await t.rejects(saveImages({ names: ['tags:1'], output: od, format: 'oci-dir' }, store), /already exists/);
  const dd = path.join(dir, 'ddir');
  await saveImages({ names: ['tags:1'], output: dd, format: 'docker-dir', compress: true }, store);
  const store2 = freshStore(path.join(dir, 'root2'));
  const rep2 = await loadImages({ input: dd }, store2);
  t.same(rep2.ids, [img.configDigest.slice(7)], 'docker-dir loads back');
  t.same(rep2.names, [], 'docker-dir carries no name');
});
