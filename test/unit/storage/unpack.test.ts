import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { unpackLayer, splitEntryPath, LayerFormatError } from '../../../src/storage/unpack.js';
import { UnsafeLayerError } from '../../../src/util/errors.js';
import { buildTar, buildFileLayer, buildBusyboxLayer, busyboxApplets, type TarEntrySpec } from '../../fixtures/image-builder.js';

function tmpBase(t: Test): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-unpack-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  return base;
}

function freshDest(base: string): string {
  const d = path.join(base, 'dest');
  fs.mkdirSync(d);
  return d;
}

/** Snapshot of everything under base except dest, to prove nothing was written outside it. */
function outsideSnapshot(base: string): string {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const n of fs.readdirSync(p).sort()) {
      const a = path.join(p, n);
      if (a === path.join(base, 'dest')) continue;
      const st = fs.lstatSync(a);
      out.push(`${path.relative(base, a)} ${st.mode} ${st.size} ${st.mtimeMs} ${st.nlink}`);
      if (st.isDirectory()) walk(a);
    }
  };
  walk(base);
  return out.join('\n');
}

function sha256sum(buf: Buffer): string {
  return `sha256:${execFileSync('sha256sum', { input: buf, encoding: 'utf8' }).split(' ')[0]}`;
}

const fromBuf = (b: Buffer): Readable => Readable.from([b]);

t.test('splitEntryPath normalises and refuses ..', async (t) => {
  t.same(splitEntryPath('/etc/x'), ['etc', 'x']);
  t.same(splitEntryPath('./a//b/./c/'), ['a', 'b', 'c']);
  t.same(splitEntryPath('./'), []);
  t.same(splitEntryPath('.wh..wh..opq'), ['.wh..wh..opq']);
  t.same(splitEntryPath('a/..b/c..'), ['a', '..b', 'c..']);
  for (const bad of ['../x', 'a/../../x', 'a/..', '/..', '..']) t.throws(() => splitEntryPath(bad), { code: 'EUNSAFE' }, bad);
});

