import t from 'tap';
import {
  DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, INIT_PATH, RESOURCES_IGNORED_WARNING, generateSpec, rlimitType,
  type SpecOptions,
} from '../../../src/runtime/spec.js';
import { DEFAULT_CAPABILITIES } from '../../../src/runtime/capabilities.js';
import type { OCIMount, OCISeccomp } from '../../../src/runtime/oci-types.js';

const base: SpecOptions = { args: ['sh'], rootfs: '/var/lib/x/merged', rootless: true };
const gen = (o: Partial<SpecOptions> = {}) => generateSpec({ ...base, ...o });
const mount = (ms: OCIMount[], dest: string) => ms.find((m) => m.destination === dest);

t.test('defaults: Podman\'s rootless container', async (t) => {
  const { spec, warnings } = gen({ hostname: 'abc' });
  t.same(warnings, []);
  t.equal(spec.ociVersion, '1.0.2-dev');
  t.same(spec.process.user, { uid: 0, gid: 0, umask: 0o022 });
  t.same(spec.process.args, ['sh']);
  t.equal(spec.process.cwd, '/');
  t.equal(spec.process.terminal, false);
  t.same(spec.process.capabilities?.bounding, [...DEFAULT_CAPABILITIES].sort());
  t.same(spec.process.capabilities?.effective, [...DEFAULT_CAPABILITIES].sort());
  t.same(spec.process.capabilities?.permitted, [...DEFAULT_CAPABILITIES].sort());
  t.ok(spec.process.env.includes('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'));
  t.ok(spec.process.env.includes('TERM=xterm'));
  t.ok(spec.process.env.includes('HOSTNAME=abc'));
  t.equal(spec.hostname, 'abc');
  t.same(spec.root, { path: '/var/lib/x/merged' });
  t.same(spec.linux.namespaces.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount'], 'no user or cgroup namespace: the pause userns is shared');
  t.same(spec.linux.maskedPaths, DEFAULT_MASKED_PATHS);
  t.same(spec.linux.readonlyPaths, DEFAULT_READONLY_PATHS);
  t.ok(spec.linux.maskedPaths?.includes('/proc/kcore'));
  t.same(spec.linux.sysctl, { 'net.ipv4.ping_group_range': '0 0' });
  t.equal(spec.linux.resources, undefined);
  t.equal(spec.linux.seccomp, undefined, 'no profile given = unconfined');
  t.equal(spec.process.noNewPrivileges, false);
  t.equal(spec.linux.devices, undefined, 'runc adds the standard devices (bind-mounted in a userns)');
});

t.test('standard mounts', async (t) => {
  const { spec } = gen();
  const ms = spec.mounts;
  t.same(mount(ms, '/proc'), { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
  t.same(mount(ms, '/dev'), { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] });
  t.same(mount(ms, '/dev/pts')?.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
  t.same(mount(ms, '/dev/shm'), { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] });
  t.equal(mount(ms, '/dev/mqueue')?.type, 'mqueue');
  t.same(mount(ms, '/sys'), { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] });
  t.equal(mount(ms, '/sys/fs/cgroup')?.type, 'cgroup');
  // parents before children
  const idx = (d: string) => ms.findIndex((m) => m.destination === d);
  t.ok(idx('/dev') < idx('/dev/pts') && idx('/dev') < idx('/dev/shm') && idx('/sys') < idx('/sys/fs/cgroup'));
  t.same(gen({ devptsGid: null }).spec.mounts.find((m) => m.destination === '/dev/pts')?.options?.some((o) => o.startsWith('gid=')), false);
  t.ok(gen({ shmSize: 1024 * 1024 }).spec.mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('size=1024k'));
  t.same(mount(gen({ shmPath: '/run/x/shm' }).spec.mounts, '/dev/shm')?.source, '/run/x/shm');
});

t.test('host network: host /sys bound read-only (recursively), /sys/kernel masked, no net sysctls', async (t) => {
  const { spec } = gen({ network: 'host' });
  t.same(spec.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount']);
  const sys = mount(spec.mounts, '/sys');
  t.equal(sys?.type, 'bind');
  t.ok(sys?.options?.includes('rro') && sys.options.includes('rbind'));
  t.equal(mount(spec.mounts, '/sys/fs/cgroup'), undefined);
  t.equal(spec.linux.maskedPaths?.[0], '/sys/kernel');
  t.equal(spec.linux.sysctl, undefined);
  t.throws(() => gen({ network: 'host', sysctls: { 'net.ipv4.ip_forward': '1' } }), { code: 'EINVAL', message: /Network Namespace set to host/ });
});

t.test('network namespace path (slirp4netns) and other namespace modes', async (t) => {
  const { spec } = gen({ network: { path: '/run/user/1/netns/x' }, ipc: 'host', uts: 'host' });
  t.same(spec.linux.namespaces, [{ type: 'pid' }, { type: 'network', path: '/run/user/1/netns/x' }, { type: 'mount' }]);
  t.equal(mount(spec.mounts, '/sys')?.type, 'sysfs');
  t.equal(mount(spec.mounts, '/dev/mqueue')?.type, 'bind');
  t.equal(mount(spec.mounts, '/dev/shm')?.source, '/dev/shm');
  t.throws(() => gen({ network: { path: 'rel' } }), { code: 'EINVAL' });
  t.throws(() => gen({ uts: 'host', hostname: 'x' }), { code: 'EINVAL' });
});

t.test('capabilities in the spec: add/drop/ALL and non-root users', async (t) => {
  let s = gen({ capAdd: ['NET_ADMIN'], capDrop: ['cap_chown'] }).spec;
  t.ok(s.process.capabilities?.bounding.includes('CAP_NET_ADMIN'));
  t.notOk(s.process.capabilities?.effective.includes('CAP_CHOWN'));
  s = gen({ capDrop: ['ALL'] }).spec;
  t.same(s.process.capabilities, { bounding: [], effective: [], permitted: [] });
  s = gen({ user: { uid: 1000, gid: 1000, additionalGids: [10] }, capAdd: ['NET_RAW'] }).spec;
  t.same(s.process.user, { uid: 1000, gid: 1000, umask: 0o022, additionalGids: [10] });
  t.ok(s.process.capabilities?.bounding.includes('CAP_CHOWN'), 'bounding keeps the set');
  t.same(s.process.capabilities?.effective, ['CAP_NET_RAW'], 'a non-root user gets only what was added');
  t.same(s.process.capabilities?.ambient, ['CAP_NET_RAW']);
});

t.test('privileged: all caps, no seccomp, nothing masked, /sys writable', async (t) => {
  const seccomp: OCISeccomp = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] };
  const { spec } = gen({ privileged: true, seccomp, noNewPrivileges: true, devices: [{ source: '/dev/fuse' }] });
  t.equal(spec.process.capabilities?.bounding.length, 41);
  t.equal(spec.linux.seccomp, undefined);
  t.equal(spec.linux.maskedPaths, undefined);
  t.equal(spec.linux.readonlyPaths, undefined);
  t.equal(spec.process.noNewPrivileges, false);
  t.ok(mount(spec.mounts, '/sys')?.options?.includes('rw'));
  t.same(mount(spec.mounts, '/dev/fuse'), { destination: '/dev/fuse', type: 'bind', source: '/dev/fuse', options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'rw'] });
});

