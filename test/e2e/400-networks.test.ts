// End-to-end: rootless user-defined networks as an unprivileged user.
//  - the network layer itself (src/network) inside tspod's user namespace: a rootless netns with
//    slirp4netns, netavark setup of two network namespaces on one network, name resolution through
//    aardvark-dns, --link hosts entries, outbound traffic, a published port, address and port
//    conflicts, and teardown leaving no slirp4netns or aardvark-dns behind;
//  - the network commands: create/ls/inspect/exists/rm/prune and bad input (exit 125, nothing written);
//  - two services on a user network through `tspod run --network`: by name, by alias, published port.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, processesMatching, requireUnprivileged, REPO, UNSET, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
t.before(async () => { env = await makeEnv(t); });

const netFile = () => path.join(env.dataDir, 'tspod', 'networks', 'networks.json');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '0.0.0.0', () => { const a = s.address() as net.AddressInfo; s.close(() => resolve(a.port)); });
  });
}

function hostAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

/** Run a node ESM snippet inside tspod's user namespace (joined through the pause process), with dist/ on hand. */
async function inUserns(script: string, args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const pause = await execa('env', [...UNSET, process.execPath, '--input-type=module', '-e',
    `const m = await import(${JSON.stringify(path.join(REPO, 'dist', 'rootless', 'pause.js'))}); console.log(await m.ensurePause());`],
  { env: env.env, extendEnv: false, reject: false });
  if (pause.exitCode !== 0) throw new Error(`cannot start the pause process: ${pause.stderr}`);
  const r = await execa('env', [...UNSET, 'nsenter', '--target', pause.stdout.trim(), '--user', '--mount', '--preserve-credentials',
    process.execPath, '--input-type=module', '-e', script, ...args], {
    env: { ...env.env, TSPOD_USERNS: '1', TSPOD_HOST_UID: String(process.getuid!()), TSPOD_HOST_GID: String(process.getgid!()), DIST: path.join(REPO, 'dist') },
    extendEnv: false, reject: false, timeout: 120_000,
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

// The driver plays the container engine: two "containers" are `unshare --net sleep` processes in the user namespace.
const DRIVER = String.raw`
const D = process.env.DIST;
const [www, hostIP, outPort, pubPort] = process.argv.slice(1);
const net = await import(D + '/network/index.js');
const rn = await import(D + '/network/rootless-netns.js');
const { isNamespaceFile } = await import(D + '/container/network.js');
const { run } = await import(D + '/util/exec.js');
const cp = await import('node:child_process');
const fs = await import('node:fs');
const path = await import('node:path');
const out = {};
const sleepers = [];
const spawnNs = () => { const c = cp.spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' }); sleepers.push(c); return c.pid; };
const pa = spawnNs(), pb = spawnNs();
await new Promise((r) => setTimeout(r, 150));
const A = 'a'.repeat(64), B = 'b'.repeat(64);
try {
  const ra = await net.attachContainerNetworks({ id: A, name: 'web', hostname: 'webhost', networks: ['appnet'], aliases: ['www'], ports: [{ hostIP: '', hostPort: Number(pubPort), containerPort: 80, protocol: 'tcp' }] }, '/proc/' + pa + '/ns/net');
  const rb = await net.attachContainerNetworks({ id: B, name: 'client', networks: ['appnet'], links: ['web:lweb'] }, '/proc/' + pb + '/ns/net');
  out.ra = ra; out.rb = rb;
  out.state = rn.readState();
  out.aardvarkPid = rn.aardvarkPid();
  const ud = fs.mkdtempSync('/tmp/tspod-net-ud-');
  net.writeNetworkFiles(ud, rb, { dnsOptions: ['ndots:1'] });
  out.hosts = fs.readFileSync(path.join(ud, 'hosts'), 'utf8');
  out.resolv = fs.readFileSync(path.join(ud, 'resolv.conf'), 'utf8');
  // a command in the client's netns, seeing its hosts and resolv.conf as a container would
  const inB = (...cmd) => run('nsenter', ['--net=/proc/' + pb + '/ns/net', 'unshare', '--mount', 'sh', '-c',
    'mount --bind "$0/resolv.conf" /etc/resolv.conf && mount --bind "$0/hosts" /etc/hosts && exec "$@"', ud, ...cmd], { reject: false, timeout: 20000 });
  const httpd = cp.spawn('nsenter', ['--net=/proc/' + pa + '/ns/net', 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  out.byName = await inB('busybox', 'wget', '-qO-', 'http://web/');
  out.byAlias = await inB('busybox', 'wget', '-qO-', 'http://www/');
  out.byLink = await inB('busybox', 'wget', '-qO-', 'http://lweb/');
  out.ping = await inB('busybox', 'ping', '-c1', '-W3', 'web');
  out.nx = await inB('busybox', 'nslookup', 'no-such-container');
  out.outbound = await inB('busybox', 'wget', '-qO-', 'http://' + hostIP + ':' + outPort + '/');
  try { out.published = { ok: true, body: await (await fetch('http://127.0.0.1:' + pubPort + '/')).text() }; } catch (e) { out.published = { ok: false, error: String(e && e.cause || e) }; }
  // conflicts undo themselves
  const pc = spawnNs();
  await new Promise((r) => setTimeout(r, 100));
  try { await net.attachContainerNetworks({ id: 'c'.repeat(64), name: 'dupip', networks: ['appnet'], staticIP: ra.ips[0] }, '/proc/' + pc + '/ns/net'); out.dupIP = 'attached'; } catch (e) { out.dupIP = e.message; }
  try { await net.attachContainerNetworks({ id: 'd'.repeat(64), name: 'dupport', networks: ['appnet'], ports: [{ hostIP: '', hostPort: Number(pubPort), containerPort: 80, protocol: 'tcp' }] }, '/proc/' + pc + '/ns/net'); out.dupPort = 'attached'; } catch (e) { out.dupPort = e.message; }
  out.attachedAfterConflicts = net.listAttachments().map((x) => x.name).sort();
  httpd.kill();
  await net.detachContainerNetworks(A);
  out.afterFirstDetach = { slirp: rn.rootlessNetnsAlive(), aardvark: !!rn.aardvarkPid(), attached: net.listAttachments().map((x) => x.name) };
  await net.detachContainerNetworks(B);
  out.afterLastDetach = { netnsFile: fs.existsSync(rn.netnsFile()), isNs: isNamespaceFile(rn.netnsFile()), attached: net.listAttachments().length };
  fs.rmSync(ud, { recursive: true, force: true });
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  for (const s of sleepers) s.kill('SIGKILL');
}
console.log(JSON.stringify(out));
`;

t.test('network layer: two namespaces on one network, DNS, links, outbound, ports, teardown', async (t) => {
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-net-www-'));
  t.teardown(() => fs.rmSync(www, { recursive: true, force: true }));
  fs.writeFileSync(path.join(www, 'index.html'), 'hello from web\n');
  fs.chmodSync(www, 0o755);
  const hostIP = hostAddress();
  if (!hostIP) { t.fail('no non-loopback IPv4 address on this host: the outbound check needs one'); return; }
  const server = http.createServer((_req, res) => res.end('hello from the host\n'));
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
  t.teardown(() => server.close());
  const outPort = (server.address() as net.AddressInfo).port;
  const pubPort = await freePort();
  let r = await env.tspod(['network', 'create', '--subnet', '10.89.77.0/24', 'appnet']);
  t.equal(r.exitCode, 0, r.stderr);

  const started = Date.now();
  r = await inUserns(DRIVER, [www, hostIP, String(outPort), String(pubPort)]);
  t.equal(r.exitCode, 0, r.stderr);
  let o: Record<string, any>;
  try { o = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}'); } catch { t.fail(`driver output is not JSON: ${r.stdout} ${r.stderr}`); return; }
  t.notOk(o['error'], o['error']);
  t.comment(`driver took ${Date.now() - started} ms`);
  t.match(o['ra'], { ips: ['10.89.77.2'], dnsServers: ['10.89.77.1'], dnsSearch: ['dns.podman'], attachments: [{ network: 'appnet', interface: 'eth0', gateway: '10.89.77.1', prefixLen: 24, mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/ }] });
  t.match(o['ra'].hostsEntries[0], /^10\.89\.77\.2\twebhost web$/);
  t.match(o['rb'], { ips: ['10.89.77.3'] });
  t.ok(o['rb'].hostsEntries.includes('10.89.77.2\tlweb web webhost'), '--link web:lweb adds a hosts entry');
  t.match(o['resolv'], /^search dns\.podman.*\nnameserver 10\.89\.77\.1\noptions ndots:1\n$/s);
  t.match(o['hosts'], /10\.89\.77\.3\tclient\n/);
  t.ok(o['state']?.slirpPid > 0, 'the rootless netns has its slirp4netns');
  t.ok(o['aardvarkPid'] > 0, 'netavark started aardvark-dns');

  t.match(o['byName'], { exitCode: 0, stdout: 'hello from web' }, 'client reaches web by container name (aardvark-dns)');
  t.match(o['byAlias'], { exitCode: 0, stdout: 'hello from web' }, 'and by --network-alias');
  t.match(o['byLink'], { exitCode: 0, stdout: 'hello from web' }, 'and by --link alias');
  t.match(o['ping'], { exitCode: 0, stdout: /1 packets received/ });
  t.not(o['nx'].exitCode, 0, 'unknown names do not resolve');
  t.match(o['outbound'], { exitCode: 0, stdout: 'hello from the host' }, 'outbound traffic leaves through slirp4netns');
  t.same(o['published'], { ok: true, body: 'hello from web\n' }, 'a published port on the host reaches the container');
  t.match(o['dupIP'], /IP address 10\.89\.77\.2 is already in use/);
  t.match(o['dupPort'], /cannot publish port/);
  t.same(o['attachedAfterConflicts'], ['client', 'web'], 'failed attaches leave nothing behind');
  t.same(o['afterFirstDetach'], { slirp: true, aardvark: true, attached: ['client'] }, 'the network lives on while a container uses it');
  t.same(o['afterLastDetach'], { netnsFile: false, isNs: false, attached: 0 }, 'the last detach removes the rootless netns');

  // nothing of ours outlives the last container (zombies have no command line and do not match)
  await new Promise((res) => setTimeout(res, 200));
  const runDir = env.runDir;
  const left = processesMatching(runDir).filter((pid) => /slirp4netns|aardvark-dns/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
  t.same(left, [], 'no slirp4netns or aardvark-dns left running');
  for (const pid of [o['state']?.slirpPid, o['aardvarkPid']]) {
    let alive = false;
    try { alive = !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { /* gone */ }
    t.notOk(alive, `pid ${pid} is gone`);
  }
  r = await env.tspod(['network', 'rm', 'appnet']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('network commands: create, ls, inspect, exists, rm, prune', async (t) => {
  let r = await env.tspod(['network', 'create', '--label', 'app=web', 'web-net']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'web-net');
  r = await env.tspod(['network', 'create', '--subnet', '10.95.0.0/24', '--gateway', '10.95.0.254', '--ip-range', '10.95.0.128/25', '--internal', '--disable-dns', 'back']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['network', 'create']);
  t.equal(r.exitCode, 0, r.stderr);
  const auto = r.stdout.trim();
  t.match(auto, /^tspod\d+$/);

  r = await env.tspod(['network', 'inspect', 'back']);
  t.equal(r.exitCode, 0, r.stderr);
  const [back] = JSON.parse(r.stdout);
  t.match(back, {
    name: 'back', driver: 'bridge', network_interface: /^tspod\d+$/, ipv6_enabled: false, internal: true, dns_enabled: false, labels: {},
    subnets: [{ subnet: '10.95.0.0/24', gateway: '10.95.0.254', lease_range: { start_ip: '10.95.0.129', end_ip: '10.95.0.254' } }],
  });
  t.match(back.id, /^[0-9a-f]{64}$/);
  const onDisk = JSON.parse(fs.readFileSync(netFile(), 'utf8'));
  t.same(onDisk.networks.map((n: { name: string }) => n.name), ['web-net', 'back', auto], 'networks.json lists them');
  t.same(onDisk.networks[1], back, 'inspect shows the stored record');
  r = await env.tspod(['network', 'inspect', '--format', '{{.name}} {{.dns_enabled}}', back.id.slice(0, 12)]);
  t.equal(r.stdout.trim(), 'back false', 'inspect by ID prefix with a template');

  r = await env.tspod(['network', 'ls']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^NETWORK ID\s+NAME\s+DRIVER\n/);
  t.match(r.stdout, new RegExp(`${back.id.slice(0, 12)}\\s+back\\s+bridge`));
  r = await env.tspod(['network', 'ls', '-q']);
  t.same(r.stdout.trim().split('\n'), ['back', 'podman', auto, 'web-net'].sort(), 'sorted by name, Podman\'s default network among them');
  r = await env.tspod(['network', 'ls', '--filter', 'label=app=web', '--format', '{{.Name}} {{.Driver}} {{.Internal}}']);
  t.equal(r.stdout.trim(), 'web-net bridge false');
  r = await env.tspod(['network', 'ls', '--format', 'json']);
  t.same(JSON.parse(r.stdout).map((n: { name: string }) => n.name), ['back', 'podman', auto, 'web-net'].sort());
  r = await env.tspod(['network', 'ls', '--filter', 'bogus=1']);
  t.equal(r.exitCode, 125);

  r = await env.tspod(['network', 'exists', 'back']);
  t.equal(r.exitCode, 0);
  r = await env.tspod(['network', 'exists', 'nope']);
  t.equal(r.exitCode, 1);

  r = await env.tspod(['network', 'rm', 'nope']);
  t.equal(r.exitCode, 1);
  t.match(r.stderr, /network not found/);
  r = await env.tspod(['network', 'rm', 'back']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'back');
  r = await env.tspod(['network', 'prune', '-f', '--filter', 'label=app=web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'web-net');
  r = await env.tspod(['network', 'prune', '-f']);
  t.equal(r.stdout.trim(), auto);
  t.same(JSON.parse(fs.readFileSync(netFile(), 'utf8')).networks, []);
});

t.test('bad input: exit 125 and nothing written', async (t) => {
  const before = fs.existsSync(netFile()) ? fs.readFileSync(netFile(), 'utf8') : undefined;
  const cases: Array<[string[], RegExp]> = [
    [['network', 'create', 'bad name'], /invalid network name/],
    [['network', 'create', 'host'], /reserved/],
    [['network', 'create', '--subnet', '10.96.0.1/24', 'x'], /host bits are set/],
    [['network', 'create', '--subnet', 'garbage', 'x'], /CIDR/],
    [['network', 'create', '--subnet', '10.0.2.0/24', 'x'], /overlaps 10\.0\.2\.0\/24/],
    [['network', 'create', '--gateway', '10.96.0.1', 'x'], /need --subnet/],
    [['network', 'create', '--subnet', '10.96.0.0/24', '--gateway', '10.97.0.1', 'x'], /not a host address/],
    [['network', 'create', '--subnet', '10.96.0.0/24', '--ip-range', '10.97.0.0/25', 'x'], /not inside the subnet/],
    [['network', 'create', '-d', 'macvlan', 'x'], /unsupported network driver/],
    [['network', 'create', '--ipv6', 'x'], /IPv6/],
    [['network', 'create', '-o', 'color=red', 'x'], /unsupported bridge option/],
    [['network', 'create', '--bogus-flag', 'x'], /Nonexistent flag|bogus/],
  ];
  for (const [args, re] of cases) {
    const r = await env.tspod(args);
    t.equal(r.exitCode, 125, `${args.join(' ')} -> 125`);
    t.match(r.stderr, re, args.join(' '));
  }
  const after = fs.existsSync(netFile()) ? fs.readFileSync(netFile(), 'utf8') : undefined;
  t.equal(after, before, 'networks.json untouched');
  let r = await env.tspod(['network', 'create', 'dup']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['network', 'create', 'dup']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /already exists/);
  r = await env.tspod(['network', 'create', '--ignore', 'dup']);
  t.equal(r.exitCode, 0);
  r = await env.tspod(['network', 'rm', 'dup']);
  t.equal(r.exitCode, 0);
});

t.test('two services on a user network through tspod run', async (t: Test) => {
  const { startRegistry } = await import('../fixtures/registry.js');
  const { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const img = buildImage({ layers: [await buildBusyboxLayer(), await buildFileLayer({ 'www/': { type: 'dir' }, 'www/index.html': 'hello over appnet\n' })], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/net', 'latest', img);
  const IMG = `${reg.host}/e2e/net:latest`;
  const e2 = await makeEnv(t, { insecure: [reg.host] });
  let r = await e2.tspod(['pull', '-q', IMG]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await e2.tspod(['network', 'create', 'appnet']);
  t.equal(r.exitCode, 0, r.stderr);
  const pub = await freePort();
  r = await e2.tspod(['run', '-d', '--name', 'web', '--network', 'appnet', '--network-alias', 'www', '-p', `${pub}:80`, IMG, 'httpd', '-f', '-p', '80', '-h', '/www']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await e2.tspod(['run', '--rm', '--network', 'appnet', IMG, 'sh', '-c', 'wget -qO- http://web/ && wget -qO- http://www/']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'hello over appnet\nhello over appnet', 'client reaches web by name and alias');
  // aardvark-dns 1.4 closes and binds again its sockets when netavark signals it for a new
  // container: set-up waits for the new socket, so the container's very first lookup is answered
  const aard = processesMatching(e2.runDir).find((pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('aardvark-dns'); } catch { return false; } });
  t.ok(aard, 'aardvark-dns runs for web');
  const inode53 = () => fs.readFileSync(`/proc/${aard}/net/udp`, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1]?.endsWith(':0035'))?.[9];
  const before = inode53();
  t.ok(before, 'aardvark-dns listens on the gateway');
  for (let i = 0; i < 5; i++) {
    r = await e2.tspod(['--log-level', 'debug', 'run', '--rm', '--network', 'appnet', IMG, 'nslookup', 'web']);
    t.equal(r.exitCode, 0, `lookup ${i} at the container's start${r.exitCode ? `: ${r.stdout}` : ''}`);
    t.match(r.stderr, /aardvark-dns listens on the container's DNS gateways \(waited \d+ ms\)/, 'set-up waited for aardvark-dns');
  }
  const version = fs.readFileSync(`/proc/${aard}/cmdline`, 'utf8').split('\0')[0]!;
  const { stdout: v } = await execa(version, ['--version']);
  if (/ 1\.([0-9]|10)\./.test(v)) t.not(inode53(), before, `${v} bound its socket again on reload, and no lookup failed`);
  else t.equal(inode53(), before, `${v} keeps its socket on reload`);
  const body = await (await fetch(`http://127.0.0.1:${pub}/`)).text();
  t.equal(body, 'hello over appnet\n', '-p publishes the port on the host');
  r = await e2.tspod(['network', 'rm', 'appnet']);
  t.equal(r.exitCode, 2, 'in use: refused');
  r = await e2.tspod(['rm', '-f', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 300));
  const left = processesMatching(e2.runDir).filter((pid) => { try { return /slirp4netns|aardvark-dns|conmon/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')); } catch { return false; } });
  t.same(left, [], 'no process left after the last container is removed');
  r = await e2.tspod(['network', 'rm', 'appnet']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('network connect and disconnect of a running container', async (t: Test) => {
  const { startRegistry } = await import('../fixtures/registry.js');
  const { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const img = buildImage({ layers: [await buildBusyboxLayer(), await buildFileLayer({ 'www/': { type: 'dir' }, 'www/index.html': 'hello from backend\n' })], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/net', 'latest', img);
  const IMG = `${reg.host}/e2e/net:latest`;
  const e = await makeEnv(t, { insecure: [reg.host] });
  const ok = async (args: string[]) => { const r = await e.tspod(args); t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`); return r.stdout; };
  await ok(['pull', '-q', IMG]);
  await ok(['network', 'create', 'front']);
  await ok(['network', 'create', 'back']);
  await ok(['run', '-d', '--name', 'api', '--network', 'back', IMG, 'httpd', '-f', '-p', '80', '-h', '/www']);
  await ok(['run', '-d', '--name', 'proxy', '--network', 'front', IMG, 'sleep', '600']);
  t.teardown(() => e.tspod(['rm', '-af', '-t', '0']).then(() => undefined));

  let r = await e.tspod(['exec', 'proxy', 'wget', '-qO-', '-T', '2', 'http://api/']);
  t.not(r.exitCode, 0, 'on different networks, proxy cannot reach api');

  await ok(['network', 'connect', '--alias', 'gateway', 'back', 'proxy']);
  t.equal((await ok(['exec', 'proxy', 'wget', '-qO-', 'http://api/'])), 'hello from backend', 'connected while running: proxy reaches api by name');
  t.match(await ok(['exec', 'proxy', 'ip', '-o', 'addr', 'show']), /\beth1\b.*inet /, 'a second interface appeared in the running container');
  t.match(await ok(['exec', 'proxy', 'cat', '/etc/resolv.conf']), /nameserver .*\n(.*\n)*nameserver /, "resolv.conf lists both networks' DNS");
  r = await e.tspod(['exec', 'api', 'nslookup', 'gateway']);
  t.match(r.stdout, /Address:? .*\d+\.\d+\.\d+\.\d+/, 'the alias given to connect resolves on that network');
  t.match(await ok(['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', 'proxy']), /back=\d+\.\d+\.\d+\.\d+ .*front=\d+|front=\d+\.\d+\.\d+\.\d+ .*back=\d+/, 'inspect shows both networks with their addresses');

  await ok(['network', 'disconnect', 'back', 'proxy']);
  r = await e.tspod(['exec', 'proxy', 'wget', '-qO-', '-T', '2', 'http://api/']);
  t.not(r.exitCode, 0, 'disconnected while running: api is out of reach again');
  t.notMatch(await ok(['exec', 'proxy', 'ip', '-o', 'addr', 'show']), /\beth1\b/, 'the interface is gone');

  // a slirp4netns container cannot join while running; it can once stopped
  await ok(['run', '-d', '--name', 'loner', IMG, 'sleep', '600']);
  r = await e.tspod(['network', 'connect', 'back', 'loner']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /running with --network slirp4netns: connect it to a user-defined network while it is stopped/);
  t.equal((await ok(['inspect', '--format', '{{.HostConfig.NetworkMode}}', 'loner'])).trim(), 'slirp4netns', 'nothing changed');

  // stop and restart keep what connect recorded
  await ok(['network', 'connect', 'back', 'proxy']);
  await ok(['restart', '-t', '0', 'proxy']);
  t.equal(await ok(['exec', 'proxy', 'wget', '-qO-', 'http://api/']), 'hello from backend', 'after a restart proxy is on both networks');
});
