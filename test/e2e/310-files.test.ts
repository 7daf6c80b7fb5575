// End-to-end: moving files in and out of containers as an unprivileged user.
// cp both ways (Docker's trailing-slash and "/." rules, tar streams, running
// and stopped containers, volumes), hostile symlinks that must resolve inside
// the container, diff, commit then run, export/import, mount/unmount, unshare.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { BIN, makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage, PASSWD } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';
let host = '';
const me = process.getuid!();

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({
    layers: [await buildBusyboxLayer(), await buildFileLayer({
      'etc/motd': 'motd\n',
      // hostile symlinks: they must resolve inside the container
      evil: { type: 'symlink', target: '/' },
      up: { type: 'symlink', target: '../../../../../../..' },
      'link-etc': { type: 'symlink', target: '/etc' },
      'tmp/passwd-link': { type: 'symlink', target: '/etc/passwd' },
      'data/': { type: 'dir', mode: 0o750 },
      'data/a.txt': { content: 'A\n', mode: 0o640 },
      'data/sub/': { type: 'dir' },
      'data/sub/b.txt': { content: 'B\n', mode: 0o600, uid: 1000, gid: 1000 },
      'data/exec.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    })],
    config: { Cmd: ['/bin/sh'] },
  });
  await pushImage(reg.url, 'e2e/files', 'latest', img);
  IMG = `${reg.host}/e2e/files:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', IMG]);
  if (r.exitCode !== 0) throw new Error(`pull failed: ${r.stderr}`);
  host = fs.mkdtempSync(path.join(env.dir, 'host-'));
  // tspod runs commands from the test's cwd: host paths are absolute here
});
t.teardown(async () => { await reg?.stop(); });

async function ok(t: Test, args: string[], opts?: Parameters<TspodEnv['tspod']>[1]) {
  const r = await env.tspod(args, opts);
  t.equal(r.exitCode, 0, `tspod ${args.join(' ')}: ${r.stderr}`);
  return r;
}

t.test('cp through hostile symlinks stays inside the container (running container)', async (t) => {
  await ok(t, ['run', '-d', '--name', 'sym', IMG, 'sleep', '300']);
  // reading: /evil -> / and ../.. chains resolve to the container's root, not the host's
  const out = path.join(host, 'passwd.out');
  await ok(t, ['cp', 'sym:/evil/etc/passwd', out]);
  t.equal(fs.readFileSync(out, 'utf8'), PASSWD, "the container's /etc/passwd, not the host's");
  await ok(t, ['cp', 'sym:/up/up/etc/passwd', `${out}2`]);
  t.equal(fs.readFileSync(`${out}2`, 'utf8'), PASSWD, '".." never climbs above the container root');
  await ok(t, ['cp', 'sym:/link-etc/motd', path.join(host, 'motd')]);
  t.equal(fs.readFileSync(path.join(host, 'motd'), 'utf8'), 'motd\n', 'a symlink to /etc resolves to the container\'s /etc');
  await ok(t, ['cp', 'sym:/tmp/passwd-link', path.join(host, 'via-link')]);
  t.equal(fs.readFileSync(path.join(host, 'via-link'), 'utf8'), PASSWD, 'a final symlink is followed inside the container');

  // writing: lands in the container, never on the host
  const marker = `tspod-e2e-${process.pid}-${Date.now()}`;
  fs.writeFileSync(path.join(host, 'in.txt'), 'into the container\n');
  await ok(t, ['cp', path.join(host, 'in.txt'), `sym:/evil/tmp/${marker}`]);
  t.notOk(fs.existsSync(`/tmp/${marker}`), 'nothing written to the host\'s /tmp');
  let r = await ok(t, ['exec', 'sym', 'cat', `/tmp/${marker}`]);
  t.equal(r.stdout, 'into the container');
  await ok(t, ['cp', path.join(host, 'in.txt'), 'sym:/up/up/tmp/up.txt']);
  r = await ok(t, ['exec', 'sym', 'cat', '/tmp/up.txt']);
  t.equal(r.stdout, 'into the container');
  // writing to a symlink that points at /etc/passwd writes the container's file
  await ok(t, ['cp', path.join(host, 'in.txt'), 'sym:/tmp/passwd-link']);
  r = await ok(t, ['exec', 'sym', 'cat', '/etc/passwd']);
  t.equal(r.stdout, 'into the container', 'the container\'s passwd was replaced');
  t.not(fs.readFileSync('/etc/passwd', 'utf8'), 'into the container\n', 'the host\'s is untouched');
  await ok(t, ['rm', '-f', '-t', '0', 'sym']);
});

t.test("cp follows Docker's trailing-slash and /. rules (stopped container)", async (t) => {
  await ok(t, ['create', '--name', 'rules', IMG, 'true']);
  const src = path.join(host, 'srcdir');
  fs.mkdirSync(path.join(src, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(src, 'one'), '1\n');
  fs.writeFileSync(path.join(src, 'nested', 'two'), '2\n');
  fs.chmodSync(path.join(src, 'one'), 0o741);
  const file = path.join(host, 'file.txt');
  fs.writeFileSync(file, 'file\n');

  // file -> missing path: created with that name
  await ok(t, ['cp', file, 'rules:/tmp/renamed']);
  // file -> existing dir: copied into it
  await ok(t, ['cp', file, 'rules:/tmp']);
  // file -> missing dir with trailing slash: error
  let r = await env.tspod(['cp', file, 'rules:/tmp/nodir/']);
  t.equal(r.exitCode, 125, 'a missing destination directory (trailing /) is an error');
  // dir -> missing path: created, with the content
  await ok(t, ['cp', src, 'rules:/tmp/newdir']);
  // dir -> existing dir: copied into it
  // a container mounted by the user stays mounted across cp
  await ok(t, ['mount', 'rules']);
  await ok(t, ['cp', src, 'rules:/root']);
  // dir/. -> existing dir: the content only
  await ok(t, ['cp', `${src}/.`, 'rules:/home']);
  // dir -> existing file: error
  r = await env.tspod(['cp', src, 'rules:/etc/passwd']);
  t.equal(r.exitCode, 125, 'a directory cannot replace a file');
  t.match(r.stderr, /destination must be a directory when copying a directory/);
  // missing source
  r = await env.tspod(['cp', 'rules:/nope', host]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no such file or directory/);
  // a file source with a trailing slash
  r = await env.tspod(['cp', 'rules:/etc/motd/', host]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /not a directory/);
  await ok(t, ['unmount', 'rules']);

  await ok(t, ['start', 'rules']);
  // inspect the result through a fresh container of the same filesystem: commit is tested below;
  // here read it back with cp to the host
  const back = path.join(host, 'back');
  fs.mkdirSync(back);
  await ok(t, ['cp', 'rules:/tmp/renamed', back]);
  await ok(t, ['cp', 'rules:/tmp/file.txt', path.join(back, 'file2')]);
  await ok(t, ['cp', 'rules:/tmp/newdir', path.join(back, 'newdir')]);
  await ok(t, ['cp', 'rules:/root/srcdir', path.join(back, 'rootcopy')]);
  await ok(t, ['cp', 'rules:/home/.', path.join(back, 'home')]);
  t.equal(fs.readFileSync(path.join(back, 'renamed'), 'utf8'), 'file\n');
  t.equal(fs.readFileSync(path.join(back, 'file2'), 'utf8'), 'file\n');
  t.same(fs.readdirSync(path.join(back, 'newdir')).sort(), ['nested', 'one'], 'dir -> missing path: the content under the new name');
  t.same(fs.readdirSync(path.join(back, 'rootcopy')).sort(), ['nested', 'one'], 'dir -> existing dir: copied into it');
  t.same(fs.readdirSync(path.join(back, 'home')).sort(), ['nested', 'one', 'tester'], 'dir/. -> the content only');
  t.equal(fs.statSync(path.join(back, 'newdir', 'one')).mode & 0o7777, 0o741, 'modes survive both ways');
  t.equal(fs.readFileSync(path.join(back, 'newdir', 'nested', 'two'), 'utf8'), '2\n');

  // container -> host: dir into existing dir, dir/. contents, modes; files owned by the invoking user
  const out = path.join(host, 'out');
  fs.mkdirSync(out);
  await ok(t, ['cp', 'rules:/data', out]);
  t.same(fs.readdirSync(path.join(out, 'data')).sort(), ['a.txt', 'exec.sh', 'sub']);
  t.equal(fs.statSync(path.join(out, 'data')).mode & 0o7777, 0o750);
  t.equal(fs.statSync(path.join(out, 'data', 'a.txt')).mode & 0o7777, 0o640);
  t.equal(fs.statSync(path.join(out, 'data', 'exec.sh')).mode & 0o7777, 0o755);
  t.equal(fs.statSync(path.join(out, 'data', 'sub', 'b.txt')).uid, me, 'owned by the invoking user on the host');
  fs.symlinkSync(out, path.join(host, 'outlink'));
  await ok(t, ['cp', 'rules:/etc/motd', path.join(host, 'outlink')]);
  t.equal(fs.readFileSync(path.join(out, 'motd'), 'utf8'), 'motd\n', 'a host destination that is a symlink to a directory: copied into that directory');
  const out2 = path.join(host, 'out2');
  fs.mkdirSync(out2);
  await ok(t, ['cp', 'rules:/data/.', out2]);
  t.same(fs.readdirSync(out2).sort(), ['a.txt', 'exec.sh', 'sub']);
  r = await env.tspod(['cp', 'rules:/data', path.join(host, 'missing', 'x')]);
  t.equal(r.exitCode, 125, 'the destination\'s parent must exist');
  r = await env.tspod(['cp', file, path.join(host, 'x')]);
  t.equal(r.exitCode, 125, 'one side must be a container');
  await ok(t, ['rm', 'rules']);
});

t.test('cp with tar streams, ownership inside the container, volumes', async (t) => {
  await ok(t, ['run', '-d', '--name', 'streams', '-u', '1000:1000', '-v', 'cpvol:/vol', IMG, 'sleep', '300']);
  // container -> stdout
  const tarOut = path.join(host, 'data.tar');
  let r = await execa('sh', ['-c', `"$0" "$@" > ${tarOut}`, 'env', '-u', 'NODE_OPTIONS', BIN, 'cp', 'streams:/data', '-'], { env: env.env, extendEnv: false, reject: false });
  t.equal(r.exitCode, 0, String(r.stderr));
  const list = await execa('tar', ['-tvf', tarOut]);
  t.match(list.stdout, /^drwxr-x--- 0\/0 .* data\/$/m, 'the top entry is the directory, with its mode');
  t.match(list.stdout, /-rw------- 1000\/1000 .* data\/sub\/b\.txt$/m, 'container ownership in the stream');
  // stdin -> container
  const src = path.join(host, 'tin');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'from-tar'), 'tar\n');
  fs.chmodSync(path.join(src, 'from-tar'), 0o604);
  const tarIn = path.join(host, 'in.tar');
  await execa('tar', ['-cf', tarIn, '-C', src, '.']);
  r = await execa('env', ['-u', 'NODE_OPTIONS', BIN, 'cp', '-', 'streams:/tmp'], { env: env.env, extendEnv: false, reject: false, inputFile: tarIn });
  t.equal(r.exitCode, 0, String(r.stderr));
  let e = await ok(t, ['exec', 'streams', 'stat', '-c', '%a %u:%g', '/tmp/from-tar']);
  t.equal(e.stdout, '604 1000:1000', 'mode kept; chowned to the container\'s user (--archive)');
  // host file -> container: owned by the container's user; --archive=false keeps it as root
  fs.writeFileSync(path.join(host, 'own'), 'x');
  await ok(t, ['cp', path.join(host, 'own'), 'streams:/tmp/own1']);
  await ok(t, ['cp', '--no-archive', path.join(host, 'own'), 'streams:/tmp/own2']);
  e = await ok(t, ['exec', 'streams', 'stat', '-c', '%u:%g', '/tmp/own1', '/tmp/own2']);
  t.equal(e.stdout, '1000:1000\n0:0');
  // into a volume mounted in the running container: lands in the volume
  await ok(t, ['cp', path.join(host, 'own'), 'streams:/vol/in-volume']);
  t.equal(fs.readFileSync(path.join(env.dataDir, 'tspod', 'volumes', 'cpvol', '_data', 'in-volume'), 'utf8'), 'x', 'the copy is in the volume');
  e = await ok(t, ['exec', 'streams', 'cat', '/vol/in-volume']);
  t.equal(e.stdout, 'x', 'and the container sees it there');
  await ok(t, ['rm', '-f', '-t', '0', 'streams']);
  await ok(t, ['volume', 'rm', 'cpvol']);
});

t.test('diff, commit then run, export/import', async (t) => {
  await ok(t, ['run', '--name', 'changer', IMG, 'sh', '-c', 'echo new > /newfile && rm /etc/motd && echo extra >> /etc/group && mkdir -p /opt/app && echo v > /opt/app/f']);
  let r = await ok(t, ['diff', 'changer']);
  const lines = r.stdout.split('\n');
  for (const l of ['A /newfile', 'D /etc/motd', 'C /etc', 'C /etc/group', 'A /opt', 'A /opt/app', 'A /opt/app/f']) t.ok(lines.includes(l), `diff lists "${l}"`);
  t.notOk(lines.some((l) => /\/etc\/(hosts|resolv\.conf|hostname)$|\/run\/\.containerenv$|^[ACD] \/(proc|sys|dev)$/.test(l)), 'engine-provided files are left out');
  t.same(lines, lines.slice().sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)), 'sorted by path');
  r = await ok(t, ['diff', '--format', 'json', 'changer']);
  const js = JSON.parse(r.stdout) as { added: string[]; changed: string[]; deleted: string[] };
  t.ok(js.added.includes('/newfile') && js.deleted.includes('/etc/motd') && js.changed.includes('/etc/group'));

  r = await ok(t, ['commit', '-q', '-m', 'my message', '-a', 'Tester <t@example.com>', '-c', 'CMD ["cat","/newfile"]', '-c', 'ENV FOO=bar', '-c', 'LABEL committed=yes', 'changer', 'committed:v1']);
  const id = r.stdout.trim();
  t.match(id, /^[0-9a-f]{64}$/, '-q prints only the ID');
  r = await ok(t, ['run', '--rm', 'committed:v1']);
  t.equal(r.stdout, 'new', 'the committed image runs with the new CMD and the container\'s change');
  r = await ok(t, ['run', '--rm', 'committed:v1', 'sh', '-c', 'echo $FOO; cat /opt/app/f; ls /etc; tail -1 /etc/group']);
  t.equal(r.stdout.split('\n')[0], 'bar');
  t.equal(r.stdout.split('\n')[1], 'v');
  t.notMatch(r.stdout, /motd/, 'the deletion is in the new layer (a whiteout)');
  t.match(r.stdout, /extra$/);
  r = await ok(t, ['image', 'inspect', '--format', '{{len .RootFS.Layers}} {{.Author}} {{.Comment}} {{.Config.Labels.committed}}', 'localhost/committed:v1']);
  t.equal(r.stdout, '3 Tester <t@example.com> my message yes', 'the image\'s two layers plus the new one, author, message, label');
  r = await ok(t, ['history', '--format', '{{.Comment}}', 'committed:v1']);
  t.equal(r.stdout.split('\n')[0], 'my message', 'a history entry on top');
  r = await env.tspod(['commit', 'changer', 'docker-fmt', '--format', 'docker']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Writing manifest to image destination/, 'progress on stderr without -q');
  r = await ok(t, ['run', '--rm', 'docker-fmt', 'cat', '/newfile']);
  t.equal(r.stdout, 'new');

  // --include-volumes: the container's volumes become the image's VOLUMEs
  await ok(t, ['volume', 'create', 'cv']);
  await ok(t, ['create', '--name', 'withvol', '-v', 'cv:/store', IMG, 'true']);
  r = await ok(t, ['commit', '-q', '--include-volumes', 'withvol', 'withvol-img']);
  r = await ok(t, ['image', 'inspect', '--format', '{{json .Config.Volumes}}', 'withvol-img']);
  t.equal(r.stdout, '{"/store":{}}');
  await ok(t, ['rm', '-v', 'withvol']);
  await ok(t, ['volume', 'rm', 'cv']);
  await ok(t, ['rmi', 'withvol-img']);

  // export -> import -> run
  const tarFile = path.join(host, 'rootfs.tar');
  await ok(t, ['export', '-o', tarFile, 'changer']);
  const list = (await execa('tar', ['-tf', tarFile])).stdout.split('\n');
  t.ok(list.includes('newfile') && list.includes('bin/busybox') && list.includes('etc/passwd'), 'the merged root filesystem');
  t.notOk(list.includes('etc/motd'), 'without deleted files');
  t.notOk(list.some((l) => l.includes('.wh.')), 'no whiteouts in an export');
  await ok(t, ['import', tarFile, 'imported:v1']);
  r = await ok(t, ['run', '--rm', 'imported:v1', 'cat', '/newfile', '/opt/app/f']);
  t.equal(r.stdout, 'new\nv', 'export/import round trip');
  r = await env.tspod(['export', 'changer']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stdout.includes('newfile'), 'export to stdout');
  await ok(t, ['rm', 'changer']);
  await ok(t, ['rmi', 'committed:v1', 'docker-fmt', 'imported:v1']);
});

t.test('mount, unmount and unshare', async (t) => {
  await ok(t, ['create', '--name', 'mnt', IMG, 'true']);
  let r = await ok(t, ['mount', 'mnt']);
  const merged = r.stdout.trim();
  t.match(merged, /\/merged$/);
  r = await ok(t, ['mount']);
  t.match(r.stdout, new RegExp(`^[0-9a-f]{12} ${merged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), 'mount without arguments lists it');
  r = await ok(t, ['unshare', 'cat', path.join(merged, 'etc', 'motd')]);
  t.equal(r.stdout, 'motd', 'the mounted root filesystem is visible through unshare');
  r = await ok(t, ['unshare', 'ls', '-l', path.join(merged, 'data')]);
  t.match(r.stdout, /a\.txt/);
  r = await ok(t, ['unmount', 'mnt']);
  t.match(r.stdout.trim(), /^[0-9a-f]{64}$/);
  r = await ok(t, ['mount']);
  t.equal(r.stdout.trim(), '', 'nothing mounted any more');
  r = await env.tspod(['unshare', 'test', '-e', path.join(merged, 'etc', 'motd')]);
  t.equal(r.exitCode, 1, 'unmounted');
  await ok(t, ['rm', 'mnt']);

  r = await ok(t, ['unshare', 'id', '-u']);
  t.equal(r.stdout, '0', 'uid 0 inside the user namespace');
  r = await ok(t, ['unshare', 'cat', '/proc/self/uid_map']);
  const map = r.stdout.split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  t.same(map[0], [0, me, 1], 'root is the invoking user');
  t.equal(map[1]?.[0], 1, 'uids from 1 are mapped');
  t.ok((map[1]?.[2] ?? 0) >= 65536, 'to the subuid range');
  r = await env.tspod(['unshare', 'sh', '-c', 'exit 3']);
  t.equal(r.exitCode, 3, 'the exit code is passed on');
  r = await env.tspod(['unshare', 'no-such-command-here']);
  t.equal(r.exitCode, 127);
  r = await ok(t, ['unshare', 'sh', '-c', 'echo $CONTAINERS_GRAPHROOT']);
  t.equal(r.stdout, path.join(env.dataDir, 'tspod'));
});
