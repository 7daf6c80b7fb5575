// Random ids and names from the kernel's generator, read from /dev/urandom. node:crypto would do the
// same, but loading it costs more than the rest of a short command's own work (about a fifth of a
// bare node start-up, counted in instructions): `create`, `volume create` and friends need only a
// few random bytes, and most commands none.
import { closeSync, openSync, readSync } from 'node:fs';

/** n random bytes. */
export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let off = 0; off < n;) off += readSync(fd, buf, off, n - off, null);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** n random bytes as 2n lowercase hex digits (a 64-digit id from 32 bytes). */
export function randomHex(n: number): string {
  return randomBytes(n).toString('hex');
}

/** A uniformly random integer in [0, max), max at most 2^32 (rejection sampling, no modulo bias). */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > 2 ** 32) throw new RangeError(`randomInt: max ${max} is not an integer in 1..2^32`);
  const limit = 2 ** 32 - (2 ** 32 % max);
  for (;;) {
    const v = randomBytes(4).readUInt32BE(0);
    if (v < limit) return v % max;
  }
}
