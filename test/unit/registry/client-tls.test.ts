// TLS: a real docker-registry with a self-signed certificate (and one requiring a client cert).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRegistry, isolateRegistryEnv } from '../../fixtures/registry.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { resetExtraCaCerts } from '../../../src/util/extra-ca.js';
import { resetRegistriesConf, loadRegistriesConf } from '../../../src/registry/registries-conf.js';

const env = isolateRegistryEnv();
t.teardown(() => env.restore());
resetRegistriesConf();

t.test('self-signed registry certificate', async (t) => {
  const reg = await startRegistry({ tls: true, htpasswd: [{ username: 'u', password: 'p' }] });
  t.teardown(() => reg.stop());
  const creds = { username: 'u', password: 'p' };

  const strict = new RegistryClient(reg.host, { retryDelayMs: 10 });
  t.teardown(() => strict.close());
  await t.rejects(strict.ping(), { code: 'EREGISTRY', message: new RegExp(`TLS certificate of ${reg.host} is not trusted.*certs\\.d/${reg.host}/ca\\.crt.*--tls-verify=false`) });

  const noVerify = new RegistryClient(reg.host, { tlsVerify: false, credentials: creds });
  t.teardown(() => noVerify.close());
  t.equal((await noVerify.ping()).scheme, 'https', 'tls-verify=false still prefers https');
  await noVerify.verifyCredentials(creds);

  const certDir = path.join(env.dir, 'explicit-certs');
  fs.mkdirSync(certDir);
  fs.copyFileSync(reg.caFile!, path.join(certDir, 'ca.crt'));
  const withCertDir = new RegistryClient(reg.host, { certDir, credentials: creds });
  t.teardown(() => withCertDir.close());
  t.equal((await withCertDir.ping()).scheme, 'https');
  await withCertDir.verifyCredentials(creds);
  await t.rejects(withCertDir.verifyCredentials({ username: 'u', password: 'wrong' }), { message: /invalid username\/password/ });

  // certs.d/<host>/ca.crt under $XDG_CONFIG_HOME/containers
  const userCerts = path.join(process.env['XDG_CONFIG_HOME']!, 'containers', 'certs.d', reg.host);
  fs.mkdirSync(userCerts, { recursive: true });
  fs.copyFileSync(reg.caFile!, path.join(userCerts, 'ca.crt'));
  const viaCertsD = new RegistryClient(reg.host, { credentials: creds });
  t.teardown(() => viaCertsD.close());
  t.equal((await viaCertsD.ping()).challenge?.scheme, 'basic');
  await viaCertsD.verifyCredentials(creds);
  fs.rmSync(userCerts, { recursive: true });

  // a CA trusted through NODE_EXTRA_CA_CERTS, which the launcher hands over as TSPOD_EXTRA_CA_CERTS
  process.env['TSPOD_EXTRA_CA_CERTS'] = reg.caFile!;
  resetExtraCaCerts();
  const viaExtra = new RegistryClient(reg.host, { credentials: creds });
  t.teardown(() => viaExtra.close());
  t.equal((await viaExtra.ping()).scheme, 'https', 'a registry signed by the extra CA is trusted');
  await viaExtra.verifyCredentials(creds);
  delete process.env['TSPOD_EXTRA_CA_CERTS'];
  resetExtraCaCerts();
  const notTrusted = new RegistryClient(reg.host, { credentials: creds, retryDelayMs: 10 });
  t.teardown(() => notTrusted.close());
  await t.rejects(notTrusted.ping(), { code: 'EREGISTRY' }, 'and not without it');

  // registries.conf insecure = true also skips verification
  fs.writeFileSync(process.env['TSPOD_REGISTRIES_CONF']!, `[[registry]]\nlocation = "${reg.host}"\ninsecure = true\n`);
  resetRegistriesConf();
  const insecure = new RegistryClient(reg.host, { credentials: creds });
  t.teardown(() => insecure.close());
  t.equal(insecure.tlsVerify, false);
  await insecure.verifyCredentials(creds);
  fs.writeFileSync(process.env['TSPOD_REGISTRIES_CONF']!, '');
  resetRegistriesConf();
  t.same(loadRegistriesConf().registries, []);

  const broken = path.join(env.dir, 'broken-certs');
  fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, 'client.key'), 'x');
  t.throws(() => new RegistryClient(reg.host, { certDir: broken }), { message: /client key .*client\.key has no matching certificate/ });
});

t.test('client certificate from the cert dir (mutual TLS)', async (t) => {
  const reg = await startRegistry({ tls: true, mtls: true });
  t.teardown(() => reg.stop());
  const dir = path.join(env.dir, 'mtls-certs');
  fs.mkdirSync(dir);
  fs.copyFileSync(reg.caFile!, path.join(dir, 'ca.crt'));
  const noClientCert = new RegistryClient(reg.host, { certDir: dir, attempts: 1 });
  t.teardown(() => noClientCert.close());
  await t.rejects(noClientCert.ping(), { code: 'EREGISTRY' }, 'refused without a client certificate');

  fs.copyFileSync(reg.clientCert!, path.join(dir, 'client.cert'));
  fs.copyFileSync(reg.clientKey!, path.join(dir, 'client.key'));
  const withClientCert = new RegistryClient(reg.host, { certDir: dir });
  t.teardown(() => withClientCert.close());
  t.equal((await withClientCert.ping()).scheme, 'https');
});
