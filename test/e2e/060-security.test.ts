// End-to-end: run flags for storage, metadata and security as an unprivileged
// user: volumes (bind ro/rw, named, anonymous, image VOLUME), --tmpfs,
// --read-only, --label/--annotation, --cidfile, --replace, --rm (detached too),
// --init, resource flags that warn, --ulimit, --shm-size, capabilities,
// --privileged, --security-opt; and that nothing runs as real root.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
let VOL = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'] } }));
  const seed = await buildFileLayer({ 'srv/data/seed.txt': 'from the image\n' });
  await pushImage(reg.url, 'e2e/vol', 'latest', buildImage({ layers: [base, seed], config: { Cmd: ['/bin/sh'], Volumes: { '/srv/data': {} } } }));
  BB = `${reg.host}/e2e/bb:latest`;
  VOL = `${reg.host}/e2e/vol:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

async function volumes(): Promise<string[]> {
  const r = await env.tspod(['volume', 'ls', '-q']);
  return r.stdout ? r.stdout.split('\n').sort() : [];
}

t.test('bind mounts ro and rw', async (t) => {
  const dir = path.join(env.dir, 'host-dir');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'in.txt'), 'from host\n');
  let r = await env.tspod(['run', '--rm', '-v', `${dir}:/mnt:ro`, BB, 'sh', '-c', 'cat /mnt/in.txt; touch /mnt/x 2>&1; echo rc=$?']);
  t.match(r.stdout, /^from host\n.*Read-only file system\nrc=1$/s, ':ro is read-only');
  r = await env.tspod(['run', '--rm', '-v', `${dir}:/mnt`, BB, 'sh', '-c', 'echo written > /mnt/out.txt']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'written\n', 'rw: the host sees the write');
  t.equal(fs.statSync(path.join(dir, 'out.txt')).uid, process.getuid!(), 'container root writes as the user on the host');
  r = await env.tspod(['run', '--rm', '--mount', `type=bind,source=${dir},target=/m,readonly`, BB, 'cat', '/m/out.txt']);
  t.equal(r.stdout, 'written', '--mount type=bind');
  r = await env.tspod(['run', '--rm', '-v', `${path.join(env.dir, 'nope')}:/x`, BB, 'true']);
  t.equal(r.exitCode, 125, 'a missing bind source is an error');
});

t.test('named volume survives rm; anonymous ones go with rm -v and --rm; image VOLUME', async (t) => {
  const before = await volumes();
  let r = await env.tspod(['run', '--name', 'v1', '-v', 'keep:/data', BB, 'sh', '-c', 'echo kept > /data/f']);
  t.equal(r.exitCode, 0, r.stderr);
  await env.tspod(['rm', 'v1']);
  r = await env.tspod(['run', '--rm', '-v', 'keep:/data', BB, 'cat', '/data/f']);
  t.equal(r.stdout, 'kept', 'the named volume survived rm');
  r = await env.tspod(['run', '--name', 'anon', '-v', '/scratch', BB, 'sh', '-c', 'echo x > /scratch/y']);
  t.equal(r.exitCode, 0, r.stderr);
  const anonName = (await env.tspod(['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', 'anon'])).stdout;
  t.match(anonName, /^[0-9a-f]{64}$/, 'the anonymous volume has a recorded name');
  t.ok((await volumes()).includes(anonName));
  await env.tspod(['rm', '-v', 'anon']);
  t.notOk((await volumes()).includes(anonName), 'rm -v removed the anonymous volume');
  r = await env.tspod(['run', '--rm', '-v', '/scratch2', BB, 'true']);
  t.same(await volumes(), [...before, 'keep'].sort(), '--rm removed its anonymous volume, kept the named one');
  r = await env.tspod(['run', '-d', '--rm', '-v', '/scratch3', BB, 'sleep', '0.3']);
  t.equal(r.exitCode, 0, r.stderr);
  await sleep(2000);
  r = await env.tspod(['ps', '-a', '-q']);
  t.equal(r.stdout, '', 'run -d --rm: gone after it exited');
  t.same(await volumes(), [...before, 'keep'].sort(), 'with its anonymous volume');
  r = await env.tspod(['run', '--name', 'iv', VOL, 'sh', '-c', 'cat /srv/data/seed.txt; grep -c " /srv/data " /proc/mounts']);
  t.equal(r.stdout, 'from the image\n1', 'the image VOLUME is a volume, populated from the image');
  await env.tspod(['rm', '-v', 'iv']);
  t.same(await volumes(), [...before, 'keep'].sort());
});

t.test('--tmpfs, --read-only, --shm-size, --ulimit', async (t) => {
  let r = await env.tspod(['run', '--rm', '--tmpfs', '/scratch:size=1m,mode=1777', BB, 'sh', '-c', 'grep " /scratch " /proc/mounts; stat -c %a /scratch']);
  t.match(r.stdout, /^tmpfs \/scratch tmpfs .*size=1024k.*\n1777$/);
  r = await env.tspod(['run', '--rm', '--read-only', BB, 'sh', '-c', 'touch /x 2>/dev/null; echo root=$?; touch /tmp/x /var/tmp/x /run/x /dev/shm/x; echo tmp=$?']);
  t.equal(r.stdout, 'root=1\ntmp=0', '--read-only: / is read-only, /tmp /var/tmp /run /dev/shm are writable tmpfs');
  r = await env.tspod(['run', '--rm', '--shm-size', '8m', BB, 'sh', '-c', 'df -k /dev/shm | tail -1']);
  t.match(r.stdout, /^shm\s+8192\s/);
  r = await env.tspod(['run', '--rm', '--ulimit', 'nofile=123:456', '--ulimit', 'nproc=77', BB, 'sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -u']);
  t.equal(r.stdout, '123\n456\n77');
  r = await env.tspod(['run', '--rm', '--ulimit', 'nofile=9:1', BB, 'true']);
  t.equal(r.exitCode, 125, 'soft above hard');
});

t.test('--label, --annotation, --cidfile, --replace, --hostname in inspect', async (t) => {
  const cid = path.join(env.dir, 'cid');
  let r = await env.tspod(['run', '-d', '--name', 'meta', '--label', 'a=b', '--annotation', 'io.example/x=y', '--cidfile', cid, BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(fs.readFileSync(cid, 'utf8'), r.stdout, '--cidfile has the ID');
  r = await env.tspod(['inspect', '--format', '{{.Config.Labels.a}} {{index .Config.Annotations "io.example/x"}}', 'meta']);
  t.equal(r.stdout, 'b y');
  r = await env.tspod(['run', '-d', '--name', 'meta2', '--cidfile', cid, BB, 'true']);
  t.equal(r.exitCode, 125, 'an existing cidfile is an error');
  t.equal(r.stderr, `Error: container id file exists. Ensure another container is not using it or delete ${cid}`, "Podman's message");
  r = await env.tspod(['run', '-d', '--name', 'meta', BB, 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /already in use/);
  r = await env.tspod(['run', '-d', '--replace', '--name', 'meta', BB, 'sleep', '1000']);
  t.equal(r.exitCode, 0, `--replace: ${r.stderr}`);
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}} {{.Command}}']);
  t.equal(r.stdout, 'meta sleep 1000');
  t.ok(fs.existsSync(cid), 'the cidfile stays when its container is replaced (only rm --cidfile removes ID files, as Podman)');
  await env.tspod(['rm', '-f', 'meta']);
  t.ok(fs.existsSync(cid), 'and when it is removed by name');
  r = await env.tspod(['run', '--rm', '--cidfile', cid, BB, 'true']);
  t.equal(r.exitCode, 125, 'so a later run --cidfile to the same file is refused');
  fs.rmSync(cid);
});

t.test('--init, resource flags warn and still run, --stop-signal in inspect', async (t) => {
  let r = await env.tspod(['run', '--rm', '--init', BB, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']);
  t.match(r.stdout, /init.* -- sh -c/, 'pid 1 is the init (catatonit)');
  r = await env.tspod(['run', '-d', '--name', 'in', '--init', BB, 'sleep', '1000']);
  const t0 = Date.now();
  await env.tspod(['stop', 'in']);
  t.ok(Date.now() - t0 < 5000, 'the init forwards SIGTERM: sleep stops at once');
  await env.tspod(['rm', 'in']);
  r = await env.tspod(['run', '--rm', '--memory', '64m', '--cpus', '1.5', '--pids-limit', '100', BB, 'echo', 'ran']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'ran');
  let v2 = false;
  try { v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers'); } catch { /* v1 */ }
  if (!v2) t.match(r.stderr, /^Resource limits are not supported and ignored on cgroups V1 rootless systems$/m);
  r = await env.tspod(['run', '--rm', '--memory', 'lots', BB, 'true']);
  t.equal(r.exitCode, 125, 'a bad --memory value');
});

const DEFAULT_CAPS = 0x800405fbn; // podman's rootless default set

function caps(out: string, field: string): bigint {
  const m = new RegExp(`^${field}:\\s+([0-9a-f]+)$`, 'm').exec(out);
  return m ? BigInt(`0x${m[1]}`) : -1n;
}

t.test('capabilities, --privileged, --security-opt, masked paths', async (t) => {
  let r = await env.tspod(['run', '--rm', BB, 'cat', '/proc/self/status']);
  t.equal(caps(r.stdout, 'CapEff'), DEFAULT_CAPS, 'default CapEff as podman rootless');
  t.equal(caps(r.stdout, 'CapBnd'), DEFAULT_CAPS);
  t.match(r.stdout, /^NoNewPrivs:\s+0$/m);
  t.match(r.stdout, /^Seccomp:\s+2$/m, 'the default seccomp profile is on');
  r = await env.tspod(['run', '--rm', '--cap-drop', 'all', BB, 'cat', '/proc/self/status']);
  t.equal(caps(r.stdout, 'CapEff'), 0n, '--cap-drop all');
  r = await env.tspod(['run', '--rm', '--cap-drop', 'CHOWN', '--cap-add', 'NET_ADMIN', BB, 'cat', '/proc/self/status']);
  t.equal(caps(r.stdout, 'CapEff'), (DEFAULT_CAPS & ~1n) | (1n << 12n), '--cap-drop CHOWN --cap-add NET_ADMIN');
  r = await env.tspod(['run', '--rm', '--cap-drop', 'CHOWN', BB, 'chown', '1000', '/tmp']);
  t.not(r.exitCode, 0, 'without CAP_CHOWN chown fails');
  r = await env.tspod(['run', '--rm', '--cap-add', 'NET_ADMIN', BB, 'ip', 'link', 'set', 'lo', 'mtu', '1400']);
  t.equal(r.exitCode, 0, `NET_ADMIN works in the container's own network namespace: ${r.stderr}`);
  r = await env.tspod(['run', '--rm', '--cap-add', 'NOT_A_CAP', BB, 'true']);
  t.equal(r.exitCode, 125, 'an unknown capability');
  r = await env.tspod(['run', '--rm', '--privileged', BB, 'sh', '-c', 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev | wc -l']);
  t.ok(caps(r.stdout, 'CapEff') > DEFAULT_CAPS, '--privileged: every capability the user namespace has');
  t.match(r.stdout, /^Seccomp:\s+0$/m, '--privileged: no seccomp');
  r = await env.tspod(['run', '--rm', '--security-opt', 'no-new-privileges', BB, 'grep', 'NoNewPrivs', '/proc/self/status']);
  t.match(r.stdout, /NoNewPrivs:\s+1/);
  r = await env.tspod(['run', '--rm', '--security-opt', 'seccomp=unconfined', BB, 'grep', 'Seccomp:', '/proc/self/status']);
  t.match(r.stdout, /Seccomp:\s+0/);
  r = await env.tspod(['run', '--rm', '--security-opt', 'bogus', BB, 'true']);
  t.equal(r.exitCode, 125);
  r = await env.tspod(['run', '--rm', BB, 'sh', '-c', 'wc -c < /proc/timer_list; wc -c < /proc/keys; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>/dev/null; echo sys=$?; ls /dev | sort | tr "\\n" " "']);
  t.match(r.stdout, /^0\n0\n0\nsys=1\n/, 'masked /proc/timer_list, /proc/keys, /sys/firmware; read-only /proc/sys');
  t.match(r.stdout, /full .*null .*ptmx .*pts .*random .*shm .*tty .*urandom .*zero/, 'the standard /dev');
  t.notMatch(r.stdout, /\bsda|nvme|vda|fuse|net\b/, 'no host devices');
  // processes in the container map to the user (root) and its subuids (others), never to real root
  r = await env.tspod(['run', '-d', '--name', 'ids', BB, 'sh', '-c', 'su tester -c "sleep 1000" & sleep 1000']);
  await sleep(500);
  const pid = Number((await env.tspod(['inspect', '--format', '{{.State.Pid}}', 'ids'])).stdout);
  const hostUid = (p: number) => Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]);
  t.equal(hostUid(pid), process.getuid!(), 'container root is the user on the host');
  const children = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u00001000') && fs.readlinkSync(`/proc/${p}/ns/pid`) === fs.readlinkSync(`/proc/${pid}/ns/pid`); } catch { return false; }
  }).map(Number);
  const uids = children.map(hostUid).sort();
  t.ok(uids.some((u) => u >= 100000), `the tester process runs as a subuid on the host (${uids.join(',')})`);
  t.ok(uids.every((u) => u !== 0), 'nothing as real root');
  await env.tspod(['rm', '-f', 'ids']);
});