// Each hostile layer must be refused (UnsafeLayerError naming the entry) and leave
// everything outside dest untouched.
t.test('refuses path traversal and leaves the outside untouched', async (t) => {
  const cases: Array<{ name: string; entries: (base: string) => TarEntrySpec[]; names: RegExp }> = [
    { name: '../x', entries: () => [{ name: '../x', content: 'pwned' }], names: /"\.\.\/x"/ },
    { name: 'a/../../x', entries: () => [{ name: 'a/', type: 'directory' }, { name: 'a/../../x', content: 'pwned' }], names: /a\/\.\.\/\.\.\/x/ },
    { name: 'dir entry ../d', entries: () => [{ name: '../d/', type: 'directory' }], names: /\.\.\/d/ },
    { name: 'symlink named ../l', entries: () => [{ name: '../l', type: 'symlink', linkname: '/' }], names: /\.\.\/l/ },
    { name: 'whiteout ../.wh.x', entries: () => [{ name: '../.wh.x', content: '' }], names: /\.wh\.x/ },
    { name: 'symlink evil -> / then evil/tmp/pwned', entries: (b) => [{ name: 'evil', type: 'symlink', linkname: '/' }, { name: `evil${b}/pwned`, content: 'pwned' }], names: /evil.*pwned.*symbolic link/ },
    { name: 'symlink d -> .. then d/x', entries: () => [{ name: 'd', type: 'symlink', linkname: '..' }, { name: 'd/x', content: 'pwned' }], names: /"d\/x".*parent "d" is a symbolic link/ },
    { name: 'symlink d -> .. then dir d/sub/', entries: () => [{ name: 'd', type: 'symlink', linkname: '..' }, { name: 'd/sub/', type: 'directory' }], names: /d\/sub/ },
    { name: 'dir replaced by symlink, then written through', entries: (b) => [{ name: 'sub/', type: 'directory' }, { name: 'sub/a', content: 'ok' }, { name: 'sub', type: 'symlink', linkname: b }, { name: 'sub/x', content: 'pwned' }], names: /sub\/x.*symbolic link/ },
    { name: 'file parent then child', entries: () => [{ name: 'f', content: 'x' }, { name: 'f/x', content: 'pwned' }], names: /f\/x.*not a directory/ },
    { name: 'hardlink to ../../etc/passwd', entries: () => [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }], names: /\.\.\/\.\.\/etc\/passwd/ },
    { name: 'hardlink to ../outside', entries: () => [{ name: 'h', type: 'link', linkname: '../outside' }], names: /outside/ },
    { name: 'hardlink to /etc/shadow (absent in layer)', entries: () => [{ name: 'h', type: 'link', linkname: '/etc/shadow' }], names: /"h" -> "\/etc\/shadow".*does not exist/ },
    { name: 'hardlink through a symlink parent', entries: () => [{ name: 's', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 's/passwd' }], names: /"h" -> "s\/passwd".*symbolic link/ },
    { name: 'hardlink through a symlink parent to outside', entries: (b) => [{ name: 's', type: 'symlink', linkname: b }, { name: 'h', type: 'link', linkname: 's/outside' }], names: /s\/outside/ },
    { name: 'hardlink to a directory', entries: () => [{ name: 'd/', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }], names: /directory/ },
    { name: 'symlink replacing the layer root', entries: () => [{ name: './', type: 'symlink', linkname: '/' }], names: /layer root/ },
  ];
  const passwdBefore = fs.statSync('/etc/passwd');
  const shadowBefore = fs.statSync('/etc/shadow');
  for (const c of cases) {
    const base = tmpBase(t);
    fs.writeFileSync(path.join(base, 'outside'), 'sentinel');
    const dest = freshDest(base);
    const before = outsideSnapshot(base);
    const layer = await buildTar(c.entries(base));
    const err = await unpackLayer(fromBuf(layer), dest).then(() => undefined, (e: unknown) => e);
    t.type(err, UnsafeLayerError, `${c.name}: rejected with UnsafeLayerError`);
    t.match(String((err as Error | undefined)?.message), c.names, `${c.name}: the message names the entry`);
    t.equal(outsideSnapshot(base), before, `${c.name}: nothing outside dest changed`);
    t.equal(fs.readFileSync(path.join(base, 'outside'), 'utf8'), 'sentinel', `${c.name}: sentinel intact`);
    t.notOk(fs.existsSync(path.join(base, 'x')) || fs.existsSync(path.join(base, 'pwned')), `${c.name}: no file created next to dest`);
    t.notOk(fs.existsSync(path.join(base, 'pwned')), `${c.name}: no pwned file via symlinked base`);
    for (const f of fs.readdirSync(dest)) {
      const st = fs.lstatSync(path.join(dest, f));
      if (st.isFile()) t.not(st.ino, passwdBefore.ino, `${c.name}: nothing linked to /etc/passwd`);
    }
  }
  t.equal(fs.statSync('/etc/passwd').nlink, passwdBefore.nlink, '/etc/passwd link count unchanged');
  t.equal(fs.statSync('/etc/shadow').nlink, shadowBefore.nlink, '/etc/shadow link count unchanged');
  t.equal(fs.statSync('/etc/passwd').mtimeMs, passwdBefore.mtimeMs, '/etc/passwd not modified');
});

t.test('absolute names are neutralised into dest', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  const marker = `tspod-abs-${process.pid}-${Date.now()}`;
  const layer = await buildTar([
    { name: `/etc/${marker}`, content: 'inside' },
    { name: `/${marker}-dir/`, type: 'directory' },
    { name: `//tmp/./${marker}`, content: 'tmp' },
  ]);
  await unpackLayer(fromBuf(layer), dest);
  t.equal(fs.readFileSync(path.join(dest, 'etc', marker), 'utf8'), 'inside');
  t.ok(fs.statSync(path.join(dest, `${marker}-dir`)).isDirectory());
  t.equal(fs.readFileSync(path.join(dest, 'tmp', marker), 'utf8'), 'tmp');
  t.notOk(fs.existsSync(`/etc/${marker}`), 'nothing written to the real /etc');
  t.notOk(fs.existsSync(`/${marker}-dir`), 'nothing written to the real /');
  t.notOk(fs.existsSync(`/tmp/${marker}`), 'nothing written to the real /tmp');
});

