// End-to-end: `cp` as Podman's users and scripts know it (Podman 4.3's behaviour and words):
// a running container's tmpfs, stdin and stdout, dangling symlinks as the destination,
// ownership in a container with a user namespace of its own, --overwrite, and the messages
// scripts match on. The security rules (nothing outside the container's root or the
// destination) are checked in 310-files.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { BIN, makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';
let host = '';

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({
    layers: [await buildBusyboxLayer(), await buildFileLayer({ 'srv/': { type: 'dir' }, 'tmp/': { type: 'dir', mode: 0o1777 }, 'tmp/from-image': 'image\n' })],
    config: { Cmd: ['/bin/sh'] },
  });
  await pushImage(reg.url, 'e2e/cp', 'latest', img);
  IMG = `${reg.host}/e2e/cp:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', IMG]);
  if (r.exitCode !== 0) throw new Error(`pull failed: ${r.stderr}`);
  host = fs.mkdtempSync(path.join(env.dir, 'host-'));
});
t.teardown(async () => { await reg?.stop(); });

async function ok(t: Test, args: string[], opts?: Parameters<TspodEnv['tspod']>[1]) {
  const r = await env.tspod(args, opts);
  t.equal(r.exitCode, 0, `tspod ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** tspod failing with exit 125 and exactly this one-line error. */
async function fails(t: Test, args: string[], message: string | RegExp, opts?: Parameters<TspodEnv['tspod']>[1]) {
  const r = await env.tspod(args, opts);
  t.equal(r.exitCode, 125, `tspod ${args.join(' ')} fails`);
  if (typeof message === 'string') t.equal(r.stderr.trim(), message); else t.match(r.stderr.trim(), message);
  return r;
}

t.test('messages: missing paths, a directory onto a file, a host destination that is not a file', async (t) => {
  await ok(t, ['run', '-d', '--name', 'msg', IMG, 'sleep', '300']);
  const file = path.join(host, 'f.txt');
  fs.writeFileSync(file, 'f\n');
  await fails(t, ['cp', path.join(host, 'nope'), 'msg:/tmp'], `Error: "${path.join(host, 'nope')}" could not be found on the host: no such file or directory`);
  await fails(t, ['cp', 'msg:/nope', host], 'Error: "/nope" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', file, 'msg:/IdoNotExist/'], 'Error: "/IdoNotExist/" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', file, 'msg:/no/such/parent'], 'Error: "/no/such/parent" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', host, 'msg:/etc/passwd'], 'Error: destination must be a directory when copying a directory');
  await fails(t, ['cp', 'msg:/etc', file], 'Error: destination must be a directory when copying a directory');
  // "/dev/stdout" is a path like any other (only "-" is stdout): here a pipe
  await fails(t, ['cp', 'msg:/etc/passwd', '/dev/stdout'], 'Error: invalid destination: "/dev/stdout" must be a directory or a regular file');
  await ok(t, ['rm', '-f', '-t', '0', 'msg']);
});

