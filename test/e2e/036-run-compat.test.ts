// `run` behaviours Podman users' scripts rely on (Podman's own 030-run system
// tests check them): -a/--attach, inspect -l and rm -l, --preserve-fds, a --workdir a mount
// provides, /etc/mtab, /run/.containerenv, image data and LogConfig.Size in inspect, archive
// transports, the root directory's mode.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';
let REG = { url: '', host: '' };

t.before(async () => {
  let reg;
  ({ env, image: IMAGE, reg } = await busyboxRegistryEnv(t, 'runcompat/bb'));
  REG = { url: reg.url, host: reg.host };
  await env.tspod(['pull', '-q', IMAGE]);
});

t.test('run -a/--attach attaches only the named streams', async (t) => {
  const sh = ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3'];
  let r = await env.tspod(['run', '--rm', '-a', 'stderr', IMAGE, ...sh]);
  t.equal(r.exitCode, 3, 'the exit code is still the container\'s');
  t.equal(r.stdout, '', 'stdout not attached');
  t.equal(r.stderr, 'to-err', 'stderr attached');
  r = await env.tspod(['run', '--rm', '--attach', 'stdout', IMAGE, ...sh]);
  t.equal(r.stdout, 'to-out');
  t.equal(r.stderr, '');
  r = await env.tspod(['run', '--rm', '-a', 'stdout,stderr', IMAGE, ...sh]);
  t.equal(r.stdout, 'to-out');
  t.equal(r.stderr, 'to-err');

  // neither output attached: the container ID is printed, and the run still waits for the exit
  r = await env.tspod(['run', '--name', 'att-in', '--attach', 'stdin', IMAGE, 'sh', '-c', 'echo hello; sleep 1']);
  t.equal(r.exitCode, 0, r.stderr);
  const id = await env.tspod(['inspect', '--format', '{{.Id}}', 'att-in']);
  t.equal(r.stdout, id.stdout, 'the ID, and no output');
  const st = await env.tspod(['inspect', '--format', '{{.State.Status}}', 'att-in']);
  t.equal(st.stdout, 'exited', 'run returned once the container exited');

  // inspect -l: the container created last
  r = await env.tspod(['inspect', '-l', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'att-in');
  r = await env.tspod(['container', 'inspect', '--latest', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'att-in');
  r = await env.tspod(['inspect', '-l', 'att-in']);
  t.equal(r.exitCode, 125, '--latest with a name is refused');
  r = await env.tspod(['rm', '-l']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['ps', '-a', '--format', '{{.Names}}'])).stdout, '', 'rm -l removed it');

  const before = await env.tspod(['ps', '-aq']);
  r = await env.tspod(['run', '--rm', '-a', 'stdout', '-a', 'bogus', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: invalid stream "bogus" for --attach - must be one of stdin, stdout, or stderr: invalid argument');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before.stdout, 'nothing created');
});

t.test('--workdir: a directory a mount below it provides is created; /etc/mtab links to /proc/mounts', async (t) => {
  const file = path.join(env.dir, 'content');
  fs.writeFileSync(file, 'from the host\n');
  let r = await env.tspod(['run', '--rm', '--workdir', '/not/in/image', '-v', `${file}:/not/in/image/sub/foo`, IMAGE, 'cat', 'sub/foo']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'from the host');
  r = await env.tspod(['run', '--rm', '--workdir', '/not/in/image', '-v', `${file}:/elsewhere/foo`, IMAGE, 'pwd']);
  t.equal(r.exitCode, 126, 'a workdir no mount provides must exist');
  t.match(r.stderr, /^Error: workdir "\/not\/in\/image" does not exist on container [0-9a-f]{64}$/);

  r = await env.tspod(['run', '--rm', IMAGE, 'sh', '-c', 'readlink /etc/mtab; wc -l < /etc/mtab']);
  t.equal(r.exitCode, 0, r.stderr);
  const [link, n] = r.stdout.split('\n');
  t.equal(link, '/proc/mounts', 'the image has no /etc/mtab: a link to /proc/mounts');
  t.ok(Number(n) > 3, 'which lists the mounts');
  r = await env.tspod(['create', '--name', 'mtab', IMAGE, 'true']);
  await env.tspod(['start', '-a', 'mtab']);
  r = await env.tspod(['diff', 'mtab']);
  t.notMatch(r.stdout, /mtab/, 'not a change of the container');
  await env.tspod(['rm', 'mtab']);
});

t.test('/run/.containerenv is empty, but in a --privileged container', async (t) => {
  let r = await env.tspod(['run', '--rm', IMAGE, 'stat', '-c', '%s', '/run/.containerenv']);
  t.equal(r.stdout, '0', 'exists, empty');
  const iid = (await env.tspod(['inspect', '--format', '{{.Id}}', IMAGE])).stdout;
  r = await env.tspod(['run', '--rm', '--privileged', '--name', 'cenv', IMAGE, 'sh', '-c', '. /run/.containerenv; echo "$engine|$name|$image|$id|$imageid|$rootless"']);
  t.equal(r.exitCode, 0, r.stderr);
  const [engine, name, image, id, imageid, rootless] = r.stdout.split('|');
  t.match(engine, /^tspod-/);
  t.same([name, image, imageid, rootless], ['cenv', IMAGE, iid, '1']);
  t.match(id, /^[0-9a-f]{64}$/);
});

t.test('inspect: .ImageName as given, .ImageDigest, LogConfig.Size', async (t) => {
  const tag = 'localhost/runcompat/other';
  let r = await env.tspod(['tag', IMAGE, tag]);
  t.equal(r.exitCode, 0, r.stderr);
  const digest = (await env.tspod(['image', 'inspect', '--format', '{{.Digest}}', IMAGE])).stdout;
  t.match(digest, /^sha256:[0-9a-f]{64}$/);
  r = await env.tspod(['create', '--name', 'by-tag', tag, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['create', '--name', 'by-name', IMAGE, 'true']);
  r = await env.tspod(['inspect', '--format', '{{.ImageName}}|{{.ImageDigest}}', 'by-tag', 'by-name']);
  t.equal(r.stdout, `${tag}:latest|${digest}\n${IMAGE}|${digest}`, 'each the name it was created from');
  r = await env.tspod(['ps', '-a', '--sort', 'names', '--format', '{{.Names}} {{.Image}}']);
  t.equal(r.stdout, `by-name ${IMAGE}\nby-tag ${tag}:latest`);
  await env.tspod(['rm', 'by-tag', 'by-name']);
  await env.tspod(['untag', IMAGE, tag]);

  r = await env.tspod(['run', '-d', '--name', 'logsize', '--log-opt', 'max-size=7.073m', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', '--format', '{{.HostConfig.LogConfig.Size}}', 'logsize']);
  t.equal(r.stdout, '7.073MB', 'decimal units, as Podman');
  await env.tspod(['rm', '-f', 'logsize']);
  const before = (await env.tspod(['ps', '-aq'])).stdout;
  r = await env.tspod(['run', '--log-opt', 'max-size=lots', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: invalid log-opt max-size "lots": use a size like 10m or 1.5g');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before, 'refused before anything is created');
});

t.test('run --preserve-fds N passes fds 3..3+N-1 to the container', async (t) => {
  const a = path.join(env.dir, 'fd3'), b = path.join(env.dir, 'fd4');
  fs.writeFileSync(a, 'three\n');
  fs.writeFileSync(b, 'four\n');
  const open = (f: string) => { const fd = fs.openSync(f, 'r'); t.teardown(() => fs.closeSync(fd)); return fd; };
  const run = (args: string[], extra: number[]) => execa(...tspodCommand(args), { env: env.env, extendEnv: false, reject: false, stdio: ['pipe', 'pipe', 'pipe', ...extra] as never });
  for (const i of [false, true]) {
    // fresh opens each time: the container reads through the same file offsets
    const fd3 = open(a), fd4 = open(b);
    const r = await run(['run', '--rm', ...(i ? ['-i'] : []), '--preserve-fds=2', IMAGE, 'sh', '-c', 'cat <&3; cat <&4'], [fd3, fd4]);
    t.equal(r.exitCode, 0, String(r.stderr));
    t.equal(r.stdout, 'three\nfour', `both fds read in the container${i ? ' (-i)' : ''}`);
  }
  const before = (await env.tspod(['ps', '-aq'])).stdout;
  const r = await run(['run', '--rm', '--preserve-fds', '2', IMAGE, 'true'], [open(a)]);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: file descriptor 4 is not available - the preserve-fds option requires that file descriptors must be passed');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before, 'nothing created');
});

t.test('run/create/pull of docker-archive:, oci-archive:, docker:// references', async (t) => {
  let r = await env.tspod(['run', '--name', 'arch-src', '--entrypoint', '["/bin/echo","from-the-archive"]', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['commit', '-q', 'arch-src', 'archimg']);
  t.equal(r.exitCode, 0, r.stderr);
  const dar = path.join(env.dir, 'img-docker.tar'), oar = path.join(env.dir, 'img-oci.tar');
  t.equal((await env.tspod(['save', '-q', '-o', dar, 'archimg'])).exitCode, 0);
  t.equal((await env.tspod(['save', '-q', '--format', 'oci-archive', '-o', oar, 'archimg'])).exitCode, 0);
  await env.tspod(['rm', 'arch-src']);
  await env.tspod(['rmi', 'archimg']);

  r = await env.tspod(['run', '--rm', `docker-archive:${dar}`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'from-the-archive', 'the image loaded from the archive ran');
  const progress = r.stderr.split('\n');
  t.equal(progress[0], 'Getting image source signatures', 'progress as a pull prints it');
  t.match(r.stderr, /Copying blob .*\nCopying config [0-9a-f]{12} done\nWriting manifest to image destination/);
  r = await env.tspod(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=archimg']);
  t.equal(r.stdout, 'localhost/archimg:latest', 'under its name from the archive');
  await env.tspod(['rmi', 'archimg']);

  r = await env.tspod(['create', `oci-archive:${oar}`]);
  t.equal(r.exitCode, 0, r.stderr);
  const cid = r.stdout.split('\n').pop()!;
  r = await env.tspod(['start', '-a', cid]);
  t.equal(r.stdout, 'from-the-archive');
  await env.tspod(['rm', cid]);
  await env.tspod(['rmi', 'archimg']);

  r = await env.tspod(['run', '--rm', `docker-archive:${dar}:localhost/nosuch:latest`]);
  t.equal(r.exitCode, 125, 'a REF the archive does not hold');
  r = await env.tspod(['run', '--rm', `docker-archive:${path.join(env.dir, 'missing.tar')}`]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no such file or directory/);

  r = await env.tspod(['pull', '-q', `docker://${IMAGE}`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, (await env.tspod(['inspect', '--format', '{{.Id}}', IMAGE])).stdout, 'docker:// is the registry');
});

t.test("the container's / has the mode of the topmost layer that sets one, else 0555", async (t) => {
  const { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } = await import('../fixtures/image-builder.js');
  const base = await buildBusyboxLayer();
  const root750 = await buildFileLayer({ './': { type: 'dir', mode: 0o750 }, 'etc/marker': 'x' });
  const plain = await buildFileLayer({ 'etc/other': 'y' });
  await pushImage(REG.url, 'runcompat/root750', 'latest', buildImage({ layers: [base, root750, plain], config: { Cmd: ['/bin/sh'] } }));
  let r = await env.tspod(['run', '--rm', IMAGE, 'stat', '-c', '%a', '/']);
  t.equal(r.stdout, '555', 'no layer has an entry for the root: 0555, as containers/storage');
  r = await env.tspod(['run', '--rm', '--pull', 'always', '-q', `${REG.host}/runcompat/root750:latest`, 'stat', '-c', '%a', '/']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '750', "a layer's ./ entry sets it; a later layer without one keeps it");
  r = await env.tspod(['run', '--rm', '--user', '1000', IMAGE, 'sh', '-c', 'touch /x 2>/dev/null && echo wrote || echo refused']);
  t.equal(r.stdout, 'refused', 'and a non-root user cannot write there');
});

t.test('--log-driver json-file, passthrough, an unknown one', async (t) => {
  let r = await env.tspod(['run', '--name', 'jf', '--log-driver', 'json-file', IMAGE, 'echo', 'logged']);
  t.equal(r.stdout, 'logged');
  r = await env.tspod(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}', 'jf']);
  t.equal(r.stdout, 'json-file', 'kept as given');
  r = await env.tspod(['logs', 'jf']);
  t.equal(r.stdout, 'logged', 'and logged (as k8s-file)');
  await env.tspod(['rm', 'jf']);

  r = await env.tspod(['run', '--name', 'pt', '--log-driver=none', '--log-driver', 'passthrough', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 4']);
  t.equal(r.exitCode, 4);
  t.same([r.stdout, r.stderr], ['out', 'err'], 'the container wrote to our stdio itself (the last --log-driver wins)');
  r = await env.tspod(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}|{{.HostConfig.LogConfig.Path}}', 'pt']);
  t.equal(r.stdout, 'passthrough|');
  r = await env.tspod(['logs', 'pt']);
  t.equal(r.stderr, "Error: this container is using the 'passthrough' log driver, cannot read logs: this container is not logging output");
  await env.tspod(['rm', 'pt']);

  const before = (await env.tspod(['ps', '-aq'])).stdout;
  r = await env.tspod(['run', '--log-driver', 'InvalidDriver', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: running container create option: invalid log driver: invalid argument');
  r = await env.tspod(['run', '-t', '--log-driver', 'passthrough', IMAGE, 'true']);
  t.equal(r.exitCode, 125, 'passthrough and a terminal');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before, 'nothing created');
});
