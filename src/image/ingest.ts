// Bring one layer into the store in a single streaming pass: the bytes are
// hashed (compressed digest), written to the blob store, and unpacked (which
// hashes the uncompressed stream: the diffID) at the same time. Nothing is
// visible in the store until both digests check out; on any failure the work
// directory is thrown away.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashCounter } from '../storage/digest.js';
import { unpackLayer } from '../storage/unpack.js';
import { DigestMismatchError } from '../util/errors.js';
import type { ImageStore } from './store.js';
import { MT, type LayerRecord } from './types.js';

export interface LayerExpectation {
  /** compressed digest and size as the manifest states them */
  digest?: string;
  size?: number;
  /** the config's rootfs.diff_ids entry */
  diffID?: string;
  mediaType?: string;
}

/** Read the first bytes of a stream without consuming them. */
async function sniff(input: Readable, n = 4): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  for (;;) {
    const c = input.read() as Buffer | null;
    if (c) { chunks.push(c); len += c.length; if (len >= n) break; continue; }
    if (input.readableEnded) break;
    await new Promise<void>((resolve, reject) => {
      const done = () => { input.off('readable', done); input.off('end', done); input.off('error', onErr); resolve(); };
      const onErr = (e: Error) => { input.off('readable', done); input.off('end', done); reject(e); };
      input.once('readable', done); input.once('end', done); input.once('error', onErr);
    });
    if (input.readableEnded && input.readableLength === 0) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length) input.unshift(head);
  return head.subarray(0, n);
}

export interface IngestResult { layer: LayerRecord; reused: boolean }

/**
 * Ingest a layer stream. When `expect.digest` is given the input is the
 * registry blob and must match it byte for byte; otherwise (import, load, commit)
 * a plain tar is gzip-compressed for the blob store.
 */
export async function ingestLayer(store: ImageStore, input: Readable, expect: LayerExpectation = {}, onProgress?: (bytes: number) => void): Promise<IngestResult> {
  const work = store.makeTemp('layer');
  const blobTmp = path.join(work, 'blob');
  const layerTmp = path.join(work, 'layer');
  const diffDir = path.join(layerTmp, 'diff');
  fs.mkdirSync(diffDir, { recursive: true, mode: 0o755 });
  try {
    const head = await sniff(input);
    const gz = head[0] === 0x1f && head[1] === 0x8b;
    const zstd = head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
    const counter = new HashCounter((n) => {
      if (expect.size !== undefined && expect.size >= 0 && n > expect.size) {
        counter.destroy(new DigestMismatchError(`layer blob ${expect.digest ?? ''}: more than the ${expect.size} bytes the manifest states`));
        return;
      }
      onProgress?.(n);
    });
    const toUnpack = new PassThrough({ highWaterMark: 1 << 20 });
    let blobStream: Promise<void>;
    let mediaType: string;
    if (gz || zstd || expect.digest) {
      // store the bytes exactly as received
      const file = fs.createWriteStream(blobTmp, { mode: 0o644 });
      const tee = new PassThrough({ highWaterMark: 1 << 20 });
      input.pipe(counter).pipe(tee);
      tee.pipe(file);
      tee.pipe(toUnpack);
      blobStream = new Promise<void>((resolve, reject) => { file.on('finish', resolve); file.on('error', reject); counter.on('error', reject); input.on('error', reject); });
      mediaType = expect.mediaType ?? (gz ? MT.ociLayerGzip : zstd ? MT.ociLayerZstd : MT.ociLayerTar);
    } else {
      // plain tar: unpack it as-is, gzip it for the blob store
      const gzip = zlib.createGzip({ level: 1 });
      const tee = new PassThrough({ highWaterMark: 1 << 20 });
      input.pipe(tee);
      tee.pipe(toUnpack);
      tee.pipe(gzip);
      blobStream = pipeline(gzip, counter, fs.createWriteStream(blobTmp, { mode: 0o644 }));
      input.on('error', (e) => toUnpack.destroy(e));
      mediaType = MT.ociLayerGzip;
    }
    let unpacked;
    try {
      [unpacked] = await Promise.all([unpackLayer(toUnpack, diffDir, { compression: 'auto' }), blobStream]);
    } catch (err) {
      // A layer that fails to decompress or parse may simply have been tampered with: when the
      // manifest names its digest, read the rest and say so if the bytes are not the ones named.
      if (expect.digest && !(err instanceof DigestMismatchError)) {
        toUnpack.resume();
        const drained = await blobStream.then(() => true, () => false);
        if (drained && counter.digest() !== expect.digest) throw new DigestMismatchError(`layer blob digest mismatch: expected ${expect.digest}, got ${counter.digest()}`);
      }
      throw err;
    }
    const digest = counter.digest();
    if (expect.digest && digest !== expect.digest) throw new DigestMismatchError(`layer blob digest mismatch: expected ${expect.digest}, got ${digest}`);
    if (expect.size !== undefined && expect.size >= 0 && counter.bytes !== expect.size) throw new DigestMismatchError(`layer blob ${expect.digest ?? digest}: expected ${expect.size} bytes, got ${counter.bytes}`);
    if (expect.diffID && unpacked.diffID !== expect.diffID) throw new DigestMismatchError(`layer diffID mismatch for ${digest}: the config says ${expect.diffID}, the content is ${unpacked.diffID}`);
    const layer: LayerRecord = {
      id: unpacked.diffID,
      compressedDigest: digest,
      compressedSize: counter.bytes,
      mediaType,
      size: unpacked.size,
      created: new Date().toISOString(),
      ...(unpacked.rootMode !== undefined ? { rootMode: unpacked.rootMode } : {}),
    };
    store.commitBlobFile(blobTmp, digest);
    const fresh = store.commitLayerDir(layerTmp, unpacked.diffID);
    return { layer, reused: !fresh };
  } catch (err) {
    input.destroy();
    throw err;
  } finally {
    store.trash(work);
  }
}