t.test('a file replacing a symlink replaces the link, never writes through it', async (t) => {
  const base = tmpBase(t);
  const outside = path.join(base, 'outside');
  fs.writeFileSync(outside, 'sentinel');
  const dest = freshDest(base);
  const layer = await buildTar([
    { name: 'abs', type: 'symlink', linkname: outside },
    { name: 'rel', type: 'symlink', linkname: '../outside' },
    { name: 'dangling', type: 'symlink', linkname: '../newfile' },
    { name: 'abs', content: 'new-abs' },
    { name: 'rel', content: 'new-rel' },
    { name: 'dangling', content: 'new-dangling' },
    // a directory over a symlink, then a child: must land inside the new directory
    { name: 'dirlink', type: 'symlink', linkname: base },
    { name: 'dirlink/', type: 'directory' },
    { name: 'dirlink/child', content: 'child' },
    // a symlink over a symlink, and a hardlink over a symlink
    { name: 'sl', type: 'symlink', linkname: outside },
    { name: 'sl', type: 'symlink', linkname: 'target2' },
    { name: 'plain', content: 'plain' },
    { name: 'hl', type: 'symlink', linkname: outside },
    { name: 'hl', type: 'link', linkname: 'plain' },
  ]);
  await unpackLayer(fromBuf(layer), dest);
  t.equal(fs.readFileSync(outside, 'utf8'), 'sentinel', 'outside file untouched');
  t.notOk(fs.existsSync(path.join(base, 'newfile')), 'dangling link target not created');
  t.notOk(fs.existsSync(path.join(base, 'child')), 'child not written through the old symlink');
  for (const [n, c] of [['abs', 'new-abs'], ['rel', 'new-rel'], ['dangling', 'new-dangling']] as const) {
    t.ok(fs.lstatSync(path.join(dest, n)).isFile(), `${n} is now a regular file`);
    t.equal(fs.readFileSync(path.join(dest, n), 'utf8'), c);
  }
  t.ok(fs.lstatSync(path.join(dest, 'dirlink')).isDirectory());
  t.equal(fs.readFileSync(path.join(dest, 'dirlink/child'), 'utf8'), 'child');
  t.equal(fs.readlinkSync(path.join(dest, 'sl')), 'target2');
  t.equal(fs.lstatSync(path.join(dest, 'hl')).ino, fs.lstatSync(path.join(dest, 'plain')).ino);
});

t.test('overwriting a hardlinked file does not modify the other link', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  await unpackLayer(fromBuf(await buildTar([
    { name: 'a', content: 'original' },
    { name: 'b', type: 'link', linkname: 'a' },
    { name: 'b', content: 'replaced' },
    { name: 'c', content: 'file' },
    { name: 'c/', type: 'directory' }, // a directory replacing a file
    { name: 'c/inner', content: 'in' },
    { name: 'e/', type: 'directory' },
    { name: 'e/inner', content: 'in' },
    { name: 'e', content: 'file now' }, // a file replacing a directory tree
  ])), dest);
  t.equal(fs.readFileSync(path.join(dest, 'a'), 'utf8'), 'original');
  t.equal(fs.readFileSync(path.join(dest, 'b'), 'utf8'), 'replaced');
  t.not(fs.statSync(path.join(dest, 'a')).ino, fs.statSync(path.join(dest, 'b')).ino);
  t.equal(fs.readFileSync(path.join(dest, 'c/inner'), 'utf8'), 'in');
  t.equal(fs.readFileSync(path.join(dest, 'e'), 'utf8'), 'file now');
});

t.test('symlinks are created verbatim, never followed', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  await unpackLayer(fromBuf(await buildTar([
    { name: 'root', type: 'symlink', linkname: '/' },
    { name: 'up', type: 'symlink', linkname: '../../../../etc/shadow' },
    { name: 'bin/', type: 'directory' },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  ])), dest);
  t.equal(fs.readlinkSync(path.join(dest, 'root')), '/');
  t.equal(fs.readlinkSync(path.join(dest, 'up')), '../../../../etc/shadow');
  t.equal(fs.readlinkSync(path.join(dest, 'bin/sh')), 'busybox');
});

t.test('whiteouts and opaque markers are kept as empty files', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  const layer = await buildFileLayer({
    'etc/': { type: 'dir' },
    'etc/removed': { type: 'whiteout' },
    'var/cache': { type: 'dir' },
    'var/cache/': { type: 'opaque' },
    'var/cache/new': 'fresh',
    'gone': { type: 'whiteout' },
  });
  const r = await unpackLayer(fromBuf(layer.bytes), dest);
  t.equal(r.diffID, layer.diffID);
  for (const p of ['etc/.wh.removed', 'var/cache/.wh..wh..opq', '.wh.gone']) {
    const st = fs.lstatSync(path.join(dest, p));
    t.ok(st.isFile(), `${p} is a regular file`);
    t.equal(st.size, 0, `${p} is empty`);
  }
  t.equal(fs.readFileSync(path.join(dest, 'var/cache/new'), 'utf8'), 'fresh');
});

