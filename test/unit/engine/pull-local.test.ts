// The local half of a pull (policy missing/never) against a real image store in a temp
// directory: a local image by full and short name, what goes on to the registry, and
// "never" for a missing image. No registry is involved: nothing here may reach one.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageStore } from '../../../src/image/store.js';
import type { ImageRecord } from '../../../src/image/types.js';
import { localPull } from '../../../src/engine/pull-local.js';
import { buildImage, buildTar, layerFromTar } from '../../fixtures/image-builder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-pull-local-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
process.env['TSPOD_ROOT'] = path.join(dir, 'root');
process.env['TSPOD_RUNROOT'] = path.join(dir, 'run');
// registries.conf for short names: an empty user config (no search registries but docker.io's default)
process.env['XDG_CONFIG_HOME'] = path.join(dir, 'config');
const store = new ImageStore(path.join(dir, 'root'));

t.before(async () => {
  const layer = layerFromTar(await buildTar([{ name: 'a.txt', type: 'file', content: 'a' }]));
  const built = buildImage({ layers: [layer] });
  store.writeBlob(built.configDigest, built.configBytes);
  store.writeBlob(built.manifestDigest, built.manifestBytes);
  const rec: ImageRecord = {
    id: built.configDigest.slice(7), names: ['localhost/app:1', 'quay.io/org/tool:2'], repoDigests: [], digest: built.manifestDigest,
    manifestMediaType: built.manifestMediaType, configDigest: built.configDigest, layers: [layer.diffID], size: layer.bytes.length,
    created: new Date().toISOString(), added: new Date().toISOString(),
  };
  await store.update((idx) => { idx.images.push(rec); });
});

t.test('a local image: found by its names, nothing pulled', async (t) => {
  const id = store.listImages()[0]!.id;
  for (const reference of ['localhost/app:1', 'app:1', 'quay.io/org/tool:2', id.slice(0, 12)]) {
    const r = await localPull({ reference, policy: 'missing' }, store);
    t.same(r && { id: r.id, pulled: r.pulled }, { id, pulled: false }, reference);
  }
  t.same((await localPull({ reference: 'app:1', policy: 'never' }, store))?.id, id, 'never: the local image');
});

t.test('what goes on to a pull', async (t) => {
  t.equal(await localPull({ reference: 'localhost/app:1' }, store), undefined, 'policy always (the default)');
  t.equal(await localPull({ reference: 'localhost/app:1', policy: 'newer' }, store), undefined, 'policy newer');
  t.equal(await localPull({ reference: 'localhost/other:1', policy: 'missing' }, store), undefined, 'missing, not here');
  for (const reference of ['docker://localhost/app:1', 'docker-archive:/tmp/x.tar', 'oci-archive:/tmp/x.tar', 'oci:/tmp/layout', 'dir:/tmp/d']) {
    t.equal(await localPull({ reference, policy: 'missing' }, store), undefined, `a transport: ${reference}`);
  }
});

t.test('never, not here: image not known', async (t) => {
  await t.rejects(localPull({ reference: 'localhost/other:1', policy: 'never' }, store), { message: 'localhost/other:1: image not known', exitCode: 125 });
});
