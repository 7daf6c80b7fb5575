import t from 'tap';
import { parseReference, qualify, normalize, formatReference } from '../../../src/image/reference.js';

t.test('parses the forms Podman accepts', async (t) => {
  const cases: Array<[string, string | undefined, string, string | undefined, string | undefined]> = [
    ['busybox', undefined, 'busybox', undefined, undefined],
    ['busybox:1.36', undefined, 'busybox', '1.36', undefined],
    ['127.0.0.1:5000/ns/app:v1', '127.0.0.1:5000', 'ns/app', 'v1', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['quay.io/a/b/c@sha256:' + 'a'.repeat(64), 'quay.io', 'a/b/c', undefined, 'sha256:' + 'a'.repeat(64)],
    ['host:5000/app:tag@sha256:' + 'b'.repeat(64), 'host:5000', 'app', 'tag', 'sha256:' + 'b'.repeat(64)],
  ];
  for (const [input, reg, path, tag, digest] of cases) {
    const r = parseReference(input);
    t.same([r.registry, r.path, r.tag, r.digest], [reg, path, tag, digest], input);
  }
});

t.test('rejects invalid references with a clear message', async (t) => {
  for (const bad of ['', 'UPPER/case', 'a//b', 'a:b:c', 'app@sha256:xyz', 'app:-bad', 'app@sha256:' + 'A'.repeat(64), '-lead', 'a b']) {
    t.throws(() => parseReference(bad), { code: 'EINVAL', message: /invalid reference format/ }, JSON.stringify(bad));
  }
});

t.test('qualifies docker.io short names with library/', async (t) => {
  t.equal(formatReference(normalize(qualify(parseReference('busybox'), 'docker.io'))), 'docker.io/library/busybox:latest');
  t.equal(formatReference(normalize(qualify(parseReference('me/app'), 'docker.io'))), 'docker.io/me/app:latest');
  t.equal(formatReference(normalize(qualify(parseReference('app'), 'quay.io'))), 'quay.io/app:latest');
});
