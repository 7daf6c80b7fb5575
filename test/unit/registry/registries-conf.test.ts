import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isolateRegistryEnv } from '../../fixtures/registry.js';
import {
  parseRegistriesConf, loadRegistriesConf, resetRegistriesConf, registriesConfLocations, searchRegistries, registryConfigFor,
  isInsecure, isBlocked, endpointsFor, aliasFor,
} from '../../../src/registry/registries-conf.js';
import { parseReference, qualify } from '../../../src/image/reference.js';

const env = isolateRegistryEnv();
t.teardown(() => env.restore());
const confFile = process.env['TSPOD_REGISTRIES_CONF']!;

function load(text: string) {
  fs.writeFileSync(confFile, text);
  resetRegistriesConf();
  return loadRegistriesConf();
}

const ref = (s: string) => {
  const r = parseReference(s);
  return qualify(r, r.registry ?? 'docker.io');
};

t.test('defaults: empty file -> docker.io search, nothing insecure', async (t) => {
  const c = load('');
  t.same(searchRegistries(c), ['docker.io']);
  t.equal(isInsecure('127.0.0.1:5000', c), false, 'loopback is not implicitly insecure (as in Podman)');
  t.same(endpointsFor(ref('quay.io/a/b:1'), {}, c), [{ registry: 'quay.io', repository: 'a/b', insecure: false, mirror: false }]);
});

const v2 = `
unqualified-search-registries = ["registry.local:5000", "docker.io"]
short-name-mode = "permissive"

[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "mirror.local:5000/hub"
insecure = true
[[registry.mirror]]
location = "digests.local"
pull-from-mirror = "digest-only"

[[registry]]
location = "registry.local:5000"
insecure = true

[[registry]]
prefix = "example.com/team"
location = "internal.example.com:8443/mirrored/team"

[[registry]]
prefix = "example.com"
blocked = true

[[registry]]
prefix = "*.corp.test"
insecure = true

[aliases]
"tool" = "registry.local:5000/tools/tool"
`;

t.test('v2 file: search list, insecure, blocked, prefixes, mirrors, aliases', async (t) => {
  const c = load(v2);
  t.same(searchRegistries(c), ['registry.local:5000', 'docker.io']);
  t.same(c.files, [confFile]);
  t.equal(c.shortNameMode, 'permissive');
  t.equal(aliasFor('tool', c), 'registry.local:5000/tools/tool');
  t.equal(isInsecure('registry.local:5000', c), true);
  t.equal(isInsecure('registry.local', c), false, 'port matters');
  t.equal(isInsecure('mirror.local:5000', c), true, 'an insecure mirror host is insecure');
  t.equal(isInsecure('a.corp.test', c), true, 'wildcard');
  t.equal(isInsecure('corp.test', c), false, 'wildcard does not match the bare domain');
  t.equal(isInsecure('docker.io', c), false);

  // longest prefix wins
  t.equal(registryConfigFor('example.com/team/app', c)?.prefix, 'example.com/team');
  t.equal(registryConfigFor('example.com/other/app', c)?.prefix, 'example.com');
  t.equal(registryConfigFor('example.com/teamster/app', c)?.prefix, 'example.com', 'prefix matches whole path components');
  t.equal(registryConfigFor('example.community/x', c), undefined);
  t.equal(isBlocked('example.com/other/app', c), true);
  t.equal(isBlocked('example.com/team/app', c), false);

  t.same(endpointsFor(ref('example.com/team/app:1'), {}, c), [{ registry: 'internal.example.com:8443', repository: 'mirrored/team/app', insecure: false, mirror: false }]);
  t.throws(() => endpointsFor(ref('example.com/x/y'), {}, c), { code: 'EBLOCKED', message: /registry example\.com is blocked in .*registries\.conf/ });

  // mirrors first; digest-only mirror only for digests; push skips mirrors
  t.same(endpointsFor(ref('busybox:latest'), {}, c), [
    { registry: 'mirror.local:5000', repository: 'hub/library/busybox', insecure: true, mirror: true },
    { registry: 'docker.io', repository: 'library/busybox', insecure: false, mirror: false },
  ]);
  const d = `sha256:${'a'.repeat(64)}`;
  t.same(endpointsFor(ref(`busybox@${d}`), {}, c).map((e) => e.registry), ['mirror.local:5000', 'digests.local', 'docker.io']);
  t.same(endpointsFor(ref('busybox'), { push: true }, c).map((e) => e.registry), ['docker.io']);
  t.same(endpointsFor(ref('x.corp.test/a/b'), {}, c), [{ registry: 'x.corp.test', repository: 'a/b', insecure: true, mirror: false }]);
});

