// End-to-end: --userns=keep-id as the unprivileged user. The container runs as
// the user's own uid/gid in a user namespace of its own: files the user owns on
// a bind mount are theirs inside, files the container writes there are the
// user's on the host, and the image's root-owned files stay root's (through
// fuse-overlayfs's id mapping).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { httpEventually } from '../fixtures/http.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

const UID = process.getuid!();
const GID = process.getgid!();
let reg: RegistryFixture;
let env: TspodEnv;
let IMAGE = '';

t.before(async () => {
  reg = await startRegistry();
  const extra = await buildFileLayer({ 'srv/owned-by-1000': { content: 'x', uid: 1000, gid: 1000 } });
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [await buildBusyboxLayer(), extra], config: { Cmd: ['/bin/sh'] } }));
  IMAGE = `${reg.host}/e2e/bb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const p = await env.tspod(['pull', '-q', IMAGE]);
  if (p.exitCode !== 0) throw new Error(p.stderr);
});
t.teardown(async () => { await reg?.stop(); });

async function out(args: string[]): Promise<string> {
  const r = await env.tspod(args);
  if (r.exitCode !== 0) throw new Error(`tspod ${args.join(' ')} (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

t.test('the user is themselves inside; bind-mounted files keep their owner both ways', async (t) => {
  const dir = path.join(env.dir, 'shared');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'mine.txt'), 'mine\n');
  const o = await out(['run', '--rm', '--userns=keep-id', '-v', `${dir}:/data`, IMAGE, 'sh', '-c',
    'echo "id=$(id -u):$(id -g)"; echo "home=$HOME"; stat -c "mine=%u:%g" /data/mine.txt; stat -c "busybox=%u:%g" /bin/busybox; stat -c "srv=%u:%g" /srv/owned-by-1000; echo hi > /data/from-container; grep "^[^:]*:\\*:$(id -u):" /etc/passwd']);
  t.match(o, new RegExp(`^id=${UID}:${GID}$`, 'm'), 'the process runs as the host uid:gid');
  t.match(o, new RegExp(`^mine=${UID}:${GID}$`, 'm'), 'the user\'s file on the bind mount is theirs inside');
  t.match(o, /^busybox=0:0$/m, 'the image\'s root-owned files are still root\'s');
  t.match(o, /^srv=1000:1000$/m, 'and an image file of uid 1000 stays 1000');
  t.match(o, /^home=\/$/m, 'HOME is the working directory when no mount provides the user\'s home path (as Podman)');
  t.match(o, new RegExp(`:\\*:${UID}:${GID}:`), 'the user has a passwd entry');
  const st = fs.statSync(path.join(dir, 'from-container'));
  t.same([st.uid, st.gid], [UID, GID], 'what the container wrote belongs to the user on the host');
});

t.test('keep-id: HOME is the user\'s home path when a mount provides it (or a parent), else the working directory', async (t) => {
  const home = process.env['HOME']!;
  const dir = path.join(env.dir, 'home-vol');
  fs.mkdirSync(dir);
  const show = ['sh', '-c', 'echo "$(pwd) $HOME $(echo ~)"'];
  t.equal(await out(['run', '--rm', '--userns=keep-id', '-w', '/tmp', IMAGE, ...show]), '/tmp /tmp /tmp', 'no mount: the working directory');
  t.equal(await out(['run', '--rm', '--userns=keep-id', '-w', '/tmp', '-v', `${dir}:${home}x`, IMAGE, ...show]), '/tmp /tmp /tmp', 'a mount next to it does not count');
  t.equal(await out(['run', '--rm', '--userns=keep-id', '-w', '/tmp', '-v', `${dir}:${home}`, IMAGE, ...show]), `/tmp ${home} ${home}`, 'a mount on it');
  t.equal(await out(['run', '--rm', '--userns=keep-id', '-w', '/tmp', '-v', `${dir}:${path.dirname(home)}`, IMAGE, ...show]), `/tmp ${home} ${home}`, 'a mount on a parent');
});

t.test('keep-id:uid=,gid=; --user still wins; root inside is not the user outside', async (t) => {
  t.match(await out(['run', '--rm', '--userns=keep-id:uid=1000,gid=1000', IMAGE, 'sh', '-c', 'echo "$(id -u):$(id -g) $(stat -c %u:%g /srv/owned-by-1000)"']), /^1000:1000 1000:1000$/m,
    'the user appears as 1000 (and the image\'s uid 1000 stays 1000 too: the same id)');
  const dir = path.join(env.dir, 'rootwrites');
  fs.mkdirSync(dir);
  const o = await out(['run', '--rm', '--userns=keep-id', '--user', '0', '-v', `${dir}:/data`, IMAGE, 'sh', '-c', 'id -u; touch /data/by-root; echo rc=$?']);
  t.match(o, /^0$/m, '--user 0 runs as the container\'s root');
  t.match(o, /rc=0/, 'root of the container may write the user\'s directory (its owner is mapped in)');
  const st = fs.statSync(path.join(dir, 'by-root'));
  t.not(st.uid, UID, 'but what root writes is not the user\'s on the host: root inside is a subordinate id outside');
  t.ok(st.uid >= 65536 || st.uid === 65534, `owned by a subordinate (or the overflow) id: ${st.uid}`);
});

t.test('a detached keep-id container: published port, exec as the user', async (t) => {
  const port = await freePort();
  await out(['run', '-d', '--name', 'kid', '--userns=keep-id', '-p', `${port}:8080`, IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/etc']);
  t.teardown(() => env.tspod(['rm', '-f', '-t', '0', 'kid']).then(() => undefined));
  const body = await httpEventually(port, '/passwd');
  t.match(body, new RegExp(`:${UID}:${GID}:`), 'the service (running as the user) serves through the published port');
  t.equal((await out(['exec', 'kid', 'id', '-u'])).trim(), String(UID), 'exec runs as the container\'s user');
  t.equal((await out(['exec', '-u', '0', 'kid', 'id', '-u'])).trim(), '0');
  t.equal((await out(['inspect', '--format', '{{.Config.User}}', 'kid'])).trim(), `${UID}:${GID}`);
});

t.test('bad --userns values: one line, exit 125, nothing created', async (t) => {
  for (const [v, re] of [['keep-id:uid=abc', /invalid --userns option "uid=abc"/], ['keep-id:size=3', /invalid --userns option "size=3"/], ['auto', /unsupported --userns "auto"/], ['keep-id:uid=999999', /id 999999 must be between 1 and/]] as const) {
    const r = await env.tspod(['run', '--rm', `--userns=${v}`, IMAGE, 'true']);
    t.equal(r.exitCode, 125, v);
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  t.equal((await out(['ps', '-a', '-q'])).trim(), '', 'no container left behind');
});
