// Archive formats: reading what skopeo writes, writing what skopeo (and so
// podman's containers/image) reads, round trips, and malformed input.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import {
  openSource, readArchive, writeArchive, TarSink, DirSink, ArchiveFormatError, pickPlatform,
  type ExportImage, type ArchiveImage, type ArchiveFormat,
} from '../../../src/image/archive/index.js';
import { indexTar } from '../../../src/image/archive/tar-index.js';
import { DigestMismatchError } from '../../../src/util/errors.js';
import { MT } from '../../../src/image/types.js';
import { buildFileLayer, buildImage, buildIndex, buildTar, type BuiltImage } from '../../fixtures/image-builder.js';

function tmp(t: Test): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-archive-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function sha(b: Buffer): string { return `sha256:${createHash('sha256').update(b).digest('hex')}`; }

async function collect(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

function haveSkopeo(t: Test): boolean {
  try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); return true; } catch {
    t.fail('skopeo is required for the interoperability tests: apt-get install skopeo');
    return false;
  }
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Write an OCI layout directory holding `images` (name -> image). */
function writeLayout(dir: string, images: Array<{ name?: string; image: BuiltImage }>, extra: Array<{ bytes: Buffer; digest: string; mediaType: string; name?: string }> = []): void {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (d: string, b: Buffer): void => fs.writeFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)), b);
  const manifests: unknown[] = [];
  for (const { name, image } of images) {
    for (const l of image.layers) put(l.digest, l.bytes);
    put(image.configDigest, image.configBytes);
    put(image.manifestDigest, image.manifestBytes);
    manifests.push({ mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length, ...(name ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}) });
  }
  for (const e of extra) {
    put(e.digest, e.bytes);
    manifests.push({ mediaType: e.mediaType, digest: e.digest, size: e.bytes.length, ...(e.name ? { annotations: { 'org.opencontainers.image.ref.name': e.name } } : {}) });
  }
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

async function twoLayerImage(): Promise<BuiltImage> {
  const l1 = await buildFileLayer({ 'etc/': { type: 'dir' }, 'etc/hello': 'hello\n', 'bin/': { type: 'dir' }, 'bin/tool': { content: '#!/bin/sh\necho hi\n', mode: 0o755 } });
  const l2 = await buildFileLayer({ 'etc/second': 'two\n', 'etc/link': { type: 'symlink', target: 'hello' } });
  return buildImage({ layers: [l1, l2], config: { Cmd: ['/bin/sh'], Labels: { 'org.test': 'yes' } } });
}

/** An ExportImage straight from a built image (compressed blobs from memory). */
function exportOf(img: BuiltImage, names: string[], blobOverride?: Buffer): ExportImage {
  return {
    id: img.configDigest.slice(7),
    names,
    config: img.configBytes,
    configDigest: img.configDigest,
    manifest: { bytes: img.manifestBytes, digest: img.manifestDigest, mediaType: img.manifestMediaType },
    layers: img.layers.map((l, i) => ({
      diffID: l.diffID,
      size: l.tar.length,
      compressedDigest: l.digest,
      compressedSize: l.size,
      mediaType: l.mediaType,
      openCompressed: () => Readable.from([i === 0 && blobOverride ? blobOverride : l.bytes]),
    })),
  };
}

async function writeTo(file: string, format: ArchiveFormat, images: ExportImage[]): Promise<void> {
  const sink = format.endsWith('-dir') ? new DirSink(file) : new TarSink(fs.createWriteStream(file));
  await writeArchive(sink, format, images);
  await sink.finish();
}

async function readFrom(t: Test, p: string): Promise<{ format: string; images: ArchiveImage[] }> {
  const work = tmp(t);
  return readArchive(await openSource(p, work));
}

async function checkLayers(t: Test, img: ArchiveImage, built: BuiltImage): Promise<void> {
  t.equal(img.layers.length, built.layers.length, 'layer count');
  for (const [i, l] of img.layers.entries()) {
    t.equal(l.diffID, built.layers[i]!.diffID, `layer ${i} diffID`);
    let data = await collect(l.open());
    if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
    t.equal(sha(data), built.layers[i]!.diffID, `layer ${i} content matches its diffID`);
  }
}