t.test('modes, setuid/setgid/sticky, mtimes, hardlinks, implicit parents', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  const m1 = new Date('2020-02-03T04:05:06Z');
  const m2 = new Date('2011-11-11T11:11:11Z');
  const m3 = new Date('2001-01-01T00:00:00Z');
  await unpackLayer(fromBuf(await buildTar([
    { name: 'usr/', type: 'directory', mode: 0o755, mtime: m2 },
    { name: 'usr/bin/', type: 'directory', mode: 0o755, mtime: m2 },
    { name: 'usr/bin/su', content: 'suid', mode: 0o4755, mtime: m1 },
    { name: 'usr/bin/wall', content: 'sgid', mode: 0o2755, mtime: m1 },
    { name: 'usr/bin/su-link', type: 'link', linkname: 'usr/bin/su' },
    { name: 'tmp/', type: 'directory', mode: 0o1777, mtime: m3 },
    { name: 'ro/', type: 'directory', mode: 0o555, mtime: m3 },
    { name: 'ro/inside', content: 'still writable while unpacking', mode: 0o400 },
    { name: 'secret', content: 'x', mode: 0o000 },
    { name: 'implicit/deep/file', content: 'x', mode: 0o640 },
    { name: 'link', type: 'symlink', linkname: 'usr/bin/su', mtime: m2 },
    { name: 'sgiddir/', type: 'directory', mode: 0o2775, mtime: m3 },
  ])), dest);
  const mode = (p: string): number => fs.lstatSync(path.join(dest, p)).mode & 0o7777;
  t.equal(mode('usr/bin/su'), 0o4755, 'setuid kept');
  t.equal(mode('usr/bin/wall'), 0o2755, 'setgid kept');
  t.equal(mode('tmp'), 0o1777, 'sticky dir');
  t.equal(mode('ro'), 0o555, 'read-only dir mode applied at the end');
  t.equal(mode('ro/inside'), 0o400);
  t.equal(mode('secret'), 0o000);
  t.equal(mode('implicit'), 0o755, 'implicit parent 0755');
  t.equal(mode('implicit/deep'), 0o755, 'implicit parent 0755');
  t.equal(mode('implicit/deep/file'), 0o640);
  t.equal(mode('sgiddir'), 0o2775);
  t.equal(fs.statSync(path.join(dest, 'usr/bin/su')).mtime.getTime(), m1.getTime(), 'file mtime');
  t.equal(fs.statSync(path.join(dest, 'usr/bin')).mtime.getTime(), m2.getTime(), 'dir mtime survives children');
  t.equal(fs.statSync(path.join(dest, 'usr')).mtime.getTime(), m2.getTime());
  t.equal(fs.statSync(path.join(dest, 'tmp')).mtime.getTime(), m3.getTime());
  t.equal(fs.statSync(path.join(dest, 'ro')).mtime.getTime(), m3.getTime());
  t.equal(fs.lstatSync(path.join(dest, 'link')).mtime.getTime(), m2.getTime(), 'symlink mtime');
  t.equal(fs.statSync(path.join(dest, 'usr/bin/su-link')).ino, fs.statSync(path.join(dest, 'usr/bin/su')).ino, 'hardlink shares the inode');
  t.equal(fs.statSync(path.join(dest, 'usr/bin/su')).nlink, 2);
  const st = fs.statSync(path.join(dest, 'implicit'));
  t.equal(st.uid, 0, 'implicit parent root-owned');
});

