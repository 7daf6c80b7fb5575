import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  SYSTEM_SECCOMP_PROFILE, builtinSeccompProfile, convertSeccompProfile, loadSeccomp, resolveSeccomp,
  type ContainersSeccompProfile,
} from '../../../src/runtime/seccomp.js';
import { DEFAULT_CAPABILITIES, ALL_CAPABILITIES } from '../../../src/runtime/capabilities.js';
import type { OCISeccomp } from '../../../src/runtime/oci-types.js';

const rulesFor = (p: OCISeccomp, name: string) => (p.syscalls ?? []).filter((s) => s.names.includes(name));
const allowed = (p: OCISeccomp, name: string) => rulesFor(p, name).some((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args?.length);

function systemProfile(t: { fail: (msg: string) => unknown }): ContainersSeccompProfile | undefined {
  try {
    return JSON.parse(fs.readFileSync(SYSTEM_SECCOMP_PROFILE, 'utf8')) as ContainersSeccompProfile;
  } catch (err) {
    t.fail(`${SYSTEM_SECCOMP_PROFILE} unreadable (install containers-common): ${(err as Error).message}`);
    return undefined;
  }
}

const fixture: ContainersSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrno: 'ENOSYS',
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], comment: 'basic', includes: {}, excludes: {} },
    { name: 'legacy_single', action: 'SCMP_ACT_ALLOW' },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['both'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] } },
    { names: ['newcall'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '7.1' } },
    { names: ['nox86'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['eperm'], action: 'SCMP_ACT_ERRNO', errno: 'EPERM' },
  ],
};