t.test('reads a docker-archive written by skopeo (short names become docker.io names)', async (t) => {
  if (!haveSkopeo(t)) return;
  const dir = tmp(t);
  const built = await twoLayerImage();
  writeLayout(path.join(dir, 'lay'), [{ name: 'v1', image: built }]);
  skopeo('copy', `oci:${dir}/lay:v1`, `docker-archive:${dir}/d.tar:busybox:v1`);
  const { format, images } = await readFrom(t, path.join(dir, 'd.tar'));
  t.equal(format, 'docker-archive');
  t.equal(images.length, 1);
  const img = images[0]!;
  t.same(img.names, ['docker.io/library/busybox:v1']);
  t.equal(img.configDigest, built.configDigest, 'config bytes kept (image ID preserved)');
  await checkLayers(t, img, built);
});

t.test('reads an oci-archive written by skopeo, keeping the manifest digest', async (t) => {
  if (!haveSkopeo(t)) return;
  const dir = tmp(t);
  const built = await twoLayerImage();
  writeLayout(path.join(dir, 'lay'), [{ name: 'v1', image: built }]);
  skopeo('copy', `oci:${dir}/lay:v1`, `oci-archive:${dir}/o.tar:mybox:v2`);
  skopeo('copy', `oci:${dir}/lay:v1`, `oci-archive:${dir}/tag.tar:v3`);
  skopeo('copy', `oci:${dir}/lay:v1`, `oci-archive:${dir}/full.tar:quay.io/me/box:v4`);
  const { format, images } = await readFrom(t, path.join(dir, 'o.tar'));
  t.equal(format, 'oci');
  t.same(images[0]!.names, ['localhost/mybox:v2'], 'short ref.name qualified with localhost/ like podman');
  t.equal(images[0]!.manifest?.digest, built.manifestDigest);
  t.equal(images[0]!.configDigest, built.configDigest);
  await checkLayers(t, images[0]!, built);
  t.same((await readFrom(t, path.join(dir, 'tag.tar'))).images[0]!.names, ['localhost/v3:latest'], 'a bare tag reads like podman does');
  t.same((await readFrom(t, path.join(dir, 'full.tar'))).images[0]!.names, ['quay.io/me/box:v4']);
});

t.test('docker-archive round trip, and skopeo reads what we write', async (t) => {
  const dir = tmp(t);
  const built = await twoLayerImage();
  const file = path.join(dir, 'out.tar');
  await writeTo(file, 'docker-archive', [exportOf(built, ['localhost/box:1', 'quay.io/x/y:2'])]);
  const members = indexTar(file);
  t.ok(members.get('manifest.json') && members.get('repositories'), 'manifest.json and repositories');
  t.ok(members.get(`${built.configDigest.slice(7)}.json`), 'config named by its hex');
  for (const l of built.layers) {
    const m = members.get(`${l.diffID.slice(7)}.tar`);
    t.equal(m?.size, l.tar.length, 'layers are uncompressed tars named by diffID');
  }
  t.ok([...members.values()].some((m) => m.type === 'symlink' && m.name.endsWith('/layer.tar')), 'legacy <id>/layer.tar links');
  const { images } = await readFrom(t, file);
  t.same(images[0]!.names, ['localhost/box:1', 'quay.io/x/y:2']);
  t.equal(images[0]!.configDigest, built.configDigest);
  await checkLayers(t, images[0]!, built);
  if (!haveSkopeo(t)) return;
  const info = JSON.parse(skopeo('inspect', `docker-archive:${file}:localhost/box:1`)) as { Layers: string[] };
  t.equal(info.Layers.length, 2, 'skopeo inspects our docker-archive');
  skopeo('copy', `docker-archive:${file}:quay.io/x/y:2`, `oci:${dir}/back:z`);
  // (skopeo re-serialises the config when converting to OCI, so compare content, not bytes)
  const back = await readFrom(t, path.join(dir, 'back'));
  t.same(JSON.parse(back.images[0]!.config.toString()).rootfs, JSON.parse(built.configBytes.toString()).rootfs, 'skopeo copies it: same layers');
  await checkLayers(t, back.images[0]!, built);
});

