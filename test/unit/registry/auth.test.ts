import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isolateRegistryEnv } from '../../fixtures/registry.js';
import {
  getCredentials, saveCredentials, removeCredentials, removeAllCredentials, authFilesForRead, authFileForWrite, primaryAuthFile,
  normalizeAuthKey, validateAuthKey,
} from '../../../src/registry/auth.js';

const env = isolateRegistryEnv();
t.teardown(() => env.restore());
const home = process.env['HOME']!;
const cfg = process.env['XDG_CONFIG_HOME']!;
const rt = process.env['XDG_RUNTIME_DIR']!;

const b64 = (s: string) => Buffer.from(s).toString('base64');
function write(file: string, auths: Record<string, string>, legacy = false) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const entries = Object.fromEntries(Object.entries(auths).map(([k, v]) => [k, { auth: b64(v) }]));
  fs.writeFileSync(file, JSON.stringify(legacy ? entries : { auths: entries }));
}

t.test('file locations and precedence (containers-auth.json(5))', async (t) => {
  const primary = path.join(rt, 'containers', 'auth.json');
  const userCfg = path.join(cfg, 'containers', 'auth.json');
  const docker = path.join(home, '.docker', 'config.json');
  const legacy = path.join(home, '.dockercfg');
  t.equal(primaryAuthFile(), primary);
  t.same(authFilesForRead().map((f) => f.file), [primary, userCfg, docker, legacy]);

  write(legacy, { 'reg.io': 'legacy:pw' }, true);
  t.match(getCredentials('reg.io'), { username: 'legacy', password: 'pw', file: legacy });
  write(docker, { 'https://reg.io/v1/': 'docker:pw', 'https://index.docker.io/v1/': 'hub:pw' });
  t.match(getCredentials('reg.io'), { username: 'docker', file: docker });
  t.match(getCredentials('docker.io/library/busybox'), { username: 'hub', key: 'docker.io' }, "Docker's index URL means docker.io");
  write(userCfg, { 'reg.io': 'user:pw' });
  t.match(getCredentials('reg.io'), { username: 'user', file: userCfg });
  write(primary, { 'reg.io': 'primary:pw:with:colons' });
  t.match(getCredentials('reg.io'), { username: 'primary', password: 'pw:with:colons', file: primary });

  // --authfile / REGISTRY_AUTH_FILE replace the primary file, the rest still follow
  const override = path.join(env.dir, 'override.json');
  write(override, { 'other.io': 'over:pw' });
  t.match(getCredentials('reg.io', { authfile: override }), { username: 'user' }, 'primary is not read with an override');
  t.match(getCredentials('other.io', { authfile: override }), { username: 'over' });
  process.env['REGISTRY_AUTH_FILE'] = override;
  t.teardown(() => { delete process.env['REGISTRY_AUTH_FILE']; });
  t.equal(authFileForWrite(), override);
  t.match(getCredentials('other.io'), { username: 'over' });
  delete process.env['REGISTRY_AUTH_FILE'];

  process.env['DOCKER_CONFIG'] = path.join(env.dir, 'dockercfgdir');
  t.teardown(() => { delete process.env['DOCKER_CONFIG']; });
  t.equal(authFilesForRead()[2]?.file, path.join(env.dir, 'dockercfgdir', 'config.json'));
  delete process.env['DOCKER_CONFIG'];

  t.equal(getCredentials('nowhere.io'), undefined);
});

t.test('namespaced keys: most specific wins within a file', async (t) => {
  const f = path.join(env.dir, 'ns.json');
  write(f, { 'q.io': 'host:pw', 'q.io/org': 'org:pw', 'q.io/org/repo': 'repo:pw' });
  t.equal(getCredentials('q.io/org/repo', { authfile: f })?.username, 'repo');
  t.equal(getCredentials('q.io/org/other', { authfile: f })?.username, 'org');
  t.equal(getCredentials('q.io/else/x', { authfile: f })?.username, 'host');
  t.equal(getCredentials('q.io', { authfile: f })?.username, 'host');
  t.equal(getCredentials('q.io/orgx/y', { authfile: f })?.username, 'host', 'whole path components');
});