t.test('ownership is preserved when running as root (and skipped when asked)', async (t) => {
  if (process.getuid?.() !== 0) { t.fail('this test must run as root'); return; }
  const base = tmpBase(t);
  const entries: TarEntrySpec[] = [
    { name: 'home/', type: 'directory' },
    { name: 'home/u/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
    { name: 'home/u/f', content: 'x', uid: 1000, gid: 100, mode: 0o4750 },
    { name: 'home/u/l', type: 'symlink', linkname: 'f', uid: 1000, gid: 1000 },
  ];
  const dest = freshDest(base);
  await unpackLayer(fromBuf(await buildTar(entries)), dest);
  const f = fs.lstatSync(path.join(dest, 'home/u/f'));
  t.same([f.uid, f.gid, f.mode & 0o7777], [1000, 100, 0o4750], 'file owner and setuid after chown');
  const d = fs.lstatSync(path.join(dest, 'home/u'));
  t.same([d.uid, d.gid], [1000, 1000]);
  const l = fs.lstatSync(path.join(dest, 'home/u/l'));
  t.same([l.uid, l.gid], [1000, 1000], 'symlink lchowned');
  const dest2 = path.join(base, 'dest2');
  fs.mkdirSync(dest2);
  await unpackLayer(fromBuf(await buildTar(entries)), dest2, { preserveOwnership: false });
  t.equal(fs.lstatSync(path.join(dest2, 'home/u/f')).uid, 0, 'not chowned when preserveOwnership is false');
});

t.test('diffID and size: gzip and plain tar, equal to sha256sum of the tar', async (t) => {
  const base = tmpBase(t);
  const layer = await buildBusyboxLayer();
  const expected = sha256sum(layer.tar);
  t.equal(layer.diffID, expected, 'fixture diffID agrees with sha256sum');
  let progress = 0;
  const gz = await unpackLayer(fromBuf(layer.bytes), path.join(base, 'dest'), { onProgress: (n) => { progress = n; } }).catch((e: unknown) => e);
  t.type(gz, Error, 'dest must exist first');
  const d1 = freshDest(base);
  const r1 = await unpackLayer(fromBuf(layer.bytes), d1, { onProgress: (n) => { progress = n; } });
  t.same(r1, { diffID: expected, size: layer.tar.length });
  t.equal(progress, layer.bytes.length, 'progress counts input (compressed) bytes');
  const d2 = path.join(base, 'plain');
  fs.mkdirSync(d2);
  const r2 = await unpackLayer(fromBuf(layer.tar), d2);
  t.same(r2, { diffID: expected, size: layer.tar.length });
  const d3 = path.join(base, 'forced');
  fs.mkdirSync(d3);
  t.same(await unpackLayer(fromBuf(layer.tar), d3, { compression: 'none' }), r2);
  // a file stream in many chunks, like a download
  const file = path.join(base, 'layer.tgz');
  fs.writeFileSync(file, layer.bytes);
  const d4 = path.join(base, 'chunked');
  fs.mkdirSync(d4);
  t.same(await unpackLayer(fs.createReadStream(file, { highWaterMark: 1000 }), d4), r1);
  // the busybox tree
  t.equal(fs.readlinkSync(path.join(d1, 'bin/sh')), 'busybox');
  t.ok(busyboxApplets().length > 100);
  t.equal(fs.statSync(path.join(d1, 'bin/busybox')).size, fs.statSync('/bin/busybox').size);
  t.equal(fs.statSync(path.join(d1, 'tmp')).mode & 0o7777, 0o1777);
  t.equal(fs.statSync(path.join(d1, 'home/tester')).uid, 1000);
  t.equal(execFileSync(path.join(d1, 'bin/busybox'), ['echo', 'hi'], { encoding: 'utf8' }), 'hi\n', 'the unpacked busybox runs');
});

t.test('long names (PAX and GNU) are handled', async (t) => {
  const base = tmpBase(t);
  const long = `${'d'.repeat(120)}/${'e'.repeat(120)}/${'f'.repeat(150)}.txt`;
  const dest = freshDest(base);
  const tarBuf = await buildTar([
    { name: long, content: 'long' },
    { name: 'l', type: 'symlink', linkname: `/${'t'.repeat(200)}` },
    { name: 'h', type: 'link', linkname: long },
    { name: `${'d'.repeat(120)}/../${'x'.repeat(120)}`, content: 'evil' },
  ]);
  const err = await unpackLayer(fromBuf(tarBuf), dest).catch((e: unknown) => e);
  t.type(err, UnsafeLayerError, 'a long name with .. is refused');
  t.equal(fs.readFileSync(path.join(dest, long), 'utf8'), 'long');
  t.equal(fs.readlinkSync(path.join(dest, 'l')), `/${'t'.repeat(200)}`);
  t.equal(fs.statSync(path.join(dest, 'h')).ino, fs.statSync(path.join(dest, long)).ino);
  t.notOk(fs.existsSync(path.join(dest, 'x'.repeat(120))), 'nothing after the refused entry');

  // GNU long names, made by GNU tar itself
  const src = path.join(base, 'src');
  fs.mkdirSync(path.join(src, 'g'.repeat(150)), { recursive: true });
  fs.writeFileSync(path.join(src, 'g'.repeat(150), 'h'.repeat(140)), 'gnu');
  fs.symlinkSync('z'.repeat(180), path.join(src, 'lnk'));
  const gnuTar = execFileSync('tar', ['--format=gnu', '-C', src, '-cf', '-', '.']);
  const dest2 = path.join(base, 'dest2');
  fs.mkdirSync(dest2);
  const r = await unpackLayer(fromBuf(gnuTar), dest2);
  t.equal(r.diffID, sha256sum(gnuTar));
  t.equal(fs.readFileSync(path.join(dest2, 'g'.repeat(150), 'h'.repeat(140)), 'utf8'), 'gnu');
  t.equal(fs.readlinkSync(path.join(dest2, 'lnk')), 'z'.repeat(180));
});

t.test('device nodes and fifos are skipped', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  await unpackLayer(fromBuf(await buildTar([
    { name: 'dev/', type: 'directory' },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
    { name: 'dev/fifo', type: 'fifo' },
    { name: 'after', content: 'ok' },
  ])), dest);
  t.same(fs.readdirSync(path.join(dest, 'dev')), []);
  t.equal(fs.readFileSync(path.join(dest, 'after'), 'utf8'), 'ok');
});

