// Paths inside images and containers for completion: the merged view of
// overlay layers (whiteouts, opaque directories, a container's upper
// directory on top), resolution that never leaves the view (`..`, symlinks),
// Podman's candidate rules, and the engine's answers for run/create and cp
// over a storage root laid out as tspod's.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LayeredRoot, completePath } from '../../../src/completion/layered.js';
import { findImageRecord, findContainerRecord } from '../../../src/completion/inside.js';
import { buildModel, type Manifest } from '../../../src/completion/model.js';
import { cobraDirective, complete, render } from '../../../src/completion/engine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const model = buildModel(JSON.parse(fs.readFileSync(path.join(here, 'fixture-manifest.json'), 'utf8')) as Manifest);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-layered-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Write a tree: keys are paths (a trailing / makes a directory), values file contents or { link }. */
function tree(root: string, spec: Record<string, string | { link: string }>): void {
  fs.mkdirSync(root, { recursive: true });
  for (const [p, v] of Object.entries(spec)) {
    const full = path.join(root, p);
    if (p.endsWith('/')) { fs.mkdirSync(full, { recursive: true }); continue; }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (typeof v === 'string') fs.writeFileSync(full, v);
    else fs.symlinkSync(v.link, full);
  }
}

// storage root as tspod lays it out: two image layers and a container's upper directory
const root = path.join(dir, 'root');
const L1 = 'sha256:' + '1'.repeat(64);
const L2 = 'sha256:' + '2'.repeat(64);
const lower = path.join(root, 'storage', 'layers', '1'.repeat(64), 'diff');
const upperLayer = path.join(root, 'storage', 'layers', '2'.repeat(64), 'diff');
const CTR = 'c'.repeat(64);
const ctrUpper = path.join(root, 'containers', CTR, 'upper');
tree(lower, {
  'etc/os-release': 'ID=test\n', 'etc/passwd': 'root:x:0:0\n', 'etc/hostname': 'x\n',
  'home/user/.profile': '', 'root/': '', 'tmp/': '',
  'gone/file': '', 'opq/a': '', 'opq/b': '', 'shadowed/inner': '',
  'bin/sh': '', 'usr/bin/env': '',
  'rel': { link: '../../../../..' }, 'abs': { link: '/etc' }, 'loop': { link: 'loop' }, 'etclink': { link: 'etc' },
});
tree(upperLayer, {
  '.wh.gone': '', 'etc/.wh.passwd': '', 'etc/new.conf': '',
  'opq/.wh..wh..opq': '', 'opq/c': '',
  'shadowed': 'now a file\n',
});
tree(ctrUpper, { 'tmp/made-here': '', 'tmp/made-here2': '', 'emptydir/': '', 'etc/.wh.hostname': '' });
// the host next to the view: never to be listed
tree(path.join(dir, 'host-secret'), { 'secret.txt': '' });
fs.mkdirSync(path.join(root, 'containers'), { recursive: true });
fs.writeFileSync(path.join(root, 'storage', 'storage.json'), JSON.stringify({
  version: 1,
  images: [
    { id: 'a'.repeat(64), names: ['localhost/test:1', 'quay.io/team/app:latest'], layers: [L1, L2] },
    { id: 'b'.repeat(64), names: ['localhost/empty:latest'], layers: [] },
  ],
  layers: [],
}));
fs.writeFileSync(path.join(root, 'containers', 'containers.json'), JSON.stringify({
  version: 1,
  containers: [{ id: CTR, names: ['box'], state: 'exited', layers: [L1, L2] }, { id: 'd'.repeat(64), names: ['other'], state: 'running', layers: [L1] }],
}));

const image = new LayeredRoot([upperLayer, lower]);
const names = (comps: string[], v = image) => (v.list(comps) ?? []).map((e) => e.name + (e.isDir ? '/' : ''));

t.test('the merged listing honours whiteouts and opaque directories', async (t) => {
  t.same(names([]), ['abs', 'bin/', 'etc/', 'etclink', 'home/', 'loop', 'opq/', 'rel', 'root/', 'shadowed', 'tmp/', 'usr/'], '.wh.gone hides /gone');
  t.same(names(['etc']), ['hostname', 'new.conf', 'os-release'], '/etc/passwd is whited out; new.conf comes from the upper layer');
  t.same(names(['opq']), ['c'], 'an opaque directory hides the lower layers');
  t.same(names(['shadowed']), [], 'a file in an upper layer hides the directory below');
  t.equal(image.entry(['gone']), undefined);
  t.equal(image.entry(['etc', 'passwd']), undefined);
  t.equal(image.entry(['gone', 'file']), undefined, 'nothing under a whited-out directory');
  t.ok(image.entry(['etc', 'os-release']));
  const ctr = new LayeredRoot([ctrUpper, upperLayer, lower]);
  t.same(names(['tmp'], ctr), ['made-here', 'made-here2'], "the container's upper directory on top");
  t.same(names(['etc'], ctr), ['new.conf', 'os-release'], 'its own whiteouts too');
});

t.test('resolution stays inside the view', async (t) => {
  t.same(image.resolve('../../..'), [], '.. stops at the root');
  t.same(image.resolve('/etc/../../../etc'), ['etc']);
  t.same(image.resolve('/rel'), [], 'a relative symlink climbing out lands on the root');
  t.same(image.resolve('/rel/etc'), ['etc']);
  t.same(image.resolve('/abs'), ['etc'], 'an absolute target starts at the view root, not the host root');
  t.same(image.resolve('/etclink/os-release'), ['etc', 'os-release']);
  t.notOk(image.isDir(image.resolve('/loop/x')), 'a symlink loop ends, without hanging, at nothing');
  t.equal(completePath(image, '/loop/'), undefined);
  t.same(image.resolve('/no/such'), ['no', 'such'], 'missing components are kept');
  t.same(names(image.resolve('/rel')), names([]), 'listing through the escaping link lists the view, not the host');
  t.notOk(names(image.resolve('/rel/..')).includes('host-secret/'));
});

