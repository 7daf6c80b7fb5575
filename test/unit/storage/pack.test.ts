import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { packLayer, packLayerToFile, packLayerCompressed, findOpaqueDirs } from '../../../src/storage/pack.js';
import { unpackLayer } from '../../../src/storage/unpack.js';
import { sha256Hex } from '../../../src/storage/digest.js';

function tmpBase(t: Test): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-pack-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  return base;
}

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Entry { name: string; type: string; uid: number; gid: number; mode: number; size: number; linkname: string | null; devmajor: number; devminor: number; mtime: number }
async function entriesOf(tarBuf: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, s, next) => {
    out.push({ name: h.name, type: h.type, uid: h.uid, gid: h.gid, mode: h.mode & 0o7777, size: h.size, linkname: h.linkname ?? null, devmajor: h.devmajor, devminor: h.devminor, mtime: h.mtime.getTime() });
    s.on('end', () => next());
    s.resume();
  });
  await pipeline(Readable.from([tarBuf]), ex as unknown as NodeJS.WritableStream);
  return out;
}

/** A canonical description of a tree: type, mode, owner, mtime (s), content/target, hardlink groups. */
function describe(root: string): string[] {
  const out: string[] = [];
  const inodes = new Map<number, string>();
  const walk = (rel: string): void => {
    for (const n of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const a = path.join(root, r);
      const st = fs.lstatSync(a);
      const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) { out.push(`d ${r} ${meta} ${Math.floor(st.mtimeMs / 1000)}`); walk(r); continue; }
      const mt = Math.floor(st.mtimeMs / 1000);
      if (st.isSymbolicLink()) { out.push(`l ${r} -> ${fs.readlinkSync(a)} ${st.uid}:${st.gid} ${mt}`); continue; }
      const first = st.nlink > 1 ? inodes.get(st.ino) : undefined;
      if (first) { out.push(`h ${r} == ${first}`); continue; }
      if (st.nlink > 1) inodes.set(st.ino, r);
      out.push(`f ${r} ${meta} ${mt} ${sha256Hex(fs.readFileSync(a))}`);
    }
  };
  walk('');
  return out;
}

