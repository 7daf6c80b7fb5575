// RegistryClient against a real docker-registry on loopback (plain http, no auth).
import t from 'tap';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { Readable } from 'node:stream';
import { startRegistry, isolateRegistryEnv, freePort, type RegistryFixture } from '../../fixtures/registry.js';
import { RegistryClient, digestBytes, verifyingStream, parsePlatform, selectPlatform, MANIFEST_ACCEPT } from '../../../src/registry/client.js';
import { resetRegistriesConf } from '../../../src/registry/registries-conf.js';
import { MT, type Descriptor, type ImageIndex } from '../../../src/image/types.js';

const env = isolateRegistryEnv();
t.teardown(() => env.restore());
resetRegistriesConf();

let reg: RegistryFixture;
let client: RegistryClient;

t.before(async () => {
  reg = await startRegistry();
  // Loopback is not implicitly insecure (as in Podman): plain http needs tlsVerify false.
  client = new RegistryClient(reg.host, { tlsVerify: false, retryDelayMs: 20 });
});
t.teardown(async () => { await client?.close(); await reg?.stop(); });

function blob(content: string | Buffer, mediaType: string = MT.ociLayerGzip): { desc: Descriptor; bytes: Buffer } {
  const bytes = Buffer.from(content);
  return { bytes, desc: { mediaType, digest: digestBytes(bytes), size: bytes.length } };
}

async function pushImage(c: RegistryClient, repo: string, tag: string, opts: { arch?: string; variant?: string; docker?: boolean; layer?: string } = {}) {
  const arch = opts.arch ?? 'amd64';
  const layer = blob(opts.layer ?? `layer for ${arch} ${crypto.randomUUID()}`, opts.docker ? MT.dockerLayerGzip : MT.ociLayerGzip);
  const cfgJson = JSON.stringify({ architecture: arch, os: 'linux', ...(opts.variant ? { variant: opts.variant } : {}), rootfs: { type: 'layers', diff_ids: [layer.desc.digest] } });
  const config = blob(cfgJson, opts.docker ? MT.dockerConfig : MT.ociConfig);
  await c.uploadBlob(repo, layer.desc, () => Readable.from([layer.bytes]));
  await c.uploadBlob(repo, config.desc, () => config.bytes);
  const manifest = { schemaVersion: 2, mediaType: opts.docker ? MT.dockerManifest : MT.ociManifest, config: config.desc, layers: [layer.desc] };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await c.putManifest(repo, tag, bytes, manifest.mediaType);
  return { layer, config, manifest, bytes, digest, mediaType: manifest.mediaType };
}

t.test('ping decides http for an insecure loopback registry and sees no auth', async (t) => {
  const p = await client.ping();
  t.equal(p.scheme, 'http');
  t.equal(p.challenge, undefined);
});

t.test('a verifying client refuses plain http with a clear message', async (t) => {
  const strict = new RegistryClient(reg.host, { retryDelayMs: 10 });
  t.teardown(() => strict.close());
  await t.rejects(strict.ping(), { code: 'EREGISTRY', message: /plain HTTP.*--tls-verify=false/ });
});

t.test('push a blob, config and manifest, then pull them back verified', async (t) => {
  const img = await pushImage(client, 'tspod/simple', 'v1');
  t.equal(img.digest, digestBytes(img.bytes));
  t.ok(await client.blobExists('tspod/simple', img.layer.desc.digest), 'HEAD finds the layer');
  t.notOk(await client.blobExists('tspod/simple', digestBytes(Buffer.from('absent'))), 'HEAD: absent blob');

  const got = await client.getManifest('tspod/simple', 'v1');
  t.equal(got.mediaType, MT.ociManifest);
  t.equal(got.digest, img.digest);
  t.same(got.bytes, img.bytes);
  t.same(got.manifest.layers, [img.layer.desc]);
  t.equal(got.indexDigest, undefined);

  const byDigest = await client.getManifest('tspod/simple', img.digest);
  t.equal(byDigest.digest, img.digest);

  const cfg = await client.getConfig('tspod/simple', got.manifest.config);
  t.same(cfg, img.config.bytes);

  const s = await client.getBlob('tspod/simple', img.layer.desc);
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  t.same(Buffer.concat(chunks), img.layer.bytes);
});