t.test('oci-archive and oci-dir round trip keep every digest; skopeo reads them', async (t) => {
  const dir = tmp(t);
  const built = await twoLayerImage();
  const file = path.join(dir, 'out.tar');
  await writeTo(file, 'oci-archive', [exportOf(built, ['localhost/box:1'])]);
  const { images } = await readFrom(t, file);
  t.same(images[0]!.names, ['localhost/box:1']);
  t.equal(images[0]!.manifest?.digest, built.manifestDigest, 'stored OCI manifest written unchanged');
  await checkLayers(t, images[0]!, built);
  const odir = path.join(dir, 'odir');
  await writeTo(odir, 'oci-dir', [exportOf(built, ['localhost/box:1'])]);
  t.equal((await readFrom(t, odir)).images[0]!.manifest?.digest, built.manifestDigest, 'oci-dir read back');
  if (!haveSkopeo(t)) return;
  const info = JSON.parse(skopeo('inspect', `oci-archive:${file}`)) as { Digest: string };
  t.equal(info.Digest, built.manifestDigest, 'skopeo sees the same manifest digest');
  const info2 = JSON.parse(skopeo('inspect', `oci:${odir}:localhost/box:1`)) as { Digest: string };
  t.equal(info2.Digest, built.manifestDigest);
});

t.test('a docker manifest is converted to OCI for oci-archive; docker-dir writes a v2s2 manifest', async (t) => {
  const dir = tmp(t);
  const l = await buildFileLayer({ 'a': 'a\n' }, { format: 'docker' });
  const built = buildImage({ layers: [l], format: 'docker' });
  const file = path.join(dir, 'out.tar');
  await writeTo(file, 'oci-archive', [exportOf(built, [])]);
  const { images } = await readFrom(t, file);
  t.not(images[0]!.manifest?.digest, built.manifestDigest, 'a new manifest');
  t.equal(JSON.parse(images[0]!.manifest!.bytes.toString()).mediaType, MT.ociManifest);
  t.equal(images[0]!.configDigest, built.configDigest, 'same config, same image ID');
  t.same(images[0]!.names, [], 'no name without ref.name');
  const ddir = path.join(dir, 'ddir');
  await writeTo(ddir, 'docker-dir', [exportOf(built, [])]);
  t.equal(fs.readFileSync(path.join(ddir, 'version'), 'utf8'), 'Directory Transport Version: 1.1\n');
  const m = JSON.parse(fs.readFileSync(path.join(ddir, 'manifest.json'), 'utf8'));
  t.equal(m.mediaType, MT.dockerManifest);
  t.equal(m.layers[0].digest, l.diffID, 'uncompressed layer named by diffID');
  const back = await readFrom(t, ddir);
  t.equal(back.format, 'docker-dir');
  await checkLayers(t, back.images[0]!, built);
  if (!haveSkopeo(t)) return;
  t.ok(JSON.parse(skopeo('inspect', `dir:${ddir}`)), 'skopeo reads our docker-dir');
});

t.test('a multi-image docker-archive; shared layers are written once', async (t) => {
  const dir = tmp(t);
  const base = await buildFileLayer({ 'base': 'base\n' });
  const top = await buildFileLayer({ 'top': 'top\n' });
  const a = buildImage({ layers: [base], config: { Cmd: ['a'] } });
  const b = buildImage({ layers: [base, top], config: { Cmd: ['b'] } });
  const file = path.join(dir, 'm.tar');
  await writeTo(file, 'docker-archive', [exportOf(a, ['localhost/a:latest']), exportOf(b, ['localhost/b:latest'])]);
  const tars = [...indexTar(file).keys()].filter((n) => /^[a-f0-9]{64}\.tar$/.test(n));
  t.equal(tars.length, 2, 'two distinct layer files');
  const { images } = await readFrom(t, file);
  t.same(images.map((i) => i.names[0]), ['localhost/a:latest', 'localhost/b:latest']);
  await checkLayers(t, images[1]!, b);
});

