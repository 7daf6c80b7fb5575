import t from 'tap';
import * as net from 'node:net';
import { cidrString, contains, hostRange, intToIp, ipToInt, isIPv4, overlaps, parseCidr } from '../../../src/network/ipnet.js';

t.test('parse and print CIDRs', async (t) => {
  t.same(parseCidr('10.89.0.0/24'), { base: ipToInt('10.89.0.0'), prefix: 24 });
  t.equal(cidrString(parseCidr('192.168.0.0/16')), '192.168.0.0/16');
  t.equal(intToIp(ipToInt('255.255.255.255')), '255.255.255.255');
  t.equal(intToIp(ipToInt('0.0.0.1')), '0.0.0.1');
  t.throws(() => parseCidr('10.89.0.1/24'), /host bits are set \(did you mean 10\.89\.0\.0\/24\?\)/);
  t.throws(() => parseCidr('10.89.0.0'), /CIDR notation/);
  t.throws(() => parseCidr('10.89.0.0/33'), /CIDR notation/);
  t.throws(() => parseCidr('300.1.1.0/24'), /CIDR notation/);
  t.throws(() => parseCidr('fd00::/64'), /IPv6 networks are not supported/);
});

t.test('membership, overlap and host ranges', async (t) => {
  const c = parseCidr('10.89.3.0/24');
  t.ok(contains(c, '10.89.3.77'));
  t.notOk(contains(c, '10.89.4.1'));
  t.ok(overlaps(c, parseCidr('10.89.0.0/16')));
  t.ok(overlaps(parseCidr('10.0.0.0/8'), c));
  t.notOk(overlaps(c, parseCidr('10.89.4.0/24')));
  t.same(hostRange(c).map(intToIp), ['10.89.3.1', '10.89.3.254']);
  t.same(hostRange(parseCidr('10.1.1.0/31')).map(intToIp), ['10.1.1.0', '10.1.1.1']);
});

t.test('isIPv4 accepts what net.isIPv4 accepts (without loading node:net)', async (t) => {
  const samples = ['10.0.0.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', ' 1.2.3.4', '1.2.3.4 ',
    '1.2.3.4\n', 'a.b.c.d', '::1', '1.2.3.-4', '1..2.3', '199.249.250.251', '100.200.249.9', ''];
  for (const s of samples) t.equal(isIPv4(s), net.isIPv4(s), JSON.stringify(s));
});
