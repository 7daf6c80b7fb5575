// Random access into an (uncompressed) tar file: one pass over the headers
// records where each member's data is, so manifest.json can be read first and
// layers streamed straight from their offsets, without extracting anything to
// disk. Understands ustar (with prefix), GNU long names (L/K) and pax
// path/linkpath/size records, which is what Go's archive/tar, GNU tar and
// tar-stream write.
import * as fs from 'node:fs';
import { ArchiveFormatError } from './types.js';

export interface TarMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  linkname: string;
  /** byte offset of the data in the file */
  offset: number;
  size: number;
}

const BLOCK = 512;

function cstr(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
}

function num(b: Buffer, start: number, len: number, what: string, at: number): number {
  const f = b.subarray(start, start + len);
  if (f[0]! & 0x80) {
    // base-256 (GNU) for big values
    let v = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    return v;
  }
  const s = cstr(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveFormatError(`not a valid tar archive: bad ${what} field in the header at offset ${at}`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const want = parseInt(cstr(h, 148, 8).trim() || 'x', 8);
  if (Number.isNaN(want)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === want;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8'); // drop trailing \n
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Normalise a member name: no leading "./" or "/", no trailing "/", no empty or "." components. */
export function cleanName(name: string): string {
  return name.split('/').filter((c) => c !== '' && c !== '.').join('/');
}

/** Index every member of the tar file at `file`. Throws ArchiveFormatError for anything that is not a tar. */
export function indexTar(file: string): Map<string, TarMember> {
  const fd = fs.openSync(file, 'r');
  try {
    const total = fs.fstatSync(fd).size;
    const members = new Map<string, TarMember>();
    const h = Buffer.alloc(BLOCK);
    let off = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    let sawHeader = false;
    const readAt = (buf: Buffer, len: number, pos: number): number => {
      let got = 0;
      while (got < len) {
        const n = fs.readSync(fd, buf, got, len - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    };
    for (;;) {
      if (off >= total) break; // EOF without end marker: accepted (data ended on a member boundary)
      const n = readAt(h, BLOCK, off);
      if (n < BLOCK) throw new ArchiveFormatError(sawHeader ? `not a valid tar archive: truncated header at offset ${off}` : 'not a tar archive (too short)');
      if (h.every((x) => x === 0)) break; // end-of-archive marker
      if (!checksumOk(h)) {
        throw new ArchiveFormatError(sawHeader
          ? `not a valid tar archive: corrupt header at offset ${off}`
          : 'not a tar archive (no valid tar header at the start)');
      }
      sawHeader = true;
      const flag = String.fromCharCode(h[156]!);
      let size = num(h, 124, 12, 'size', off);
      if (pax['size'] !== undefined && /^\d+$/.test(pax['size'])) size = Number(pax['size']);
      const dataOff = off + BLOCK;
      if (dataOff + size > total) throw new ArchiveFormatError(`not a valid tar archive: member at offset ${off} is truncated (needs ${size} bytes, the file ends first)`);
      const next = dataOff + Math.ceil(size / BLOCK) * BLOCK;
      const readData = (): Buffer => {
        if (size > 1024 * 1024) throw new ArchiveFormatError(`not a valid tar archive: oversized extended header at offset ${off}`);
        const b = Buffer.alloc(size);
        readAt(b, size, dataOff);
        return b;
      };
      if (flag === 'L') { longName = readData().toString('utf8').replace(/\0+$/, ''); off = next; continue; }
      if (flag === 'K') { longLink = readData().toString('utf8').replace(/\0+$/, ''); off = next; continue; }
      if (flag === 'x') { pax = parsePax(readData()); off = next; continue; }
      if (flag === 'g') { off = next; continue; }
      const magic = h.subarray(257, 263).toString('latin1');
      let name = cstr(h, 0, 100);
      if (magic === 'ustar\0') {
        const prefix = cstr(h, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      name = pax['path'] ?? longName ?? name;
      const linkname = pax['linkpath'] ?? longLink ?? cstr(h, 157, 100);
      const type: TarMember['type'] = flag === '0' || flag === '\0' || flag === '7' ? 'file'
        : flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '1' ? 'link' : 'other';
      const clean = cleanName(name);
      if (clean) members.set(clean, { name: clean, type, linkname, offset: dataOff, size: type === 'file' ? size : 0 });
      longName = undefined;
      longLink = undefined;
      pax = {};
      off = next;
    }
    if (!sawHeader) throw new ArchiveFormatError(total === 0 ? 'the archive is empty (0 bytes)' : 'not a tar archive (no valid tar header at the start)');
    return members;
  } finally {
    fs.closeSync(fd);
  }
}
