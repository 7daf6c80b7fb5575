// What scripts written for Podman expect of kill, wait and the networking
// commands (the behaviour Podman's 130-kill and 500-networking system tests
// rely on), checked against bin/tspod as an unprivileged user.
import t from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'compat/net')); });

t.test('kill -s: bad signals are refused before any container or pod is looked up, in Podman\'s words', async (t) => {
  for (const [sig, shown] of [['0', '0'], ['SIGBADSIG', 'SIGBADSIG'], ['-SIG', 'SIG'], ['-0', '0'], ['-', '']] as const) {
    let r = await env.tspod(['kill', '-s', sig, 'nosuchcontainer']);
    t.equal(r.exitCode, 125, `kill -s ${sig}`);
    t.equal(r.stderr, `Error: invalid signal: ${shown}`, `kill -s ${sig}: the dash is not shown, the message is kept whole`);
    r = await env.tspod(['pod', 'kill', '-s', sig, 'nosuchpod']);
    t.equal(r.exitCode, 125, `pod kill -s ${sig}`);
    t.equal(r.stderr, `Error: invalid signal: ${shown}`, 'pod kill checks the signal before the pod');
  }
  for (const sig of ['65', '-65', '999', '99999999']) {
    const r = await env.tspod(['kill', '-s', sig, 'nosuchcontainer']);
    t.equal(r.exitCode, 125);
    t.equal(r.stderr, 'Error: valid signals are 1 through 64', `kill -s ${sig}: out of range`);
  }
  const r = await env.tspod(['create', '--stop-signal=99', IMAGE]);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: valid signals are 1 through 64', 'create --stop-signal is parsed the same way');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'nothing was created');
});

t.test('wait on a container that never ran returns at once; a failed start is 125', async (t) => {
  let r = await env.tspod(['create', '--name', 'never-ran', IMAGE, '/no/such/command']);
  t.equal(r.exitCode, 0, r.stderr);
  const t0 = Date.now();
  r = await env.tspod(['wait', 'never-ran']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '0', 'a container that never ran: exit code 0');
  t.ok(Date.now() - t0 < 20_000, 'wait did not block');
  r = await env.tspod(['start', 'never-ran']);
  t.equal(r.exitCode, 125, 'start of a command that does not exist: 125 (run\'s 127 is for run)');
  t.match(r.stderr, /no such file or directory/);
  r = await env.tspod(['wait', 'never-ran']);
  t.equal(r.exitCode, 0, 'wait after the failed start returns too');
  r = await env.tspod(['run', '--rm', IMAGE, '/no/such/command']);
  t.equal(r.exitCode, 127, 'run keeps 127');
  // --condition exited still waits for a created container to run and exit
  r = await env.tspod(['create', '--name', 'later', IMAGE, 'sh', '-c', 'exit 4']);
  t.equal(r.exitCode, 0, r.stderr);
  const waiting = env.tspod(['wait', '--condition', 'exited', 'later']);
  await new Promise((res) => setTimeout(res, 1000));
  t.equal((await env.tspod(['start', 'later'])).exitCode, 0);
  r = await waiting;
  t.equal(r.stdout, '4', '--condition exited waited through created');
  t.equal((await env.tspod(['rm', 'never-ran', 'later'])).exitCode, 0);
});

