// End-to-end: the API service with the Python Docker SDK (python3-docker) and
// Testcontainers for Node, each as its own users drive it.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { startApiService, type ApiService } from '../fixtures/api-service.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let svc: ApiService;
let BB = '';
let WEB = '';

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } }));
  const page = await buildFileLayer({ '/www/index.html': 'hello from testcontainers\n' });
  await pushImage(reg.url, 'e2e/web', 'latest', buildImage({ layers: [base, page], config: { Cmd: ['sh', '-c', 'echo server ready; exec httpd -f -p 80 -h /www'], Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {} } } }));
  BB = `${reg.host}/e2e/bb:latest`;
  WEB = `${reg.host}/e2e/web:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  svc = await startApiService(env);
});
t.teardown(async () => { await svc?.stop(); await reg?.stop(); });

const PY = `
import sys, json, docker, urllib.request, time
bb, web = sys.argv[1], sys.argv[2]
c = docker.DockerClient(base_url=sys.argv[3])
out = {}
img = c.images.pull(bb)
out['pulled'] = img.tags
v = c.volumes.create('pyvol', labels={'made': 'by-python'})
out['volume'] = [v.name, v.attrs['Labels']]
ctr = c.containers.run(web, detach=True, ports={'80/tcp': ('127.0.0.1', None)}, name='pyweb', labels={'sdk': 'python'})
ctr.reload()
port = int(ctr.attrs['NetworkSettings']['Ports']['80/tcp'][0]['HostPort'])
for _ in range(50):
    try:
        out['http'] = urllib.request.urlopen('http://127.0.0.1:%d/index.html' % port, timeout=2).read().decode()
        break
    except Exception:
        time.sleep(0.1)
r = c.containers.run(bb, ['sh', '-c', 'echo one; echo two'], detach=True, name='pylogs')
out['stream'] = b''.join(r.logs(stream=True, follow=True)).decode()
code, o = ctr.exec_run(['sh', '-c', 'echo exec-out; exit 5'])
out['exec'] = [code, o.decode()]
out['listed'] = sorted(x.name for x in c.containers.list(all=True, filters={'label': 'sdk=python'}))
ctr.remove(force=True); r.remove(force=True); v.remove()
print(json.dumps(out))
`;

t.test('Python SDK: images.pull, volumes.create, containers.run(detach, ports), logs(stream), exec_run', async (t) => {
  const r = await execa('python3', ['-c', PY, BB, WEB, svc.host], { reject: false, timeout: 180_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.dir }, extendEnv: false });
  t.equal(r.exitCode, 0, `python: ${r.stderr}`);
  const out = JSON.parse(String(r.stdout)) as Record<string, unknown>;
  t.same(out['pulled'], [BB]);
  t.same(out['volume'], ['pyvol', { made: 'by-python' }]);
  t.equal(out['http'], 'hello from testcontainers\n', 'the published port answers');
  t.equal(out['stream'], 'one\ntwo\n', 'logs(stream=True) reads the demultiplexed stream to its end');
  t.same(out['exec'], [5, 'exec-out\n'], 'exec_run: exit code kept after the stream closed, and the output');
  t.same(out['listed'], ['pyweb'], 'list with a label filter');
});

t.test('Testcontainers (Node): GenericContainer with an exposed port and a log-message wait', async (t) => {
  process.env['DOCKER_HOST'] = svc.host;
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await new GenericContainer(WEB).withExposedPorts(80).withWaitStrategy(Wait.forLogMessage('server ready')).withStartupTimeout(60_000).start();
  const port = started.getMappedPort(80);
  t.ok(port > 0, `mapped port ${port}`);
  const body = await (await fetch(`http://${started.getHost()}:${port}/index.html`)).text();
  t.equal(body, 'hello from testcontainers\n');
  await started.stop();
  const left = await env.tspod(['ps', '-a', '-q']);
  t.equal(left.stdout, '', 'stopped and removed');
});

t.test('Testcontainers (Node): GenericContainer.fromDockerfile builds through /build, and the image runs', async (t) => {
  process.env['DOCKER_HOST'] = svc.host;
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  const ctx = path.join(env.dir, 'tc-ctx');
  fs.mkdirSync(ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, 'page.html'), 'built by testcontainers\n');
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${WEB}\nARG MARK=none\nCOPY page.html /www/index.html\nRUN echo "$MARK" > /www/mark.txt\n`);
  const built = await GenericContainer.fromDockerfile(ctx).withBuildArgs({ MARK: 'tc-arg' }).build('tc-built:1', { deleteOnExit: false });
  const started = await built.withExposedPorts(80).withWaitStrategy(Wait.forLogMessage('server ready')).withStartupTimeout(60_000).start();
  const port = started.getMappedPort(80);
  t.equal(await (await fetch(`http://${started.getHost()}:${port}/index.html`)).text(), 'built by testcontainers\n', 'COPY from the context');
  t.equal(await (await fetch(`http://${started.getHost()}:${port}/mark.txt`)).text(), 'tc-arg\n', 'RUN with the build arg');
  await started.stop();
  t.equal((await env.tspod(['image', 'exists', 'tc-built:1'])).exitCode, 0, 'the tagged image is in tspod\'s store');
});