t.test('seccomp profile and no-new-privileges are passed through', async (t) => {
  const seccomp: OCISeccomp = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  const { spec } = gen({ seccomp, noNewPrivileges: true });
  t.same(spec.linux.seccomp, seccomp);
  t.equal(spec.process.noNewPrivileges, true);
});

t.test('user mounts: bind, volume, tmpfs; overriding defaults; validation', async (t) => {
  const { spec } = gen({
    mounts: [
      { type: 'bind', source: '/home/u/data', destination: '/data', readonly: true, options: ['z'] },
      { type: 'volume', source: '/home/u/.local/share/tspod/volumes/v/_data', destination: '/data/sub/' },
      { type: 'tmpfs', destination: '/scratch', options: ['size=1m', 'exec'] },
      { type: 'tmpfs', destination: '/bare', options: ['notmpcopyup'] },
      { type: 'bind', source: '/tmp/myhosts', destination: '/etc/hosts', options: ['bind', 'rshared'] },
    ],
    hostsFile: '/run/x/hosts',
    resolvConfFile: '/run/x/resolv.conf',
  });
  t.same(mount(spec.mounts, '/data'), { destination: '/data', type: 'bind', source: '/home/u/data', options: ['rbind', 'rprivate', 'ro'] }, 'z dropped, ro added');
  t.same(mount(spec.mounts, '/data/sub')?.options, ['rbind', 'rprivate']);
  t.same(mount(spec.mounts, '/scratch'), { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'noexec', 'nosuid', 'nodev', 'size=1m', 'exec', 'tmpcopyup'] }, 'a tmpfs copies up the image\'s content by default');
  t.same(mount(spec.mounts, '/bare')?.options, ['rw', 'rprivate', 'noexec', 'nosuid', 'nodev'], 'notmpcopyup: none (and not passed to runc)');
  const hosts = spec.mounts.filter((m) => m.destination === '/etc/hosts');
  t.equal(hosts.length, 1, 'the user mount replaces the default /etc/hosts');
  t.same(hosts[0]?.options, ['bind', 'rshared']);
  t.same(mount(spec.mounts, '/etc/resolv.conf'), { destination: '/etc/resolv.conf', type: 'bind', source: '/run/x/resolv.conf', options: ['bind', 'rprivate'] });
  t.ok(spec.mounts.findIndex((m) => m.destination === '/data') < spec.mounts.findIndex((m) => m.destination === '/data/sub'));
  t.throws(() => gen({ mounts: [{ type: 'bind', source: 'rel', destination: '/x' }] }), { code: 'EINVAL' });
  t.throws(() => gen({ mounts: [{ type: 'tmpfs', destination: 'x' }] }), { code: 'EINVAL' });
  t.throws(() => gen({ mounts: [{ type: 'tmpfs', destination: '/x' }, { type: 'tmpfs', destination: '/x/' }] }), { code: 'EINVAL', message: /duplicate/ });
});

