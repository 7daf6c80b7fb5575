import t from 'tap';
import { dnsListeners, procNetAddress, rebindsOnReload } from '../../../src/network/aardvark-ready.js';

t.test('addresses as /proc/net/udp prints them', async (t) => {
  t.equal(procNetAddress('10.89.0.1', 'LE'), '0100590A');
  t.equal(procNetAddress('10.89.0.1', 'BE'), '0A590001');
  t.equal(procNetAddress('192.168.255.1', 'LE'), '01FFA8C0');
});

t.test('port-53 listeners by address, with their inodes', async (t) => {
  const text = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 6500: 0100590A:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000  1001        0 22471 2 00000000255128f0 0
 6501: 0101590A:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000  1001        0 22480 2 00000000255128f1 0
 7000: 0100590A:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000  1001        0 22999 2 00000000255128f2 0
`;
  t.same([...dnsListeners(text)], [['0100590A', 22471], ['0101590A', 22480]], 'only port 53 (0035), keyed by local address');
  t.same([...dnsListeners('   sl  local_address\n')], [], 'no sockets');
});

t.test('which aardvark-dns closes its sockets on reload (fixed in 1.11)', async (t) => {
  t.ok(rebindsOnReload('aardvark-dns 1.4.0'));
  t.ok(rebindsOnReload('aardvark-dns 1.10.0'));
  t.notOk(rebindsOnReload('aardvark-dns 1.11.0'));
  t.notOk(rebindsOnReload('aardvark-dns 2.0.1'));
  t.notOk(rebindsOnReload(''), 'unknown: do not wait on every set-up');
});
