// Digest helpers: hash buffers, and hash+count a stream in passing so a layer is
// verified/identified in the same pass that writes it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

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