t.test('reads the legacy <id>/layer.tar layout, gzip-compressed layers, and a gzipped archive', async (t) => {
  const dir = tmp(t);
  const built = await twoLayerImage();
  const entries = [
    { name: 'cfg.json', content: built.configBytes },
    { name: 'aaa/VERSION', content: '1.0' },
    { name: 'aaa/json', content: '{}' },
    { name: 'aaa/layer.tar', content: built.layers[0]!.tar },
    { name: 'bbb/layer.tar', content: built.layers[1]!.bytes }, // gzip
    { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['example.com/x:1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]) },
  ];
  const archive = await buildTar(entries);
  fs.writeFileSync(path.join(dir, 'legacy.tar'), archive);
  const { images } = await readFrom(t, path.join(dir, 'legacy.tar'));
  t.same(images[0]!.names, ['example.com/x:1']);
  await checkLayers(t, images[0]!, built);
  fs.writeFileSync(path.join(dir, 'legacy.tar.gz'), zlib.gzipSync(archive));
  const gz = await readFrom(t, path.join(dir, 'legacy.tar.gz'));
  await checkLayers(t, gz.images[0]!, built);
});

t.test('nested index: picks the linux/amd64 image', async (t) => {
  const dir = tmp(t);
  const la = await buildFileLayer({ 'arch': 'amd64\n' });
  const lb = await buildFileLayer({ 'arch': 'arm64\n' });
  const amd = buildImage({ layers: [la], architecture: 'amd64' });
  const arm = buildImage({ layers: [lb], architecture: 'arm64' });
  const idx = buildIndex([{ image: arm, platform: { os: 'linux', architecture: 'arm64' } }, { image: amd, platform: { os: 'linux', architecture: 'amd64' } }]);
  const lay = path.join(dir, 'lay');
  writeLayout(lay, [{ image: arm }, { image: amd }]);
  // index.json points at the image index only
  fs.writeFileSync(path.join(lay, 'blobs', 'sha256', idx.digest.slice(7)), idx.bytes);
  fs.writeFileSync(path.join(lay, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: idx.mediaType, digest: idx.digest, size: idx.bytes.length, annotations: { 'org.opencontainers.image.ref.name': 'multi:1' } }] }));
  const { images } = await readArchive(await openSource(lay, tmp(t)), { os: 'linux', architecture: 'amd64' });
  t.equal(images.length, 1);
  t.equal(images[0]!.configDigest, amd.configDigest, 'amd64 chosen');
  t.same(images[0]!.names, ['localhost/multi:1']);
  const s390 = readArchive(await openSource(lay, tmp(t)), { os: 'linux', architecture: 's390x' });
  await t.rejects(s390, /no image for linux\/s390x \(it has: linux\/arm64, linux\/amd64\)/);
  t.equal(pickPlatform([{ mediaType: MT.ociManifest, digest: amd.manifestDigest, size: 1 }], { os: 'linux', architecture: 'amd64' })?.digest, amd.manifestDigest, 'a lone platform-less entry is taken');
});