function makeTree(src: string): void {
  const w = (p: string, c: string | Buffer, mode = 0o644): void => {
    fs.mkdirSync(path.dirname(path.join(src, p)), { recursive: true });
    fs.writeFileSync(path.join(src, p), c);
    fs.chmodSync(path.join(src, p), mode);
  };
  w('etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
  w('etc/shadow', 'root:*:1::::::\n', 0o000);
  w('usr/bin/su', 'suid', 0o4755);
  w('usr/bin/wall', 'sgid', 0o2755);
  fs.linkSync(path.join(src, 'usr/bin/su'), path.join(src, 'usr/bin/su-hardlink'));
  fs.linkSync(path.join(src, 'usr/bin/su'), path.join(src, 'zz-third-link'));
  fs.symlinkSync('su', path.join(src, 'usr/bin/su-symlink'));
  fs.symlinkSync('/nonexistent/absolute', path.join(src, 'dangling'));
  fs.mkdirSync(path.join(src, 'empty'));
  fs.mkdirSync(path.join(src, 'tmp'));
  fs.chmodSync(path.join(src, 'tmp'), 0o1777);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  w('var/big.bin', big);
  w('unicodé/ünïcode-名前.txt', 'utf8 names');
  w(`${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(90)}.txt`, 'long');
  w('home/u/file', 'owned');
  fs.chownSync(path.join(src, 'home/u/file'), 1000, 1000);
  fs.chownSync(path.join(src, 'home/u'), 1000, 100);
  fs.lchownSync(path.join(src, 'dangling'), 1000, 1000);
  fs.chmodSync(path.join(src, 'usr/bin/su'), 0o4755); // chown above does not touch su; keep setuid explicit
  const old = new Date('2015-05-05T05:05:05Z');
  fs.utimesSync(path.join(src, 'etc/passwd'), old, old);
  fs.lutimesSync(path.join(src, 'dangling'), old, old);
  fs.utimesSync(path.join(src, 'etc'), old, old);
  fs.utimesSync(path.join(src, 'empty'), old, old);
}

t.test('pack -> unpack round trip gives an equal tree, deterministically', async (t) => {
  if (process.getuid?.() !== 0) { t.fail('must run as root (chown in the fixture)'); return; }
  const base = tmpBase(t);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  makeTree(src);
  const tar1 = await collect(packLayer(src));
  const tar2 = await collect(packLayer(src));
  t.ok(tar1.equals(tar2), 'packing twice gives identical bytes');
  const entries = await entriesOf(tar1);
  const names = entries.map((e) => e.name);
  t.ok(names.indexOf('usr/') < names.indexOf('usr/bin/') && names.indexOf('usr/bin/') < names.indexOf('usr/bin/su'), 'parents before children');
  t.ok(names.indexOf('etc/') < names.indexOf('usr/'), 'sorted');
  const hl = entries.filter((e) => e.type === 'link');
  t.same(hl.map((e) => [e.name, e.linkname]), [['usr/bin/su-hardlink', 'usr/bin/su'], ['zz-third-link', 'usr/bin/su']], 'hardlinks emitted as link entries to the first path');
  t.equal(entries.find((e) => e.name === 'etc/shadow')?.mode, 0o000, 'mode 0000 survives');
  t.equal(entries.find((e) => e.name === 'usr/bin/su')?.mode, 0o4755);
  t.equal(entries.find((e) => e.name === 'home/u/file')?.uid, 1000);
  t.notOk(names.includes('') || names.includes('./'), 'the root itself is not an entry');

  const dest = path.join(base, 'dest');
  fs.mkdirSync(dest);
  const r = await unpackLayer(Readable.from([tar1]), dest);
  t.equal(r.diffID, `sha256:${sha256Hex(tar1)}`);
  t.same(describe(dest), describe(src), 'the unpacked tree equals the source tree');
});

t.test('packLayerToFile and packLayerCompressed report correct digests and sizes', async (t) => {
  const base = tmpBase(t);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  makeTree(src);
  const out = path.join(base, 'layer.tar.gz');
  const res = await packLayerToFile(src, out, { gzipLevel: 1 });
  const blob = fs.readFileSync(out);
  t.equal(res.digest, `sha256:${sha256Hex(blob)}`);
  t.equal(res.size, blob.length);
  const raw = zlib.gunzipSync(blob);
  t.equal(res.diffID, `sha256:${sha256Hex(raw)}`);
  t.equal(res.diffSize, raw.length);
  t.ok(raw.equals(await collect(packLayer(src))), 'same tar as packLayer');

  const { stream, result } = packLayerCompressed(src, { gzipLevel: 1 });
  const blob2 = await collect(stream);
  const res2 = await result;
  t.same(res2, res, 'streamed variant: same digests');
  t.ok(blob2.equals(blob));

  const dest = path.join(base, 'dest');
  fs.mkdirSync(dest);
  t.equal((await unpackLayer(fs.createReadStream(out), dest)).diffID, res.diffID);

  await t.rejects(packLayerToFile(path.join(base, 'missing'), path.join(base, 'x.tgz')), /packing .*missing/);
  t.notOk(fs.existsSync(path.join(base, 'x.tgz')), 'no partial output left behind');
});

t.test('overlay upper dir: whiteout devices and opaque xattrs become OCI markers', async (t) => {
  if (process.getuid?.() !== 0) { t.fail('must run as root or as root of a user namespace (npm test runs unit tests in one): mknod of whiteouts'); return; }
  // Real devices and trusted.* xattrs need root in the initial user namespace. A rootless
  // upper dir (fuse-overlayfs in tspod's user namespace) never has either: there whiteouts
  // are 0:0 devices and opaque dirs carry user.* xattrs, which are tested either way.
  const realRoot = fs.readlinkSync('/proc/self/ns/user') === 'user:[4026531837]'; // the initial user namespace's fixed inode
  if (!realRoot) t.comment('in a user namespace: real device nodes and trusted.overlay.opaque are covered only when run as real root');
  const base = tmpBase(t);
  const up = path.join(base, 'upper');
  fs.mkdirSync(path.join(up, 'etc'), { recursive: true });
  execFileSync('mknod', [path.join(up, 'etc/removed'), 'c', '0', '0']);
  execFileSync('mknod', [path.join(up, 'gone'), 'c', '0', '0']);
  if (realRoot) execFileSync('mknod', [path.join(up, 'null'), 'c', '1', '3']);
  execFileSync('mknod', [path.join(up, 'fifo'), 'p']);
  const opaqueAttrs = [['opq-user', 'user.overlay.opaque'], ['opq-fuse', 'user.fuseoverlayfs.opaque'], ...(realRoot ? [['opq-trusted', 'trusted.overlay.opaque']] : [])] as const;
  for (const [d, attr] of opaqueAttrs) {
    fs.mkdirSync(path.join(up, d));
    fs.writeFileSync(path.join(up, d, 'new'), 'n');
    execFileSync('setfattr', ['-h', '-n', attr, '-v', 'y', path.join(up, d)]);
  }
  fs.mkdirSync(path.join(up, 'not-opaque'));
  execFileSync('setfattr', ['-n', realRoot ? 'trusted.overlay.opaque' : 'user.overlay.opaque', '-v', 'x', path.join(up, 'not-opaque')]);
  fs.mkdirSync(path.join(up, 'marker-file'));
  fs.writeFileSync(path.join(up, 'marker-file/.wh..wh..opq'), '');
  fs.writeFileSync(path.join(up, '.wh.existing'), '');
  fs.mkdirSync(path.join(up, 'skip'));
  fs.writeFileSync(path.join(up, 'skip/x'), 'x');
  fs.writeFileSync(path.join(up, 'etc/keep'), 'k');
  fs.writeFileSync(path.join(up, 'etc/drop'), 'd');
  fs.mkdirSync(path.join(up, 'weird\nname'));
  execFileSync('setfattr', ['-n', 'user.overlay.opaque', '-v', 'y', path.join(up, 'weird\nname')]);

  const opaqueDirs = [...opaqueAttrs.map(([d]) => d), 'weird\nname'].sort();
  t.same([...await findOpaqueDirs(up)].sort(), opaqueDirs, 'opaque dirs found by xattr (value y only)');

  const entries = await entriesOf(await collect(packLayer(up, { exclude: ['/skip', 'etc/drop/'] })));
  const by = new Map(entries.map((e) => [e.name, e]));
  const names = entries.map((e) => e.name);
  for (const n of ['etc/.wh.removed', '.wh.gone']) {
    t.same([by.get(n)?.type, by.get(n)?.size], ['file', 0], `${n}: empty regular whiteout file`);
  }
  t.notOk(by.has('gone') || by.has('etc/removed'), 'the devices themselves are not emitted');
  for (const d of opaqueDirs) {
    t.ok(by.has(`${d}/.wh..wh..opq`), `${JSON.stringify(d)} gets an opaque marker`);
    t.equal(names.indexOf(`${d}/.wh..wh..opq`), names.indexOf(`${d}/`) + 1, 'marker right after the directory');
  }
  t.notOk(by.has('not-opaque/.wh..wh..opq'), 'opaque value other than y is not opaque');
  t.equal(names.filter((n) => n === 'marker-file/.wh..wh..opq').length, 1, 'existing marker passes through once');
  t.ok(by.has('.wh.existing'), 'existing .wh. files pass through');
  if (realRoot) t.same([by.get('null')?.type, by.get('null')?.devmajor, by.get('null')?.devminor], ['character-device', 1, 3], 'other devices kept');
  t.equal(by.get('fifo')?.type, 'fifo');
  t.notOk(names.some((n) => n.startsWith('skip')), 'excluded dir left out');
  t.ok(by.has('etc/keep') && !by.has('etc/drop'), 'excluded file left out');

  const rootfs = await entriesOf(await collect(packLayer(up, { rootfsMode: true })));
  const rn = rootfs.map((e) => e.name);
  t.notOk(rn.includes('.wh.gone') || rn.includes('opq-user/.wh..wh..opq'), 'rootfsMode: no conversion');
  t.equal(rootfs.find((e) => e.name === 'gone')?.type, 'character-device');
});
