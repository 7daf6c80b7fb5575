import t from 'tap';
import { executeTemplate, parseTemplate, defaultHeader, TemplateError } from '../../../src/format/template.js';
import { markMap, markStruct } from '../../../src/format/value.js';

// Expected outputs marked "(podman)" were produced by Podman 4.3's Go
// text/template (`podman image inspect --format ...`) on this machine.

const data = {
  Repository: 'docker.io/library/busybox',
  Tag: 'latest',
  ID: 'abc123',
  Names: ['web', 'db'],
  Labels: { 'com.example.role': 'front', version: '2' },
  Empty: {},
  Host: { OCIRuntime: { Name: 'runc', Version: '1.1.5' }, Arch: 'amd64' },
  Size: 1987655,
  Count: 3,
  Ratio: 0.25,
  Running: true,
  Stopped: false,
  Items: [{ Name: 'a', N: 1 }, { Name: 'b', N: 2 }, { Name: 'c', N: 3 }],
  Nothing: null,
  Env: ['PATH=/bin', 'HOME=/root'],
  Upper(this: { Tag: string }) { return this.Tag.toUpperCase(); },
  Greet(this: { Tag: string }, who: string) { return `hello ${who} from ${this.Tag}`; },
};

function run(src: string, d: unknown = data): string {
  return executeTemplate(parseTemplate(src), d);
}