t.test('corrupt input gives clear errors', async (t) => {
  const base = tmpBase(t);
  const layer = await buildBusyboxLayer();
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated gzip', layer.bytes.subarray(0, Math.floor(layer.bytes.length / 2)), /not a valid gzip stream: unexpected end of file/],
    ['corrupt gzip', Buffer.concat([layer.bytes.subarray(0, 100), Buffer.alloc(5000, 0xaa), layer.bytes.subarray(5100)]), /not a valid gzip stream/],
    ['gzip header only', layer.bytes.subarray(0, 10), /not a valid gzip stream/],
    ['truncated tar', layer.tar.subarray(0, 4000), /not a valid tar archive/],
    ['garbage', Buffer.alloc(2048, 0x41), /not a valid tar archive/],
    ['empty', Buffer.alloc(0), /layer is empty/],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]), /zstd layers are not supported/],
  ];
  for (const [name, bytes, re] of cases) {
    const dest = path.join(base, name.replace(/ /g, '-'));
    fs.mkdirSync(dest);
    const err = await unpackLayer(fromBuf(bytes), dest).then(() => undefined, (e: unknown) => e);
    t.type(err, LayerFormatError, `${name}: LayerFormatError`);
    t.match(String((err as Error | undefined)?.message), re, name);
  }
  const dest = path.join(base, 'gz-as-none');
  fs.mkdirSync(dest);
  await t.rejects(unpackLayer(fromBuf(layer.bytes), dest, { compression: 'none' }), /not a valid tar archive/, 'gzip read as plain tar');
  // an input stream that fails mid-way surfaces its error
  const failing = new Readable({ read() { this.push(layer.bytes.subarray(0, 4096)); this.destroy(new Error('connection reset')); } });
  const dest2 = path.join(base, 'failing');
  fs.mkdirSync(dest2);
  await t.rejects(unpackLayer(failing, dest2), /connection reset/);
});

t.test('a 2 MB file and many small files round out the data path', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  const big = Buffer.alloc(2 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  const entries: TarEntrySpec[] = [{ name: 'big.bin', content: big }];
  for (let i = 0; i < 500; i++) entries.push({ name: `many/${i % 10}/f${i}`, content: `file ${i}\n` });
  const tarBuf = await buildTar(entries);
  const r = await unpackLayer(fromBuf(zlib.gzipSync(tarBuf)), dest);
  t.equal(r.diffID, sha256sum(tarBuf));
  t.ok(fs.readFileSync(path.join(dest, 'big.bin')).equals(big));
  t.equal(fs.readFileSync(path.join(dest, 'many/3/f123'), 'utf8'), 'file 123\n');
});

t.test('a tar without the end-of-archive blocks is still fully written', async (t) => {
  const base = tmpBase(t);
  const dest = freshDest(base);
  const full = await buildTar([{ name: 'a', content: 'first' }, { name: 'last', content: 'x'.repeat(70000), mode: 0o600 }]);
  t.ok(full.subarray(full.length - 1024).equals(Buffer.alloc(1024)), 'fixture ends with the marker');
  const cut = full.subarray(0, full.length - 1024);
  const r = await unpackLayer(fromBuf(cut), dest);
  t.equal(r.size, cut.length);
  t.equal(fs.readFileSync(path.join(dest, 'last'), 'utf8'), 'x'.repeat(70000));
  t.equal(fs.statSync(path.join(dest, 'last')).mode & 0o7777, 0o600, 'metadata of the last entry applied');
});