t.test('Podman\'s default network "podman": listed, sorted by name, usable, never removed; rm -f of a missing network is quiet', async (t) => {
  let r = await env.tspod(['network', 'ls']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^NETWORK ID\s+NAME\s+DRIVER\n2f259bab93aa\s+podman\s+bridge$/m, 'there before any network is created');
  for (const n of ['zz-net', 'aa-net']) t.equal((await env.tspod(['network', 'create', n])).exitCode, 0);
  r = await env.tspod(['network', 'ls', '--quiet']);
  t.same(r.stdout.split('\n'), ['aa-net', 'podman', 'zz-net'], 'sorted by name');
  r = await env.tspod(['network', 'inspect', '--format', '{{.name}} {{.network_interface}} {{(index .subnets 0).subnet}} {{.dns_enabled}}', 'podman']);
  t.equal(r.stdout, 'podman podman0 10.88.0.0/16 false');
  r = await env.tspod(['run', '--rm', '--network', 'podman', IMAGE, 'ip', '-4', 'addr', 'show', 'eth0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /inet 10\.88\.\d+\.\d+\/16 /, 'a container on it gets an address of 10.88.0.0/16');
  r = await env.tspod(['network', 'create', 'podman']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: network name podman already used: network already exists');
  for (const args of [['network', 'rm', 'podman'], ['network', 'rm', '-t', '0', '-f', 'podman']]) {
    r = await env.tspod(args);
    t.equal(r.exitCode, 125, args.join(' '));
    t.equal(r.stderr, 'Error: default network podman cannot be removed');
  }
  r = await env.tspod(['network', 'prune', '-f']);
  t.same(r.stdout.split('\n'), ['aa-net', 'zz-net'], 'prune leaves it');
  t.equal((await env.tspod(['network', 'exists', 'podman'])).exitCode, 0);
  r = await env.tspod(['network', 'rm', 'bogus']);
  t.equal(r.exitCode, 1);
  t.equal(r.stderr, 'Error: unable to find network with name or ID bogus: network not found');
  r = await env.tspod(['network', 'rm', '--force', 'bogus']);
  t.equal(r.exitCode, 0, '--force: a missing network is not an error');
  t.equal(r.stdout + r.stderr, '', 'and nothing is printed');
});

t.test('-w above a mount point: the runtime makes it, as Podman', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-wd-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  const r = await env.tspod(['run', '--rm', '-w', '/var/www', '-v', `${path.join(dir, 'hello.txt')}:/var/www/index.txt:Z`, IMAGE, 'sh', '-c', 'pwd; cat index.txt']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '/var/www\nhello');
});

function hostIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
  return undefined;
}

t.test('slirp4netns:cidr= moves the container, its gateway and DNS; /etc/hosts names the host', async (t) => {
  const name = 'slirp-cidr';
  let r = await env.tspod(['run', '--rm', '--network', 'slirp4netns:cidr=172.23.45.0/24', '--name', name, '--hostname', name, IMAGE,
    'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; ip -4 addr show tap0']);
  t.equal(r.exitCode, 0, r.stderr);
  const [hosts, resolv, ip] = r.stdout.split('\n---\n') as [string, string, string];
  t.match(hosts, new RegExp(`^172\\.23\\.45\\.100\\t${name} ${name}$`, 'm'), 'the container is cidr+100');
  const hostIP = hostIPv4();
  if (hostIP) t.match(hosts, new RegExp(`^${hostIP.replace(/\./g, '\\.')}\\thost\\.containers\\.internal`, 'm'), 'host.containers.internal is the host\'s address');
  t.match(resolv, /^nameserver 172\.23\.45\.3$/m, 'the DNS forwarder is cidr+3');
  t.match(ip, /inet 172\.23\.45\.100\/24 /);
  r = await env.tspod(['run', '--rm', '--network', 'slirp4netns:bogus=1', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: unknown option for slirp4netns: "bogus=1"');
  r = await env.tspod(['create', '--network', 'slirp4netns:cidr=10.1.2.3', IMAGE, 'true']);
  t.equal(r.exitCode, 125, 'a bad cidr is refused at create');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'nothing was created');
});

t.test('published ports reach a container on a slirp4netns:cidr= network', async (t) => {
  const port = await new Promise<number>((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => res(p)); }); });
  let r = await env.tspod(['run', '-d', '--name', 'cidr-web', '--network', 'slirp4netns:cidr=172.23.46.0/24', '-p', `127.0.0.1:${port}:80`, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/etc']);
  t.equal(r.exitCode, 0, r.stderr);
  let body = '';
  for (let i = 0; i < 50 && !body; i++) {
    body = await new Promise<string>((res) => {
      const c = net.createConnection(port, '127.0.0.1', () => c.end('GET /hostname HTTP/1.0\r\n\r\n'));
      let got = ''; c.on('data', (d) => { got += d.toString(); }); c.on('close', () => res(got)); c.on('error', () => res(''));
    });
    if (!body) await new Promise((res) => setTimeout(res, 100));
  }
  t.match(body, /200 OK/, 'the forwarded port reaches cidr+100');
  r = await env.tspod(['rm', '-f', '-t', '0', 'cidr-web']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('/etc/hosts: the host\'s file (or containers.conf base_hosts_file) first, then what tspod adds, no name twice', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-conf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'hosts'), '172.30.1.1 basehost1\n172.30.1.2 basehost2 #a comment\n');
  fs.writeFileSync(path.join(dir, 'containers.conf'), `[containers]\nbase_hosts_file = "${path.join(dir, 'hosts')}"\nhost_containers_internal_ip = "172.30.9.9"\n`);
  const withConf = { env: { ...env.env, CONTAINERS_CONF: path.join(dir, 'containers.conf') } };
  let r = await env.tspod(['run', '--rm', '--name', 'hosts1', '--add-host', 'added:172.30.2.2', IMAGE, 'cat', '/etc/hosts'], withConf);
  t.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.same(lines.slice(0, 3), ['172.30.2.2\tadded', '172.30.1.1\tbasehost1', '172.30.1.2\tbasehost2'], '--add-host, then the base file');
  t.same(lines.slice(3, 6), ['127.0.0.1\tlocalhost', '::1\tlocalhost', '172.30.9.9\thost.containers.internal host.docker.internal']);
  t.match(lines[6], /^10\.0\.2\.100\t[0-9a-f]{12} hosts1$/, 'the container\'s own entry last');
  t.equal(lines.length, 7);
  r = await env.tspod(['run', '--rm', '--name', 'basehost1', '--hostname', 'basehost1', IMAGE, 'cat', '/etc/hosts'], withConf);
  t.equal(r.stdout.split('\n').length, 5, 'a name the base file has is not added again');
  // without containers.conf: the host's /etc/hosts is the base
  const hostNames = new Set(fs.readFileSync('/etc/hosts', 'utf8').split('\n').flatMap((l) => l.replace(/#.*/, '').trim().split(/\s+/).slice(1)));
  r = await env.tspod(['run', '--rm', IMAGE, 'cat', '/etc/hosts']);
  for (const n of hostNames) t.match(r.stdout, new RegExp(`\\s${n.replace(/\./g, '\\.')}(\\s|$)`, 'm'), `the host's ${n}`);
  fs.writeFileSync(path.join(dir, 'containers.conf'), '[containers]\nbase_hosts_file = "none"\nhost_containers_internal_ip = "none"\n');
  r = await env.tspod(['run', '--rm', IMAGE, 'cat', '/etc/hosts'], withConf);
  t.notMatch(r.stdout, /host\.containers\.internal/, 'host_containers_internal_ip = "none": no entry');
  t.equal(r.stdout.split('\n')[0], '127.0.0.1\tlocalhost', 'base_hosts_file = "none": no base');
});

t.test('containers.conf dns_servers and dns_searches are the defaults of --dns and --dns-search', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-conf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'containers.conf'), '[containers]\ndns_searches = ["example.com"]\ndns_servers = ["1.1.1.1", "100.100.100.100"]\ndns_options = ["ndots:3"]\n');
  const withConf = { env: { ...env.env, CONTAINERS_CONF: path.join(dir, 'containers.conf') } };
  let r = await env.tspod(['run', '--rm', IMAGE, 'cat', '/etc/resolv.conf'], withConf);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'search example.com\nnameserver 1.1.1.1\nnameserver 100.100.100.100\noptions ndots:3');
  r = await env.tspod(['run', '--rm', '--dns', '9.9.9.9', IMAGE, 'cat', '/etc/resolv.conf'], withConf);
  t.match(r.stdout, /^nameserver 9\.9\.9\.9$/m, '--dns wins');
  t.notMatch(r.stdout, /1\.1\.1\.1/);
  fs.writeFileSync(path.join(dir, 'containers.conf'), '[containers\n');
  r = await env.tspod(['run', '--rm', IMAGE, 'true'], withConf);
  t.equal(r.exitCode, 125, 'a containers.conf that does not parse is an error');
  t.match(r.stderr, /^Error: .*containers\.conf/);
});

