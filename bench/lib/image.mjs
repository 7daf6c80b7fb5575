// Test images for the benchmark, made here without internet: root filesystems
// in temp directories, packed by GNU tar (reproducible flags, everything owned
// by root), gzipped with node:zlib, and pushed to the registry with plain
// fetch (blob POST + monolithic PUT, then manifest PUT), as the OCI
// distribution spec describes.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const BUSYBOX_APPLETS = ['sh', 'ls', 'cat', 'echo', 'true', 'false', 'sleep', 'id', 'env', 'mkdir', 'rm', 'hostname', 'ps', 'wget', 'nc'];

const sha256 = (buf) => `sha256:${crypto.createHash('sha256').update(buf).digest('hex')}`;

/** Pack a directory into a gzipped layer: { tar digest (diffID), blob, digest, size, comment }. */
export function packLayer(dir, comment, { level = 6 } = {}) {
  const tar = execFileSync('tar', [
    '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--format=ustar', '-C', dir, '-cf', '-', '.',
  ], { maxBuffer: 1 << 30 });
  const blob = zlib.gzipSync(tar, { level });
  return { diffID: sha256(tar), blob, digest: sha256(blob), size: blob.length, comment };
}

/** The busybox-static binary with applet symlinks, /etc/passwd and the usual directories. */
export function busyboxLayer(workDir) {
  const root = fs.mkdtempSync(path.join(workDir, 'rootfs-busybox-'));
  for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) fs.mkdirSync(path.join(root, d));
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const a of BUSYBOX_APPLETS) fs.symlinkSync('busybox', path.join(root, 'bin', a));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  const layer = packLayer(root, 'busybox-static');
  fs.rmSync(root, { recursive: true, force: true });
  return layer;
}

/**
 * A data layer: `bigBytes` of random (incompressible) data in one file plus
 * `smallFiles` small text files (semi-compressible) spread over 20 directories.
 */
export function dataLayer(workDir, index, { bigBytes, smallFiles }) {
  const root = fs.mkdtempSync(path.join(workDir, `rootfs-data${index}-`));
  const base = path.join(root, 'data', `layer${index}`);
  fs.mkdirSync(base, { recursive: true });
  fs.writeFileSync(path.join(base, 'blob.bin'), crypto.randomBytes(bigBytes));
  for (let i = 0; i < smallFiles; i++) {
    const dir = path.join(base, `d${i % 20}`);
    if (i < 20) fs.mkdirSync(dir);
    const line = `layer ${index} file ${i} ${crypto.randomBytes(24).toString('hex')}\n`;
    fs.writeFileSync(path.join(dir, `f${i}.txt`), line.repeat(4 + (i % 24)));
  }
  const layer = packLayer(root, `data layer ${index}: ${bigBytes} random bytes + ${smallFiles} small files`);
  fs.rmSync(root, { recursive: true, force: true });
  return layer;
}

/** A layer with a few given files ({ relPath: content }). */
export function filesLayer(workDir, files, comment) {
  const root = fs.mkdtempSync(path.join(workDir, 'rootfs-files-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  const layer = packLayer(root, comment);
  fs.rmSync(root, { recursive: true, force: true });
  return layer;
}

/** An OCI image (config + manifest) over the given layers. */
export function makeImage(layers, { cmd = ['/bin/sh'], labels = {} } = {}) {
  const created = '2024-01-01T00:00:00Z';
  const config = Buffer.from(JSON.stringify({
    created, architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: cmd, Labels: labels },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
    history: layers.map((l) => ({ created, created_by: `tspod bench: ${l.comment}` })),
  }));
  const configDigest = sha256(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
  }));
  return { layers, config, configDigest, id: configDigest.slice(7), manifest, manifestDigest: sha256(manifest) };
}

async function expectStatus(res, want, what) {
  if (res.status === want) return;
  const body = await res.text().catch(() => '');
  throw new Error(`${what}: registry answered ${res.status} (want ${want}): ${body.slice(0, 300)}`);
}

async function pushBlob(url, repo, digest, body) {
  const head = await fetch(`${url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, 202, `start upload of ${digest} to ${repo}`);
  const loc = start.headers.get('location');
  if (!loc) throw new Error(`start upload of ${digest} to ${repo}: no Location header`);
  const put = new URL(loc, url);
  put.searchParams.set('digest', digest);
  const res = await fetch(put, {
    method: 'PUT', body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
  });
  await expectStatus(res, 201, `upload of ${digest} to ${repo}`);
}

/** Push an image made by makeImage to `url` (http://host:port) as repo:tag. */
export async function pushImage(url, repo, tag, img) {
  for (const l of img.layers) await pushBlob(url, repo, l.digest, l.blob);
  await pushBlob(url, repo, img.configDigest, img.config);
  const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT', body: img.manifest, headers: { 'content-type': OCI_MANIFEST },
  });
  await expectStatus(res, 201, `manifest PUT ${repo}:${tag}`);
  const got = res.headers.get('docker-content-digest');
  if (got && got !== img.manifestDigest) throw new Error(`manifest PUT ${repo}:${tag}: registry stored ${got}, expected ${img.manifestDigest}`);
}
