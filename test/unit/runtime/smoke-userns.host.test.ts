// End-to-end test of the runtime layer (src/runtime) against the real stack:
// conmon + runc inside a rootless user namespace, as an unprivileged user: the
// invoking one (npm test), or tspodtest via su when started as root.
//
// How the TypeScript runs as tspodtest: the test compiles src/runtime (and what it
// imports) with the project's tsc into a private temp dir, and a small .mjs driver
// imports the compiled modules. That is the code path tspod ships (emitted JS,
// including the emitted seccomp-default.json), needs no loader, and does not
// depend on other directories of the tree type-checking.
//
// The namespace is built the way tspod does it: a pause process
//   unshare --map-root-user --map-users=<subuid>,1,<n> --map-groups=<subgid>,1,<n> --mount --fork catatonit -P
// and each driver call joins it with
//   nsenter --target <pause> --user --mount --preserve-credentials
// so conmon must outlive the driver process that started it.
import t from 'tap';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAPABILITIES, capabilityMask } from '../../../src/runtime/capabilities.js';
import { RESOURCES_IGNORED_WARNING } from '../../../src/runtime/spec.js';
import { AS_ROOT, TEST_USER, asTestUser, chownToTestUser, subIdRange } from '../../fixtures/test-user.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const USER = TEST_USER;