t.test('a pod member is 127.0.0.1 NAME in the pod\'s /etc/hosts while it runs', async (t) => {
  let r = await env.tspod(['pod', 'create', '--name', 'hpod', '--infra-name', 'hpod-infra']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--pod', 'hpod', '--name', 'member1', IMAGE, 'cat', '/etc/hosts']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /\shpod hpod-infra$/m, 'the pod\'s own entry');
  t.match(r.stdout, /^127\.0\.0\.1\tmember1$/m, 'the member\'s entry');
  const count = r.stdout.split('\n').length;
  r = await env.tspod(['run', '--pod', 'hpod', '--name', 'member2', IMAGE, 'cat', '/etc/hosts']);
  t.match(r.stdout, /^127\.0\.0\.1\tmember2$/m);
  t.notMatch(r.stdout, /member1/, 'the first member\'s entry went when it stopped');
  t.equal(r.stdout.split('\n').length, count);
  t.equal((await env.tspod(['pod', 'rm', '-f', 'hpod'])).exitCode, 0);
});

t.test('pod rm: a running infra container alone does not need --force; the pause image is named from version', async (t) => {
  let r = await env.tspod(['pod', 'create', '--name', 'only-infra']);
  t.equal(r.exitCode, 0, r.stderr);
  const podId = r.stdout;
  t.equal((await env.tspod(['run', '--pod', 'only-infra', IMAGE, 'true'])).exitCode, 0, 'the member ran and exited: the infra runs on');
  t.equal((await env.tspod(['ps', '--filter', 'pod=only-infra', '--format', '{{.IsInfra}}'])).stdout, 'true', 'the infra container is running');
  r = await env.tspod(['pod', 'rm', 'only-infra']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, podId, 'only the pod ID is printed');
  r = await env.tspod(['version', '--format', '{{.Server.Version}}-{{.Server.Built}}']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `${(await env.tspod(['version', '--format', '{{.Client.Version}}'])).stdout}-0`, '.Server is the client without a service');
  r = await env.tspod(['rmi', `localhost/podman-pause:${r.stdout}`]);
  t.equal(r.exitCode, 0, `the infra image is localhost/podman-pause:VERSION-BUILT: ${r.stderr}`);
});

