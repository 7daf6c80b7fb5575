import t from 'tap';
import { expandSpecifiers, layoutCommand, parseBoolean, parseUnitFile, quoteWord, splitWords, UnitSyntaxError, escapeLiteral } from '../../../src/systemd/unit-file.js';

t.test('parseUnitFile: sections, keys, line numbers, comments, continuations', async (t) => {
  const text = [
    '# comment',            // 1
    '; other comment',      // 2
    '[Unit]',               // 3
    'Description = A thing',// 4
    '',                     // 5
    '[Service]',            // 6
    'ExecStart=/bin/a \\',  // 7
    '  --one \\',           // 8
    '# inside',             // 9
    '  --two',              // 10
    'Environment=A=1',      // 11
    '[Unit]',               // 12
    'After=x.service',      // 13
  ].join('\n');
  const s = parseUnitFile(text);
  t.same(s.map((x) => x.name), ['Unit', 'Service'], 'a repeated section merges into the first');
  t.same(s[0]!.entries, [{ key: 'Description', value: 'A thing', line: 4 }, { key: 'After', value: 'x.service', line: 13 }]);
  t.equal(s[1]!.entries[0]!.key, 'ExecStart');
  t.same(splitWords(s[1]!.entries[0]!.value), ['/bin/a', '--one', '--two'], 'continued lines join, comment lines inside are skipped');
  t.equal(s[1]!.entries[0]!.line, 7);
  t.equal(s[1]!.entries[1]!.line, 11, 'line numbers count the physical lines');
});

t.test('parseUnitFile: errors carry the line', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['Foo=bar\n', 1, /outside of any section/],
    ['[Unit]\njunk\n', 2, /expected KEY=VALUE/],
    ['[Unit\n', 1, /invalid section header/],
    ['[Unit]\nBad Key=1\n', 2, /invalid key name/],
  ];
  for (const [text, line, re] of cases) {
    try { parseUnitFile(text); t.fail(`no error for ${JSON.stringify(text)}`); } catch (err) {
      t.ok(err instanceof UnitSyntaxError);
      t.equal((err as UnitSyntaxError).line, line);
      t.match((err as Error).message, re);
    }
  }
});

t.test('splitWords follows systemd command-line rules', async (t) => {
  t.same(splitWords('a  b\tc'), ['a', 'b', 'c']);
  t.same(splitWords('"a b" \'c d\' e'), ['a b', 'c d', 'e']);
  t.same(splitWords('"FOO=bar baz" X=1'), ['FOO=bar baz', 'X=1']);
  t.same(splitWords('FOO="bar baz"'), ['FOO=bar baz'], 'quotes inside a word');
  t.same(splitWords('"" x'), ['', 'x'], 'an empty quoted word is a word');
  t.same(splitWords('a\\sb \\x41 \\101 "q\\"q" \'s\\\'s\''), ['a b', 'A', 'A', 'q"q', "s's"]);
  t.same(splitWords('a\\nb'), ['a\nb']);
  t.same(splitWords('%t/%n.ctr-id $FOO'), ['%t/%n.ctr-id', '$FOO'], 'specifiers and variables are left alone');
  t.throws(() => splitWords('"open'), /unterminated double quote/);
  t.throws(() => splitWords('bad\\q'), /invalid escape/);
});

t.test('quoteWord round-trips through splitWords', async (t) => {
  const words = ['plain', '', 'two words', 'tab\there', 'new\nline', 'q"uote', "s'ingle", 'back\\slash', ';', '{{.State.Pid}}', 'a=b c', 'ünï'];
  const line = words.map((w) => quoteWord(w)).join(' ');
  t.same(splitWords(line), words);
  t.equal(quoteWord('plain'), 'plain', 'plain words stay bare');
  t.equal(quoteWord('a b'), '"a b"');
  t.equal(quoteWord('50%', true), '50%%', 'literal mode escapes specifiers');
  t.equal(quoteWord('$HOME', true), '$$HOME', 'literal mode escapes variables');
  t.equal(escapeLiteral('%n $X'), '%%n $$X');
});

t.test('layoutCommand, parseBoolean, expandSpecifiers', async (t) => {
  t.equal(layoutCommand([['a', 'run'], ['--x'], [], ['img', 'cmd']]), 'a run \\\n\t--x \\\n\timg cmd');
  t.same(splitWords(layoutCommand([['a', 'run'], ['--x']]).replace(/\\\n/g, ' ')), ['a', 'run', '--x']);
  for (const v of ['1', 'yes', 'true', 'on', 'TRUE']) t.equal(parseBoolean(v), true, v);
  for (const v of ['0', 'no', 'false', 'off']) t.equal(parseBoolean(v), false, v);
  t.equal(parseBoolean('maybe'), undefined);
  t.equal(expandSpecifiers('%t/%n.pid %% %i', { t: '/run/user/1', n: 'a.service', i: 'x' }), '/run/user/1/a.service.pid % x');
  t.throws(() => expandSpecifiers('%Z', {}), /unsupported specifier %Z/);
});
