// The network engine's records, validation, filters and in-use rules, against
// a real store in a temporary root (no namespaces needed).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  connectNetwork, createNetwork, disconnectNetwork, inspectNetwork, listNetworks, networkExists, networkUsers, pruneNetworks, removeNetworks, toRow,
} from '../../../src/engine/networks.js';
import { isUserNetwork, planUserNetworks, hostsContent, resolvContent } from '../../../src/network/attach.js';
import { NetworkStore } from '../../../src/network/store.js';
import { setPaths } from '../../../src/util/paths.js';

function freshRoot(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-net-unit-'));
  setPaths({ root: path.join(dir, 'root'), runroot: path.join(dir, 'run') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'root');
}

/** A stopped container whose configuration names networks (as the container engine writes it). */
function fakeContainer(root: string, id: string, name: string, cfg: Record<string, unknown>): void {
  const dir = path.join(root, 'containers');
  fs.mkdirSync(path.join(dir, id), { recursive: true });
  const idxFile = path.join(dir, 'containers.json');
  const idx = fs.existsSync(idxFile) ? JSON.parse(fs.readFileSync(idxFile, 'utf8')) : { version: 1, containers: [] };
  idx.containers.push({ id, names: [name], state: 'exited', pid: 0, conmonPid: 0, slirpPid: 0, image: '', imageName: '', layers: [], command: [], created: new Date().toISOString(), startedAt: '', finishedAt: '', exitCode: 0, ports: [], labels: {}, restartCount: 0, health: '', healthFailures: 0, autoRemove: false, stoppedByUser: false, mounted: false });
  fs.writeFileSync(idxFile, JSON.stringify(idx));
  fs.writeFileSync(path.join(dir, id, 'config.json'), JSON.stringify({ id, name, network: 'slirp4netns', ...cfg }));
}

t.test('create: defaults, podman-like record, sequential subnets and interfaces', async (t) => {
  const root = freshRoot(t);
  const a = await createNetwork({ name: 'appnet', labels: ['team=web', 'bare'] });
  t.match(a, {
    name: 'appnet', driver: 'bridge', network_interface: 'tspod1', subnets: [{ subnet: '10.89.0.0/24', gateway: '10.89.0.1' }],
    ipv6_enabled: false, internal: false, dns_enabled: true, labels: { team: 'web', bare: '' }, ipam_options: { driver: 'host-local' },
  });
  t.match(a.id, /^[0-9a-f]{64}$/);
  t.ok(!Number.isNaN(Date.parse(a.created)));
  const b = await createNetwork({});
  t.equal(b.name, 'tspod1', 'unnamed networks get tspodN');
  t.equal(b.network_interface, 'tspod2');
  t.equal(b.subnets[0]!.subnet, '10.89.1.0/24');
  const c = await createNetwork({ name: 'priv', subnets: ['10.90.0.0/24'], gateways: ['10.90.0.254'], ipRanges: ['10.90.0.128/25'], internal: true, disableDns: true });
  t.same(c.subnets, [{ subnet: '10.90.0.0/24', gateway: '10.90.0.254', lease_range: { start_ip: '10.90.0.129', end_ip: '10.90.0.254' } }]);
  t.equal(c.internal, true);
  t.equal(c.dns_enabled, false);
  const d = await createNetwork({ name: 'r', subnets: ['10.91.0.0/24'], ipRanges: ['10.91.0.10-10.91.0.20'] });
  t.same(d.subnets[0]!.lease_range, { start_ip: '10.91.0.10', end_ip: '10.91.0.20' });
  const idx = JSON.parse(fs.readFileSync(path.join(root, 'networks', 'networks.json'), 'utf8'));
  t.same(idx.networks.map((n: { name: string }) => n.name), ['appnet', 'tspod1', 'priv', 'r'], 'index lists networks by name (completion reads it)');
  t.equal((await createNetwork({ name: 'appnet', ignore: true })).id, a.id, '--ignore returns the existing network');
  t.equal(inspectNetwork(a.id.slice(0, 10)).name, 'appnet', 'resolves ID prefixes');
  t.ok(networkExists('appnet'));
  t.notOk(networkExists('nope'));
  t.match(toRow(a), { Name: 'appnet', ID: a.id.slice(0, 12), Driver: 'bridge', DNSEnabled: true, Subnets: [{ Subnet: '10.89.0.0/24', Gateway: '10.89.0.1' }] });
});

t.test('create: bad input is refused and nothing is written', async (t) => {
  const root = freshRoot(t);
  const bad: Array<[Parameters<typeof createNetwork>[0], RegExp]> = [
    [{ name: 'bad name' }, /invalid network name/],
    [{ name: '-x' }, /invalid network name/],
    [{ name: 'host' }, /reserved/],
    [{ name: 'none' }, /reserved/],
    [{ name: 'n', driver: 'macvlan' }, /unsupported network driver/],
    [{ name: 'n', subnets: ['10.89.0.1/24'] }, /host bits/],
    [{ name: 'n', subnets: ['nonsense'] }, /CIDR/],
    [{ name: 'n', subnets: ['10.0.2.0/24'] }, /overlaps 10\.0\.2\.0\/24/],
    [{ name: 'n', subnets: ['10.89.0.0/31'] }, /too small/],
    [{ name: 'n', subnets: ['10.89.0.0/24', '10.89.1.0/24'] }, /one IPv4 subnet/],
    [{ name: 'n', gateways: ['10.89.0.1'] }, /need --subnet/],
    [{ name: 'n', subnets: ['10.89.0.0/24'], gateways: ['10.89.1.1'] }, /not a host address/],
    [{ name: 'n', subnets: ['10.89.0.0/24'], gateways: ['10.89.0.255'] }, /not a host address/],
    [{ name: 'n', subnets: ['10.89.0.0/24'], ipRanges: ['10.89.1.0/25'] }, /not inside the subnet/],
    [{ name: 'n', subnets: ['10.89.0.0/24'], ipRanges: ['10.89.0.20-10.89.0.10'] }, /start is after the end/],
    [{ name: 'n', ipv6: true }, /IPv6/],
    [{ name: 'n', labels: ['=x'] }, /invalid label/],
    [{ name: 'n', opts: ['color=red'] }, /unsupported bridge option/],
    [{ name: 'n', opts: ['mtu=big'] }, /invalid mtu/],
    [{ name: 'n', interfaceName: 'way-too-long-interface' }, /invalid interface name/],
  ];
  for (const [o, re] of bad) await t.rejects(createNetwork(o), { message: re, exitCode: 125 }, JSON.stringify(o));
  t.notOk(fs.existsSync(path.join(root, 'networks', 'networks.json')), 'no index written');
  await createNetwork({ name: 'one', subnets: ['10.89.5.0/24'] });
  await t.rejects(createNetwork({ name: 'one' }), /already exists/);
  await t.rejects(createNetwork({ name: 'two', subnets: ['10.89.0.0/16'] }), /already used by network one/);
  await t.rejects(createNetwork({ name: 'three', interfaceName: 'tspod1' }), /interface name tspod1 is already used/);
  t.same(listNetworks().map((n) => n.name), ['one', 'podman'], 'and Podman\'s default network, by name');
});

t.test('ls filters', async (t) => {
  const root = freshRoot(t);
  await createNetwork({ name: 'web', labels: ['app=web'] });
  await createNetwork({ name: 'db', labels: ['app=db', 'tier'] });
  await createNetwork({ name: 'webtest' });
  fakeContainer(root, 'c'.repeat(64), 'c1', { networks: ['db'] });
  const names = (f: string[]) => listNetworks({ filters: f }).map((n) => n.name);
  t.same(names(['name=^web']), ['web', 'webtest']);
  t.same(names(['label=app=web']), ['web']);
  t.same(names(['label=tier']), ['db']);
  t.same(names(['label=app']), ['db', 'web']);
  t.same(names(['name=web', 'label=app']), ['web'], 'different keys AND');
  t.same(names(['name=^db$', 'name=^web$']), ['db', 'web'], 'same key ORs');
  t.same(names(['driver=bridge']).length, 4, 'the default network too');
  t.same(names(['dangling=true']), ['podman', 'web', 'webtest']);
  t.same(names(['dangling=false']), ['db']);
  t.same(names([`id=${inspectNetwork('db').id.slice(0, 6)}`]), ['db']);
  t.same(names(['until=1h']), [], 'created less than an hour ago');
  t.throws(() => names(['color=red']), /invalid filter "color"/);
  t.throws(() => names(['name']), /expected key=value/);
});

t.test('in use: rm refuses, -f removal path, prune skips, connect/disconnect edit stopped containers', async (t) => {
  const root = freshRoot(t);
  await createNetwork({ name: 'busy', subnets: ['10.89.9.0/24'] });
  await createNetwork({ name: 'idle' });
  await createNetwork({ name: 'idle2' });
  const id = 'd'.repeat(64);
  fakeContainer(root, id, 'app', { network: 'busy', networks: ['busy'] });
  t.same(networkUsers('busy'), [id]);
  const [r] = await removeNetworks(['busy']);
  t.match(r!.error, { code: 'EINUSE', message: /has associated containers/ });
  t.ok(networkExists('busy'));
  const [nf] = await removeNetworks(['ghost']);
  t.match(nf!.error, { code: 'ENOTFOUND' });
  const pruned = await pruneNetworks(['label=nope']);
  t.same(pruned, [], 'label filter matched nothing');
  t.same((await pruneNetworks(undefined)).map((x) => x.name), ['idle', 'idle2']);
  t.same(listNetworks().map((n) => n.name), ['busy', 'podman'], 'prune leaves the default network');
  await t.rejects(pruneNetworks(['name=x']), /invalid filter "name": supported network prune filters are label, label!, until/);

  // connect/disconnect rewrite the stopped container's configuration
  await createNetwork({ name: 'second' });
  await connectNetwork('second', 'app', { aliases: ['api'] });
  let cfg = JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'config.json'), 'utf8'));
  t.same(cfg.networks, ['busy', 'second']);
  t.equal(cfg.network, 'busy,second');
  t.same(cfg.networkAliases, ['api']);
  await t.rejects(connectNetwork('second', 'app'), /already connected/);
  await t.rejects(connectNetwork('nope', 'app'), /network not found/);
  await disconnectNetwork('busy', 'app');
  await disconnectNetwork('second', 'app');
  cfg = JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'config.json'), 'utf8'));
  t.same(cfg.networks, []);
  t.equal(cfg.network, 'none');
  await t.rejects(disconnectNetwork('busy', 'app'), /not connected/);
  const [ok] = await removeNetworks(['busy']);
  t.notOk(ok!.error, 'no longer in use: removed');
  // a slirp4netns container moves to the user network on connect
  fakeContainer(root, 'e'.repeat(64), 'slirpy', {});
  await connectNetwork('second', 'slirpy', { ip: '10.89.0.50' });
  cfg = JSON.parse(fs.readFileSync(path.join(root, 'containers', 'e'.repeat(64), 'config.json'), 'utf8'));
  t.match(cfg, { network: 'second', networks: ['second'], staticIP: '10.89.0.50' });
  fakeContainer(root, 'f'.repeat(64), 'hosty', { network: 'host' });
  await t.rejects(connectNetwork('second', 'hosty'), /uses --network host/);
});

