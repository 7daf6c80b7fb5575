// Interpolation and .env facts from the Compose Specification (interpolation chapter, env_file format) and
// the reference loader's template tests, re-expressed as tables.
import t from 'tap';
import { substitute, interpolateTree } from '../../../src/compose/interpolate.js';
import { parseDotenv } from '../../../src/compose/dotenv.js';
import { parseComposeYaml } from '../../../src/compose/yaml.js';

// FOO set, BAR set but empty, everything else unset
const vars: Record<string, string> = { FOO: 'first', BAR: '', JSON: '{"json":2}' };
const lookup = (k: string): string | undefined => vars[k];
const sub = (s: string): string => substitute(s, lookup);

t.test('the table: set / empty / unset for every operator', async (t) => {
  const table: [string, string][] = [
    ['$FOO', 'first'], ['${FOO}', 'first'], ['$BAR', ''], ['${UNSET}', ''],
    // :- uses the default when unset OR empty; - only when unset
    ['${FOO:-def}', 'first'], ['${BAR:-def}', 'def'], ['${UNSET:-def}', 'def'],
    ['${FOO-def}', 'first'], ['${BAR-def}', ''], ['${UNSET-def}', 'def'],
    // :+ gives the alternative when set AND non-empty; + whenever set
    ['${FOO:+alt}', 'alt'], ['${BAR:+alt}', ''], ['${UNSET:+alt}', ''],
    ['${FOO+alt}', 'alt'], ['${BAR+alt}', 'alt'], ['${UNSET+alt}', ''],
    // ? only fails when unset: an empty value passes
    ['${FOO:?err}', 'first'], ['${FOO?err}', 'first'], ['${BAR?err}', ''],
  ];
  for (const [tpl, want] of table) t.equal(sub(tpl), want, tpl);
});

t.test(':? and ? fail with the message, naming the variable', async (t) => {
  t.throws(() => sub('not ok ${UNSET:?Mandatory Variable Unset}'), { message: 'required variable UNSET is missing a value: Mandatory Variable Unset' });
  t.throws(() => sub('not ok ${BAR:?Mandatory Variable Empty}'), { message: 'required variable BAR is missing a value: Mandatory Variable Empty' });
  t.throws(() => sub('${UNSET:?}'), { message: 'required variable UNSET is missing a value' });
  t.throws(() => sub('${UNSET?set it}'), { message: 'required variable UNSET is missing a value: set it' });
  t.throws(() => sub('${UNSET?}'), { message: 'required variable UNSET is missing a value' });
  t.throws(() => sub('${UNSET:?Mandatory ${FOO}}'), { message: 'required variable UNSET is missing a value: Mandatory first' }, 'the message is interpolated');
});

t.test('nesting, and defaults expanded only when used', async (t) => {
  const table: [string, string][] = [
    ['ok ${UNSET-$FOO}', 'ok first'], ['ok ${UNSET-${FOO}}', 'ok first'], ['ok ${UNSET-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR:-$FOO}', 'ok first'], ['ok ${BAR:-${FOO}}', 'ok first'], ['ok ${BAR+$FOO}', 'ok first'],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second'], ['${UNSET:-${BAR:-deep}}', 'deep'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '], ['ok ${BAR:-/non:-alphanumeric}', 'ok /non:-alphanumeric'],
    ['${UNSET:-{"a":1\\}}', '{"a":1\\}'],
  ];
  for (const [tpl, want] of table) t.equal(sub(tpl), want, tpl);
  const unset: string[] = [];
  t.equal(substitute('${A:+${A},}B', lookup, { onUnset: (n) => unset.push(n) }), 'B');
  t.same(unset, [], 'an alternative that is not used does not warn');
  t.equal(substitute('${FOO?${NOPE}}', lookup, { onUnset: (n) => unset.push(n) }), 'first');
  t.same(unset, [], 'an error message that is not used does not warn');
  t.equal(substitute('${A:-${B}}', lookup, { onUnset: (n) => unset.push(n) }), '');
  t.same(unset, ['B'], 'a used default warns about its own unset variable');
});

t.test('$$, lone dollars and text around variables', async (t) => {
  const table: [string, string][] = [
    ['$${foo}', '${foo}'], ['$$VAR_NOT_INTERPOLATED', '$VAR_NOT_INTERPOLATED'], ['a $ string', 'a $ string'],
    ['^REGEX$', '^REGEX$'], ['$}', '$}'], ['$', '$'], ['$1', '$1'], ['$FOO-bar', 'first-bar'], ['$FOO.x', 'first.x'],
    ['${JSON}', '{"json":2}'], ['-ok ${BAR:-defaultValue}', '-ok defaultValue'], [':?ok ${BAR-defaultValue}', ':?ok '],
    ['x${FOO}y$FOO', 'xfirstyfirst'], ['foo', 'foo'],
  ];
  for (const [tpl, want] of table) t.equal(sub(tpl), want, tpl);
});

t.test('invalid templates are errors', async (t) => {
  for (const bad of ['${', '${}', '${ }', '${ foo}', '${foo }', '${foo!}', '${FOO:-unterminated', '${1abc}']) {
    t.throws(() => sub(bad), /invalid interpolation format/, bad);
  }
});