t.test('login writes atomically with mode 0600, preserving other content; logout removes', async (t) => {
  const f = path.join(rt, 'containers', 'auth.json');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify({ auths: { 'keep.io': { auth: b64('k:v') }, 'https://new.io/v1/': { auth: b64('old:x') } }, credHelpers: { 'x.io': 'y' } }));
  const written = await saveCredentials('new.io', { username: 'me', password: 'p@ss:word' });
  t.equal(written, f);
  t.equal(fs.statSync(f).mode & 0o777, 0o600);
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  t.same(Object.keys(doc.auths).sort(), ['keep.io', 'new.io'], 'the legacy-URL spelling of the same registry is replaced');
  t.same(doc.credHelpers, { 'x.io': 'y' }, 'other fields preserved');
  t.match(getCredentials('new.io'), { username: 'me', password: 'p@ss:word' });
  t.same(fs.readdirSync(path.dirname(f)).filter((n) => n.includes('.tmp-')), [], 'no temp files left');

  // concurrent logins all land
  await Promise.all(['a.io', 'b.io', 'c.io', 'd.io'].map((h) => saveCredentials(h, { username: h, password: 'x' })));
  for (const h of ['a.io', 'b.io', 'c.io', 'd.io', 'keep.io', 'new.io']) t.ok(getCredentials(h), h);

  t.same(await removeCredentials('https://new.io'), { removed: true, file: f });
  t.equal(getCredentials('new.io'), undefined);
  const docker = path.join(home, '.docker', 'config.json');
  write(docker, { 'dockeronly.io': 'd:d' });
  t.same(await removeCredentials('dockeronly.io'), { removed: false, file: f, foundIn: docker });
  t.same(await removeCredentials('never.io'), { removed: false, file: f });

  const all = await removeAllCredentials();
  t.equal(all.count, 5);
  t.same(JSON.parse(fs.readFileSync(f, 'utf8')).auths, {});

  const custom = path.join(env.dir, 'sub', 'custom-auth.json');
  t.equal(await saveCredentials('reg.io/ns', { username: 'n', password: 's' }, { authfile: custom }), custom);
  t.equal(getCredentials('reg.io/ns/app', { authfile: custom })?.username, 'n');
  t.equal(fs.statSync(custom).mode & 0o777, 0o600);
});

t.test('no XDG_RUNTIME_DIR: root uses /run/containers/0, others the config dir', async (t) => {
  delete process.env['XDG_RUNTIME_DIR'];
  t.teardown(() => { process.env['XDG_RUNTIME_DIR'] = rt; });
  t.equal(primaryAuthFile(), process.getuid?.() === 0 ? '/run/containers/0/auth.json' : path.join(cfg, 'containers', 'auth.json'));
});

t.test('keys and errors', async (t) => {
  t.equal(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
  t.equal(normalizeAuthKey('http://host:5000'), 'host:5000');
  t.equal(normalizeAuthKey('quay.io/org/'), 'quay.io/org');
  t.throws(() => validateAuthKey('quay.io/org/app:tag'), { code: 'EINVAL' });
  t.throws(() => validateAuthKey(''), { code: 'EINVAL' });
  await t.rejects(saveCredentials('x.io', { username: 'a:b', password: 'c' }, { authfile: path.join(env.dir, 'z.json') }), { code: 'EINVAL' });
  const bad = path.join(env.dir, 'bad.json');
  fs.writeFileSync(bad, '{ not json');
  t.throws(() => getCredentials('x.io', { authfile: bad }), { message: /auth file .*bad\.json is not valid JSON/ });
  await t.rejects(saveCredentials('x.io', { username: 'a', password: 'b' }, { authfile: bad }), { message: /bad\.json is not valid JSON/ });
  const badEntry = path.join(env.dir, 'badentry.json');
  fs.writeFileSync(badEntry, JSON.stringify({ auths: { 'x.io': { auth: b64('nocolon') } } }));
  t.throws(() => getCredentials('x.io', { authfile: badEntry }), { message: /not base64 of "username:password"/ });
});
