import t from 'tap';
import { sprintf, goQuote } from '../../../src/format/printf.js';

// Expected strings marked (podman) come from Go's fmt via Podman 4.3 on this machine.
t.test('verbs, flags, width and precision', async (t) => {
  const cases: Array<[string, unknown[], string]> = [
    ['%5.2f|%x|%X|%o|%b|%c|%q|%v|%d|%s', [3.14159, 255, 255, 8, 5, 65, 'a"b', 1.5, -42, 'str'], ' 3.14|ff|FF|10|101|A|"a\\"b"|1.5|-42|str'], // (podman)
    ['%-6s|%6s|%06d|%+d|% d|%.2s|%8.3f|%e|%g|%G', ['ab', 'cd', 42, 5, 7, 'hello', 2.5, 123456.789, 0.00001234, 1e21], 'ab    |    cd|000042|+5| 7|he|   2.500|1.234568e+05|1.234e-05|1E+21'], // (podman)
    ['%#x %#o %x', [255, 8, 'hi'], '0xff 010 6869'], // (podman)
    ['%v %v', [123456789.5, 1234567.25], '1.234567895e+08 1.23456725e+06'], // (podman)
    ['%.3g|%.3g|%.3g|%.3g', [999.999, 1.987655, 0.0001234, 12345], '1e+03|1.99|0.000123|1.23e+04'], // (podman)
    ['%t %v', [true, null], 'true <nil>'], // (podman)
    ['%T %T %T %T %T', [1, 1.5, 's', true, null], 'int float64 string bool <nil>'], // (podman)
    ['%%', [], '%'],
    ['%v', [['a', 'b']], '[a b]'],
    ['%s', [['a', 'b']], '[a b]'],
    ['%q', [['a', 'b']], '["a" "b"]'],
    ['%v', [{ b: 2, a: 1 }], 'map[a:1 b:2]'],
    ['%v', [{ Name: 'x', N: 2 }], '{x 2}'],
    ['%5v|%-5v|', [12, 'ab'], '   12|ab   |'],
    ['%*d|%-*d|', [4, 7, 3, 1], '   7|1  |'],
    ['%.3d', [7], '007'],
    ['%05.1f', [-2.25], '-02.2'],
    ['%x', [-255], '-ff'],
    ['%U', [65], '%!U(int=65)'],
    ['%8.2e', [1234.5], '1.23e+03'],
    ['%s', [undefined], '<no value>'],
    ['%d', [10n], '10'],
    // exact ties round to even, like Go's strconv (JS would round up)
    ['%.1f %.1f %.0f %.0f %.2f', [2.25, 2.35, 0.5, 1.5, 1.005], '2.2 2.4 0 2 1.00'],
    ['%.1e %.2g %.3g', [1.25, 0.125, 1.125], '1.2e+00 0.12 1.12'],
  ];
  for (const [f, args, want] of cases) t.equal(sprintf(f, args), want, `${f} ${JSON.stringify(args, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
});

t.test('bad and missing operands print markers like Go', async (t) => {
  t.equal(sprintf('%d %s', [1]), '1 %!s(MISSING)'); // (podman)
  t.equal(sprintf('%d', ['x']), '%!d(string=x)'); // (podman)
  t.equal(sprintf('%d', [1, 2]), '1%!(EXTRA int=2)'); // (podman)
  t.equal(sprintf('%d', [1.5]), '%!d(float64=1.5)');
  t.equal(sprintf('%f', ['x']), '%!f(string=x)');
  t.equal(sprintf('%t', [1]), '%!t(int=1)');
  t.equal(sprintf('abc%', []), 'abc%!(NOVERB)');
});

t.test('goQuote', async (t) => {
  t.equal(goQuote('a"b\\c\n\t\x01é'), '"a\\"b\\\\c\\n\\t\\x01é"');
});
