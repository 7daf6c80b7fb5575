// Variable substitution and word splitting as Docker's shell lexer does it.
import t from 'tap';
import { expandWord, expandWords, expandVarsOnly, parseKeyValues, splitRaw, envMap, setEnv } from '../../../src/build/shell.js';

const env = new Map([['A', 'x'], ['EMPTY', ''], ['SP', 'a b'], ['P', '/usr']]);

t.test('expansion forms', async (t) => {
  const cases: Array<[string, string]> = [
    ['$A', 'x'], ['${A}', 'x'], ['pre-${A}-post', 'pre-x-post'], ['$A$A', 'xx'], ['$NOPE', ''],
    ['${NOPE:-def}', 'def'], ['${EMPTY:-def}', 'def'], ['${A:-def}', 'x'],
    ['${NOPE-def}', 'def'], ['${EMPTY-def}', ''],
    ['${A:+alt}', 'alt'], ['${EMPTY:+alt}', ''], ['${NOPE:+alt}', ''], ['${EMPTY+alt}', 'alt'],
    ['${NOPE:-$A}', 'x'], ['${NOPE:-${P}/bin}', '/usr/bin'], ['${NOPE:-a b}', 'a b'],
    ["'$A'", '$A'], ['"$A"', 'x'], ['"\\$A"', '$A'], ['\\$A', '$A'], ['a\\ b', 'a b'],
    ['$', '$'], ['$1', ''], ['"a \\"q\\" b"', 'a "q" b'], ['"it\'s"', "it's"],
  ];
  for (const [input, want] of cases) t.equal(expandWord(input, env), want, input);
  t.throws(() => expandWord('${NOPE:?must be set}', env), /NOPE: must be set/);
  t.throws(() => expandWord('${A', env), /missing '}'/);
  t.throws(() => expandWord('"open', env), /double-quote/);
  t.throws(() => expandWord('${A/x/y}', env), /unsupported modifier/);
});

t.test('words: variables split, quotes do not', async (t) => {
  t.same(expandWords('a  b\tc', env), ['a', 'b', 'c']);
  t.same(expandWords('$SP /dst/', env), ['a', 'b', '/dst/']);
  t.same(expandWords('"$SP" /dst/', env), ['a b', '/dst/']);
  t.same(expandWords("'x y' z", env), ['x y', 'z']);
  t.same(expandWords('"" x', env), ['', 'x'], 'an empty quoted word is a word');
  t.same(expandWords('$EMPTY x', env), ['x'], 'an empty variable is no word');
  t.same(expandWords('a`b c', env, '`'), ['ab', 'c'].map((w, i) => (i === 0 ? 'ab' : w)), 'backtick escape');
});

t.test('raw split and key=value pairs', async (t) => {
  t.same(splitRaw('A="x y" B=\'z\' C=w\\ v'), ['A="x y"', "B='z'", 'C=w\\ v']);
  t.same(parseKeyValues('A="x y" B=$A C=${SP}', env, { allowLegacy: true, requireValue: true, what: 'ENV' }), [['A', 'x y'], ['B', 'x'], ['C', 'a b']]);
  t.same(parseKeyValues('NAME John Doe', env, { allowLegacy: true, requireValue: true, what: 'ENV' }), [['NAME', 'John Doe']], 'legacy ENV form');
  t.same(parseKeyValues('X Y=1', env, { allowLegacy: false, requireValue: false, what: 'ARG' }), [['X', undefined], ['Y', '1']]);
  t.throws(() => parseKeyValues('A=1 B', env, { allowLegacy: true, requireValue: true, what: 'LABEL' }), /KEY=VALUE/);
  t.equal(expandVarsOnly('say "$A" \\n ${NOPE:-d}', env), 'say "x" \\n d');
});

t.test('env helpers', async (t) => {
  const m = envMap(['A=1', 'B=x=y', 'C']);
  t.same([...m], [['A', '1'], ['B', 'x=y'], ['C', '']]);
  t.same(setEnv(['A=1', 'B=2'], 'A', '3'), ['A=3', 'B=2']);
  t.same(setEnv(['A=1'], 'B', '2'), ['A=1', 'B=2']);
});