t.test('Docker v2 schema 2 media types round-trip', async (t) => {
  const img = await pushImage(client, 'tspod/dockerfmt', 'latest', { docker: true });
  const got = await client.getManifest('tspod/dockerfmt', 'latest');
  t.equal(got.mediaType, MT.dockerManifest);
  t.equal(got.digest, img.digest);
  t.equal(got.manifest.config.mediaType, MT.dockerConfig);
});

t.test('a blob uploaded from a multi-chunk stream of 3 MiB', async (t) => {
  const big = crypto.randomBytes(3 * 1024 * 1024);
  const b = blob(big);
  await client.uploadBlob('tspod/big', b.desc, () => Readable.from((function* () {
    for (let i = 0; i < big.length; i += 65536) yield big.subarray(i, i + 65536);
  })()));
  const s = await client.getBlob('tspod/big', b.desc);
  const h = crypto.createHash('sha256');
  for await (const c of s) h.update(c as Buffer);
  t.equal(`sha256:${h.digest('hex')}`, b.desc.digest);
});

t.test('uploading content that does not match its digest is refused', async (t) => {
  const b = blob('real content');
  await t.rejects(client.uploadBlob('tspod/bad', b.desc, () => Buffer.from('fake content')), { code: 'EDIGEST' });
});

t.test('cross-repository mount', async (t) => {
  const img = await pushImage(client, 'tspod/src', 'v1');
  t.notOk(await client.blobExists('tspod/dst', img.layer.desc.digest));
  t.equal(await client.mountBlob('tspod/dst', img.layer.desc.digest, 'tspod/src'), true, '201: mounted');
  t.ok(await client.blobExists('tspod/dst', img.layer.desc.digest));
  const missing = digestBytes(Buffer.from('nowhere'));
  t.equal(await client.mountBlob('tspod/dst', missing, 'tspod/src'), false, '202: caller must upload');
});