t.test('network disconnect/connect of a running container with published ports: the ports follow it, a new address each time', async (t) => {
  const port = await new Promise<number>((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => res(p)); }); });
  const get = () => new Promise<string>((res) => {
    const c = net.createConnection(port, '127.0.0.1', () => c.end('GET /hostname HTTP/1.0\r\n\r\n'));
    let got = ''; c.setTimeout(3000, () => c.destroy()); c.on('data', (d) => { got += d.toString(); }); c.on('close', () => res(got)); c.on('error', () => res(''));
  });
  const until = async (want: boolean) => { let b = ''; for (let i = 0; i < 30; i++) { b = await get(); if (/200 OK/.test(b) === want) break; await new Promise((r) => setTimeout(r, 200)); } return b; };
  for (const n of ['pf-one', 'pf-two']) t.equal((await env.tspod(['network', 'create', n])).exitCode, 0);
  t.equal((await env.tspod(['run', '-d', '--name', 'pf-bg', '--network', 'pf-one', IMAGE, 'sleep', '600'])).exitCode, 0, 'a neighbour keeps the network up');
  let r = await env.tspod(['run', '-d', '--name', 'pf-web', '--network', 'pf-one', '-p', `127.0.0.1:${port}:80`, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/etc']);
  t.equal(r.exitCode, 0, r.stderr);
  const ipOf = async (n: string) => (await env.tspod(['inspect', '--format', `{{(index .NetworkSettings.Networks "${n}").IPAddress}}`, 'pf-web'])).stdout;
  t.match(await until(true), /200 OK/, 'the port works');
  const ip1 = await ipOf('pf-one');
  r = await env.tspod(['network', 'disconnect', 'pf-one', 'pf-web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '');
  t.notMatch(await until(false), /200 OK/, 'disconnected: the port reaches nothing');
  r = await env.tspod(['network', 'connect', 'pf-one', 'pf-web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(await until(true), /200 OK/, 'connected again: the port works again');
  t.not(await ipOf('pf-one'), ip1, 'a new address, not the one just released');
  r = await env.tspod(['network', 'connect', 'pf-two', 'pf-web']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['network', 'disconnect', 'pf-one', 'pf-web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(await until(true), /200 OK/, 'the port reaches it through the other network');
  t.equal((await env.tspod(['rm', '-f', '-t', '0', 'pf-web', 'pf-bg'])).exitCode, 0);
  t.equal((await env.tspod(['network', 'rm', 'pf-one', 'pf-two'])).exitCode, 0);
});
