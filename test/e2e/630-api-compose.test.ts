// End-to-end: docker-compose 1.29 (Python) against the API service: a
// two-service project with a named volume, a user network and a published
// port; up -d, ps, logs, then down -v leaves nothing behind.
import t from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { docker, startApiService, type ApiService } from '../fixtures/api-service.js';
import { httpEventually } from '../fixtures/http.js';
import { which } from '../../src/util/exec.js';

if (!requireUnprivileged(t)) process.exit(1);
if (!which('docker-compose')) { t.fail('docker-compose not found: run scripts/setup.sh (Debian package docker-compose)'); process.exit(1); }

let reg: RegistryFixture;
let env: TspodEnv;
let svc: ApiService;

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  const page = await buildFileLayer({ '/www/index.html': 'hello from compose\n' });
  await pushImage(reg.url, 'e2e/web', 'latest', buildImage({ layers: [base, page], config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {} } } }));
  env = await makeEnv(t, { insecure: [reg.host] });
  svc = await startApiService(env);
});
t.teardown(async () => { await svc?.stop(); await reg?.stop(); });

t.test('docker-compose: up -d, ps, logs, down -v', async (t) => {
  const dir = path.join(env.dir, 'proj');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), `version: "3.8"
services:
  web:
    image: ${reg.host}/e2e/web:latest
    volumes: ["data:/data"]
    networks: ["back"]
    ports: ["127.0.0.1::80"]
  worker:
    build:
      context: ./worker
      args: { FLAVOUR: compose-built }
    command: ["sh", "-c", "echo worker up; cat /hello.txt /flavour; wget -q -O - http://web/index.html; exec sleep 1000"]
    networks: ["back"]
    depends_on: ["web"]
volumes:
  data: {}
networks:
  back: {}
`);
  fs.mkdirSync(path.join(dir, 'worker'));
  fs.writeFileSync(path.join(dir, 'worker', 'hello.txt'), 'copied by the build\n');
  fs.writeFileSync(path.join(dir, 'worker', 'Dockerfile'), `FROM ${reg.host}/e2e/web:latest\nARG FLAVOUR=plain\nCOPY hello.txt /hello.txt\nRUN echo "$FLAVOUR" > /flavour\n`);
  const dc = (args: string[]) => execa('docker-compose', ['-p', 'demo', ...args], { cwd: dir, reject: false, timeout: 180_000, extendEnv: false,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.dir, DOCKER_HOST: svc.host, COMPOSE_INTERACTIVE_NO_CLI: '1' } });
  const up = await dc(['up', '-d']);
  t.equal(up.exitCode, 0, `up -d: ${String(up.stderr)}`);
  const ps = await dc(['ps']);
  t.match(String(ps.stdout), /demo_web_1 .* Up .*127\.0\.0\.1:\d+->80\/tcp/);
  t.match(String(ps.stdout), /demo_worker_1 .* Up/);
  const port = Number(/127\.0\.0\.1:(\d+)->80/.exec(String(ps.stdout))?.[1]);
  t.equal(await httpEventually(port), 'hello from compose\n', 'the published port');
  let logs = '';
  for (let i = 0; i < 50 && !/hello from compose/.test(logs); i++) { logs = String((await dc(['logs', 'worker'])).stdout); await new Promise((r) => setTimeout(r, 100)); }
  t.match(logs, /worker up/);
  t.match(logs, /copied by the build\n.*compose-built/s, 'the worker runs the image compose built through /build (COPY, RUN with a build arg)');
  t.match(logs, /hello from compose/, 'the worker reached web by its service name on the project network');
  const labels = await docker(svc, env, ['ps', '--filter', 'label=com.docker.compose.project=demo', '--format', '{{.Names}}']);
  t.same(labels.stdout.split('\n').sort(), ['demo_web_1', 'demo_worker_1'], 'Compose\'s labels are kept');
  t.match((await docker(svc, env, ['volume', 'ls', '--format', '{{.Name}}'])).stdout, /demo_data/);
  const down = await dc(['down', '-v', '-t', '1']);
  t.equal(down.exitCode, 0, `down -v: ${String(down.stderr)}`);
  t.equal((await docker(svc, env, ['ps', '-a', '-q'])).stdout, '', 'no containers left');
  t.notMatch((await docker(svc, env, ['volume', 'ls', '--format', '{{.Name}}'])).stdout, /demo_data/, 'the volume is gone');
  t.notMatch((await docker(svc, env, ['network', 'ls', '--format', '{{.Name}}'])).stdout, /demo_back/, 'the network is gone');
});
