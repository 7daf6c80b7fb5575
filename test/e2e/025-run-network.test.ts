// End-to-end: container networking as an unprivileged user: published ports
// reachable from the host (busybox httpd), random ports and `port`, -P with
// EXPOSE, --network none/host, and outbound traffic from the container.
// (busybox-static's `wget -T` crashes with SIGSEGV here, even on the host: `timeout` bounds it instead.)
import t from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let WEB = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  const www = await buildFileLayer({ 'var/www/index.html': 'hello from tspod\n' });
  await pushImage(reg.url, 'e2e/web', 'latest', buildImage({
    layers: [await buildBusyboxLayer(), www],
    config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/var/www'], ExposedPorts: { '80/tcp': {}, '8443/tcp': {} } },
  }));
  WEB = `${reg.host}/e2e/web:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

/** GET with retries while the server in the container starts. */
async function get(url: string, tries = 40): Promise<{ status: number; body: string }> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise((resolve, reject) => {
        const req = http.get(url, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => { body += d.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.setTimeout(3000, () => req.destroy(new Error('timeout')));
      });
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(100);
    }
  }
}

t.test('-p host:ctr serves a page fetched from the host', async (t) => {
  const port = await freePort();
  let r = await env.tspod(['run', '-d', '--name', 'web', '-p', `${port}:80`, WEB]);
  t.equal(r.exitCode, 0, r.stderr);
  const res = await get(`http://127.0.0.1:${port}/`);
  t.equal(res.status, 200);
  t.equal(res.body, 'hello from tspod\n');
  r = await env.tspod(['port', 'web']);
  t.equal(r.stdout, `80/tcp -> 0.0.0.0:${port}`);
  r = await env.tspod(['run', '-d', '--name', 'web-clash', '-p', `${port}:80`, WEB]);
  t.equal(r.exitCode, 126, 'a port in use is an error: the container could not start (126, as Podman)');
  t.match(r.stderr, /port|address/i);
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}', '--filter', 'name=web-clash']);
  t.equal(r.stdout, 'web-clash', 'the container that failed to start stays, created (as podman)');
  r = await env.tspod(['run', '-d', '--rm', '--name', 'web-clash-rm', '-p', `${port}:80`, WEB]);
  t.equal(r.exitCode, 126);
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}', '--filter', 'name=web-clash-rm']);
  t.equal(r.stdout, '', 'with --rm it is removed');
  await env.tspod(['rm', '-f', 'web', 'web-clash']);
  await sleep(200);
  await t.rejects(get(`http://127.0.0.1:${port}/`, 0), 'the port is closed after rm');
});

t.test('-p ip:host:ctr and -p ctr (random port) with `tspod port`', async (t) => {
  const port = await freePort();
  let r = await env.tspod(['run', '-d', '--name', 'w1', '-p', `127.0.0.1:${port}:80`, '-p', '8080', WEB]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['port', 'w1']);
  const lines = r.stdout.split('\n').sort();
  t.equal(lines.length, 2);
  t.equal(lines[0], `80/tcp -> 127.0.0.1:${port}`);
  t.match(lines[1], /^8080\/tcp -> 0\.0\.0\.0:\d+$/);
  r = await env.tspod(['port', 'w1', '80']);
  t.equal(r.stdout, `127.0.0.1:${port}`);
  t.equal((await get(`http://127.0.0.1:${port}/`)).status, 200);
  r = await env.tspod(['run', '-d', '--name', 'w2', '-p', '80', WEB]);
  const random = Number((await env.tspod(['port', 'w2', '80/tcp'])).stdout.split(':').pop());
  t.ok(random > 1024, `random host port ${random}`);
  t.equal((await get(`http://127.0.0.1:${random}/`)).body, 'hello from tspod\n', 'reachable on the random port');
  r = await env.tspod(['ps', '--format', '{{.Names}} {{.Ports}}', '--filter', 'name=w2']);
  t.equal(r.stdout, `w2 0.0.0.0:${random}->80/tcp`);
  await env.tspod(['rm', '-f', 'w1', 'w2']);
});

t.test('-P publishes every EXPOSEd port', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'pall', '-P', WEB]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['port', 'pall']);
  const lines = r.stdout.split('\n').sort();
  t.equal(lines.length, 2, '80 and 8443');
  t.match(lines[0], /^80\/tcp -> 0\.0\.0\.0:\d+$/);
  t.match(lines[1], /^8443\/tcp -> 0\.0\.0\.0:\d+$/);
  const p80 = lines[0]!.split(':').pop();
  t.equal((await get(`http://127.0.0.1:${p80}/`)).status, 200);
  r = await env.tspod(['inspect', '--format', '{{len .HostConfig.PortBindings}}', 'pall']);
  t.equal(r.stdout, '2');
  await env.tspod(['rm', '-f', 'pall']);
});

t.test('--network none and host', async (t) => {
  let r = await env.tspod(['run', '--rm', '--network', 'none', WEB, 'sh', '-c', 'ls /sys/class/net']);
  t.equal(r.stdout, 'lo', '--network none: only lo');
  // as Podman: ports make no sense without a network of the container's own, so they are dropped with a warning
  r = await env.tspod(['run', '--rm', '--network', 'none', '-p', '80', WEB, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use/);
  r = await env.tspod(['run', '--rm', '--network', 'host', WEB, 'sh', '-c', 'hostname; ls /sys/class/net']);
  t.equal(r.exitCode, 0, r.stderr);
  const [hn, ...ifs] = r.stdout.split('\n');
  t.equal(hn, os.hostname(), 'the host name of the host');
  t.same(ifs.sort(), fs.readdirSync('/sys/class/net').sort(), 'the host interfaces');
  r = await env.tspod(['run', '--rm', WEB, 'sh', '-c', 'ls /sys/class/net; ip -4 -o addr show tap0']);
  t.match(r.stdout, /^lo\ntap0\n.*inet 10\.0\.2\.100\/24/, 'slirp4netns by default: tap0 with 10.0.2.100');
  // a server on the host's loopback is reachable from --network host
  const port = await freePort();
  const srv = http.createServer((_q, s) => s.end('host-loopback\n'));
  await new Promise<void>((res) => srv.listen(port, '127.0.0.1', res));
  t.teardown(() => { srv.close(); });
  r = await env.tspod(['run', '--rm', '--network', 'host', WEB, 'wget', '-q', '-O', '-', `http://127.0.0.1:${port}/`]);
  t.equal(r.stdout, 'host-loopback');
  r = await env.tspod(['run', '--rm', WEB, 'timeout', '10', 'wget', '-q', '-O', '-', `http://10.0.2.2:${port}/`]);
  t.not(r.exitCode, 0, 'slirp4netns blocks the host loopback by default (--disable-host-loopback, as podman)');
});

t.test('outbound traffic from the container (slirp4netns)', async (t) => {
  const addr = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!addr) { t.fail('this machine has no non-loopback IPv4 address: outbound traffic cannot be tested without internet'); return; }
  const port = await freePort();
  const srv = http.createServer((q, s) => s.end(`outbound ok ${q.url}\n`));
  await new Promise<void>((res) => srv.listen(port, addr, res));
  t.teardown(() => { srv.close(); });
  const r = await env.tspod(['run', '--rm', WEB, 'timeout', '20', 'wget', '-q', '-O', '-', `http://${addr}:${port}/x`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'outbound ok /x', `the container reached ${addr}:${port} on the host`);
});
