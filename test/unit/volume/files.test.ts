// The path and tar machinery behind cp, diff and commit (src/engine/files.ts),
// on real directories: container path resolution (symlinks never leave the
// root; mounts map to their host directories), tar streams of a path, and
// overlay upper-dir changes. (Kept here, next to the volume tests, because
// cp's mount-aware resolution is what lets it reach volumes.)
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tar from 'tar-stream';
import type { Readable } from 'node:stream';
import { containerRootPid, existsInLowers, mapTar, resolveInContainer, tarOfPath, upperChanges, type MountPoint } from '../../../src/engine/files.js';
import { isTarHeader, parseCpArg } from '../../../src/engine/cp.js';
import { secureJoin } from '../../../src/container/rootfs.js';
import { unpackLayer } from '../../../src/storage/unpack.js';

function tmp(t: Test): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-files-')));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function entries(s: Readable): Promise<Array<{ name: string; type: string; mode: number; uid: number; linkname: string | null | undefined; data: string }>> {
  const ex = tar.extract();
  const out: Array<{ name: string; type: string; mode: number; uid: number; linkname: string | null | undefined; data: string }> = [];
  ex.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => { out.push({ name: h.name, type: String(h.type), mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, linkname: h.linkname, data: Buffer.concat(chunks).toString() }); next(); });
  });
  await new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); s.on('error', reject); s.pipe(ex as never); });
  return out;
}

t.test('parseCpArg: CONTAINER:PATH, host paths, streams', async (t) => {
  t.same(parseCpArg('web:/etc'), { kind: 'container', container: 'web', path: '/etc' });
  t.same(parseCpArg('web:'), { kind: 'container', container: 'web', path: '/' });
  t.same(parseCpArg('./a:b'), { kind: 'host', path: './a:b' }, 'a local path with ":" starting with ./');
  t.same(parseCpArg('/abs:x'), { kind: 'host', path: '/abs:x' });
  t.same(parseCpArg('plain'), { kind: 'host', path: 'plain' });
  t.same(parseCpArg('-'), { kind: 'stream' });
});

t.test('containerRootPid: only a pid whose /proc/PID/root is the container\'s root filesystem', async (t) => {
  const c = (pid: number, root: string, running = true) => ({ entry: { pid }, root, running, cfg: {} }) as unknown as Parameters<typeof containerRootPid>[0];
  t.equal(containerRootPid(c(process.pid, '/')), process.pid, 'this process\'s root is /');
  t.equal(containerRootPid(c(process.pid, tmp(t))), undefined, 'a pid whose root is elsewhere (gone to another process) is not used');
  t.equal(containerRootPid(c(process.pid, '/', false)), undefined, 'not running');
  t.equal(containerRootPid(c(0, '/')), undefined, 'no pid');
});

t.test('isTarHeader: a tar header block is told from other data by its checksum', async (t) => {
  const tar = await import('tar-stream');
  const pk = tar.pack();
  pk.entry({ name: 'a.txt', size: 2 }, 'hi');
  pk.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pk as unknown as AsyncIterable<Buffer>) chunks.push(c);
  const block = Buffer.concat(chunks).subarray(0, 512);
  t.ok(isTarHeader(block), 'the header of a tar-stream archive');
  t.notOk(isTarHeader(Buffer.alloc(512)), 'zeros (an empty archive) are not a header');
  t.notOk(isTarHeader(Buffer.from('just some text\n'.repeat(40))), 'text');
  const bad = Buffer.from(block);
  bad[0] = bad[0]! ^ 1;
  t.notOk(isTarHeader(bad), 'a header whose checksum does not add up');
  t.notOk(isTarHeader(block.subarray(0, 100)), 'a short block');
});

