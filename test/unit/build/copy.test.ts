// COPY sources (globs, ignore, context boundary, symlinks), content hashing
// for the cache, copying into a root filesystem, cache keys and squashing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanSourcePath, copySources, hashSources, resolveSources, writeFileInRoot, archiveKind, parseChmod, type SourceRoot } from '../../../src/build/copy.js';
import { IgnoreMatcher } from '../../../src/build/ignore.js';
import { cacheKey, stateId, BuildCache } from '../../../src/build/cache.js';
import { squashLayerDirs } from '../../../src/build/squash.js';
import type { ImageConfig } from '../../../src/image/types.js';

function tmp(t: Test, name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `tspod-build-${name}-`));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function write(root: string, files: Record<string, string>): void {
  for (const [p, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), c);
  }
}

t.test('source paths stay in the context', async (t) => {
  t.equal(cleanSourcePath('./a/../b/', 'context'), 'b');
  t.equal(cleanSourcePath('/abs/x', 'context'), 'abs/x', 'absolute paths are relative to the context');
  t.throws(() => cleanSourcePath('../x', 'context'), /forbidden path outside the build context: \.\.\/x/);
  t.throws(() => cleanSourcePath('a/../../x', 'context'), /forbidden path/);
  t.equal(cleanSourcePath('../x', 'rootfs'), '.', 'in a root filesystem .. stops at /');
});

t.test('resolve: globs, ignore, symlinks', async (t) => {
  const ctx = tmp(t, 'ctx');
  const outside = tmp(t, 'outside');
  write(ctx, { 'a.txt': 'a', 'b.txt': 'b', 'c.md': 'c', 'dir/x': 'x', 'dir/y.log': 'y', 'skip.txt': 's' });
  write(outside, { 'secret': 'nope' });
  fs.symlinkSync(path.join(outside, 'secret'), path.join(ctx, 'out-link'));
  fs.symlinkSync('a.txt', path.join(ctx, 'in-link'));
  fs.symlinkSync(outside, path.join(ctx, 'out-dir'));
  const root: SourceRoot = { dir: ctx, kind: 'context', ignore: IgnoreMatcher.parse('skip.txt\n*.log\n') };
  t.same(resolveSources(root, ['*.txt']).map((s) => s.rel), ['a.txt', 'b.txt'], 'globs skip ignored files');
  t.same(resolveSources(root, ['?.md', 'dir']).map((s) => s.rel), ['c.md', 'dir']);
  t.throws(() => resolveSources(root, ['skip.txt']), /not in the build context or is excluded/);
  t.throws(() => resolveSources(root, ['*.none']), /no source files were specified/);
  t.throws(() => resolveSources(root, ['../x']), /forbidden path outside the build context/);
  const inLink = resolveSources(root, ['in-link'])[0]!;
  t.equal(inLink.abs, fs.realpathSync(path.join(ctx, 'a.txt')), 'a symlink inside the context is followed');
  const outLink = resolveSources(root, ['out-link'])[0]!;
  t.ok(outLink.st.isSymbolicLink(), 'a symlink leaving the context is copied as a symlink, never followed');
  t.throws(() => resolveSources(root, ['out-dir/secret']), /forbidden path outside the build context/, 'a parent symlink may not lead out');
});

t.test('content hash ignores mtimes and owners, sees content, modes and names', async (t) => {
  const ctx = tmp(t, 'hash');
  write(ctx, { 'd/a': 'a', 'd/b': 'b' });
  const root: SourceRoot = { dir: ctx, kind: 'context', ignore: new IgnoreMatcher([]) };
  const h = () => hashSources(root, resolveSources(root, ['d']));
  const h0 = h();
  fs.utimesSync(path.join(ctx, 'd/a'), new Date(0), new Date(0));
  t.equal(h(), h0, 'mtime does not matter');
  fs.writeFileSync(path.join(ctx, 'd/a'), 'A');
  const h1 = h();
  t.not(h1, h0, 'content matters');
  fs.chmodSync(path.join(ctx, 'd/a'), 0o755);
  t.not(h(), h1, 'mode matters');
  const h2 = h();
  fs.renameSync(path.join(ctx, 'd/b'), path.join(ctx, 'd/c'));
  t.not(h(), h2, 'names matter');
  const h3 = h();
  const ign: SourceRoot = { ...root, ignore: IgnoreMatcher.parse('d/c\n') };
  t.not(hashSources(ign, resolveSources(ign, ['d'])), h3, 'ignored files are not part of it');
});

