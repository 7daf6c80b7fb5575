// --device and --expose parsing (src/container/options.ts), as Podman reads them.
import t from 'tap';
import { parseDevice, parseExpose } from '../../../src/container/options.js';

t.test('parseDevice: HOST[:CONTAINER][:PERMISSIONS]', async (t) => {
  t.same(parseDevice('/dev/zero'), { source: '/dev/zero', destination: '/dev/zero', permissions: 'rwm' });
  t.same(parseDevice('/dev/zero:/dev/z'), { source: '/dev/zero', destination: '/dev/z', permissions: 'rwm' });
  t.same(parseDevice('/dev/zero:r'), { source: '/dev/zero', destination: '/dev/zero', permissions: 'r' }, 'a second field of r, w, m only is the permissions');
  t.same(parseDevice('/dev/zero:/dev/z:rw'), { source: '/dev/zero', destination: '/dev/z', permissions: 'rw' });
  t.throws(() => parseDevice('/dev/zero:/dev/z:rx'), /invalid device permissions "rx"/);
  t.throws(() => parseDevice('/dev/zero:/dev/z:rr'), /invalid device permissions "rr"/);
  t.throws(() => parseDevice('dev/zero'), /host path must be absolute/);
  t.throws(() => parseDevice('/dev/zero:dev/z'), /container path "dev\/z" must be absolute/);
  t.throws(() => parseDevice('/dev/zero::r'), /invalid device specification/);
  t.throws(() => parseDevice('/a:/b:r:x'), /invalid device specification/);
  t.throws(() => parseDevice('/dev/no-such-device'), /device \/dev\/no-such-device does not exist on the host/);
  t.throws(() => parseDevice('/etc/hostname'), /\/etc\/hostname is not a device/);
});

t.test('parseExpose: PORT[-PORT][/PROTOCOL]', async (t) => {
  t.same(parseExpose('80'), ['80/tcp']);
  t.same(parseExpose('53/udp'), ['53/udp']);
  t.same(parseExpose('9000-9002/TCP'), ['9000/tcp', '9001/tcp', '9002/tcp']);
  t.same(parseExpose('5000/sctp'), ['5000/sctp']);
  for (const bad of ['', 'http', '0', '70000', '80-70', '80/icmp', '1:2']) t.throws(() => parseExpose(bad), /invalid --expose/, bad);
});