// ---------------------------------------------------------------- prerequisites
function which(name: string): string | undefined {
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = path.join(d, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}


const problems: string[] = [];
let uid = -1;
try { uid = Number(cp.execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim()); } catch { problems.push(`user ${USER} does not exist (create it with /etc/subuid and /etc/subgid ranges)`); }
const subuid = subIdRange('/etc/subuid');
const subgid = subIdRange('/etc/subgid');
if (!subuid || !subgid) problems.push(`no /etc/subuid or /etc/subgid entry for ${USER}`);
for (const b of ['runc', 'conmon', 'catatonit', 'unshare', 'nsenter', 'newuidmap', 'newgidmap', 'fuse-overlayfs', 'perl', 'busybox', ...(AS_ROOT ? ['su'] : [])]) {
  if (!which(b)) problems.push(`${b} not found (install runc conmon catatonit util-linux uidmap fuse-overlayfs perl busybox-static)`);
}
for (const p of problems) t.fail(`prerequisite missing: ${p}`);
if (!problems.length) main();

function main(): void {

  // ---------------------------------------------------------------- setup
  const work = fs.mkdtempSync('/tmp/tspod-rt-e2e-');
  fs.chmodSync(work, 0o755);
  const dist = path.join(work, 'dist');
  const rootfs = path.join(work, 'rootfs');
  const runroot = path.join(work, 'runroot');
  const driver = path.join(work, 'driver.mjs');
  let pausePid = 0;
  let unsharePid = 0;

  const DRIVER = `
  // usage: node driver.mjs <dist> <base64 JSON request>; prints one JSON line
  import * as fs from 'node:fs';
  import * as cp from 'node:child_process';
  const [dist, b64] = process.argv.slice(2);
  const req = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  const rt = await import(dist + '/runtime/index.js');
  const out = {};
  try {
    const runtime = new rt.ContainerRuntime({ runroot: req.runroot });
    switch (req.op) {
      case 'run': {
        const caps = rt.resolveCapabilities({ capAdd: req.spec.capAdd, capDrop: req.spec.capDrop, privileged: req.spec.privileged });
        const seccomp = rt.resolveSeccomp(req.seccomp, caps, runtime.seccompCacheDir);
        const { spec, warnings } = rt.generateSpec({ rootless: true, defaultRlimits: rt.defaultRlimits(), ...req.spec, seccomp });
        out.warnings = warnings;
        runtime.writeBundle(req.bundle, spec);
        const t0 = performance.now();
        const c = await runtime.createContainer(req.bundle, { id: req.id, name: req.id, exitCommand: req.exitCommand });
        out.created = c;
        await runtime.startContainer(req.id);
        out.createStartMs = Math.round(performance.now() - t0);
        out.state = await runtime.state(req.id);
        if (req.wait) {
          out.exitCode = await runtime.waitForExit(req.id, { timeoutMs: 60000 });
          out.log = rt.readK8sLog(c.logPath).map((e) => ({ stream: e.stream, text: e.text }));
          out.stateAfter = await runtime.state(req.id);
          if (req.delete) { await runtime.deleteContainer(req.id); out.stateDeleted = (await runtime.state(req.id)) ?? null; }
        }
        break;
      }
      case 'kill': await runtime.killContainer(req.id, req.signal); break;
      case 'wait': out.exitCode = await runtime.waitForExit(req.id, { timeoutMs: 60000 }); out.exitFile = runtime.exitCode(req.id); break;
      case 'delete': await runtime.deleteContainer(req.id, req.force); out.state = (await runtime.state(req.id)) ?? null; break;
      case 'state': out.state = (await runtime.state(req.id)) ?? null; break;
      case 'ps': out.pids = await runtime.processes(req.id); break;
      case 'exec': {
        const spec = JSON.parse(fs.readFileSync(req.bundle + '/config.json', 'utf8'));
        out.result = await runtime.execInContainer(req.id, { ...spec.process, args: req.args, terminal: false });
        break;
      }
      case 'mount': // fuse-overlayfs in the pause process's mount namespace; it daemonises
        cp.execFileSync('fuse-overlayfs', ['-o', 'lowerdir=' + req.lower + ',upperdir=' + req.upper + ',workdir=' + req.workdir, req.merged]);
        break;
      case 'umount': cp.execFileSync('umount', [req.merged]); break;
      case 'mounts': out.mounts = fs.readFileSync('/proc/self/mounts', 'utf8'); break;
      default: throw new Error('unknown op ' + req.op);
    }
  } catch (err) {
    out.error = { message: err.message, code: err.code, exitCode: err.exitCode, name: err.constructor?.name };
  }
  process.stdout.write(JSON.stringify(out) + '\\n');
  `;

  interface LogLine { stream: 'stdout' | 'stderr'; text: string }
  interface DriverOut {
    error?: { message: string; code?: string; exitCode?: number; name?: string };
    warnings?: string[];
    created?: { pid: number; conmonPid: number; logPath: string };
    createStartMs?: number;
    state?: { status: string; pid: number } | null;
    exitCode?: number;
    exitFile?: number;
    log?: LogLine[];
    stateAfter?: { status: string } | null;
    stateDeleted?: null | object;
    pids?: number[];
    result?: { exitCode: number; stdout: string; stderr: string };
    mounts?: string;
  }

  function sh(cmd: string, args: string[]): string {
    return cp.execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  function drive(req: Record<string, unknown>): Promise<DriverOut> {
    const b64 = Buffer.from(JSON.stringify({ runroot, ...req })).toString('base64');
    const cmd = `cd / && TSPOD_USERNS=1 exec nsenter --target ${pausePid} --user --mount --preserve-credentials node ${driver} ${dist} ${b64}`;
    return new Promise((resolve, reject) => {
      const [file, args] = asTestUser(cmd);
      cp.execFile(file, args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as DriverOut);
        } catch {
          reject(new Error(`driver failed (${err?.message ?? 'bad output'}): ${stdout}\n${stderr}`));
        }
      });
    });
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Running and not a zombie. */
  function running(pid: number): boolean {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }

  /** Live processes whose command line mentions `needle`. */
  function liveProcessesMentioning(needle: string): string[] {
    const out: string[] = [];
    for (const p of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (cmd.includes(needle) && running(Number(p))) out.push(`${p}: ${cmd}`);
      } catch { /* gone */ }
    }
    return out;
  }

  async function waitGone(pid: number, ms = 5000): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (!running(pid)) return true;
      await sleep(20);
    }
    return !running(pid);
  }

  let seq = 0;
  function bundleFor(name: string): { id: string; bundle: string } {
    const id = `rt-${name}-${++seq}`;
    return { id, bundle: path.join(work, 'bundles', id) };
  }

  /** Run a container to completion (created, started, waited for, deleted). */
  async function runToExit(name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<DriverOut & { id: string; bundle: string }> {
    const b = bundleFor(name);
    const out = await drive({ op: 'run', ...b, wait: true, delete: true, spec: { rootfs, network: 'none', ...spec }, ...extra });
    return { ...out, ...b };
  }

  const stdout = (o: DriverOut) => (o.log ?? []).filter((l) => l.stream === 'stdout').map((l) => l.text).join('');
  const stderr = (o: DriverOut) => (o.log ?? []).filter((l) => l.stream === 'stderr').map((l) => l.text).join('');

  t.before(async () => {
    // 1. compile src/runtime (and its imports) to <work>/dist
    fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { outDir: dist, rootDir: path.join(ROOT, 'src'), declaration: false, typeRoots: [path.join(ROOT, 'node_modules/@types')], types: ['node'] },
      include: [path.join(ROOT, 'src/runtime/**/*.ts')],
    }));
    fs.writeFileSync(path.join(work, 'package.json'), '{"type":"module"}\n');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
    try {
      cp.execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(work, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (err) {
      // Type errors still emit; only a missing output is fatal.
      if (!fs.existsSync(path.join(dist, 'runtime/index.js'))) throw new Error(`tsc failed: ${String((err as { stdout?: Buffer }).stdout ?? err)}`);
    }
    if (!fs.existsSync(path.join(dist, 'runtime/seccomp-default.json'))) throw new Error('tsc did not emit runtime/seccomp-default.json');
    fs.writeFileSync(driver, DRIVER);

    // 2. a busybox root filesystem; /usr from the host is bind-mounted by the tests that need perl
    for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'run', 'usr', 'var/tmp', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
    fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of sh('/bin/busybox', ['--list']).split('\n').filter(Boolean)) {
      if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    }
    fs.symlinkSync('usr/lib', path.join(rootfs, 'lib'));
    fs.symlinkSync('usr/lib64', path.join(rootfs, 'lib64'));
    fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    chownToTestUser(work);

    // 3. the pause process holding the user + mount namespace
    const pidFile = path.join(work, 'unshare.pid');
    const [su0, sun] = subuid!;
    const [sg0, sgn] = subgid!;
    const [pauseFile, pauseArgs] = asTestUser(`echo $$ > ${pidFile}; exec unshare --map-root-user --map-users=${su0},1,${sun} --map-groups=${sg0},1,${sgn} --mount --fork catatonit -P`);
    const child = cp.spawn(pauseFile, pauseArgs, { detached: true, stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 200 && !pausePid; i++) {
      await sleep(25);
      try {
        unsharePid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        const kids = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        const k = Number(kids[0]);
        if (k && fs.readFileSync(`/proc/${k}/uid_map`, 'utf8').includes(String(su0))) pausePid = k;
      } catch { /* not yet */ }
    }
    if (!pausePid) throw new Error('the pause process (unshare ... catatonit -P) did not start');
  });

  t.teardown(async () => {
    // fuse-overlayfs daemons started by the test keep the namespace alive: end them by pid.
    for (const line of liveProcessesMentioning(work)) {
      const pid = Number(line.split(':')[0]);
      if (pid !== pausePid && pid !== unsharePid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    for (const pid of [pausePid, unsharePid]) { if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } }
    await sleep(100);
    fs.rmSync(work, { recursive: true, force: true });
  });

  // ---------------------------------------------------------------- tests
  t.test('a container runs under conmon + runc: output in the k8s-file log, exit code, cleanup', async (t) => {
    const out = await runToExit('basic', { args: ['sh', '-c', 'echo hello; echo oops >&2; printf "no newline"; exit 3'], hostname: 'box' });
    t.notOk(out.error, out.error?.message ?? 'no error');
    t.same(out.warnings, []);
    t.ok(['running', 'stopped'].includes(out.state?.status ?? ''), 'started (it may already have exited)');
    t.comment(`create+start took ${out.createStartMs} ms`);
    t.equal(out.exitCode, 3);
    t.equal(fs.readFileSync(path.join(runroot, 'exits', out.id), 'utf8').trim(), '3', 'conmon wrote the exit file');
    t.equal(stdout(out), 'hello\nno newline');
    t.equal(stderr(out), 'oops\n');
    t.equal(out.stateAfter?.status, 'stopped');
    t.equal(out.stateDeleted, null, 'runc forgot the container after delete');
    // conmon has exited and nothing of the container is left
    t.ok(await waitGone(out.created!.conmonPid), `conmon ${out.created!.conmonPid} exited`);
    t.notOk(running(out.created!.pid), 'container process gone');
    t.same(liveProcessesMentioning(out.bundle), [], 'no process left that belongs to the container');
    t.notOk(fs.existsSync(path.join(runroot, 'containers', out.id)), 'volatile files removed');
  });

  t.test('conmon outlives the process that created the container; kill via runc; exit code of a signal', async (t) => {
    const b = bundleFor('detached');
    const out = await drive({ op: 'run', ...b, spec: { rootfs, network: 'none', args: ['sleep', '300'] } });
    t.notOk(out.error, out.error?.message ?? 'no error');
    t.ok(running(out.created!.conmonPid), 'conmon still running after the driver exited');
    t.ok(running(out.created!.pid), 'container running');
    const st = await drive({ op: 'state', id: b.id });
    t.equal(st.state?.status, 'running');
    t.equal(st.state?.pid, out.created!.pid);
    // busybox sleep as pid 1 has no SIGTERM handler: the kernel ignores TERM for a namespace init.
    t.notOk((await drive({ op: 'kill', id: b.id, signal: 'KILL' })).error);
    const w = await drive({ op: 'wait', id: b.id });
    t.equal(w.exitCode, 137, '128 + SIGKILL');
    t.equal(w.exitFile, 137);
    t.ok(await waitGone(out.created!.conmonPid), 'conmon exited after the container');
    t.same((await drive({ op: 'delete', id: b.id })).state, null);
    t.same(liveProcessesMentioning(b.bundle), []);
  });

  t.test('uid 0 in the container is the user on the host; other uids map to the subuid range', async (t) => {
    const b = bundleFor('uidmap');
    const out = await drive({ op: 'run', ...b, spec: { rootfs, network: 'none', args: ['sleep', '300'], init: { path: which('catatonit') } } });
    t.notOk(out.error, out.error?.message ?? 'no error');
    const status = fs.readFileSync(`/proc/${out.created!.pid}/status`, 'utf8');
    t.match(status, new RegExp(`\\nUid:\\t${uid}\\t${uid}\\t${uid}\\t${uid}\\n`), 'host uid of container root is the invoking user');
    const ex = await drive({ op: 'exec', id: b.id, bundle: b.bundle, args: ['sh', '-c', 'id -u; id -g; cat /proc/self/uid_map'] });
    t.equal(ex.result?.exitCode, 0);
    const lines = ex.result!.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    t.same(lines, ['0', '0', `0 ${uid} 1`, `1 ${subuid![0]} ${subuid![1]}`]);
    // exec: exit codes, 127 for a missing command, processes listed
    const five = await drive({ op: 'exec', id: b.id, bundle: b.bundle, args: ['sh', '-c', 'echo hi; exit 5'] });
    t.same([five.result?.exitCode, five.result?.stdout], [5, 'hi\n']);
    const missing = await drive({ op: 'exec', id: b.id, bundle: b.bundle, args: ['no-such-command'] });
    t.equal(missing.result?.exitCode, 127);
    const ps = await drive({ op: 'ps', id: b.id });
    t.ok(ps.pids?.includes(out.created!.pid) && ps.pids.length >= 2, `init and sleep listed: ${ps.pids}`);
    // With --init, SIGTERM reaches the command (catatonit forwards it).
    await drive({ op: 'kill', id: b.id, signal: 'TERM' });
    t.equal((await drive({ op: 'wait', id: b.id })).exitCode, 143);
    await drive({ op: 'delete', id: b.id });

    const u = bundleFor('uid1000');
    const o2 = await drive({ op: 'run', ...u, spec: { rootfs, network: 'none', args: ['sleep', '300'], user: { uid: 1000, gid: 1000 } } });
    t.notOk(o2.error, o2.error?.message ?? 'no error');
    const st2 = fs.readFileSync(`/proc/${o2.created!.pid}/status`, 'utf8');
    const hostUid = subuid![0] + 999;
    t.match(st2, new RegExp(`\\nUid:\\t${hostUid}\\t`), `container uid 1000 is host uid ${hostUid}`);
    t.match(st2, /\nCapEff:\t0000000000000000\n/, 'a non-root user has no effective capabilities');
    await drive({ op: 'kill', id: u.id, signal: 'KILL' });
    await drive({ op: 'wait', id: u.id });
    await drive({ op: 'delete', id: u.id });
  });

  t.test('capabilities: Podman\'s default set, drop ALL, add', async (t) => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['default', {}, capabilityMask(DEFAULT_CAPABILITIES)],
      ['drop-all', { capDrop: ['ALL'] }, '0000000000000000'],
      ['add-drop', { capAdd: ['NET_ADMIN', 'sys_admin'], capDrop: ['CAP_CHOWN'] }, capabilityMask([...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'), 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'])],
    ];
    t.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000800405fb');
    for (const [name, caps, mask] of cases) {
      const out = await runToExit(`caps-${name}`, { args: ['sh', '-c', 'grep ^Cap /proc/self/status'], ...caps });
      t.notOk(out.error, out.error?.message ?? 'no error');
      const s = stdout(out);
      for (const f of ['CapPrm', 'CapEff', 'CapBnd']) t.match(s, new RegExp(`${f}:\\t${mask}\\n`), `${name}: ${f}`);
      t.match(s, /CapInh:\t0000000000000000/);
    }
  });

  t.test('masked and read-only paths, /dev limited to the standard devices', async (t) => {
    const script = [
      'for p in /proc/keys /proc/timer_list; do [ -e $p ] && echo "$p $(stat -c %t:%T $p) $(wc -c < $p)"; done',
      'echo "acpi: $(ls -A /proc/acpi | wc -l)"',
      'grep -E " /proc/(sys|acpi) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1',
      'echo 1 > /proc/sys/net/ipv4/ip_forward && echo procsys-writable',
      'touch /sys/x 2>/dev/null || echo sys-readonly',
      'echo "dev: $(ls /dev | tr "\\n" " ")"',
    ].join('; ');
    const out = await runToExit('masked', { args: ['sh', '-c', script] });
    t.notOk(out.error, out.error?.message ?? 'no error');
    const s = stdout(out);
    t.match(s, /\/proc\/keys 1:3 0\n/, '/proc/keys is /dev/null');
    t.match(s, /\/proc\/timer_list 1:3 0\n/);
    t.match(s, /acpi: 0\n/);
    t.match(s, /\/proc\/acpi ro\n/);
    t.match(s, /\/proc\/sys ro\n/);
    t.notMatch(s, /procsys-writable/, 'not even the namespaced net sysctls');
    t.match(stderr(out), /Read-only file system/);
    t.match(s, /sys-readonly/);
    t.match(s, /dev: fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n/);
  });

  t.test('network none: only lo; host network: the host\'s interfaces and a read-only host /sys', async (t) => {
    const ifs = 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" " "';
    const none = await runToExit('net-none', { args: ['sh', '-c', ifs] });
    t.notOk(none.error, none.error?.message ?? 'no error');
    t.equal(stdout(none), 'lo ');
    const hostIfs = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean).sort();
    const host = await runToExit('net-host', { network: 'host', args: ['sh', '-c', `${ifs}; echo; touch /sys/x 2>/dev/null || echo sys-ro; grep " /sys/fs/cgroup/" /proc/mounts | grep -v " ro," | wc -l`] });
    t.notOk(host.error, host.error?.message ?? 'no error');
    const [got, roLine, rwSubmounts] = stdout(host).split('\n');
    t.equal(got, hostIfs.join(' ') + ' ');
    t.equal(roLine, 'sys-ro');
    t.equal(rwSubmounts, '0', 'cgroup submounts of the bound /sys are read-only too (rro)');
  });

  t.test('seccomp: default profile vs unconfined vs a profile file', async (t) => {
    // perl's syscall() from the host's /usr (bound read-only): errno per syscall.
    const probe = `perl -e 'for ([323,1,"userfaultfd"],[248,0,"add_key"],[135,0xdead,"personality"]) { $!=0; my $r = syscall($_->[0], $_->[1]); printf "%s %s %d\\n", $_->[2], ($r < 0 ? "fail" : "ok"), $!+0 }'`;
    const usr = [{ type: 'bind', source: '/usr', destination: '/usr', readonly: true }];
    const def = await runToExit('seccomp-default', { args: ['sh', '-c', probe], mounts: usr });
    t.notOk(def.error, def.error?.message ?? 'no error');
    t.equal(stdout(def), 'userfaultfd fail 1\nadd_key fail 38\npersonality fail 38\n', 'EPERM for the denied list, ENOSYS for unlisted calls');
    const unc = await runToExit('seccomp-unconfined', { args: ['sh', '-c', probe], mounts: usr }, { seccomp: 'unconfined' });
    t.notOk(unc.error, unc.error?.message ?? 'no error');
    t.equal(stdout(unc), 'userfaultfd ok 0\nadd_key fail 22\npersonality ok 0\n', 'the kernel itself answers');

    const profile = path.join(work, 'no-mkdir.json');
    fs.writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }));
    fs.chmodSync(profile, 0o644);
    const custom = await runToExit('seccomp-file', { args: ['sh', '-c', 'mkdir /tmp/d || echo denied'] }, { seccomp: profile });
    t.notOk(custom.error, custom.error?.message ?? 'no error');
    t.equal(stdout(custom), 'denied\n');
    t.match(stderr(custom), /Operation not permitted/);
    t.ok(fs.readdirSync(path.join(runroot, 'seccomp')).length >= 2, 'converted profiles cached under the runroot');
  });

  t.test('seccomp rules follow the capability set; unshare is decided by capabilities, not seccomp', async (t) => {
    // containers-common's profile allows unshare(2) and clone(2); what stops a default
    // container from making mount/net namespaces is the missing CAP_SYS_ADMIN.
    const script = 'unshare -U true && echo userns-ok; unshare -m true 2>/dev/null && echo mountns-ok || echo mountns-denied; hostname other 2>/dev/null && echo hostname-ok || echo hostname-denied';
    const def = await runToExit('unshare-default', { args: ['sh', '-c', script] });
    t.equal(stdout(def), 'userns-ok\nmountns-denied\nhostname-denied\n');
    const unc = await runToExit('unshare-unconfined', { args: ['sh', '-c', script] }, { seccomp: 'unconfined' });
    t.equal(stdout(unc), 'userns-ok\nmountns-denied\nhostname-denied\n', 'same without seccomp: capabilities decide');
    const admin = await runToExit('unshare-sysadmin', { args: ['sh', '-c', script], capAdd: ['SYS_ADMIN'] });
    t.equal(stdout(admin), 'userns-ok\nmountns-ok\nhostname-ok\n', 'with CAP_SYS_ADMIN the converted profile allows sethostname too');
  });

  t.test('exit command: conmon runs it with its arguments after the container exits', async (t) => {
    const marker = path.join(work, 'exit-command.out');
    const b = bundleFor('exitcmd');
    const out = await drive({
      op: 'run', ...b, wait: true, delete: false, spec: { rootfs, network: 'none', args: ['sh', '-c', 'exit 7'] },
      exitCommand: { path: '/bin/sh', args: ['-c', `echo "$0 $* exit=$(cat ${runroot}/exits/$1)" > ${marker}`, 'cleanup', b.id] },
    });
    t.notOk(out.error, out.error?.message ?? 'no error');
    t.equal(out.exitCode, 7);
    for (let i = 0; i < 250 && !fs.existsSync(marker); i++) await sleep(20);
    t.equal(fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : 'missing', `cleanup ${b.id} exit=7\n`, 'ran after the exit file was written');
    t.equal(fs.statSync(marker).uid, uid, 'ran as the user (root of the user namespace)');
    await drive({ op: 'delete', id: b.id });
  });

  t.test('read-only rootfs, tmpfs, ulimits, resource warning', async (t) => {
    const ro = await runToExit('readonly', {
      readonlyRootfs: true,
      args: ['sh', '-c', 'touch /x 2>/dev/null || echo rootfs-ro; touch /tmp/x && echo tmp-rw; ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1 | tr -s " " | cut -d" " -f2'],
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
      shmSize: 8 * 1024 * 1024,
      resources: { memory: 64 * 1024 * 1024, pidsLimit: 100 },
    });
    t.notOk(ro.error, ro.error?.message ?? 'no error');
    t.same(ro.warnings, [RESOURCES_IGNORED_WARNING]);
    t.equal(ro.exitCode, 0);
    t.equal(stdout(ro), 'rootfs-ro\ntmp-rw\n1024\n2048\n8192\n');
  });

  t.test('a missing command: creation fails with 127 and nothing is left behind', async (t) => {
    const out = await runToExit('missing', { args: ['no-such-command'] });
    t.equal(out.error?.code, 'ECREATE');
    t.equal(out.error?.exitCode, 127);
    t.match(out.error?.message, /executable file not found/);
    await sleep(200);
    t.same(liveProcessesMentioning(out.bundle), []);
    const dir = await runToExit('dir', { args: ['/etc'] });
    t.equal(dir.error?.exitCode, 126, 'a directory as command');
  });

  t.test('a fuse-overlayfs root filesystem mounted in the namespace', async (t) => {
    const ov = path.join(work, 'ov');
    const [upper, wdir, merged] = ['upper', 'work', 'merged'].map((d) => path.join(ov, d));
    for (const d of [upper!, wdir!, merged!]) fs.mkdirSync(d, { recursive: true });
    chownToTestUser(ov);
    const m = await drive({ op: 'mount', lower: rootfs, upper, workdir: wdir, merged });
    t.notOk(m.error, m.error?.message ?? 'no error');
    const b = bundleFor('overlay');
    const out = await drive({
      op: 'run', ...b, wait: true, delete: true,
      spec: { rootfs: merged, network: 'none', args: ['sh', '-c', 'echo data > /written && chown 1000:1000 /written && rm /bin/vi && grep " / " /proc/mounts | cut -d" " -f3'] },
    });
    t.notOk(out.error, out.error?.message ?? 'no error');
    t.equal(stdout(out), 'fuse.fuse-overlayfs\n');
    const st = fs.statSync(path.join(upper!, 'written'));
    t.equal(st.uid, subuid![0] + 999, 'chown inside maps into the subuid range');
    const wh = fs.statSync(path.join(upper!, 'bin/vi'));
    t.ok(wh.isCharacterDevice() && wh.rdev === 0, 'deletion recorded as a 0:0 whiteout in the upper dir');
    t.ok(fs.lstatSync(path.join(rootfs, 'bin/vi')).isSymbolicLink(), 'lower layer untouched');
    t.notOk((await drive({ op: 'umount', merged })).error);
    t.notMatch((await drive({ op: 'mounts' })).mounts ?? '', new RegExp(merged!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
}
