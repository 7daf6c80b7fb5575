// Digest helpers: hash buffers, hash+count a stream in passing so a layer is
// verified/identified in the same pass that writes it, and the one verifier of a
// stream against a descriptor (registry blobs, archive layers).
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError } from '../util/errors.js';

/** Hex sha256 of a buffer or string (no "sha256:" prefix). */
export function sha256Hex(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** "sha256:<hex>" of a buffer or string. */
export function sha256Digest(data: Buffer | Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/**
 * A pass-through Transform that hashes (sha256) and counts every byte going through.
 * `digest()` is valid once the stream has finished; `onBytes` (optional) gets the running total.
 */
export class HashCounter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;
  private readonly onBytes: ((total: number) => void) | undefined;

  constructor(onBytes?: (total: number) => void) {
    super();
    this.onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.onBytes) this.onBytes(this.bytes);
    cb(null, chunk);
  }

  /** "sha256:<hex>" of everything that went through. Call after the stream finished. */
  digest(): string {
    if (this.hex === undefined) this.hex = this.hash.digest('hex');
    return `sha256:${this.hex}`;
  }
}

/**
 * A pass-through that checks everything going through against a digest ("sha256:..." or
 * "sha512:...") and, when given, a size: more bytes than the size fail at once, a wrong
 * digest or a short stream at the end, with a DigestMismatchError naming `label`.
 */
export class VerifyDigest extends Transform {
  bytes = 0;
  private readonly hash: Hash;
  private readonly algorithm: string;

  constructor(readonly expected: { digest: string; size?: number | undefined }, private readonly label = `blob ${expected.digest}`) {
    super();
    this.algorithm = expected.digest.slice(0, expected.digest.indexOf(':')) || 'sha256';
    this.hash = createHash(this.algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const size = this.expected.size;
    if (size !== undefined && this.bytes > size) { cb(new DigestMismatchError(`${this.label}: more than the expected ${size} bytes`)); return; }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const size = this.expected.size;
    if (size !== undefined && this.bytes !== size) { cb(new DigestMismatchError(`${this.label}: got ${this.bytes} bytes, expected ${size}`)); return; }
    const got = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (got !== this.expected.digest) { cb(new DigestMismatchError(`${this.label}: digest mismatch: expected ${this.expected.digest}, got ${got}`)); return; }
    cb();
  }
}