t.test('manifest lists: platform selection, digests, and clear errors', async (t) => {
  const amd = await pushImage(client, 'tspod/multi', 'amd64-only', { arch: 'amd64' });
  const arm = await pushImage(client, 'tspod/multi', 'arm64-only', { arch: 'arm64', variant: 'v8' });
  for (const [type, tag] of [[MT.ociIndex, 'oci'], [MT.dockerManifestList, 'docker']] as const) {
    const index: ImageIndex = {
      schemaVersion: 2, mediaType: type,
      manifests: [
        { mediaType: amd.mediaType, digest: amd.digest, size: amd.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: arm.mediaType, digest: arm.digest, size: arm.bytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    };
    const ib = Buffer.from(JSON.stringify(index));
    const idig = await client.putManifest('tspod/multi', tag, ib, type);

    const def = await client.getManifest('tspod/multi', tag);
    t.equal(def.digest, amd.digest, `${tag}: default platform is linux/amd64`);
    t.equal(def.indexDigest, idig);
    t.equal(def.index?.mediaType, type);

    const a64 = await client.getManifest('tspod/multi', tag, { platform: 'linux/arm64' });
    t.equal(a64.digest, arm.digest, `${tag}: linux/arm64 (variant v8 implied)`);
    const a64v8 = await client.getManifest('tspod/multi', tag, { platform: 'linux/arm64/v8' });
    t.equal(a64v8.digest, arm.digest);

    await t.rejects(client.getManifest('tspod/multi', tag, { platform: 'linux/s390x' }),
      { message: /no image found in manifest list .* for platform linux\/s390x \(available: linux\/amd64, linux\/arm64\/v8\)/ });

    const raw = await client.fetchManifest('tspod/multi', tag);
    t.equal(raw.digest, idig);
    t.equal(raw.mediaType, type);
  }
  t.throws(() => parsePlatform('linux'), { code: 'EINVAL' });
  t.same(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  t.equal(selectPlatform({ schemaVersion: 2, manifests: [
    { mediaType: MT.ociManifest, digest: 'sha256:' + 'a'.repeat(64), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { mediaType: MT.ociManifest, digest: 'sha256:' + 'b'.repeat(64), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ] }, { os: 'linux', architecture: 'arm' }).digest, 'sha256:' + 'b'.repeat(64), 'arm prefers v7 when no variant is asked');
});

t.test('missing things give errors naming the registry and reference', async (t) => {
  await t.rejects(client.getManifest('tspod/simple', 'nope'), { message: `manifest unknown: ${reg.host}/tspod/simple:nope not found` });
  await t.rejects(client.getManifest('tspod/never-pushed', 'latest'), { message: new RegExp(`${reg.host}/tspod/never-pushed`) });
  const d = digestBytes(Buffer.from('x'));
  await t.rejects(client.getBlob('tspod/simple', { digest: d, size: 1 }), { message: `blob unknown: ${reg.host}/tspod/simple@${d} not found` });
  await t.rejects(client.getManifest('tspod/simple', 'bad tag'), { code: 'EINVAL' });
  await t.rejects(client.getManifest('Tspod/Upper', 'x'), { code: 'EINVAL' });
});

t.test('a digest reference the registry does not have is manifest unknown; the right one is verified', async (t) => {
  // Store a manifest under a digest that the registry computes itself, then ask for a different one.
  const img = await pushImage(client, 'tspod/dig', 'v1');
  await t.rejects(client.getManifest('tspod/dig', digestBytes(Buffer.from('other'))), { message: /manifest unknown/ });
  t.equal((await client.getManifest('tspod/dig', img.digest)).digest, img.digest);
});

t.test('connection refused names the host, after bounded retries', async (t) => {
  const port = await freePort();
  const c = new RegistryClient(`127.0.0.1:${port}`, { tlsVerify: false, attempts: 3, retryDelayMs: 10 });
  t.teardown(() => c.close());
  const start = Date.now();
  await t.rejects(c.getManifest('a/b', 'latest'), { code: 'EREGISTRY', message: new RegExp(`connection refused to 127.0.0.1:${port}`) });
  t.ok(Date.now() - start < 5000);
});

t.test('verifyingStream: passes good bytes, errors on wrong digest or size', async (t) => {
  const good = Buffer.from('hello world');
  const desc = { digest: digestBytes(good), size: good.length };
  const collect = async (s: Readable) => { const c: Buffer[] = []; for await (const x of s) c.push(x as Buffer); return Buffer.concat(c); };
  t.same(await collect(Readable.from([good.subarray(0, 3), good.subarray(3)]).pipe(verifyingStream(desc))), good);
  await t.rejects(collect(Readable.from([Buffer.from('hello wOrld')]).pipe(verifyingStream(desc))), { code: 'EDIGEST', message: /digest mismatch/ });
  await t.rejects(collect(Readable.from([Buffer.from('hello')]).pipe(verifyingStream(desc))), { code: 'EDIGEST', message: /got 5 bytes, expected 11/ });
  await t.rejects(collect(Readable.from([Buffer.from('hello world!!')]).pipe(verifyingStream(desc))), { code: 'EDIGEST', message: /more than the expected 11 bytes/ });
});

// A small server that impersonates a registry and lies: legitimate for negative tests only.
t.test('tampered content from a lying registry is detected', async (t) => {
  const realLayer = Buffer.from('the real layer');
  const layerDesc = { mediaType: MT.ociLayerGzip, digest: digestBytes(realLayer), size: realLayer.length };
  const configBytes = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const configDesc = { mediaType: MT.ociConfig, digest: digestBytes(configBytes), size: configBytes.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: configDesc, layers: [layerDesc] }));
  const mdig = digestBytes(manifest);
  const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x/y', tag: 'old', fsLayers: [] }));
  const cutBytes = Buffer.alloc(100_000, 7);
  const cutDesc = { mediaType: MT.ociLayerGzip, digest: digestBytes(cutBytes), size: cutBytes.length };
  let fiveHundreds = 0;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') { res.writeHead(200).end('{}'); return; }
    if (url.startsWith('/v2/x/y/manifests/')) {
      const ref = url.slice('/v2/x/y/manifests/'.length);
      if (ref === 'old') { res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }).end(schema1); return; }
      if (ref === 'huge') { res.writeHead(200, { 'content-type': MT.ociManifest }).end(Buffer.alloc(5 * 1024 * 1024, 32)); return; }
      if (ref === 'flaky') {
        if (fiveHundreds++ < 2) { res.writeHead(503).end(); return; }
        res.writeHead(200, { 'content-type': MT.ociManifest }).end(manifest); return;
      }
      // by digest: serve the manifest with a byte changed
      const tampered = Buffer.from(manifest.toString().replace('"schemaVersion":2', '"schemaVersion": 2'));
      res.writeHead(200, { 'content-type': MT.ociManifest }).end(ref === mdig ? tampered : manifest);
      return;
    }
    if (url === `/v2/x/y/blobs/${layerDesc.digest}`) {
      res.writeHead(302, { location: '/storage/layer' }).end(); return;
    }
    if (url === `/v2/x/y/blobs/${cutDesc.digest}`) {
      res.writeHead(200, { 'content-length': String(cutBytes.length) });
      res.write(cutBytes.subarray(0, 1000), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (url === '/storage/layer') { res.writeHead(200).end(Buffer.from('the fake layer')); return; }
    if (url === `/v2/x/y/blobs/${configDesc.digest}`) { res.writeHead(200).end(Buffer.from(configBytes.toString().replace('amd64', 'arm64'))); return; }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const c = new RegistryClient(`127.0.0.1:${port}`, { tlsVerify: false, retryDelayMs: 5 });
  t.teardown(async () => { await c.close(); server.closeAllConnections(); await new Promise((r) => server.close(r)); });

  await t.rejects(c.getManifest('x/y', mdig), { code: 'EDIGEST', message: /manifest 127\.0\.0\.1:\d+\/x\/y@sha256:.*digest/ });
  const byTag = await c.getManifest('x/y', 'v1');
  t.equal(byTag.digest, mdig, 'a tag fetch computes the digest of the bytes');
  await t.rejects(c.getManifest('x/y', 'old'), { message: /schema 1 image, which tspod does not support/ });
  await t.rejects(c.getManifest('x/y', 'huge'), { message: /more than the 4194304 byte limit/ });
  t.equal((await c.getManifest('x/y', 'flaky')).digest, mdig, '503s are retried');
  t.equal(fiveHundreds, 3);

  const s = await c.getBlob('x/y', layerDesc);
  const chunks: Buffer[] = [];
  await t.rejects((async () => { for await (const x of s) chunks.push(x as Buffer); })(), { code: 'EDIGEST', message: /digest mismatch/ });
  await t.rejects(c.getConfig('x/y', configDesc), { code: 'EDIGEST' });
  const cut = await c.getBlob('x/y', cutDesc);
  await t.rejects((async () => { for await (const _ of cut) { /* drain */ } })(), { code: 'EREGISTRY', message: /reading blob .*x\/y@sha256:.*closed unexpectedly/ }, 'a connection cut mid-blob is a clear error');
  const abandoned = await c.getBlob('x/y', cutDesc);
  abandoned.destroy();
  await new Promise((r) => setTimeout(r, 50));
  t.ok(abandoned.destroyed, 'a consumer can abandon a download');
  await t.rejects(c.getConfig('x/y', { digest: configDesc.digest, size: 9 * 1024 * 1024 }), { message: /more than the 8388608 byte limit/ });
  t.match(MANIFEST_ACCEPT, /application\/vnd\.oci\.image\.index\.v1\+json/);
});

t.test('concurrent getManifest calls on one fresh client', async (t) => {
  const c = new RegistryClient(reg.host, { tlsVerify: false });
  t.teardown(() => c.close());
  const img = await pushImage(client, 'tspod/conc', 'v1');
  const results = await Promise.all(Array.from({ length: 8 }, () => c.getManifest('tspod/conc', 'v1')));
  t.ok(results.every((r) => r.digest === img.digest));
});