/** tspod with stdin from a file and stdout to a file (a pipe is not what "-" needs to be tested with here). */
async function piped(args: string[], o: { input?: string; output?: string } = {}) {
  const cmd = `"$0" "$@"${o.input ? ` < '${o.input}'` : ''}${o.output ? ` > '${o.output}'` : ''}`;
  const r = await execa('sh', ['-c', cmd, 'env', '-u', 'NODE_OPTIONS', BIN, ...args], { env: env.env, extendEnv: false, reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

t.test('stdin: a (gzip) tar into a directory; anything else is refused before a byte is written', async (t) => {
  await ok(t, ['run', '-d', '--name', 'stdin', IMG, 'sleep', '300']);
  const src = path.join(host, 'tin');
  fs.mkdirSync(path.join(src, 'd'), { recursive: true });
  fs.writeFileSync(path.join(src, 'd', 'a.txt'), 'from a gzip tar\n');
  const tgz = path.join(host, 'in.tar.gz');
  await execa('tar', ['-czf', tgz, '-C', src, 'd']);
  let r = await piped(['cp', '-', 'stdin:/tmp'], { input: tgz });
  t.equal(r.exitCode, 0, r.stderr);
  let e = await ok(t, ['exec', 'stdin', 'cat', '/tmp/d/a.txt']);
  t.equal(e.stdout, 'from a gzip tar', 'a gzip-compressed tar is unpacked');
  const text = path.join(src, 'd', 'a.txt');
  r = await piped(['cp', '-', 'stdin:/srv'], { input: text });
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), 'Error: source must be a (compressed) tar archive when copying from stdin');
  r = await piped(['cp', '-', 'stdin:/tmp/from-image'], { input: tgz });
  t.equal(r.stderr.trim(), 'Error: destination must be a directory when copying from stdin', 'onto a file');
  r = await piped(['cp', '-', 'stdin:/tmp/IdoNotExist'], { input: tgz });
  t.equal(r.stderr.trim(), 'Error: destination must be a directory when copying from stdin', 'onto nothing');
  e = await ok(t, ['exec', 'stdin', 'ls', '-A', '/srv']);
  t.equal(e.stdout, '', 'nothing was written by the refused copies');
  await ok(t, ['rm', '-f', '-t', '0', 'stdin']);
});

t.test('stdout: "-" is a tar of the file or directory, empty files included', async (t) => {
  await ok(t, ['run', '-d', '--name', 'stdout', IMG, 'sh', '-c', 'echo content > /tmp/file.txt; touch /tmp/empty.txt; sleep 300']);
  await ok(t, ['exec', 'stdout', 'test', '-e', '/tmp/empty.txt']);
  const out = path.join(host, 'out');
  fs.mkdirSync(out);
  let r = await piped(['cp', 'stdout:/tmp/file.txt', '-'], { output: path.join(out, 'file.tar') });
  t.equal(r.exitCode, 0, r.stderr);
  let l = await execa('tar', ['-tf', path.join(out, 'file.tar')]);
  t.equal(l.stdout, 'file.txt');
  r = await piped(['cp', 'stdout:/tmp', '-'], { output: path.join(out, 'dir.tar') });
  t.equal(r.exitCode, 0, r.stderr);
  await execa('tar', ['-xf', path.join(out, 'dir.tar'), '-C', out]);
  t.equal(fs.readFileSync(path.join(out, 'tmp', 'file.txt'), 'utf8'), 'content\n');
  t.equal(fs.readFileSync(path.join(out, 'tmp', 'empty.txt'), 'utf8'), '', 'the empty file is there');
  l = await execa('tar', ['-tf', path.join(out, 'dir.tar')]);
  t.match(l.stdout, /^tmp\/$/m, 'the directory is the top entry');
  await ok(t, ['rm', '-f', '-t', '0', 'stdout']);
});

t.test('--overwrite: a directory and a file replace each other only when asked, with Podman\'s words', async (t) => {
  await ok(t, ['run', '-d', '--name', 'ctr-file', IMG, 'sh', '-c', 'echo file > /tmp/foo; sleep 300']);
  await ok(t, ['run', '-d', '--name', 'ctr-dir', IMG, 'sh', '-c', 'mkdir /tmp/foo; echo dir > /tmp/foo/file.txt; sleep 300']);
  await ok(t, ['exec', 'ctr-dir', 'test', '-d', '/tmp/foo']);
  await ok(t, ['exec', 'ctr-file', 'test', '-f', '/tmp/foo']);
  // container to container
  await fails(t, ['cp', 'ctr-file:/tmp/foo', 'ctr-dir:/tmp'], /^Error: error creating "\/tmp\/foo": .*: file exists/);
  let e = await ok(t, ['exec', 'ctr-dir', 'cat', '/tmp/foo/file.txt']);
  t.equal(e.stdout, 'dir', 'the directory is untouched');
  await ok(t, ['cp', '--overwrite', 'ctr-file:/tmp/foo', 'ctr-dir:/tmp']);
  e = await ok(t, ['exec', 'ctr-dir', 'cat', '/tmp/foo']);
  t.equal(e.stdout, 'file', '--overwrite replaced the directory by the file');
  // container to host: the path shown is the one under the destination
  const hd = path.join(host, 'ow');
  fs.mkdirSync(path.join(hd, 'foo'), { recursive: true });
  await fails(t, ['cp', 'ctr-file:/tmp/foo', hd], /^Error: error creating "\/foo": .*: file exists/);
  t.ok(fs.statSync(path.join(hd, 'foo')).isDirectory(), 'the host directory is untouched');
  await ok(t, ['cp', '--overwrite', 'ctr-file:/tmp/foo', hd]);
  t.equal(fs.readFileSync(path.join(hd, 'foo'), 'utf8'), 'file\n');
  // host to container: a directory onto a file
  fs.rmSync(path.join(hd, 'foo'));
  fs.mkdirSync(path.join(hd, 'foo'));
  fs.writeFileSync(path.join(hd, 'foo', 'file.txt'), 'host dir\n');
  await fails(t, ['cp', path.join(hd, 'foo'), 'ctr-file:/tmp'], /^Error: error creating "\/tmp\/foo": .*: file exists/);
  await ok(t, ['cp', '--overwrite', path.join(hd, 'foo'), 'ctr-file:/tmp']);
  e = await ok(t, ['exec', 'ctr-file', 'cat', '/tmp/foo/file.txt']);
  t.equal(e.stdout, 'host dir');
  await ok(t, ['rm', '-f', '-t', '0', 'ctr-file', 'ctr-dir']);
});

t.test('a tmpfs: reached in a running container, copied up from below in a created one', async (t) => {
  const file = path.join(host, 'tmpfs-file');
  fs.writeFileSync(file, 'on the tmpfs\n');
  await ok(t, ['run', '-d', '--mount', 'type=tmpfs,dst=/tmp', '--name', 'tmpfs-run', IMG, 'sleep', '300']);
  let e = await ok(t, ['exec', 'tmpfs-run', 'ls', '/tmp']);
  t.equal(e.stdout, 'from-image', 'the tmpfs starts with the image\'s /tmp (copy-up)');
  await ok(t, ['cp', file, 'tmpfs-run:/tmp']);
  e = await ok(t, ['exec', 'tmpfs-run', 'cat', '/tmp/tmpfs-file']);
  t.equal(e.stdout, 'on the tmpfs', 'copied onto the running container\'s tmpfs');
  const back = path.join(host, 'tmpfs-back');
  await ok(t, ['exec', 'tmpfs-run', 'sh', '-c', 'echo made inside > /tmp/inside']);
  await ok(t, ['cp', 'tmpfs-run:/tmp/inside', back]);
  t.equal(fs.readFileSync(back, 'utf8'), 'made inside\n', 'and copied from it');
  await ok(t, ['rm', '-f', '-t', '0', 'tmpfs-run']);

  await ok(t, ['create', '--mount', 'type=tmpfs,dst=/tmp', '--name', 'tmpfs-new', IMG, 'sleep', '300']);
  await ok(t, ['cp', file, 'tmpfs-new:/tmp']);
  await ok(t, ['start', 'tmpfs-new']);
  e = await ok(t, ['exec', 'tmpfs-new', 'cat', '/tmp/tmpfs-file']);
  t.equal(e.stdout, 'on the tmpfs', 'a created container\'s copy is on its tmpfs once started');
  await ok(t, ['rm', '-f', '-t', '0', 'tmpfs-new']);
});

t.test('a dangling symlink as the destination: its target is created; "x/" is a directory that must exist', async (t) => {
  await ok(t, ['run', '-d', '--name', 'dangle', IMG, 'sh', '-c', 'mkdir /tmp/d1 /tmp/d2 /tmp/d3; ln -s /tmp/nonesuch1 /tmp/d1/x; ln -s /tmp/nonesuch2 /tmp/d2/x; sleep 300']);
  await ok(t, ['exec', 'dangle', 'test', '-L', '/tmp/d2/x']);
  const file = path.join(host, 'dangle-src');
  fs.writeFileSync(file, 'dangle\n');
  await ok(t, ['cp', file, 'dangle:/tmp/d1/x']);
  let e = await ok(t, ['exec', 'dangle', 'cat', '/tmp/nonesuch1']);
  t.equal(e.stdout, 'dangle', 'the link\'s target was created');
  e = await ok(t, ['exec', 'dangle', 'readlink', '/tmp/d1/x']);
  t.equal(e.stdout, '/tmp/nonesuch1', 'the link itself stays');
  await fails(t, ['cp', file, 'dangle:/tmp/d2/x/'], 'Error: "/tmp/d2/x/" could not be found on container dangle: no such file or directory');
  const r = await env.tspod(['exec', 'dangle', 'test', '-e', '/tmp/nonesuch2']);
  t.equal(r.exitCode, 1, 'no directory was made for it');
  await ok(t, ['cp', file, 'dangle:/tmp/d3/x']);
  e = await ok(t, ['exec', 'dangle', 'cat', '/tmp/d3/x']);
  t.equal(e.stdout, 'dangle');
  await ok(t, ['rm', '-f', '-t', '0', 'dangle']);
});

t.test('ownership in a --userns=keep-id container: -a gives the container user, -a=false keeps the tar\'s ids', async (t) => {
  const me = process.getuid!();
  await ok(t, ['run', '-d', `--user=${me}`, '--userns=keep-id', '--name', 'keep', IMG, 'sleep', '300']);
  const file = path.join(host, 'keep-file');
  fs.writeFileSync(file, 'k\n');
  await ok(t, ['cp', file, 'keep:/tmp/keep-file']);
  let e = await ok(t, ['exec', 'keep', 'stat', '-c', '%u:%g', '/tmp/keep-file']);
  t.equal(e.stdout, `${me}:${process.getgid!()}`, 'owned by the container\'s user as the container sees it');
  const dir = path.join(host, 'keep-tar');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.txt'), '');
  const tarFile = path.join(host, 'keep.tar');
  await execa('tar', ['--owner=1042', '--group=1043', '-cf', tarFile, '-C', dir, 'a.txt']);
  const r = await piped(['cp', '-a=false', '-', 'keep:/tmp/'], { input: tarFile });
  t.equal(r.exitCode, 0, r.stderr);
  e = await ok(t, ['exec', 'keep', 'stat', '-c', '%u:%g', '/tmp/a.txt']);
  t.equal(e.stdout, '1042:1043', 'the tar\'s owners, as the container sees them');
  await ok(t, ['exec', 'keep', 'sh', '-c', 'echo mine > /tmp/mine']);
  const tarOut = path.join(host, 'keep-out.tar');
  const o = await piped(['cp', 'keep:/tmp/mine', '-'], { output: tarOut });
  t.equal(o.exitCode, 0, o.stderr);
  const l = await execa('tar', ['--numeric-owner', '-tvf', tarOut]);
  t.match(l.stdout, new RegExp(`^-\\S+ ${me}/${process.getgid!()} `), 'a tar from the container has its ids as the container knows them');
  await ok(t, ['stop', '-t', '0', 'keep']);
  await ok(t, ['cp', file, 'keep:/tmp/while-stopped']);
  await ok(t, ['start', 'keep']);
  e = await ok(t, ['exec', 'keep', 'stat', '-c', '%u:%g', '/tmp/while-stopped']);
  t.equal(e.stdout, `${me}:${process.getgid!()}`, 'the same for a stopped container');
  await ok(t, ['rm', '-f', '-t', '0', 'keep']);
});
