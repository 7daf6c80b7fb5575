// Merge rules of the Compose Specification's merge chapter (and the reference loader's override tests),
// checked through real files loaded in order with -f, and through mergeTrees directly.
import t from 'tap';
import { mergeTrees, enforceUnique } from '../../../src/compose/merge.js';
import { parseComposeYaml } from '../../../src/compose/yaml.js';
import { load, projectDir } from '../../fixtures/compose/project.js';

const y = (s: string): Record<string, unknown> => parseComposeYaml(s, 'inline')[0]!;
const merge = (...docs: string[]): Record<string, unknown> => enforceUnique(docs.map(y).reduce((a, b) => mergeTrees(a, b), {}));
const svc = (tree: Record<string, unknown>, name = 'foo'): Record<string, unknown> => (tree['services'] as Record<string, Record<string, unknown>>)[name]!;

t.test('mappings merge, scalars are replaced', async (t) => {
  t.same(svc(merge('services: {foo: {key1: value1, key2: value2}}', 'services: {foo: {key2: VALUE, key3: value3}}')),
    { key1: 'value1', key2: 'VALUE', key3: 'value3' });
});

t.test('sequences append', async (t) => {
  t.same(svc(merge('services: {foo: {dns: [1.1.1.1]}}', 'services: {foo: {dns: [8.8.8.8]}}'))['dns'], ['1.1.1.1', '8.8.8.8']);
  t.same(svc(merge('services: {foo: {dns: 1.1.1.1}}', 'services: {foo: {dns: [8.8.8.8]}}'))['dns'], ['1.1.1.1', '8.8.8.8'], 'a string and a list');
  t.same(svc(merge('services: {foo: {cap_add: [NET_ADMIN]}}', 'services: {foo: {cap_add: [NET_ADMIN, SYS_TIME]}}'))['cap_add'], ['NET_ADMIN', 'SYS_TIME'], 'duplicates dropped');
});

t.test('command, entrypoint and healthcheck.test are replaced', async (t) => {
  const m = svc(merge(
    'services: {foo: {command: [echo, foo], entrypoint: [sh, -c], healthcheck: {test: [CMD, a], interval: 5s}}}',
    'services: {foo: {command: [echo, bar], entrypoint: bash, healthcheck: {test: [CMD, b]}}}',
  ));
  t.same(m['command'], ['echo', 'bar']);
  t.same(m['entrypoint'], 'bash');
  t.same(m['healthcheck'], { test: ['CMD', 'b'], interval: '5s' }, 'the rest of healthcheck still merges');
});

t.test('volumes, ports, secrets and configs are unique by target', async (t) => {
  const m = svc(merge(
    'services: {foo: {volumes: ["foo:/work", "/a:/keep"], secrets: [s1, {source: s2, target: /x}], configs: [c1], ports: ["8080:80", "9000:9000"]}}',
    'services: {foo: {volumes: ["bar:/work", {type: volume, source: v, target: /keep}], secrets: [s1, {source: s3, target: /x}], configs: [{source: c2, target: /c1}], ports: ["8080:80", "8443:443"]}}',
  ));
  t.same(m['volumes'], ['bar:/work', { type: 'volume', source: 'v', target: '/keep' }], 'the later mount takes the place of the earlier one');
  t.same(m['secrets'], ['s1', { source: 's3', target: '/x' }]);
  t.same(m['configs'], [{ source: 'c2', target: '/c1' }], 'short c1 targets /c1');
  t.same(m['ports'], ['8080:80', '9000:9000', '8443:443']);
});

t.test('!reset removes, !override replaces', async (t) => {
  const m = svc(merge(
    'services: {foo: {image: myapp, ports: ["8080:80"], environment: {FOO: BAR, KEEP: 1}, volumes: ["a:/a"]}}',
    'services: {foo: {image: myapp, ports: !reset [], environment: {FOO: !reset null}, volumes: !override ["b:/b"]}}',
  ));
  t.same(m, { image: 'myapp', environment: { KEEP: 1 }, volumes: ['b:/b'] });
  const n = merge('networks: {test: {name: test, external: true}}', 'networks: {test: !reset {}}');
  t.same(n['networks'], {}, 'a whole resource can be reset');
  const o = merge('networks: {test: {name: test, external: true}}', 'networks: {test: !override {}}');
  t.same(o['networks'], { test: {} }, 'and replaced');
  t.same(svc(merge('services: {foo: {image: a, ports: !reset ["1:1"]}}')), { image: 'a' }, '!reset in a lone file leaves nothing');
});

t.test('values with a short and a long form merge in their long form', async (t) => {
  const m = svc(merge(
    'services: {foo: {build: ., depends_on: [db], networks: [front], environment: [A=1, B=2], labels: [x=1]}}',
    'services: {foo: {build: {dockerfile: Other}, depends_on: {cache: {condition: service_healthy}}, networks: {back: {aliases: [b]}}, environment: {B: 3, C: null}, labels: {y: "2"}}}',
  ));
  t.same(m['build'], { context: '.', dockerfile: 'Other' });
  t.same(m['depends_on'], { db: { condition: 'service_started', required: true }, cache: { condition: 'service_healthy' } });
  t.same(m['networks'], { front: null, back: { aliases: ['b'] } });
  t.same(m['environment'], { A: '1', B: 3, C: null });
  t.same(m['labels'], { x: '1', y: '2' });
});

t.test('logging options merge only with the same driver', async (t) => {
  t.same(svc(merge('services: {foo: {logging: {driver: json-file, options: {max-size: 1m}}}}', 'services: {foo: {logging: {options: {max-file: "3"}}}}'))['logging'],
    { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } });
  t.same(svc(merge('services: {foo: {logging: {driver: json-file, options: {max-size: 1m}}}}', 'services: {foo: {logging: {driver: syslog, options: {tag: x}}}}'))['logging'],
    { driver: 'syslog', options: { tag: 'x' } });
});

t.test('ipam pools merge by subnet; ulimits are replaced', async (t) => {
  const n = merge('networks: {n: {ipam: {config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.1}]}}}', 'networks: {n: {ipam: {config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.254}, {subnet: 10.1.0.0/24}]}}}');
  t.same((n['networks'] as Record<string, unknown>)['n'], { ipam: { config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.254' }, { subnet: '10.1.0.0/24' }] } });
  t.same(svc(merge('services: {foo: {ulimits: {nofile: {soft: 1, hard: 2}}}}', 'services: {foo: {ulimits: {nofile: 5}}}'))['ulimits'], { nofile: 5 });
});

t.test('files given with -f merge in order; relative paths are relative to the first file', async (t) => {
  const dir = projectDir(t, {
    'compose.yaml': 'services:\n  web:\n    image: busybox\n    command: [echo, base]\n    environment: [A=1]\n    ports: ["8080:80"]\n',
    'over/prod.yaml': 'services:\n  web:\n    command: echo prod\n    environment: {B: "2"}\n    ports: ["8443:443"]\n    volumes: ["./data:/data"]\n',
  });
  const p = load(dir, { files: ['compose.yaml', 'over/prod.yaml'] });
  const web = p.services['web']!;
  t.same(web.command, ['echo', 'prod']);
  t.same(web.environment, { A: '1', B: '2' });
  t.same(web.ports.map((x) => x.target), [80, 443]);
  t.equal(web.volumes[0]!.source, `${dir}/data`, 'the project directory is the first file\'s');
  t.same(p.config_files, [`${dir}/compose.yaml`, `${dir}/over/prod.yaml`]);
});
