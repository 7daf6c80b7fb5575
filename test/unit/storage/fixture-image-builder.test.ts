// The test-image builder is what every pull/run test stands on: check it against a
// real registry (Debian's docker-registry) and an independent client (skopeo).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  buildBusyboxLayer, buildFileLayer, buildImage, buildIndex, pushImage, pushIndex, sha256,
} from '../../fixtures/image-builder.js';
import { MT } from '../../../src/image/types.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startRegistry(t: Test): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-registry-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'config.yml'), [
    'version: 0.1',
    'log: { level: error }',
    `storage: { filesystem: { rootdirectory: ${dir}/data }, delete: { enabled: true } }`,
    `http: { addr: 127.0.0.1:${port} }`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  t.teardown(() => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200) return url;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not start');
}

t.test('built images push to a real registry and read back with skopeo', async (t) => {
  if (spawnSync('sh', ['-c', 'command -v docker-registry && command -v skopeo']).status !== 0) {
    t.fail('docker-registry and skopeo are required (apt-get install docker-registry skopeo)');
    return;
  }
  const url = await startRegistry(t);
  const host = url.replace('http://', '');
  const bb = await buildBusyboxLayer();
  const app = await buildFileLayer({ 'app/': { type: 'dir' }, 'app/hello.txt': 'hello\n', 'etc/removed': { type: 'whiteout' } });
  const config = { Cmd: ['sh', '-c', 'echo hi'], Env: ['FOO=bar'], WorkingDir: '/app', User: 'tester', ExposedPorts: { '8080/tcp': {} }, Labels: { a: 'b' }, StopSignal: 'SIGINT', Volumes: { '/data': {} } };
  const oci = buildImage({ layers: [bb, app], config });
  const docker = buildImage({ layers: [bb, app], config, format: 'docker' });
  t.not(oci.manifestDigest, docker.manifestDigest);
  t.equal(JSON.parse(docker.manifestBytes.toString()).layers[0].mediaType, MT.dockerLayerGzip);
  t.equal(buildImage({ layers: [bb, app], config }).manifestDigest, oci.manifestDigest, 'builds are reproducible');
  await pushImage(url, 'test/busybox', 'oci', oci);
  await pushImage(url, 'test/busybox', 'docker', docker);

  const res = await fetch(`${url}/v2/test/busybox/manifests/oci`, { headers: { accept: MT.ociManifest } });
  t.equal(res.headers.get('docker-content-digest'), oci.manifestDigest, 'registry digest = our digest');
  const blob = Buffer.from(await (await fetch(`${url}/v2/test/busybox/blobs/${bb.digest}`)).arrayBuffer());
  t.equal(sha256(blob), bb.digest);

  for (const tag of ['oci', 'docker']) {
    const r = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/test/busybox:${tag}`], { encoding: 'utf8' });
    t.equal(r.status, 0, `skopeo inspect ${tag}: ${r.stderr}`);
    const info = JSON.parse(r.stdout || '{}') as { Layers?: string[]; Architecture?: string; Os?: string; Env?: string[]; Labels?: Record<string, string> };
    t.same(info.Layers, [bb.digest, app.digest], `${tag}: layers`);
    t.same([info.Architecture, info.Os], ['amd64', 'linux']);
    t.same(info.Labels, { a: 'b' });
  }
  const cfg = spawnSync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${host}/test/busybox:oci`], { encoding: 'utf8' });
  const c = JSON.parse(cfg.stdout || '{}') as { config?: Record<string, unknown>; rootfs?: { diff_ids?: string[] } };
  t.same(c.rootfs?.diff_ids, [bb.diffID, app.diffID]);
  t.same(c.config?.['Cmd'], ['sh', '-c', 'echo hi']);

  // a multi-arch index: skopeo picks linux/amd64 by default
  const arm = buildImage({ layers: [app], architecture: 'arm64', variant: 'v8' });
  const index = buildIndex([{ image: arm, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }, { image: oci, platform: { architecture: 'amd64', os: 'linux' } }]);
  await pushIndex(url, 'test/multi', 'latest', index);
  const r = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/test/multi:latest`], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same((JSON.parse(r.stdout || '{}') as { Layers?: string[] }).Layers, [bb.digest, app.digest], 'index resolves to the amd64 image');
  const raw = await fetch(`${url}/v2/test/multi/manifests/latest`, { headers: { accept: MT.ociIndex } });
  t.equal(raw.headers.get('docker-content-digest'), index.digest);
  const dl = buildIndex([{ image: docker, platform: { architecture: 'amd64', os: 'linux' } }], 'docker');
  await pushIndex(url, 'test/multi', 'dockerlist', dl);
  const r2 = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/test/multi:dockerlist`], { encoding: 'utf8' });
  t.equal((JSON.parse(r2.stdout || '{}') as { mediaType?: string }).mediaType, MT.dockerManifestList);
});
