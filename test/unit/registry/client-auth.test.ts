// Basic (htpasswd) and bearer-token auth against real docker-registry instances.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRegistry, isolateRegistryEnv, type RegistryFixture } from '../../fixtures/registry.js';
import { RegistryClient, digestBytes } from '../../../src/registry/client.js';
import { saveCredentials, getCredentials } from '../../../src/registry/auth.js';
import { login, logout } from '../../../src/registry/login.js';
import { resetRegistriesConf } from '../../../src/registry/registries-conf.js';
import { MT } from '../../../src/image/types.js';

const env = isolateRegistryEnv();
t.teardown(() => env.restore());
resetRegistriesConf();

const alice = { username: 'alice', password: 's3cret:with colon' };

async function pushSmall(c: RegistryClient, repo: string, tag: string) {
  const layer = Buffer.from(`layer ${repo} ${tag}`);
  const config = Buffer.from(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["${digestBytes(layer)}"]}}`);
  const ld = { mediaType: MT.ociLayerGzip, digest: digestBytes(layer), size: layer.length };
  const cd = { mediaType: MT.ociConfig, digest: digestBytes(config), size: config.length };
  await c.uploadBlob(repo, ld, () => layer);
  await c.uploadBlob(repo, cd, () => config);
  const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: cd, layers: [ld] }));
  return { digest: await c.putManifest(repo, tag, m, MT.ociManifest), layer: ld };
}

t.test('basic auth (htpasswd)', async (t) => {
  const reg: RegistryFixture = await startRegistry({ htpasswd: [alice] });
  t.teardown(() => reg.stop());
  const opts = { tlsVerify: false, retryDelayMs: 10 } as const;

  const anon = new RegistryClient(reg.host, opts);
  t.teardown(() => anon.close());
  const ping = await anon.ping();
  t.equal(ping.challenge?.scheme, 'basic');
  await t.rejects(anon.getManifest('a/b', 'latest'), { code: 'EREGISTRY', status: 401, message: /authentication required.*tspod login/ });

  const wrong = new RegistryClient(reg.host, { ...opts, credentials: { username: 'alice', password: 'nope' } });
  t.teardown(() => wrong.close());
  await t.rejects(wrong.getManifest('a/b', 'latest'), { status: 401, message: /invalid username\/password/ });
  await t.rejects(wrong.verifyCredentials({ username: 'alice', password: 'nope' }), { message: /invalid username\/password/ });

  const good = new RegistryClient(reg.host, { ...opts, credentials: alice });
  t.teardown(() => good.close());
  await good.verifyCredentials(alice);
  const img = await pushSmall(good, 'team/app', 'v1');
  t.equal((await good.getManifest('team/app', 'v1')).digest, img.digest);

  // Credentials from the auth file (as `login` stores them)
  await saveCredentials(reg.host, alice);
  const fromFile = new RegistryClient(reg.host, opts);
  t.teardown(() => fromFile.close());
  t.equal((await fromFile.getManifest('team/app', 'v1')).digest, img.digest);
});

t.test('bearer token auth with a real token server', async (t) => {
  const reg = await startRegistry({ token: { users: [alice] } });
  t.teardown(() => reg.stop());
  const opts = { tlsVerify: false, retryDelayMs: 10 } as const;

  const anon = new RegistryClient(reg.host, opts);
  t.teardown(() => anon.close());
  const ping = await anon.ping();
  t.equal(ping.challenge?.scheme, 'bearer');
  t.equal(ping.challenge?.params['service'], 'tspod-test-registry');
  t.equal(ping.challenge?.params['realm'], `${reg.tokenUrl}/token`);
  await t.rejects(anon.getManifest('a/b', 'latest'), { status: 401, message: /authentication required.*tspod login/ });

  const wrong = new RegistryClient(reg.host, { ...opts, credentials: { username: 'alice', password: 'bad' } });
  t.teardown(() => wrong.close());
  await t.rejects(wrong.getManifest('a/b', 'latest'), { status: 401, message: /invalid username\/password/ });
  await t.rejects(wrong.verifyCredentials({ username: 'alice', password: 'bad' }), { message: /invalid username\/password/ });

  const good = new RegistryClient(reg.host, { ...opts, credentials: alice });
  t.teardown(() => good.close());
  await good.verifyCredentials(alice);
  reg.tokenRequests.length = 0;
  const img = await pushSmall(good, 'team/app', 'v1');
  const pushScopes = reg.tokenRequests.map((r) => r.scopes.join(' '));
  t.ok(pushScopes.includes('repository:team/app:pull,push'), 'push asks for pull,push');
  t.equal(pushScopes.filter((s) => s === 'repository:team/app:pull,push').length, 1, 'the push token is cached and reused');
  t.ok(reg.tokenRequests.every((r) => r.user === 'alice' && r.service === 'tspod-test-registry'));

  reg.tokenRequests.length = 0;
  const got = await good.getManifest('team/app', 'v1');
  t.equal(got.digest, img.digest);
  await Promise.all([good.getBlob('team/app', img.layer).then(async (s) => { for await (const _ of s) { /* drain */ } }), good.blobExists('team/app', img.layer.digest)]);
  t.same(reg.tokenRequests.map((r) => r.scopes), [['repository:team/app:pull']], 'one pull token shared by concurrent requests');

  // Cross-repo mount needs pull on the source too: one token with both scopes.
  reg.tokenRequests.length = 0;
  t.equal(await good.mountBlob('team/other', img.layer.digest, 'team/app'), true);
  t.same(reg.tokenRequests.map((r) => r.scopes.sort()), [['repository:team/app:pull', 'repository:team/other:pull,push']]);
});

t.test('bearer: anonymous pull allowed, access_token field, short-lived tokens refreshed', async (t) => {
  const reg = await startRegistry({ token: { users: [alice], anonymousPull: true, accessTokenField: true, expiresIn: 1 } });
  t.teardown(() => reg.stop());
  const good = new RegistryClient(reg.host, { tlsVerify: false, credentials: alice });
  t.teardown(() => good.close());
  const img = await pushSmall(good, 'pub/app', 'v1');

  const anon = new RegistryClient(reg.host, { tlsVerify: false });
  t.teardown(() => anon.close());
  t.equal((await anon.getManifest('pub/app', 'v1')).digest, img.digest, 'anonymous pull with an access_token');
  await t.rejects(pushSmall(anon, 'pub/app', 'v2'), { status: 401, message: /authentication required/ }, 'anonymous push refused');

  reg.tokenRequests.length = 0;
  await anon.getManifest('pub/app', 'v1');
  await new Promise((r) => setTimeout(r, 1200));
  await anon.getManifest('pub/app', 'v1');
  t.ok(reg.tokenRequests.length >= 1, 'expired token fetched again');
});

t.test('namespace-scoped credentials in auth.json are used for that namespace only', async (t) => {
  const bob = { username: 'bob', password: 'pw-bob' };
  const reg = await startRegistry({ token: { users: [alice, bob] } });
  t.teardown(() => reg.stop());
  const authfile = path.join(env.dir, 'ns-auth.json');
  fs.writeFileSync(authfile, JSON.stringify({ auths: {
    [reg.host]: { auth: Buffer.from(`${alice.username}:${alice.password}`).toString('base64') },
    [`${reg.host}/bobs`]: { auth: Buffer.from(`${bob.username}:${bob.password}`).toString('base64') },
  } }));
  const c = new RegistryClient(reg.host, { tlsVerify: false, authfile });
  t.teardown(() => c.close());
  reg.tokenRequests.length = 0;
  await pushSmall(c, 'bobs/app', 'v1');
  await pushSmall(c, 'alices/app', 'v1');
  const users = new Map(reg.tokenRequests.map((r) => [r.scopes.join(' '), r.user]));
  t.equal(users.get('repository:bobs/app:pull,push'), 'bob');
  t.equal(users.get('repository:alices/app:pull,push'), 'alice');
});

t.test('login/logout against a real registry', async (t) => {
  const reg = await startRegistry({ htpasswd: [alice] });
  t.teardown(() => reg.stop());
  const authfile = path.join(env.dir, 'login-auth.json');
  await t.rejects(login(reg.host, { username: 'alice', password: 'wrong' }, { tlsVerify: false, authfile }), { message: /invalid username\/password/ });
  t.notOk(fs.existsSync(authfile), 'nothing stored after a failed login');
  await t.rejects(login(reg.host, alice, { authfile }), { message: /plain HTTP/ }, 'loopback http needs --tls-verify=false');
  t.same(await login(reg.host, alice, { tlsVerify: false, authfile }), { registry: reg.host, file: authfile });
  t.match(getCredentials(reg.host, { authfile }), alice);
  t.same(await logout(reg.host, { authfile }), { registry: reg.host, file: authfile });
  await t.rejects(logout(reg.host, { authfile }), { code: 'ENOTFOUND', message: `not logged into ${reg.host}` });
});