t.test('planUserNetworks validates the container flags', async (t) => {
  freshRoot(t);
  const n = await createNetwork({ name: 'a', subnets: ['10.89.20.0/24'] });
  await createNetwork({ name: 'b' });
  t.equal(planUserNetworks({ network: 'slirp4netns' }), undefined);
  t.equal(planUserNetworks({}), undefined);
  t.equal(planUserNetworks({ network: 'container:x' }), undefined);
  t.throws(() => planUserNetworks({ network: 'none', aliases: ['x'] }), /--network-alias can only be used/);
  t.throws(() => planUserNetworks({ ip: '10.0.0.1' }), /--ip can only be used/);
  t.same(planUserNetworks({ network: 'a,b', aliases: ['web', 'web'], links: ['db:database'] }), { networks: ['a', 'b'], aliases: ['web'], staticIP: undefined, links: ['db:database'] });
  t.same(planUserNetworks({ network: n.id.slice(0, 12) })?.networks, ['a'], 'IDs resolve to names');
  t.same(planUserNetworks({ network: 'a', ip: '10.89.20.7' })?.staticIP, '10.89.20.7');
  t.throws(() => planUserNetworks({ network: 'a', ip: '10.89.21.7' }), /not in the subnet/);
  t.throws(() => planUserNetworks({ network: 'a', ip: '10.89.20.1' }), /gateway/);
  t.throws(() => planUserNetworks({ network: 'a', ip: '10.89.20.255' }), /broadcast/);
  t.throws(() => planUserNetworks({ network: 'a', ip: 'x' }), /not an IPv4 address/);
  t.throws(() => planUserNetworks({ network: 'a,b', ip: '10.89.20.7' }), /exactly one network/);
  t.throws(() => planUserNetworks({ network: 'nope' }), /network not found/);
  t.throws(() => planUserNetworks({ network: 'a', aliases: ['bad alias'] }), /invalid network alias/);
  t.throws(() => planUserNetworks({ network: 'a', links: ['a:b:c'] }), /invalid --link/);
  t.ok(isUserNetwork('a'));
  t.ok(isUserNetwork('a,b'));
  t.notOk(isUserNetwork('a,nope'));
  t.notOk(isUserNetwork('slirp4netns'));
  t.notOk(isUserNetwork(undefined));
  t.ok(new NetworkStore().find('a'));
});

t.test('hosts and resolv.conf content for a user network', async (t) => {
  const r = { attachments: [], ips: ['10.89.0.2'], hostsEntries: ['10.89.0.2\tweb', '10.89.0.3\tdb database'], dnsServers: ['10.89.0.1'], dnsSearch: ['dns.podman'] };
  const hosts = hostsContent(r, { addHosts: ['extra:1.2.3.4'] });
  t.match(hosts, /^1\.2\.3\.4\textra\n/, '--add-host first, as Podman');
  t.match(hosts, /^127\.0\.0\.1\tlocalhost/m);
  t.match(hosts, /1\.2\.3\.4\textra\n/);
  t.match(hosts, /10\.89\.0\.2\tweb\n10\.89\.0\.3\tdb database\n$/);
  const rc = resolvContent(r, { dnsOptions: ['ndots:2'] });
  t.match(rc, /^search dns\.podman/);
  t.match(rc, /\nnameserver 10\.89\.0\.1\n/);
  t.match(rc, /options ndots:2\n$/);
  t.notMatch(rc, /nameserver 127\./);
  t.equal(resolvContent(r, { dns: ['9.9.9.9'], dnsSearch: ['.'] }), 'nameserver 9.9.9.9\n', '--dns and --dns-search . override');
});