t.test('constructs evaluate like Go text/template', async (t) => {
  const cases: Array<[string, string, string]> = [
    // [description, template, expected]
    ['plain text', 'hello', 'hello'],
    ['fields', '{{.Repository}}:{{.Tag}} {{.ID}}', 'docker.io/library/busybox:latest abc123'],
    ['nested fields', '{{.Host.OCIRuntime.Name}}', 'runc'],
    ['dot', '{{.Tag | printf "%s"}}/{{with .Host}}{{.Arch}}{{end}}', 'latest/amd64'],
    ['json of a value', '{{json .Names}}', '["web","db"]'],
    ['json of an object', '{{json .Host}}', '{"OCIRuntime":{"Name":"runc","Version":"1.1.5"},"Arch":"amd64"}'],
    ['json of a string does not escape HTML', '{{json "<a&b>"}}', '"<a&b>"'],
    ['range over array', '{{range .Names}}[{{.}}]{{end}}', '[web][db]'],
    ['range over structs', '{{range .Items}}{{.Name}}={{.N}};{{end}}', 'a=1;b=2;c=3;'],
    ['range with index and element', '{{range $i, $e := .Names}}{{$i}}:{{$e}} {{end}}', '0:web 1:db '],
    ['range with element variable', '{{range $e := .Names}}{{$e}}{{end}}', 'webdb'],
    ['range over map, sorted keys', '{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}', 'com.example.role=front,version=2,'],
    ['range else on empty', '{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['range over null', '{{range .Nothing}}x{{else}}nil{{end}}', 'nil'],
    ['range over integer (Go 1.22)', '{{range 3}}{{.}}{{end}}', '012'],
    ['break and continue (podman)', '{{range $i, $e := split "x,y,z" ","}}{{if eq $i 1}}{{continue}}{{end}}{{$i}}:{{$e}};{{end}}|{{range $e := split "x,y,z" ","}}{{if eq $e "y"}}{{break}}{{end}}{{$e}}{{end}}', '0:x;2:z;|x'],
    ['$ inside range is the root', '{{range .Names}}{{$.Tag}}{{end}}', 'latestlatest'],
    ['if true', '{{if .Running}}up{{end}}', 'up'],
    ['if/else', '{{if .Stopped}}stopped{{else}}running{{end}}', 'running'],
    ['else if chain', '{{if eq .Count 1}}one{{else if eq .Count 3}}three{{else}}many{{end}}', 'three'],
    ['else if falls through', '{{if eq .Count 1}}one{{else if eq .Count 2}}two{{else}}other{{end}}', 'other'],
    ['truth of empty things', '{{if .Empty}}a{{end}}{{if .Nothing}}b{{end}}{{if ""}}c{{end}}{{if 0}}d{{end}}{{if .Names}}e{{end}}{{if .Host}}f{{end}}', 'ef'],
    ['with', '{{with .Host.OCIRuntime}}{{.Name}} {{.Version}}{{end}}', 'runc 1.1.5'],
    ['with else', '{{with .Nothing}}x{{else}}empty{{end}}', 'empty'],
    ['with declaration', '{{with $x := .Tag}}{{$x}}{{.}}{{end}}', 'latestlatest'],
    ['else with (Go 1.23)', '{{with ""}}no{{else with .Tag}}{{.}}{{end}}', 'latest'],
    ['index map', '{{index .Labels "com.example.role"}}', 'front'],
    ['index missing label is empty (podman)', '[{{index .Labels "nope"}}]', '[]'],
    ['index array', '{{index .Names 1}}', 'db'],
    ['index nested', '{{index .Items 2 | printf "%v"}}', '{c 3}'],
    ['index string gives a byte (podman)', '{{index "abc" 1}}', '98'],
    ['missing map key via field (podman)', '{{.Labels.nope}}', '<no value>'],
    ['missing key of a null map', '{{.Nothing.Foo}}', '<no value>'],
    ['printf', '{{printf "%s-%d" .Tag .Count}}', 'latest-3'],
    ['printf with padding', '{{printf "%-8s|%5d|%.2f" .Tag .Count .Ratio}}', 'latest  |    3|0.25'],
    ['lower upper title (podman)', '{{lower "ABC"}} {{upper .Tag}} {{title "hello wOrld foo-bar"}}', 'abc LATEST Hello WOrld Foo-Bar'],
    ['join', '{{join .Names ","}}', 'web,db'],
    ['split', '{{split "a:b:c" ":"}}', '[a b c]'],
    ['split then index', '{{index (split "PATH=/bin" "=") 1}}', '/bin'],
    ['len', '{{len .Names}} {{len .Labels}} {{len "héllo"}} {{len .Items}}', '2 2 6 3'],
    ['slice', '{{slice .Names 1}} {{slice "abcdef" 1 3}}', '[db] bc'],
    ['comparison functions', '{{eq 1 1}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true true true false'],
    ['eq with several operands (podman)', '{{eq 1 2 1}} {{eq .Tag "x" "latest"}}', 'true true'],
    ['eq against nil', '{{eq .Nothing nil}}', 'true'],
    ['and or not (podman)', '{{if and 1 ""}}y{{else}}n{{end}} {{or "" 0 "z"}} {{and 1 2 3}} {{not ""}} {{not .Running}}', 'n z 3 true false'],
    ['and short-circuits', '{{and .Stopped .Nothing.X.Y}}|{{or .Running (index .Names 9)}}', 'false|true'],
    ['pipelines', '{{.Tag | upper}} {{.Tag | printf "%s!" | upper}}', 'LATEST LATEST!'],
    ['pipeline passes last argument', '{{.Tag | eq "latest"}} {{"x" | printf "%s-%s" "a"}}', 'true a-x'],
    ['parenthesized pipelines', '{{len (split .Tag "t")}} {{(index .Items 0).Name}}', '3 a'],
    ['variables', '{{$x := .Tag}}{{$x}}-{{$x = "new"}}{{$x}}', 'latest-new'],
    ['assignment reaches the outer scope (podman)', '{{$a := 1}}{{if true}}{{$a = 2}}{{$b := 3}}{{end}}{{$a}}', '2'],
    ['variable field chain', '{{$h := .Host}}{{$h.OCIRuntime.Name}}', 'runc'],
    ['$ is the data', '{{$.Tag}}', 'latest'],
    ['trim markers (podman)', '{{- /* comment */ -}} a {{- 3 -}} b {{-3}} c {{ "x" -}}   \n  d', 'a3b -3 c xd'],
    ['trim newlines', 'a\n  {{- .Tag -}}\n  b', 'alatestb'],
    ['comments', 'a{{/* a comment with }} in it */}}b', 'ab'],
    ['multi-line comment', 'a{{/* line 1\nline 2 */}}b', 'ab'],
    ['string literals', '{{"a\\tb\\n"}}|{{`raw\\t`}}|{{"\\u00e9\\x41\\101"}}', 'a\tb\n|raw\\t|éAA'],
    ['number literals (podman)', '{{0x1F}} {{0o17}} {{017}} {{1_000}} {{-1.5}} {{+2}} {{.5}} {{0b101}}', '31 15 15 1000 -1.5 2 0.5 5'],
    ['char literals (podman)', "{{'a'}} {{'\\n'}}", '97 10'],
    ['bool and nil literals', '{{true}} {{false}} {{printf "%v" nil}}', 'true false <nil>'],
    ['action with a declaration prints nothing', '{{$x := 5}}', ''],
    ['method-like function property', '{{.Upper}}', 'LATEST'],
    ['method with arguments', '{{.Greet "bob"}} {{"amy" | .Greet}}', 'hello bob from latest hello amy from latest'],
    ['print and println (podman)', '{{print 1 2 "a" "b" 3 true}}|{{println 1 "x"}}|{{print nil}}', '1 2ab3 true|1 x\n|<nil>'],
    ['html js urlquery (podman)', `{{html "<a href='x'>&</a>"}} {{js "it's <b>"}} {{urlquery "a b&c=d/é"}}`, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; it\\'s \\u003Cb\\u003E a+b%26c%3Dd%2F%C3%A9"],
    ['pad and truncate (podman)', '{{truncate "abcdef" 3}}|{{pad "x" 2 1}}|', 'abc|  x |'],
    ['printing values like fmt %v', '{{.Names}} {{.Labels}} {{.Empty}} {{.Nothing}} {{.Items}} {{.Ratio}} {{.Size}}', '[web db] map[com.example.role:front version:2] map[] <nil> [{a 1} {b 2} {c 3}] 0.25 1987655'],
    ['large floats print like Go', '{{printf "%v" 1234567.5}} {{0.00001}}', '1.2345675e+06 1e-05'],
    ['define and template', '{{define "T"}}[{{.}}]{{end}}{{template "T" .Tag}}{{template "T" "x"}}', '[latest][x]'],
    ['block', '{{block "B" .Count}}<{{.}}>{{end}}', '<3>'],
    ['newlines inside actions', '{{printf\n"%s"\n.Tag}}', 'latest'],
    ['a string containing }}', '{{"}}"}}', '}}'],
  ];
  for (const [desc, src, want] of cases) {
    let got: string;
    try {
      got = run(src);
    } catch (e) {
      got = `THREW: ${(e as Error).message}`;
    }
    t.equal(got, want, `${desc}: ${src}`);
  }
});

t.test('struct vs map: a missing struct field is an error, a missing map key is <no value>', async (t) => {
  t.equal(run('{{.nope}}', { 'com.x': 'y' }), '<no value>', 'lower-case keys: a map');
  t.equal(run('{{.Nope}}', {}), '<no value>', 'empty object: a map');
  t.throws(() => run('{{.Nope}}', { ID: 'x' }), /can't evaluate field Nope in type struct/);
  t.equal(run('{{.Nope}}', markMap({ ID: 'x' })), '<no value>', 'explicitly a map');
  t.throws(() => run('{{.Nope}}', markStruct({ id: 'x' })), /can't evaluate field Nope/, 'explicitly a struct');
  t.equal(run('{{if .}}y{{else}}n{{end}}', markStruct({})), 'y', 'a struct is always true');
  t.equal(run('{{if .}}y{{else}}n{{end}}', {}), 'n', 'an empty map is false');
  t.equal(run('{{.size}}', new Map([['size', 3]])), '3', 'a Map');
  class Report { constructor(readonly ID: string) {} get Short() { return this.ID.slice(0, 2); } }
  t.equal(run('{{.ID}} {{.Short}}', new Report('abcdef')), 'abcdef ab', 'class instances and getters');
  t.throws(() => run('{{.toString}}', new Report('abcdef')), /can't evaluate field toString in type Report/, 'no Object.prototype leaks');
});

t.test('execution errors are TemplateErrors with Go\'s message and exit code 125', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['{{.Nope}}', /^template: format:1:2: executing "format" at <\.Nope>: can't evaluate field Nope in type struct$/],
    ['{{.Tag.Foo}}', /at <\.Tag\.Foo>: can't evaluate field Foo in type string$/],
    ['{{$x := 1}}{{$x.Foo}}', /at <\$x\.Foo>: can't evaluate field Foo in type int$/],
    ['{{nil}}', /nil is not a command/],
    ['{{.Tag 1}}', /Tag has arguments but cannot be invoked as function/],
    ['{{index .Names 5}}', /at <index \.Names 5>: error calling index: index out of range: 5$/],
    ['{{len 3}}', /error calling len: len of type int/],
    ['{{eq "a" 1}}', /error calling eq: incompatible types for comparison/],
    ['{{lt true false}}', /error calling lt: invalid type for comparison/],
    ['{{printf}}', /at <printf>: wrong number of args for printf: want at least 1 got 0/],
    ['{{join .Tag ","}}', /expected \[\]string; got string/],
    ['{{slice .Tag 1 99}}', /error calling slice: index out of range: 99/],
    ['{{upper 3}}', /error calling upper: wrong type for value; expected string; got int/],
    ['{{range .Tag}}{{end}}', /range can't iterate over latest/],
    ['{{template "nope"}}', /template "nope" not defined/],
    ['{{"x" | .Count}}', /Count has arguments but cannot be invoked as function/],
    ['line1\n{{.Nope}}', /^template: format:2:2: /],
  ];
  for (const [src, re] of cases) {
    try {
      run(src);
      t.fail(`no error for ${src}`);
    } catch (e) {
      t.ok(e instanceof TemplateError, `TemplateError for ${src}`);
      t.match((e as TemplateError).message, re, src);
      t.equal((e as TemplateError).exitCode, 125);
    }
  }
  // A thrown error inside a method becomes "error calling".
  t.throws(() => run('{{.Boom}}', { Boom() { throw new Error('kaput'); } }), /error calling Boom: kaput/);
});

t.test('malformed templates fail to parse with Go\'s messages', async (t) => {
  const cases: Array<[string, string]> = [
    ['{{.ID', 'unclosed action'],
    ['{{foo .ID}}', 'function "foo" not defined'],
    ['{{if .ID}}x', 'unexpected EOF'],
    ['{{range .Names}}x', 'unexpected EOF'],
    ['{{end}}', 'unexpected {{end}}'],
    ['{{else}}', 'unexpected {{else}}'],
    ['{{.ID}}{{end}}', 'unexpected {{end}}'],
    ['{{$x}}', 'undefined variable "$x"'],
    ['{{$x = 1}}', 'undefined variable "$x"'],
    ['{{if true}}{{$y := 1}}{{end}}{{$y}}', 'undefined variable "$y"'],
    ['{{(.ID}}', 'unclosed left paren'],
    ['{{.ID)}}', 'unexpected ")" in command'],
    ['{{}}', 'missing value for command'],
    ['{{if}}{{end}}', 'missing value for if'],
    ['{{"abc}}', 'unterminated quoted string'],
    ['{{`abc}}', 'unterminated raw quoted string'],
    ['{{1x}}', 'bad number syntax: "1x"'],
    ['{{.ID | "x"}}', 'non executable command in pipeline stage 2'],
    ['{{/* x }}', 'unclosed comment'],
    ['{{/* x */ }}', 'comment ends before closing delimiter'],
    ['{{.ID @}}', 'unexpected "@" in operand'],
    ['{{break}}', '{{break}} outside {{range}}'],
    ['{{"a\\q"}}', 'invalid syntax'],
    ['{{$a, $b := .Names}}', 'too many declarations in command'],
    ['{{range $a, $b, $c := .Names}}{{end}}', 'too many declarations in range'],
    ['{{if 1}}{{else}}{{else}}{{end}}', 'expected end; found {{else}}'],
    ['{{"x".Foo}}', 'unexpected . after term'],
    ['\n\n{{.ID', 'unclosed action'],
  ];
  for (const [src, msg] of cases) {
    try {
      parseTemplate(src, { name: 'ps' });
      t.fail(`parsed ${JSON.stringify(src)}`);
    } catch (e) {
      t.ok(e instanceof TemplateError, JSON.stringify(src));
      t.match((e as Error).message, /^template: ps:\d+: /, 'Go-style prefix');
      t.ok((e as Error).message.includes(msg), `${JSON.stringify(src)} -> ${(e as Error).message}`);
    }
  }
  t.match(String((() => { try { parseTemplate('\n\n{{.ID'); } catch (e) { return (e as Error).message; } })()), /^template: format:3: unclosed action$/, 'line number');
});

t.test('custom functions', async (t) => {
  const tpl = parseTemplate('{{double .Count}} {{.Tag | shout}}', {
    funcs: { double: (n: unknown) => Number(n) * 2, shout: (s: unknown) => `${String(s)}!` },
  });
  t.equal(executeTemplate(tpl, data), '6 latest!');
  const withCall = parseTemplate('{{call (adder 2) 3}}', { funcs: { adder: (n: unknown) => (m: unknown) => Number(n) + Number(m) } });
  t.equal(executeTemplate(withCall, {}), '5', 'call invokes a function value');
  const over = parseTemplate('{{upper "x"}}', { funcs: { upper: () => 'replaced' } });
  t.equal(executeTemplate(over, {}), 'replaced', 'overrides a builtin');
});

t.test('a parsed template can be executed many times', async (t) => {
  const tpl = parseTemplate('{{$n := .N}}{{range .L}}{{$n}}{{.}}{{end}}');
  t.equal(executeTemplate(tpl, { N: 'a', L: [1, 2] }), 'a1a2');
  t.equal(executeTemplate(tpl, { N: 'b', L: [3] }), 'b3');
});

t.test('header mode renders column headers from field names', async (t) => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['{{.ID}}\t{{.Names}}', { ID: 'CONTAINER ID' }, 'CONTAINER ID\tNAMES'],
    ['{{.ID}}\t{{.Repository}}', { ID: 'IMAGE ID' }, 'IMAGE ID\tREPOSITORY'],
    ['{{.CreatedAt}} {{.Host.OCIRuntime.Name}}', {}, 'CREATED AT NAME'],
    ['{{.Host.OCIRuntime.Name}}', { 'Host.OCIRuntime.Name': 'RUNTIME' }, 'RUNTIME'],
    ['{{.Repository | upper}} {{printf "%s:%s" .Repository .Tag}}', {}, 'REPOSITORY REPOSITORY:TAG'],
    ['{{join .Names ","}} {{json .Labels}} {{len .Mounts}}', {}, 'NAMES LABELS MOUNTS'],
    ['{{if .Running}}up{{else}}down{{end}}', {}, 'up'],
    ['{{range .Names}}{{.}}{{end}}', {}, 'NAMES'],
    ['{{index .Labels "x"}}', {}, 'LABELS'],
    ['lit {{"x"}}', {}, 'lit x'],
  ];
  for (const [src, headers, want] of cases) {
    t.equal(executeTemplate(parseTemplate(src), undefined, { header: headers }), want, src);
  }
});

t.test('default headers split field names like Podman', async (t) => {
  const cases: Array<[string, string]> = [
    ['ID', 'ID'], ['Names', 'NAMES'], ['CreatedAt', 'CREATED AT'], ['OCIRuntime', 'OCI RUNTIME'],
    ['ImageID', 'IMAGE ID'], ['RunningFor', 'RUNNING FOR'], ['Size2', 'SIZE 2'], ['PIDs', 'PI DS'],
  ];
  for (const [field, want] of cases) t.equal(defaultHeader(field), want, field);
});
