// Kubernetes' name rules as tables (values from the API server's validation tests), and the sanitizers that
// turn Podman-style names into valid ones.
import t, { type Test } from 'tap';
import { configMapKey, dns1035Label, dns1123Label, dns1123Subdomain, envVarName, labelValue, portName, qualifiedName, toDns1035Label, toDns1123Label, toDns1123Subdomain, toQualifiedName, toLabelValue, uniqueName } from '../../../src/kube/names.js';

const ok = (f: (v: string) => string | undefined, good: string[], bad: string[], t: Test) => {
  for (const v of good) t.equal(f(v), undefined, `valid: ${JSON.stringify(v)}`);
  for (const v of bad) t.type(f(v), 'string', `invalid: ${JSON.stringify(v)}`);
};

t.test('DNS-1123 labels', async (t) => {
  ok(dns1123Label, ['a', 'ab', 'a-b', '0', '1-2', 'a'.repeat(63)], ['', 'A', 'a_b', 'a.b', '-a', 'a-', 'a b', 'a'.repeat(64), 'web_1'], t);
});
t.test('DNS-1123 subdomains', async (t) => {
  ok(dns1123Subdomain, ['a', 'a.b', 'a-b.c-d', '1.2.3', 'a'.repeat(253)], ['', 'A.b', 'a..b', '.a', 'a.', 'a_b', 'a.-b', 'a'.repeat(254)], t);
});
t.test('DNS-1035 labels (Services)', async (t) => {
  ok(dns1035Label, ['a', 'a-1', 'web'], ['1a', 'A', 'a_b', 'a.b', '-a', 'a'.repeat(64)], t);
});
t.test('qualified names (label and annotation keys)', async (t) => {
  ok(qualifiedName, ['a', 'A', 'a.b', 'a_b', 'a-b', 'example.com/x', 'io.podman/Key_1', 'a'.repeat(63)],
    ['', '/a', 'a/', 'a/b/c', '_a', 'a_', 'Example.com/x', 'a b', 'a'.repeat(64), 'io.podman.annotations.autoremove/my_ctr_'], t);
});
t.test('label values, config keys, env names, port names', async (t) => {
  ok(labelValue, ['', 'a', 'A_b.c-d', 'a'.repeat(63)], ['-a', 'a-', 'a b', 'a/b', 'a'.repeat(64)], t);
  ok(configMapKey, ['a', 'a.b', '.a', 'A_b-c', 'config.yaml'], ['', '.', '..', '..a', 'a/b', 'a b'], t);
  ok(envVarName, ['A', 'a_b', 'A.B', '-x', '_1'], ['1A', '', 'A B', 'A=B'], t);
  ok(portName, ['http', 'h-2', 'a1'], ['', 'HTTP', '123', 'a--b', '-a', 'a-', 'abcdefghijklmnop'], t);
});

t.test('sanitizers make valid names, close to the original', async (t) => {
  const table: [string, string][] = [['my_app.1', 'my-app-1'], ['Web', 'web'], ['__x__', 'x'], ['a'.repeat(70), 'a'.repeat(63)], ['___', 'unnamed'], ['a-'.repeat(40), `${'a-'.repeat(31)}a`]];
  for (const [v, want] of table) { t.equal(toDns1123Label(v), want, v); t.equal(dns1123Label(toDns1123Label(v)), undefined); }
  t.equal(toDns1123Subdomain('My_Vol.Data'), 'my-vol.data');
  t.equal(toDns1123Subdomain('a..b'), 'a.b');
  t.equal(dns1123Subdomain(toDns1123Subdomain('-.x_Y.')), undefined);
  t.equal(toDns1035Label('1web'), 'x-1web');
  t.equal(dns1035Label(toDns1035Label('123_')), undefined);
  t.equal(toQualifiedName('io.podman/ok'), 'io.podman/ok');
  t.equal(toQualifiedName('io.podman.annotations.autoremove/my_ctr_'), 'io.podman.annotations.autoremove/my_ctr');
  t.equal(toQualifiedName('My Key!'), 'My-Key');
  t.equal(toQualifiedName('Bad_Prefix.COM/name'), 'bad-prefix.com/name');
  t.equal(toQualifiedName('a/b/c'), 'a-b/c');
  t.equal(toQualifiedName('///'), undefined);
  t.equal(toLabelValue('/usr/bin:x'), 'usr-bin-x');
  const taken = new Set<string>();
  t.same(['web', 'web', 'web'].map((n) => uniqueName(n, taken)), ['web', 'web-2', 'web-3']);
  t.equal(uniqueName('a'.repeat(63), new Set(['a'.repeat(63)])).length, 63);
});