t.test('interpolateTree: values only, never keys; errors name the path', async (t) => {
  const tree = { services: { web: { image: 'busybox:${TAG-latest}', labels: { '$FOO': '$FOO' }, ports: ['${P:-80}:80'] } } };
  t.same(interpolateTree(tree, lookup), { services: { web: { image: 'busybox:latest', labels: { '$FOO': 'first' }, ports: ['80:80'] } } });
  t.throws(() => interpolateTree({ services: { web: { ports: ['${PORT:?set PORT}'] } } }, lookup),
    { message: 'error while interpolating services.web.ports[0]: required variable PORT is missing a value: set PORT' });
  t.same(interpolateTree({ n: 3, b: true, z: null }, lookup), { n: 3, b: true, z: null }, 'non-strings untouched');
});

t.test('env file format (Specification: Env_file format)', async (t) => {
  const text = [
    '# Set Rails/Rack environment', '', 'RACK_ENV=development', 'VAR="quoted"', "S='single'",
    'C=VAL # comment', 'NC=VAL# not a comment', 'QC="VAL # not a comment"', 'QC2="VAL" # comment',
    "LIT='$OTHER'", "LIT2='${OTHER}'", "ESC='Let\\'s go!'", 'JSON="{\\"hello\\": \\"json\\"}"',
    'TAB="some\\tvalue"', "RAWTAB='some\\tvalue'", 'UNQ=some\\tvalue', 'EMPTY=', 'export EXP=1',
    'REF=${RACK_ENV}-x', 'FROMENV=${FOO}', 'INHERITED_FOO', 'INHERITED_NOPE', 'ML="line1', 'line2"', 'SPACES =  padded  ',
  ].join('\n');
  const env = parseDotenv(text, 'x.env', lookup);
  t.same(env, {
    RACK_ENV: 'development', VAR: 'quoted', S: 'single', C: 'VAL', NC: 'VAL# not a comment', QC: 'VAL # not a comment', QC2: 'VAL',
    LIT: '$OTHER', LIT2: '${OTHER}', ESC: "Let's go!", JSON: '{"hello": "json"}', TAB: 'some\tvalue', RAWTAB: 'some\\tvalue',
    UNQ: 'some\\tvalue', EMPTY: '', EXP: '1', REF: 'development-x', FROMENV: 'first', ML: 'line1\nline2', SPACES: 'padded',
  }, 'each rule of the format');
  t.notOk('INHERITED_NOPE' in env, 'a bare name not in the environment stays unset');
  const inh = parseDotenv('FOO\nBAR', 'x.env', lookup);
  t.same(inh, { FOO: 'first', BAR: '' }, 'a bare name takes its value (even empty) from the environment');
  t.same(parseDotenv('A=1\nB=${A}', 'x.env', (k) => (k === 'A' ? 'env' : undefined)), { A: '1', B: 'env' }, 'the environment wins over the file in interpolation');
  t.same(parseDotenv('A="$x \'q\'"', 'x.env', lookup, true), { A: '"$x \'q\'"' }, 'format: raw keeps the value as written');
  t.throws(() => parseDotenv('A="open', 'x.env'), /x\.env:1: unterminated quoted value for A/);
  t.throws(() => parseDotenv('ok=1\nBAD KEY=1', 'x.env'), /x\.env:2: invalid variable name "BAD KEY"/);
  t.throws(() => parseDotenv('A=${B:?need B}', 'x.env'), /x\.env:1: required variable B is missing a value: need B/);
});

t.test('YAML: anchors, merge keys, tags, octal, syntax errors with file:line:column', async (t) => {
  const [doc] = parseComposeYaml([
    'x-env: &env', '  FOO: BAR', '  ZOT: QUIX', 'x-keys: &keys', '  KEY: VALUE',
    'services:', '  a:', '    environment:', '      <<: [*env, *keys]', '      FOO: mine', '    mode: 0440', '    n: 010x',
    '  b: &b', '    image: alpine', '  c: *b', '  1: {image: x}',
  ].join('\n'), 'f.yaml');
  const s = (doc!['services'] as Record<string, Record<string, unknown>>);
  t.same(s['a']!['environment'], { FOO: 'mine', ZOT: 'QUIX', KEY: 'VALUE' }, 'explicit keys win over merged ones');
  t.equal(s['a']!['mode'], 0o440, '0440 is octal, as go-yaml reads it');
  t.equal(s['a']!['n'], '010x');
  t.same(s['c'], { image: 'alpine' }, 'alias');
  t.ok('1' in s, 'keys become strings');
  t.throws(() => parseComposeYaml('services:\n  web:\n    image: [unclosed\n', 'bad.yaml'), /^bad\.yaml:\d+:\d+: YAML syntax error/);
  t.throws(() => parseComposeYaml('services:\n  web:\n    image: a\n    image: b\n', 'dup.yaml'), /^dup\.yaml:4:5: YAML syntax error: Map keys must be unique/);
  t.throws(() => parseComposeYaml('- a\n- b\n', 'list.yaml'), /list\.yaml: a Compose file must be a mapping/);
  const lol = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  t.throws(() => parseComposeYaml(lol.join('\n'), 'lol.yaml'), /lol\.yaml: too many YAML alias expansions/, 'nested aliases cannot blow up');
});
