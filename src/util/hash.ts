// A fast non-cryptographic hash for names and cache keys that need no secrecy (lock sockets, the
// seccomp cache). node:crypto would do, but loading it and its digests costs more than a short
// command's own work (about a quarter of a bare node start-up, counted in instructions). Image and
// layer digests stay sha256 (src/storage/digest.ts): those are checked against what others computed.

/** 53 bits of a string (cyrb53: two 32-bit multiply-xorshift lanes, mixed), as 14 hex digits. */
function hash53(s: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** 106 bits of a string (hash53 under two seeds), as 28 hex digits. */
export function hash106(s: string): string {
  return hash53(s, 1) + hash53(s, 2);
}