t.test("Podman's candidates for a path", async (t) => {
  t.same(completePath(image, ''), { candidates: ['/abs', '/bin/', '/etc/', '/etclink', '/home/', '/loop', '/opq/', '/rel', '/root/', '/shadowed', '/tmp/', '/usr/'], nospace: true });
  t.same(completePath(image, '/etc'), { candidates: ['/etc/hostname', '/etc/new.conf', '/etc/os-release'], nospace: true }, 'a directory typed without its slash is listed');
  t.same(completePath(image, '/etc/os-'), { candidates: ['/etc/os-release'], nospace: false }, 'one file: a space may follow');
  t.same(completePath(image, '/e'), { candidates: ['/etc/', '/etclink'], nospace: true });
  t.same(completePath(image, '/h'), { candidates: ['/home/'], nospace: true }, 'one directory: no space after its slash');
  t.same(completePath(image, '../../'), { candidates: ['../../abs', '../../bin/', '../../etc/', '../../etclink', '../../home/', '../../loop', '../../opq/', '../../rel', '../../root/', '../../shadowed', '../../tmp/', '../../usr/'], nospace: true }, 'relative: the typed prefix is kept');
  t.same(completePath(image, 'us'), { candidates: ['usr/'], nospace: true }, 'a bare name is relative to the root');
  t.same(completePath(image, '/root'), { candidates: ['/root/'], nospace: true }, 'an empty directory answers itself with a slash');
  t.same(completePath(image, '/abs/os'), { candidates: ['/abs/os-release'], nospace: false }, 'through a symlink, the typed path is kept');
  t.equal(completePath(image, '/nothing/x'), undefined, 'nothing: the shell completes host paths');
  t.equal(completePath(image, '/etc/zz'), undefined);
  t.equal(completePath(new LayeredRoot([]), ''), undefined, 'no layers at all');
  t.equal(completePath(new LayeredRoot([path.join(dir, 'missing')]), ''), undefined, 'missing layer directories');
});

t.test('images and containers as the user names them', async (t) => {
  t.equal(findImageRecord(root, 'localhost/test:1')?.['id'], 'a'.repeat(64));
  t.equal(findImageRecord(root, 'test:1')?.['id'], 'a'.repeat(64), 'localhost/ implied');
  t.equal(findImageRecord(root, 'team/app')?.['id'], 'a'.repeat(64), ':latest implied, any registry');
  t.equal(findImageRecord(root, 'aaaa')?.['id'], 'a'.repeat(64), 'an ID prefix');
  t.equal(findImageRecord(root, 'nope'), undefined);
  t.equal(findContainerRecord(root, 'box')?.['id'], CTR);
  t.equal(findContainerRecord(root, 'ccc')?.['id'], CTR);
  t.equal(findContainerRecord(root, 'zzz'), undefined);
});

t.test('the engine: run/create IMAGE <path> and cp', async (t) => {
  const c = (words: string[]) => complete(model, words, { defaultRoot: () => root });
  const run = c(['run', '--rm', 'test:1', '']);
  t.ok(run.candidates.includes('/etc/') && run.candidates.includes('/home/') && run.candidates.includes('/root/'), run.candidates.join(' '));
  t.same(c(['container', 'run', 'test:1', '/etc/os-']).candidates, ['/etc/os-release']);
  t.same(c(['run', 'test:1', 'sh', '-c', '../../h']).candidates, ['../../home/'], 'every argument after the image');
  t.same(c(['run', 'nope:1', '/etc']), { candidates: [], directive: 'files' }, 'an unknown image: host paths');
  t.same(c(['run', 'empty', '']), { candidates: [], directive: 'files' }, 'an image without layers: host paths');

  t.same(c(['cp', '']), { candidates: ['box:', 'other:'], nospace: true, paths: true }, 'containers with a colon, no space');
  t.same(c(['cp', 'b']).candidates, ['box:']);
  t.same(c(['cp', './local']), { candidates: [], directive: 'files' }, 'no container matches: host paths');
  t.same(c(['cp', 'box:/tmp/made']).candidates, ['box:/tmp/made-here', 'box:/tmp/made-here2'], "the stopped container's own files");
  t.same(c(['cp', 'box:/emptydir']), { candidates: ['box:/emptydir/'], nospace: true, paths: true });
  t.same(c(['cp', '/host/file', 'other:/etc/hos']).candidates, ['other:/etc/hostname'], 'the second argument too');
  t.same(c(['cp', 'a', 'b', '']), { candidates: [] }, 'no third argument');

  t.equal(render(c(['cp', 'box:/emptydir'])), 'box:/emptydir/\n:nospace\n', 'the protocol: :nospace after the candidates');
  t.equal(render(c(['cp', 'box:/tmp/made-here2'])), 'box:/tmp/made-here2\n');
  t.equal(cobraDirective(c(['cp', 'box:/emptydir'])), 'ShellCompDirectiveNoSpace');
  t.equal(cobraDirective(c(['cp', 'box:/tmp/made-here2'])), 'ShellCompDirectiveDefault');
  t.equal(cobraDirective(c(['cp', './x'])), 'ShellCompDirectiveDefault');
  t.equal(cobraDirective(c(['stop', ''])), 'ShellCompDirectiveNoFileComp');
});