t.test('malformed archives give one clear error', async (t) => {
  const dir = tmp(t);
  const built = await twoLayerImage();
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /archive is empty/],
    ['garbage', Buffer.from('garbage\n'), /not a tar archive/],
    ['garbage-long', Buffer.alloc(2048, 0x41), /not a tar archive/],
    ['no-manifest', await buildTar([{ name: 'hello', content: 'x' }]), /does not match any of the supported image formats/],
    ['bad-json', await buildTar([{ name: 'manifest.json', content: '{nope' }]), /manifest.json is not valid JSON/],
    ['not-list', await buildTar([{ name: 'manifest.json', content: '{}' }]), /not a list of images/],
    ['missing-config', await buildTar([{ name: 'manifest.json', content: '[{"Config":"c.json","Layers":[]}]' }]), /has no file "c.json"/],
    ['missing-layer', await buildTar([
      { name: 'c.json', content: built.configBytes },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: ['x.tar', 'y.tar'] }]) }]), /layer "x.tar" listed in manifest.json is missing/],
    ['count-mismatch', await buildTar([
      { name: 'c.json', content: built.configBytes },
      { name: 'x.tar', content: built.layers[0]!.tar },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: ['x.tar'] }]) }]), /lists 1 layers in manifest.json but its config has 2 diff_ids/],
    ['bad-tag', await buildTar([
      { name: 'c.json', content: built.configBytes },
      { name: 'x.tar', content: built.layers[0]!.tar },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', RepoTags: ['Bad Name'], Layers: ['x.tar', 'x.tar'] }]) }]), /invalid RepoTags entry "Bad Name"/],
    ['escape-link', await buildTar([
      { name: 'c.json', type: 'symlink', linkname: '../../etc/passwd' },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: [] }]) }]), /links outside the archive/],
    ['oci-no-manifests', await buildTar([{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', content: '{"schemaVersion":2}' }]), /index.json has no "manifests" list/],
    ['oci-missing-blob', await buildTar([{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociManifest, digest: built.manifestDigest, size: built.manifestBytes.length }] }) }]), /manifest sha256:[a-f0-9]+ is missing from the archive/],
  ];
  const full = await buildTar([{ name: 'manifest.json', content: 'x'.repeat(3000) }]);
  cases.push(['truncated', full.subarray(0, 1500), /truncated/]);
  for (const [name, bytes, re] of cases) {
    const f = path.join(dir, `${name}.tar`);
    fs.writeFileSync(f, bytes);
    let err: unknown;
    try { await readFrom(t, f); } catch (e) { err = e; }
    t.ok(err instanceof ArchiveFormatError, `${name}: an ArchiveFormatError`);
    t.match((err as Error | undefined)?.message ?? '', re, `${name}: ${(err as Error | undefined)?.message}`);
    t.notMatch((err as Error | undefined)?.message ?? '', /\n/, `${name}: one line`);
  }
});

t.test('digest mismatches are caught: corrupt OCI blob on read, corrupt stored blob on write', async (t) => {
  const dir = tmp(t);
  const built = await twoLayerImage();
  const lay = path.join(dir, 'lay');
  writeLayout(lay, [{ name: 'x', image: built }]);
  // a manifest whose bytes do not match its descriptor
  fs.writeFileSync(path.join(lay, 'blobs', 'sha256', built.manifestDigest.slice(7)), Buffer.concat([built.manifestBytes, Buffer.from(' ')]));
  const readErr = await readFrom(t, lay).then(() => undefined, (e: unknown) => e);
  t.ok(readErr instanceof DigestMismatchError, `a DigestMismatchError: ${(readErr as Error | undefined)?.message}`);
  t.match((readErr as Error).message, /manifest sha256:[a-f0-9]{64}: digest or size mismatch/);
  // writing a docker-archive from a stored blob that does not decompress to its diffID
  const other = zlib.gzipSync(await buildTar([{ name: 'evil', content: 'not the layer' }]));
  const file = path.join(dir, 'bad.tar');
  const sink = new TarSink(fs.createWriteStream(file));
  const err = await writeArchive(sink, 'docker-archive', [exportOf(built, ['localhost/x:1'], other)]).then(() => undefined, (e: unknown) => e);
  sink.abort(new Error('test'));
  t.ok(err instanceof DigestMismatchError || (err instanceof Error && /size mismatch|digest mismatch/.test(err.message)), `write fails: ${(err as Error | undefined)?.message}`);
});

t.test('tar index: long names via pax and GNU headers', async (t) => {
  const dir = tmp(t);
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}.json`;
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on('end', r));
  pack.entry({ name: long, size: 2 }, Buffer.from('{}'));
  pack.finalize();
  await done;
  fs.writeFileSync(path.join(dir, 'long.tar'), Buffer.concat(chunks));
  const m = indexTar(path.join(dir, 'long.tar'));
  t.equal(m.get(long)?.size, 2, 'pax path honoured');
  // GNU tar writes ././@LongLink entries
  const gnuDir = path.join(dir, 'gnu');
  fs.mkdirSync(path.join(gnuDir, 'd'.repeat(120)), { recursive: true });
  fs.writeFileSync(path.join(gnuDir, 'd'.repeat(120), `${'f'.repeat(120)}.json`), '{}');
  execFileSync('tar', ['--format=gnu', '-C', gnuDir, '-cf', path.join(dir, 'gnu.tar'), '.']);
  t.equal(indexTar(path.join(dir, 'gnu.tar')).get(long)?.size, 2, 'GNU long name honoured');
});