t.test('mirror-by-digest-only', async (t) => {
  const c = load(`[[registry]]\nprefix = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.local"\n`);
  t.same(endpointsFor(ref('quay.io/a/b:1'), {}, c).map((e) => e.registry), ['quay.io']);
  t.same(endpointsFor(ref(`quay.io/a/b@sha256:${'b'.repeat(64)}`), {}, c).map((e) => e.registry), ['m.local', 'quay.io']);
});

t.test('v1 format', async (t) => {
  const c = load(`[registries.search]\nregistries = ["quay.io"]\n[registries.insecure]\nregistries = ["localhost:5000"]\n[registries.block]\nregistries = ["bad.io"]\n`);
  t.same(searchRegistries(c), ['quay.io']);
  t.equal(isInsecure('localhost:5000', c), true);
  t.equal(isBlocked('bad.io/x', c), true);
});

t.test('invalid files give a clear error naming the file', async (t) => {
  for (const [text, msg] of [
    ['unqualified-search-registries = [', /not valid TOML/],
    ['unqualified-search-registries = "docker.io"', /must be an array of strings/],
    ['[[registry]]\ninsecure = true', /needs a prefix or a location/],
    ['[[registry]]\nlocation = "a.io"\ninsecure = "yes"', /insecure must be true or false/],
    ['[[registry]]\nlocation = "a.io"\n[[registry]]\nlocation = "a.io"', /defined more than once/],
    ['unqualified-search-registries = []\n[registries.search]\nregistries = []', /mixes the version 1/],
    ['[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\ninsecure = true', /mirror #1 needs a location/],
  ] as const) {
    fs.writeFileSync(confFile, text);
    resetRegistriesConf();
    t.throws(() => loadRegistriesConf(), { code: 'ECONFIG', message: new RegExp(`invalid registries configuration ${confFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${msg.source}`) }, text);
  }
  t.throws(() => parseRegistriesConf('x = ', '/some/file.conf'), { message: /\/some\/file\.conf/ });
  process.env['TSPOD_REGISTRIES_CONF'] = path.join(env.dir, 'missing.conf');
  resetRegistriesConf();
  t.throws(() => loadRegistriesConf(), { message: /cannot read registries configuration .*missing\.conf/ });
  process.env['TSPOD_REGISTRIES_CONF'] = confFile;
});

t.test('locations: tspod file wins over containers user file; drop-ins merge', async (t) => {
  const saved = process.env['TSPOD_REGISTRIES_CONF'];
  delete process.env['TSPOD_REGISTRIES_CONF'];
  t.teardown(() => { process.env['TSPOD_REGISTRIES_CONF'] = saved; resetRegistriesConf(); });
  const cfg = process.env['XDG_CONFIG_HOME']!;
  const userFile = path.join(cfg, 'containers', 'registries.conf');
  fs.mkdirSync(path.dirname(userFile), { recursive: true });
  fs.writeFileSync(userFile, 'unqualified-search-registries = ["user.io"]\n');
  t.equal(registriesConfLocations().main, userFile);
  resetRegistriesConf();
  t.same(searchRegistries(), ['user.io']);

  fs.mkdirSync(`${userFile}.d`);
  fs.writeFileSync(path.join(`${userFile}.d`, '10-a.conf'), '[[registry]]\nlocation = "dropin.io"\ninsecure = true\n');
  fs.writeFileSync(path.join(`${userFile}.d`, '20-b.conf'), 'unqualified-search-registries = ["b.io"]\n[[registry]]\nlocation = "dropin.io"\nblocked = true\n');
  fs.writeFileSync(path.join(`${userFile}.d`, 'ignored.txt'), 'garbage [');
  resetRegistriesConf();
  const c = loadRegistriesConf();
  t.same(searchRegistries(c), ['b.io'], 'later drop-in replaces the search list');
  t.equal(isInsecure('dropin.io', c), false, 'later drop-in replaces the same prefix');
  t.equal(isBlocked('dropin.io/x', c), true);
  t.equal(c.files.length, 3);

  const own = path.join(cfg, 'tspod', 'registries.conf');
  fs.mkdirSync(path.dirname(own), { recursive: true });
  fs.writeFileSync(own, 'unqualified-search-registries = ["tspod.io"]\n');
  t.equal(registriesConfLocations().main, own);
  resetRegistriesConf();
  t.same(searchRegistries(), ['tspod.io']);

  process.env['CONTAINERS_REGISTRIES_CONF'] = userFile;
  t.teardown(() => { delete process.env['CONTAINERS_REGISTRIES_CONF']; });
  t.same(registriesConfLocations(), { main: userFile, dropInDirs: [], explicit: true });
});
