// .dockerignore / .containerignore matching (Docker's patternmatcher rules).
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IgnoreMatcher, loadIgnore } from '../../../src/build/ignore.js';

t.test('patterns', async (t) => {
  const m = IgnoreMatcher.parse([
    '# comment',
    '',
    '*.log',
    '/build',
    'docs/**/*.md',
    '!docs/keep/README.md',
    'secret?.txt',
    '**/tmp',
    'node_modules/',
    'a/[bc]d',
    './dotslash',
  ].join('\n'));
  const cases: Array<[string, boolean]> = [
    ['x.log', true], ['sub/x.log', false], ['build', true], ['build/out.bin', true], ['buildx', false],
    ['docs/a.md', true], ['docs/deep/er/b.md', true], ['docs/keep/README.md', false], ['docs/keep/other.md', true],
    ['secret1.txt', true], ['secret12.txt', false], ['tmp', true], ['x/y/tmp', true], ['x/y/tmp/f', true],
    ['node_modules/pkg/index.js', true], ['a/bd', true], ['a/cd', true], ['a/dd', false], ['dotslash', true],
    ['README', false], ['.', false],
  ];
  for (const [p, want] of cases) t.equal(m.ignored(p), want, p);
});

t.test('exceptions: last match wins; directories can be re-entered', async (t) => {
  const m = IgnoreMatcher.parse('*\n!src\nsrc/*.tmp\n!src/keep.tmp\n');
  t.equal(m.ignored('Containerfile'), true);
  t.equal(m.ignored('src'), false);
  t.equal(m.ignored('src/a.ts'), false, 'below a re-included directory');
  t.equal(m.ignored('src/x.tmp'), true);
  t.equal(m.ignored('src/keep.tmp'), false);
  t.equal(m.canSkipDir('other'), true, 'no exception can re-include anything below other/');
  const wild = IgnoreMatcher.parse('*\n!**/keep\n');
  t.equal(wild.canSkipDir('other'), false, 'an exception with a wildcard could re-include something below');
  t.equal(wild.ignored('other/deep/keep'), false);
  const simple = IgnoreMatcher.parse('vendor\n');
  t.equal(simple.canSkipDir('vendor'), true);
  t.equal(simple.canSkipDir('src'), false);
  const exc = IgnoreMatcher.parse('vendor\n!vendor/keep\n');
  t.equal(exc.canSkipDir('vendor'), false);
  t.equal(exc.ignored('vendor/keep'), false);
  t.equal(exc.ignored('vendor/drop'), true);
});

t.test('which ignore file is used', async (t) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-ignore-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  t.ok(loadIgnore(d).matcher.empty, 'none: nothing ignored');
  fs.writeFileSync(path.join(d, '.dockerignore'), 'a\n');
  t.equal(loadIgnore(d).matcher.ignored('a'), true);
  fs.writeFileSync(path.join(d, '.containerignore'), 'b\n');
  t.equal(loadIgnore(d).matcher.ignored('a'), false, '.containerignore wins over .dockerignore');
  t.equal(loadIgnore(d).matcher.ignored('b'), true);
  fs.writeFileSync(path.join(d, 'Special.dockerignore'), 'c\n');
  const r = loadIgnore(d, path.join(d, 'Special'));
  t.equal(r.file, path.join(d, 'Special.dockerignore'), '<Containerfile>.dockerignore next to the file wins');
  t.equal(r.matcher.ignored('c'), true);
});
