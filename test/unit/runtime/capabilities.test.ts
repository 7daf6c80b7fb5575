import t from 'tap';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, capabilityMask, normalizeCapability, resolveCapabilities } from '../../../src/runtime/capabilities.js';
import * as fs from 'node:fs';

t.test('defaults are containers.conf default_capabilities', async (t) => {
  const conf = fs.readFileSync('/usr/share/containers/containers.conf', 'utf8');
  const m = /^default_capabilities\s*=\s*\[([^\]]*)\]/m.exec(conf);
  if (!m) return t.fail('cannot read default_capabilities from /usr/share/containers/containers.conf (containers-common missing?)');
  const fromConf = [...m[1]!.matchAll(/"([A-Z_]+)"/g)].map((x) => `CAP_${x[1]}`).sort();
  t.same([...DEFAULT_CAPABILITIES].sort(), fromConf);
  t.same(resolveCapabilities({}), fromConf);
});

t.test('names with or without CAP_, any case; unknown names rejected', async (t) => {
  t.equal(normalizeCapability('net_raw'), 'CAP_NET_RAW');
  t.equal(normalizeCapability('CAP_SYS_ADMIN'), 'CAP_SYS_ADMIN');
  t.equal(normalizeCapability('all'), 'ALL');
  t.throws(() => normalizeCapability('FLY'), { code: 'EINVAL', message: /unknown capability "FLY"/ });
});

t.test('add / drop / ALL / privileged', async (t) => {
  const r = resolveCapabilities({ capAdd: ['net_admin', 'SYS_PTRACE'], capDrop: ['CAP_CHOWN', 'kill'] });
  t.ok(r.includes('CAP_NET_ADMIN') && r.includes('CAP_SYS_PTRACE'));
  t.notOk(r.includes('CAP_CHOWN') || r.includes('CAP_KILL'));
  t.equal(r.length, DEFAULT_CAPABILITIES.length);
  t.same(resolveCapabilities({ capDrop: ['ALL'] }), []);
  t.same(resolveCapabilities({ capDrop: ['ALL'], capAdd: ['chown'] }), ['CAP_CHOWN']);
  t.equal(resolveCapabilities({ capAdd: ['ALL'] }).length, ALL_CAPABILITIES.length);
  t.notOk(resolveCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] }).includes('CAP_SYS_ADMIN'));
  t.same(resolveCapabilities({ capAdd: ['NET_RAW'], capDrop: ['NET_RAW'] }).includes('CAP_NET_RAW'), false, 'drop wins');
  t.equal(resolveCapabilities({ privileged: true, capDrop: ['ALL'] }).length, ALL_CAPABILITIES.length);
  t.throws(() => resolveCapabilities({ capAdd: ['ALL'], capDrop: ['ALL'] }), { code: 'EINVAL' });
});

t.test('capability mask matches /proc status encoding', async (t) => {
  // What the kernel shows for Podman's default set (checked with podman on this machine).
  t.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000800405fb');
  t.equal(capabilityMask([]), '0000000000000000');
  t.equal(capabilityMask(ALL_CAPABILITIES), '000001ffffffffff');
});