t.test('resolveInContainer: symlinks resolve inside the root, like secureJoin', async (t) => {
  const base = tmp(t);
  const root = path.join(base, 'root');
  for (const d of ['etc', 'tmp', 'a/b', 'vol-under']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.symlinkSync('/', path.join(root, 'evil'));
  fs.symlinkSync('../../../../..', path.join(root, 'a', 'b', 'up'));
  fs.symlinkSync('/etc', path.join(root, 'link-etc'));
  fs.symlinkSync('loop2', path.join(root, 'loop1'));
  fs.symlinkSync('loop1', path.join(root, 'loop2'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'tmp', 'pw'));
  for (const p of ['/evil/etc/passwd', '/a/b/up/etc', '/a/b/up/up/up/tmp', '/link-etc/../tmp', '/../../..', 'etc/x', '/tmp/pw', '/evil/evil/evil']) {
    const r = resolveInContainer(root, [], p);
    t.equal(r.host, secureJoin(root, p), `${p}: same as secureJoin`);
    t.ok(r.host === root || r.host.startsWith(`${root}/`), `${p}: inside the root`);
    t.equal(r.mount, undefined);
  }
  t.equal(resolveInContainer(root, [], '/evil/etc/passwd').ctrPath, '/etc/passwd');
  t.equal(resolveInContainer(root, [], '/tmp/pw', false).host, path.join(root, 'tmp', 'pw'), 'followFinal=false keeps the last link');
  t.throws(() => resolveInContainer(root, [], '/loop1/x'), /too many levels of symbolic links/);
});

t.test('resolveInContainer: paths under mounts reach the mount\'s host directory, and stay there', async (t) => {
  const base = tmp(t);
  const root = path.join(base, 'root');
  const vol = path.join(base, 'vol');
  const bind = path.join(base, 'bind');
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.mkdirSync(path.join(vol, 'sub'), { recursive: true });
  fs.mkdirSync(bind);
  fs.symlinkSync('/data', path.join(root, 'to-data'));
  fs.symlinkSync('/etc', path.join(vol, 'out'));
  fs.symlinkSync('../../../..', path.join(vol, 'sub', 'up'));
  const mounts: MountPoint[] = [
    { destination: '/data', host: vol, readonly: false, what: 'volume v' },
    { destination: '/ro', host: bind, readonly: true, what: 'bind mount /ro' },
    { destination: '/scratch', host: undefined, readonly: false, what: 'tmpfs /scratch' },
  ];
  let r = resolveInContainer(root, mounts, '/data/f');
  t.equal(r.host, path.join(vol, 'f'));
  t.equal(r.mount?.destination, '/data');
  t.equal(resolveInContainer(root, mounts, '/data').host, vol, 'the mount point itself');
  t.equal(resolveInContainer(root, mounts, '/to-data/sub/x').host, path.join(vol, 'sub', 'x'), 'a symlink into a mount');
  r = resolveInContainer(root, mounts, '/data/out/passwd');
  t.equal(r.host, path.join(root, 'etc', 'passwd'), 'an absolute link inside a volume resolves in the container');
  t.equal(resolveInContainer(root, mounts, '/data/sub/up/etc').host, path.join(root, 'etc'), '".." out of a volume goes to the container root, not the host');
  t.equal(resolveInContainer(root, mounts, '/datax').host, path.join(root, 'datax'), 'a prefix of a name is not the mount');
  t.equal(resolveInContainer(root, mounts, '/ro/f').mount?.readonly, true);
  t.throws(() => resolveInContainer(root, mounts, '/scratch/f'), /tmpfs \/scratch/);
});

t.test('tarOfPath and mapTar: names, modes, ownership override, hardlinks', async (t) => {
  const base = tmp(t);
  const src = path.join(base, 'src');
  fs.mkdirSync(path.join(src, 'd'), { recursive: true });
  fs.writeFileSync(path.join(src, 'f'), 'F');
  fs.chmodSync(path.join(src, 'f'), 0o741);
  fs.linkSync(path.join(src, 'f'), path.join(src, 'd', 'hard'));
  fs.symlinkSync('../f', path.join(src, 'd', 'sym'));
  fs.chmodSync(src, 0o750);
  let es = await entries(await tarOfPath(src, 'renamed'));
  t.same(es.map((e) => e.name), ['renamed/', 'renamed/d/', 'renamed/d/hard', 'renamed/d/sym', 'renamed/f']);
  t.equal(es[0]!.mode, 0o750, 'the top directory keeps its mode');
  t.equal(es.find((e) => e.name === 'renamed/f')?.type, 'link', 'the second name of a hardlinked file is a link');
  t.equal(es.find((e) => e.name === 'renamed/f')?.linkname, 'renamed/d/hard', 'link targets get the prefix too');
  t.equal(es.find((e) => e.name === 'renamed/d/sym')?.linkname, '../f', 'symlink targets are kept verbatim');
  es = await entries(await tarOfPath(src, ''));
  t.same(es.map((e) => e.name), ['d/', 'd/hard', 'd/sym', 'f'], 'no name: the content only');
  es = await entries(await tarOfPath(path.join(src, 'f'), 'one', { uid: 1000, gid: 1000 }));
  t.same(es.map((e) => [e.name, e.mode, e.uid, e.data]), [['one', 0o741, 1000, 'F']], 'a file, with the owner override');
  await t.rejects(tarOfPath(path.join(src, 'f'), ''), /not a directory/);

  // round trip through the safe unpacker
  const dest = path.join(base, 'dest');
  fs.mkdirSync(dest);
  await unpackLayer(await tarOfPath(src, 'copy'), dest, { preserveOwnership: false });
  t.equal(fs.readFileSync(path.join(dest, 'copy', 'd', 'hard'), 'utf8'), 'F');
  t.equal(fs.statSync(path.join(dest, 'copy', 'f')).mode & 0o7777, 0o741);
  t.equal(fs.statSync(path.join(dest, 'copy', 'f')).ino, fs.statSync(path.join(dest, 'copy', 'd', 'hard')).ino, 'hardlinks survive');
  t.equal(fs.readlinkSync(path.join(dest, 'copy', 'd', 'sym')), '../f');

  // mapTar drops and rewrites entries, streaming file data through
  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  fs.writeFileSync(path.join(src, 'big'), big);
  es = await entries(mapTar(await tarOfPath(src, ''), (h) => (h.name.startsWith('d/') && h.name !== 'd/' ? null : { ...h, name: `x/${h.name}`, uid: 5 }), [{ name: 'x/', type: 'directory', mode: 0o700 }]));
  t.same(es.map((e) => e.name), ['x/', 'x/big', 'x/d/', 'x/f']);
  t.equal(es.find((e) => e.name === 'x/big')?.data.length, big.length, 'large file data is streamed through');
  t.ok(es.every((e) => e.name === 'x/' || e.uid === 5));
  // an empty file goes through too (it once stalled the stream for ever)
  fs.writeFileSync(path.join(src, 'empty'), '');
  es = await entries(mapTar(await tarOfPath(path.join(src, 'empty'), 'empty'), (h) => ({ ...h, uid: 7 })));
  t.same(es.map((e) => [e.name, e.uid, e.data]), [['empty', 7, '']], 'an empty file');
});

t.test('upperChanges and existsInLowers: A/C/D from an overlay upper directory', async (t) => {
  const base = tmp(t);
  const l1 = path.join(base, 'l1'), l2 = path.join(base, 'l2'), upper = path.join(base, 'upper');
  for (const d of ['etc', 'usr/lib', 'gone-dir']) fs.mkdirSync(path.join(l1, d), { recursive: true });
  fs.writeFileSync(path.join(l1, 'etc', 'passwd'), 'x');
  fs.writeFileSync(path.join(l1, 'etc', 'old'), 'x');
  fs.writeFileSync(path.join(l1, 'usr', 'lib', 'a'), 'x');
  fs.mkdirSync(path.join(l2, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(l2, 'etc', '.wh.old'), '');          // l2 deletes /etc/old
  fs.mkdirSync(path.join(l2, 'usr'), { recursive: true });
  fs.writeFileSync(path.join(l2, 'usr', '.wh..wh..opq'), '');     // l2 makes /usr opaque
  fs.mkdirSync(path.join(l2, 'usr', 'new'));
  t.ok(existsInLowers([l1, l2], 'etc/passwd'));
  t.notOk(existsInLowers([l1, l2], 'etc/old'), 'a whiteout in a higher layer hides it');
  t.notOk(existsInLowers([l1, l2], 'usr/lib/a'), 'an opaque directory hides the layers below');
  t.ok(existsInLowers([l1, l2], 'usr/new'));
  t.ok(existsInLowers([l1, l2], 'usr'));
  t.notOk(existsInLowers([l1, l2], 'nope'));

  fs.mkdirSync(path.join(upper, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(upper, 'etc', 'passwd'), 'changed');
  fs.writeFileSync(path.join(upper, 'etc', 'added'), 'new');
  fs.mkdirSync(path.join(upper, 'opt', 'app'), { recursive: true });
  fs.writeFileSync(path.join(upper, 'opt', 'app', 'f'), '');
  fs.writeFileSync(path.join(upper, '.wh.gone-dir'), '');         // an OCI-style whiteout file
  if (process.getuid?.() === 0) execFileSync('mknod', [path.join(upper, 'etc', 'group'), 'c', '0', '0']); // an overlay whiteout
  const changes = upperChanges(upper, [l1, l2]).map((c) => `${c.Kind} ${c.Path}`);
  const want = ['C /etc', 'A /etc/added', ...(process.getuid?.() === 0 ? ['D /etc/group'] : []), 'C /etc/passwd', 'D /gone-dir', 'A /opt', 'A /opt/app', 'A /opt/app/f'];
  t.same(changes, want);
});
