// The container's /etc/hosts as Podman lays it out, and the slirp4netns network options.
import t from 'tap';
import { hostsFile, hostInternalIP, parseSlirpMode, slirpAddresses } from '../../../src/container/network.js';

t.test('hosts: given entries first, then localhost, host.containers.internal and the container; no name twice', async (t) => {
  const base = '127.0.0.1 localhost\n10.1.1.1 db # the database\n\n# comment only\n';
  const text = hostsFile({ hostname: 'web', name: 'web', network: 'slirp4netns', addHosts: ['extra:1.2.3.4'], base, hostInternalIP: '192.0.2.9', guestIP: '172.20.0.100' });
  // the base names localhost: Podman adds neither localhost line then
  t.equal(text, '1.2.3.4\textra\n127.0.0.1\tlocalhost\n10.1.1.1\tdb\n192.0.2.9\thost.containers.internal host.docker.internal\n172.20.0.100\tweb web\n');
  const named = hostsFile({ hostname: 'db', name: 'db', network: 'slirp4netns', addHosts: [], base });
  t.notMatch(named, /\tdb db/, 'a name the base has is not added');
  t.notMatch(named, /host\.containers\.internal/, 'no address: no entry');
  t.equal(hostsFile({ hostname: 'h', name: 'n', network: 'none', addHosts: [] }), '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\th n\n');
  t.throws(() => hostsFile({ hostname: 'h', name: 'n', network: 'none', addHosts: ['nocolon'] }), /invalid --add-host/);
});

t.test('host.containers.internal: configured, none, or a host address', async (t) => {
  t.equal(hostInternalIP('none'), '');
  t.equal(hostInternalIP('10.9.9.9'), '10.9.9.9');
  t.notMatch(hostInternalIP(''), /^127\./, 'never loopback');
});

t.test('slirp4netns options', async (t) => {
  t.same(parseSlirpMode('slirp4netns'), {});
  t.same(parseSlirpMode('slirp4netns:cidr=10.5.0.0/24,allow_host_loopback=true,mtu=1500,enable_ipv6=false,port_handler=rootlesskit'),
    { cidr: '10.5.0.0/24', allowHostLoopback: true, mtu: 1500, enableIPv6: false });
  t.throws(() => parseSlirpMode('slirp4netns:nope=1'), /unknown option for slirp4netns: "nope=1"/);
  t.throws(() => parseSlirpMode('slirp4netns:cidr=10.5.0.0/28'), /invalid cidr/);
  t.throws(() => parseSlirpMode('slirp4netns:allow_host_loopback=maybe'), /cannot parse allow_host_loopback value "maybe"/);
  t.throws(() => parseSlirpMode('slirp4netns:port_handler=x'), /unknown port_handler/);
  t.same(slirpAddresses({}), { guest: '10.0.2.100', gateway: '10.0.2.2', dns: '10.0.2.3', prefix: 24 });
  t.same(slirpAddresses({ cidr: '172.20.30.0/24' }), { guest: '172.20.30.100', gateway: '172.20.30.2', dns: '172.20.30.3', prefix: 24 });
});