t.test('read-only rootfs gets tmpfs on /tmp, /var/tmp, /run unless disabled', async (t) => {
  let { spec } = gen({ readonlyRootfs: true, hostsFile: '/r/hosts' });
  t.same(spec.root, { path: '/var/lib/x/merged', readonly: true });
  for (const d of ['/tmp', '/var/tmp', '/run']) t.equal(mount(spec.mounts, d)?.type, 'tmpfs', d);
  t.ok(mount(spec.mounts, '/etc/hosts')?.options?.includes('ro'));
  ({ spec } = gen({ readonlyRootfs: true, readonlyTmpfs: false }));
  t.equal(mount(spec.mounts, '/tmp'), undefined);
});

t.test('init: catatonit bound at /run/podman-init and prefixed to the command', async (t) => {
  const { spec } = gen({ args: ['sleep', '1'], init: { path: '/usr/bin/catatonit' } });
  t.same(spec.process.args, [INIT_PATH, '--', 'sleep', '1']);
  t.same(mount(spec.mounts, INIT_PATH), { destination: INIT_PATH, type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro', 'rprivate'] });
  t.throws(() => gen({ init: { path: '/usr/bin/catatonit' }, pid: 'host' }), { code: 'EINVAL' });
});

t.test('resource limits: a warning on rootless cgroups v1, in the spec where cgroups work', async (t) => {
  const resources = { memory: 10 * 1024 * 1024, cpus: 1.5, pidsLimit: 100 };
  let r = gen({ resources });
  t.same(r.warnings, [RESOURCES_IGNORED_WARNING]);
  t.equal(RESOURCES_IGNORED_WARNING, 'Resource limits are not supported and ignored on cgroups V1 rootless systems');
  t.equal(r.spec.linux.resources, undefined);
  r = gen({ resources, cgroupsAvailable: true, cgroupsPath: '/tspod/x' });
  t.same(r.warnings, []);
  t.same(r.spec.linux.resources, { memory: { limit: 10485760, swap: 20971520 }, cpu: { period: 100000, quota: 150000 }, pids: { limit: 100 } });
  t.equal(r.spec.linux.cgroupsPath, '/tspod/x');
  t.same(gen({ resources: {} }).warnings, [], 'no flags, no warning');
  t.throws(() => gen({ resources: { cpus: 0 }, cgroupsAvailable: true }), { code: 'EINVAL' });
});

t.test('ulimits, default rlimits, oom score, sysctls, annotations', async (t) => {
  const { spec } = gen({
    defaultRlimits: [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }, { type: 'RLIMIT_NPROC', soft: 5, hard: 5 }],
    ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'RLIMIT_CORE', soft: 0, hard: 0 }],
    oomScoreAdj: 500,
    sysctls: { 'kernel.msgmax': '1000', 'net.ipv4.ip_forward': '1' },
    annotations: { 'io.tspod.x': 'y' },
  });
  t.same(spec.process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
    { type: 'RLIMIT_NPROC', soft: 5, hard: 5 },
    { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
  ]);
  t.equal(spec.process.oomScoreAdj, 500);
  t.same(spec.linux.sysctl, { 'net.ipv4.ping_group_range': '0 0', 'kernel.msgmax': '1000', 'net.ipv4.ip_forward': '1' });
  t.same(spec.annotations, { 'io.tspod.x': 'y' });
  t.equal(rlimitType('NoFile'), 'RLIMIT_NOFILE');
  t.throws(() => rlimitType('bogus'), { code: 'EINVAL' });
  t.throws(() => gen({ ulimits: [{ name: 'nofile', soft: 10, hard: 5 }] }), { code: 'EINVAL' });
  t.throws(() => gen({ sysctls: { 'kernel.panic': '1' } }), { code: 'EINVAL', message: /not allowed/ });
  t.throws(() => gen({ ipc: 'host', sysctls: { 'kernel.shmmax': '1' } }), { code: 'EINVAL', message: /IPC Namespace/ });
});

t.test('env, cwd, terminal and input validation', async (t) => {
  const { spec } = gen({ env: ['PATH=/bin', 'A=1', 'container=podman'], cwd: '/work', terminal: true });
  t.same(spec.process.env, ['PATH=/bin', 'A=1', 'container=podman', 'TERM=xterm']);
  t.equal(spec.process.cwd, '/work');
  t.equal(spec.process.terminal, true);
  t.throws(() => gen({ args: [] }), { code: 'EINVAL', message: /no command/ });
  t.throws(() => gen({ rootfs: 'rel' }), { code: 'EINVAL' });
  t.throws(() => gen({ cwd: 'rel' }), { code: 'EINVAL' });
});

t.test('pure: same input, same output; input not mutated', async (t) => {
  const opts: SpecOptions = { ...base, env: ['A=1'], args: ['a'], mounts: [{ type: 'tmpfs', destination: '/t' }] };
  const copy = JSON.parse(JSON.stringify(opts));
  t.same(generateSpec(opts), generateSpec(opts));
  t.same(opts, copy);
});