t.test('converts conditions on capabilities, architecture and kernel', async (t) => {
  const p = convertSeccompProfile(fixture, { capabilities: DEFAULT_CAPABILITIES, arch: 'amd64', kernelVersion: '6.1.0' });
  t.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  t.equal(p.defaultErrnoRet, 38, 'errno name resolved');
  t.same(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  t.same(p.syscalls?.[0], { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, 'no comment/includes/excludes/empty args in output');
  t.ok(allowed(p, 'legacy_single'));
  t.ok(allowed(p, 'arch_prctl'));
  t.notOk(rulesFor(p, 'set_tls').length);
  t.same(rulesFor(p, 'bpf'), [{ names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
  t.notOk(rulesFor(p, 'both').length);
  t.notOk(rulesFor(p, 'newcall').length, 'minKernel above the running kernel');
  t.notOk(rulesFor(p, 'nox86').length);
  t.same(rulesFor(p, 'personality'), [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }]);
  t.same(rulesFor(p, 'eperm'), [{ names: ['eperm'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);

  const admin = convertSeccompProfile(fixture, { capabilities: [...DEFAULT_CAPABILITIES, 'sys_admin', 'CAP_NET_ADMIN'], arch: 'amd64', kernelVersion: '7.2' });
  t.same(rulesFor(admin, 'bpf'), [{ names: ['bpf'], action: 'SCMP_ACT_ALLOW' }]);
  t.ok(allowed(admin, 'both'));
  t.ok(allowed(admin, 'newcall'));

  const arm = convertSeccompProfile(fixture, { capabilities: [], arch: 'arm64' });
  t.same(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  t.ok(allowed(arm, 'set_tls'));
  t.ok(allowed(arm, 'nox86'));
  t.notOk(rulesFor(arm, 'arch_prctl').length);
});

t.test('rejects malformed profiles', async (t) => {
  t.throws(() => convertSeccompProfile({} as ContainersSeccompProfile, { capabilities: [] }), { code: 'EINVAL' });
  t.throws(() => convertSeccompProfile({ defaultAction: 'SCMP_ACT_NOPE' }, { capabilities: [] }), { code: 'EINVAL', message: /unknown action/ });
  t.throws(() => convertSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_BAD' }] }] }, { capabilities: [] }), { message: /unknown operator/ });
  t.throws(() => convertSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ALLOW' }] }, { capabilities: [] }), { message: /without syscall names/ });
});

t.test('an OCI-format profile passes through', async (t) => {
  const oci: ContainersSeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
  t.same(convertSeccompProfile(oci, { capabilities: [], arch: 'amd64' }), oci);
});

t.test('the system profile (containers-common) for Podman\'s default capabilities', async (t) => {
  const sys = systemProfile(t);
  if (!sys) return;
  const p = convertSeccompProfile(sys, { capabilities: DEFAULT_CAPABILITIES, arch: 'amd64', kernelVersion: os.release() });
  t.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  t.equal(p.defaultErrnoRet, 38);
  t.same(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  // Facts of Podman 4.3's conversion of this file on this machine: 22 rules.
  t.equal(p.syscalls?.length, 22);
  for (const n of ['read', 'clone', 'unshare', 'mount', 'keyctl', 'arch_prctl', 'modify_ldt', 'chroot']) t.ok(allowed(p, n), `${n} allowed`);
  for (const n of ['bpf', 'sethostname', 'perf_event_open', 'add_key']) t.notOk(allowed(p, n), `${n} not allowed`);
  t.ok(rulesFor(p, 'sethostname').some((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 1), 'sethostname: EPERM without CAP_SYS_ADMIN');
  t.ok(rulesFor(p, 'userfaultfd').some((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 1));
  t.notOk(rulesFor(p, 'sync_file_range2').length, 'ppc64le/arm-only rules dropped');
  t.equal(rulesFor(p, 'personality').length, 5);
  t.notOk(rulesFor(p, 'socket').some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args), 'without CAP_AUDIT_WRITE socket is filtered by arguments');

  const all = convertSeccompProfile(sys, { capabilities: ALL_CAPABILITIES, arch: 'amd64', kernelVersion: os.release() });
  for (const n of ['bpf', 'sethostname', 'setns', 'perf_event_open', 'open_by_handle_at', 'socket']) t.ok(allowed(all, n), `${n} allowed with all caps`);
});

t.test('the built-in profile allows the same syscalls as containers-common\'s', async (t) => {
  const sys = systemProfile(t);
  if (!sys) return;
  const caps = [DEFAULT_CAPABILITIES, ALL_CAPABILITIES, ['CAP_SYS_ADMIN'], []];
  for (const c of caps) {
    const a = convertSeccompProfile(sys, { capabilities: c, arch: 'amd64' });
    const b = convertSeccompProfile(builtinSeccompProfile(), { capabilities: c, arch: 'amd64' });
    const summary = (p: OCISeccomp) => {
      const m = new Map<string, string[]>();
      for (const r of p.syscalls ?? []) for (const n of r.names) m.set(n, [...new Set([...(m.get(n) ?? []), `${r.action}/${r.errnoRet ?? ''}/${JSON.stringify(r.args ?? [])}`])].sort());
      return Object.fromEntries([...m.entries()].sort());
    };
    t.same(summary(b), summary(a), `same decisions for ${c.length} caps`);
    t.same([b.defaultAction, b.defaultErrnoRet, b.architectures], [a.defaultAction, a.defaultErrnoRet, a.architectures]);
  }
});

t.test('loadSeccomp caches the converted profile under the runroot', async (t) => {
  const dir = t.testdir({});
  const cacheDir = path.join(dir, 'seccomp');
  const first = loadSeccomp({ capabilities: DEFAULT_CAPABILITIES, cacheDir });
  t.equal(first.cached, false);
  t.equal(first.source, fs.existsSync(SYSTEM_SECCOMP_PROFILE) ? SYSTEM_SECCOMP_PROFILE : 'builtin');
  t.equal(fs.readdirSync(cacheDir).length, 1);
  const second = loadSeccomp({ capabilities: [...DEFAULT_CAPABILITIES].reverse(), cacheDir });
  t.equal(second.cached, true, 'capability order does not matter');
  t.same(second.profile, first.profile);
  const other = loadSeccomp({ capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], cacheDir });
  t.equal(other.cached, false, 'a different capability set is a different entry');
  t.equal(fs.readdirSync(cacheDir).length, 2);
  // A corrupt cache entry is regenerated, not trusted.
  for (const f of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, f), '{oops');
  const again = loadSeccomp({ capabilities: DEFAULT_CAPABILITIES, cacheDir });
  t.equal(again.cached, false);
  t.same(again.profile, first.profile);
});

t.test('an explicit profile file; its change invalidates the cache', async (t) => {
  const dir = t.testdir({ 'p.json': JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }) });
  const file = path.join(dir, 'p.json');
  const cacheDir = path.join(dir, 'cache');
  const a = loadSeccomp({ capabilities: [], profilePath: file, cacheDir });
  t.same(a.profile.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
  fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['rmdir', 'unlink'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }));
  const b = loadSeccomp({ capabilities: [], profilePath: file, cacheDir });
  t.equal(b.cached, false);
  t.same(b.profile.syscalls?.[0]?.names, ['rmdir', 'unlink']);
  t.throws(() => loadSeccomp({ capabilities: [], profilePath: path.join(dir, 'missing.json') }), { code: 'EINVAL', message: /cannot read seccomp profile/ });
  fs.writeFileSync(file, 'not json');
  t.throws(() => loadSeccomp({ capabilities: [], profilePath: file }), { code: 'EINVAL', message: /cannot parse/ });
});

t.test('resolveSeccomp: default / unconfined / path', async (t) => {
  t.equal(resolveSeccomp('unconfined', DEFAULT_CAPABILITIES), undefined);
  t.equal(resolveSeccomp(undefined, DEFAULT_CAPABILITIES)?.defaultAction, 'SCMP_ACT_ERRNO');
  t.equal(resolveSeccomp('default', DEFAULT_CAPABILITIES)?.defaultErrnoRet, 38);
  const dir = t.testdir({ 'p.json': JSON.stringify({ defaultAction: 'SCMP_ACT_LOG' }) });
  t.equal(resolveSeccomp(path.join(dir, 'p.json'), [])?.defaultAction, 'SCMP_ACT_LOG');
});