t.test('copy into a root filesystem', async (t) => {
  const ctx = tmp(t, 'src');
  const rootfs = tmp(t, 'rootfs');
  write(ctx, { 'f.txt': 'file', 'tree/a': 'a', 'tree/sub/b': 'b', 'tree/ignored': 'i' });
  fs.chmodSync(path.join(ctx, 'tree/a'), 0o750);
  fs.mkdirSync(path.join(rootfs, 'usr/lib'), { recursive: true });
  fs.symlinkSync('usr/lib', path.join(rootfs, 'lib'));
  fs.symlinkSync('/', path.join(rootfs, 'escape'));
  fs.mkdirSync(path.join(rootfs, 'existing'));
  const root: SourceRoot = { dir: ctx, kind: 'context', ignore: IgnoreMatcher.parse('tree/ignored\n') };
  const src = (p: string[]) => resolveSources(root, p);
  copySources(root, src(['f.txt']), rootfs, '/new/name.txt', {});
  t.equal(fs.readFileSync(path.join(rootfs, 'new/name.txt'), 'utf8'), 'file', 'file onto a new path: that name');
  copySources(root, src(['f.txt']), rootfs, '/existing', {});
  t.ok(fs.existsSync(path.join(rootfs, 'existing/f.txt')), 'file onto an existing directory: inside it');
  copySources(root, src(['f.txt']), rootfs, '/dir/', {});
  t.ok(fs.existsSync(path.join(rootfs, 'dir/f.txt')), 'dest ending in /: a directory');
  copySources(root, src(['tree']), rootfs, '/lib/app', { mode: 0o700 });
  t.equal(fs.readFileSync(path.join(rootfs, 'usr/lib/app/sub/b'), 'utf8'), 'b', 'directory contents copied, symlinked dest dirs followed inside the root');
  t.notOk(fs.existsSync(path.join(rootfs, 'usr/lib/app/ignored')), 'ignored files are not copied');
  t.equal(fs.statSync(path.join(rootfs, 'usr/lib/app/a')).mode & 0o7777, 0o700, '--chmod');
  copySources(root, src(['tree']), rootfs, '/escape/etc/', {});
  t.ok(fs.existsSync(path.join(rootfs, 'etc/a')), 'a symlink to / in the root stays in the root');
  t.throws(() => copySources(root, src(['f.txt', 'tree']), rootfs, '/nodir', {}), /must be a directory and end with a \//);
  copySources(root, src(['tree']), rootfs, '/kept/', {});
  t.equal(fs.statSync(path.join(rootfs, 'kept/a')).mode & 0o7777, 0o750, 'modes are kept without --chmod');
  if (process.getuid?.() === 0) {
    copySources(root, src(['f.txt']), rootfs, '/owned/', { owner: { uid: 1234, gid: 4321 } });
    const st = fs.statSync(path.join(rootfs, 'owned/f.txt'));
    t.same([st.uid, st.gid], [1234, 4321], '--chown');
    t.same([fs.statSync(path.join(rootfs, 'owned')).uid], [1234], 'created directories get the --chown owner');
  }
  writeFileInRoot(rootfs, '/h/', 'doc.txt', Buffer.from('heredoc'), { mode: 0o644 });
  t.equal(fs.readFileSync(path.join(rootfs, 'h/doc.txt'), 'utf8'), 'heredoc');
});

t.test('archives and --chmod', async (t) => {
  const d = tmp(t, 'arch');
  fs.writeFileSync(path.join(d, 'plain'), 'not an archive');
  fs.writeFileSync(path.join(d, 'gz'), Buffer.from([0x1f, 0x8b, 8, 0]));
  const tarHead = Buffer.alloc(512);
  tarHead.write('ustar', 257, 'latin1');
  fs.writeFileSync(path.join(d, 'tar'), tarHead);
  t.equal(archiveKind(path.join(d, 'plain')), undefined);
  t.equal(archiveKind(path.join(d, 'gz')), 'gzip');
  t.equal(archiveKind(path.join(d, 'tar')), 'tar');
  t.equal(parseChmod('755'), 0o755);
  t.equal(parseChmod(undefined), undefined);
  t.throws(() => parseChmod('u+x'), /invalid --chmod/);
});

t.test('cache keys', async (t) => {
  const cfg: ImageConfig = { architecture: 'amd64', os: 'linux', config: { Env: ['A=1'] }, rootfs: { type: 'layers', diff_ids: ['sha256:a'] } };
  const s0 = stateId(['sha256:a'], cfg);
  t.equal(stateId(['sha256:a'], { ...cfg, history: [{ created: 'now' }], created: 'x' }), s0, 'history and timestamps are not part of the state');
  t.not(stateId(['sha256:b'], cfg), s0, 'the layer chain is');
  t.not(stateId(['sha256:a'], { ...cfg, config: { Env: ['A=2'] } }), s0, 'the config is');
  const k = cacheKey({ parent: s0, instruction: 'RUN x' });
  t.equal(cacheKey({ parent: s0, instruction: 'RUN x' }), k, 'stable');
  t.not(cacheKey({ parent: s0, instruction: 'RUN y' }), k, 'instruction');
  t.not(cacheKey({ parent: 'other', instruction: 'RUN x' }), k, 'parent');
  t.not(cacheKey({ parent: s0, instruction: 'RUN x', args: { A: '1' } }), k, 'build args');
  t.equal(cacheKey({ parent: s0, instruction: 'RUN x', args: { A: '1', B: '2' } }), cacheKey({ parent: s0, instruction: 'RUN x', args: { B: '2', A: '1' } }), 'arg order does not matter');
  t.not(cacheKey({ parent: s0, instruction: 'COPY', content: 'h1' }), cacheKey({ parent: s0, instruction: 'COPY', content: 'h2' }), 'content');

  const root = tmp(t, 'cache');
  const cache = new BuildCache(root);
  const fakeStore = { layerPresent: (id: string) => id === 'sha256:present', hasBlob: () => true } as never;
  cache.put({ version: 1, key: k, config: cfg, created: 'now' });
  t.same(cache.get(k, fakeStore)?.config, cfg, 'a config-only entry');
  cache.put({ version: 1, key: 'k2', layer: { id: 'sha256:gone', compressedDigest: 'sha256:c', compressedSize: 1, mediaType: 'x', size: 1, created: '' }, config: cfg, created: 'now' });
  t.equal(cache.get('k2', fakeStore), undefined, 'an entry whose layer was removed is a miss');
  t.equal(cache.get('missing', fakeStore), undefined);
  fs.writeFileSync(path.join(root, 'build-cache', 'steps', 'bad.json'), '{not json');
  t.equal(cache.get('bad', fakeStore), undefined, 'a corrupt entry is a miss, not an error');
});

t.test('squash applies whiteouts and opaque directories', async (t) => {
  const l1 = tmp(t, 'l1'), l2 = tmp(t, 'l2'), l3 = tmp(t, 'l3'), out = tmp(t, 'out');
  write(l1, { 'a': '1', 'd/x': 'x', 'keep': 'k', 'o/old': 'old' });
  write(l2, { 'a': '2', '.wh.d': '', '.wh.base': '', 'o/.wh..wh..opq': '', 'o/new': 'new' });
  write(l3, { 'd/y': 'y' });
  squashLayerDirs([l1, l2, l3], out);
  t.equal(fs.readFileSync(path.join(out, 'a'), 'utf8'), '2', 'later files win');
  t.ok(fs.existsSync(path.join(out, '.wh.base')), 'a whiteout of a base-image file is kept');
  t.notOk(fs.existsSync(path.join(out, '.wh.d')), 'a recreated path drops the whiteout');
  t.ok(fs.existsSync(path.join(out, 'd/.wh..wh..opq')), 'and becomes opaque, hiding the base image\'s old directory');
  t.notOk(fs.existsSync(path.join(out, 'd/x')), 'what the whiteout removed stays removed');
  t.equal(fs.readFileSync(path.join(out, 'd/y'), 'utf8'), 'y');
  t.same(fs.readdirSync(path.join(out, 'o')).sort(), ['.wh..wh..opq', 'new'], 'opaque: earlier content gone, marker kept');
  t.ok(fs.existsSync(path.join(out, 'keep')));
});
