// Stream helpers for archives: verify a digest in passing, decompress by
// sniffing, and parse JSON documents with a clear error.
import * as zlib from 'node:zlib';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { errorMessage } from '../../util/errors.js';
import { ArchiveFormatError } from './types.js';
import { isGzip, isZstd } from './source.js';

export { VerifyDigest } from '../../storage/digest.js';

/** Pipe `src` into `t`, forwarding errors, and return `t`. */
export function chain<T extends NodeJS.ReadWriteStream & { destroy(e?: Error): unknown }>(src: Readable, t: T): T {
  src.on('error', (e) => t.destroy(e));
  src.pipe(t);
  return t;
}

/** Read up to n bytes without losing them: returns the head and a stream that still yields everything. */
export function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      input.off('readable', onReadable);
      input.off('end', finish);
      input.off('error', onError);
      const head = Buffer.concat(chunks);
      const out = new PassThrough({ highWaterMark: 256 * 1024 });
      if (head.length) out.write(head);
      input.on('error', (e) => out.destroy(e));
      if (input.readableEnded) out.end(); else input.pipe(out);
      resolve({ head: head.subarray(0, n), stream: out });
    };
    function onReadable(): void {
      let c: Buffer | null;
      while (len < n && (c = input.read() as Buffer | null) !== null) { chunks.push(c); len += c.length; }
      if (len >= n) finish();
    }
    function onError(err: Error): void { if (!settled) { settled = true; reject(err); } }
    input.on('readable', onReadable);
    input.on('end', finish);
    input.on('error', onError);
  });
}

/** The uncompressed tar stream of a layer blob (gzip or plain; zstd needs a Node.js that has it). */
export async function decompressed(input: Readable, what: string): Promise<Readable> {
  const { head, stream } = await peek(input, 4);
  if (isGzip(head)) return chain(stream, zlib.createGunzip({ chunkSize: 128 * 1024 }));
  if (isZstd(head)) {
    const z = zlib as unknown as { createZstdDecompress?: () => Transform };
    if (typeof z.createZstdDecompress !== 'function') throw new ArchiveFormatError(`${what}: zstd-compressed layers are not supported by this Node.js`);
    return chain(stream, z.createZstdDecompress());
  }
  return stream;
}

/** Parse a JSON document from an archive, naming it in the error. */
export function parseJSON<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw new ArchiveFormatError(`${what} is not valid JSON: ${errorMessage(err)}`);
  }
}

/** Collect a (small) stream into a buffer. */
export async function collect(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}
