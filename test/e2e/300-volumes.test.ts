// End-to-end: named volumes as an unprivileged user. create/ls/inspect against
// what is on disk, data shared by containers in sequence, copy-up of image
// content, ownership on the host (container root -> the invoking user, other
// uids -> the subuid range), bind mounts ro/rw, rm refused while in use,
// prune, export/import.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';
const me = process.getuid!();
const myGid = process.getgid!();

function subStart(file: string): number {
  const user = userName();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [name, start] = line.split(':');
    if (name === user || name === String(me)) return Number(start);
  }
  throw new Error(`no ${file} entry for ${user}`);
}
function userName(): string {
  // no $USER under su -c: find our name in /etc/passwd
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(me));
  return line?.split(':')[0] ?? '';
}

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({
    layers: [await buildBusyboxLayer(), await buildFileLayer({ 'etc/motd': 'hello from the image\n', 'data/': { type: 'dir' }, 'data/seed.txt': 'seed\n' })],
    config: { Cmd: ['/bin/sh'] },
  });
  await pushImage(reg.url, 'e2e/vol', 'latest', img);
  IMG = `${reg.host}/e2e/vol:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', IMG]);
  if (r.exitCode !== 0) throw new Error(`pull failed: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

const volDir = () => path.join(env.dataDir, 'tspod', 'volumes');

t.test('create, ls, inspect, exists match what is on disk', async (t) => {
  let r = await env.tspod(['volume', 'create', '--label', 'app=web', '--label', 'tier=db', 'v1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), 'v1', 'create prints the name');
  r = await env.tspod(['volume', 'create']);
  t.equal(r.exitCode, 0, r.stderr);
  const anon = r.stdout.trim();
  t.match(anon, /^[0-9a-f]{64}$/, 'no name: a random one');

  r = await env.tspod(['volume', 'inspect', 'v1']);
  t.equal(r.exitCode, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  t.equal(info!['Name'], 'v1');
  t.equal(info!['Driver'], 'local');
  t.equal(info!['Scope'], 'local');
  t.equal(info!['Mountpoint'], path.join(volDir(), 'v1', '_data'));
  t.same(info!['Labels'], { app: 'web', tier: 'db' });
  t.same(info!['Options'], {});
  t.equal(info!['Anonymous'], false);
  t.ok(Date.parse(String(info!['CreatedAt'])) > Date.now() - 600_000, 'CreatedAt is a recent timestamp');
  const st = fs.statSync(String(info!['Mountpoint']));
  t.ok(st.isDirectory(), 'the mountpoint exists');
  t.equal(st.uid, me, 'owned by the invoking user');

  r = await env.tspod(['volume', 'inspect', '--format', '{{.Name}} {{.Mountpoint}} {{index .Labels "app"}}', 'v1']);
  t.equal(r.stdout.trim(), `v1 ${path.join(volDir(), 'v1', '_data')} web`);

  r = await env.tspod(['volume', 'ls']);
  t.match(r.stdout, /^DRIVER\s+VOLUME NAME\n/);
  t.match(r.stdout, /local\s+v1\n/);
  r = await env.tspod(['volume', 'ls', '-q']);
  t.same(r.stdout.trim().split('\n').sort(), [anon, 'v1'].sort());
  // what ls says is exactly what is on disk
  const onDisk = fs.readdirSync(volDir()).filter((n) => fs.statSync(path.join(volDir(), n)).isDirectory()).sort();
  t.same(onDisk, [anon, 'v1'].sort(), 'one directory per listed volume');
  r = await env.tspod(['volume', 'ls', '--format', 'json']);
  const js = JSON.parse(r.stdout) as Array<{ Name: string; Mountpoint: string }>;
  for (const v of js) t.ok(fs.statSync(v.Mountpoint).isDirectory(), `${v.Name}: its Mountpoint exists`);
  r = await env.tspod(['volume', 'ls', '--filter', 'label=app=web', '--format', '{{.Name}}']);
  t.equal(r.stdout.trim(), 'v1', 'label filter');
  r = await env.tspod(['volume', 'ls', '--filter', 'label=tier', '-q']);
  t.equal(r.stdout.trim(), 'v1', 'label key filter');
  r = await env.tspod(['volume', 'ls', '--filter', 'name=v1', '-q']);
  t.equal(r.stdout.trim(), 'v1', 'name filter');
  r = await env.tspod(['volume', 'ls', '--filter', 'dangling=true', '-q']);
  t.same(r.stdout.trim().split('\n').sort(), [anon, 'v1'].sort(), 'no container uses them');
  r = await env.tspod(['volume', 'ls', '--filter', 'driver=other', '-q']);
  t.equal(r.stdout.trim(), '');
  r = await env.tspod(['volume', 'ls', '--filter', 'bogus=1']);
  t.equal(r.exitCode, 125, 'unknown filter');

  r = await env.tspod(['volume', 'create', 'v1']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /volume with name v1 already exists/);
  r = await env.tspod(['volume', 'create', '--ignore', 'v1']);
  t.equal(r.exitCode, 0, '--ignore: an existing volume is fine');
  r = await env.tspod(['volume', 'create', 'bad/name']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /invalid volume name/);
  r = await env.tspod(['volume', 'create', '--opt', 'foo=bar', 'v2']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /invalid mount option foo/);

  t.equal((await env.tspod(['volume', 'exists', 'v1'])).exitCode, 0);
  t.equal((await env.tspod(['volume', 'exists', 'nope'])).exitCode, 1);
  r = await env.tspod(['volume', 'inspect', 'nope']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no volume with name "nope" found/);

  r = await env.tspod(['volume', 'rm', 'v1', anon]);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(fs.readdirSync(volDir()).filter((n) => !n.endsWith('.json')), [], 'rm removes the directories');
  r = await env.tspod(['volume', 'rm', 'v1']);
  t.equal(r.exitCode, 1, 'rm of a missing volume: exit 1 (as Podman)');
});

t.test('a named volume shared by two containers in sequence; ownership on the host', async (t) => {
  let r = await env.tspod(['run', '--rm', '-v', 'shared:/data', IMG, 'sh', '-c',
    'echo one > /data/f && mkdir /data/d && touch /data/d/x && chown -R 1000:1000 /data/d && chmod 0640 /data/d/x']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '-v', 'shared:/srv', IMG, 'sh', '-c', 'cat /srv/f; stat -c "%u:%g %a" /srv/d/x']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'one\n1000:1000 640', 'the second container sees the first one\'s data and ownership');
  const data = path.join(volDir(), 'shared', '_data');
  const f = fs.statSync(path.join(data, 'f'));
  t.equal(f.uid, me, 'written by container root: owned by the invoking user on the host');
  t.equal(f.gid, myGid);
  const subuid = subStart('/etc/subuid');
  const subgid = subStart('/etc/subgid');
  const d = fs.statSync(path.join(data, 'd'));
  t.equal(d.uid, subuid + 999, 'container uid 1000 maps into the subuid range');
  t.equal(d.gid, subgid + 999, 'container gid 1000 maps into the subgid range');
  r = await env.tspod(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'shared']);
  t.equal(r.stdout.trim(), data);
  r = await env.tspod(['volume', 'ls', '--filter', 'dangling=false', '-q']);
  t.equal(r.stdout.trim(), '', 'no container uses it any more (both were --rm)');
});

t.test('copy-up: a fresh named volume gets the image content at its path', async (t) => {
  let r = await env.tspod(['run', '--rm', '-v', 'etcvol:/etc', IMG, 'cat', '/etc/motd']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'hello from the image', 'the container sees the image\'s /etc through the volume');
  const data = path.join(volDir(), 'etcvol', '_data');
  t.equal(fs.readFileSync(path.join(data, 'motd'), 'utf8'), 'hello from the image\n', 'copied into the volume on the host');
  t.ok(fs.existsSync(path.join(data, 'passwd')));
  // a volume that is not empty is not copied into again
  r = await env.tspod(['run', '--rm', '-v', 'etcvol:/etc', IMG, 'sh', '-c', 'rm /etc/motd']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '-v', 'etcvol:/etc', IMG, 'ls', '/etc']);
  t.notMatch(r.stdout, /motd/, 'no second copy-up');
  // an explicitly created empty volume gets it too
  t.equal((await env.tspod(['volume', 'create', 'seedvol'])).exitCode, 0);
  r = await env.tspod(['run', '--rm', '-v', 'seedvol:/data', IMG, 'cat', '/data/seed.txt']);
  t.equal(r.stdout, 'seed');
  await env.tspod(['volume', 'rm', 'etcvol', 'seedvol']);
});

t.test('bind mounts read-only and read-write; bind and tmpfs volumes', async (t) => {
  const host = fs.mkdtempSync(path.join(env.dir, 'bind-'));
  fs.writeFileSync(path.join(host, 'in'), 'from host\n');
  let r = await env.tspod(['run', '--rm', '-v', `${host}:/mnt:ro`, IMG, 'sh', '-c', 'cat /mnt/in; touch /mnt/new']);
  t.not(r.exitCode, 0, 'writing to a :ro bind mount fails');
  t.match(r.stdout, /from host/);
  t.match(r.stderr, /Read-only file system/);
  t.notOk(fs.existsSync(path.join(host, 'new')));
  r = await env.tspod(['run', '--rm', '-v', `${host}:/mnt`, IMG, 'sh', '-c', 'echo back > /mnt/new']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(fs.readFileSync(path.join(host, 'new'), 'utf8'), 'back\n', 'rw bind mount: the host sees the write');
  t.equal(fs.statSync(path.join(host, 'new')).uid, me, 'owned by the invoking user');
  r = await env.tspod(['run', '--rm', '-v', `${path.join(host, 'missing')}:/mnt`, IMG, 'true']);
  t.equal(r.exitCode, 125, 'a missing bind source is an error');
  t.match(r.stderr, /does not exist/);

  // --opt type=bind,device=DIR: the volume is that directory
  r = await env.tspod(['volume', 'create', '--opt', 'type=bind', '--opt', `device=${host}`, 'bindvol']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['volume', 'inspect', '--format', '{{.Mountpoint}} {{.Options.type}}', 'bindvol']);
  t.equal(r.stdout.trim(), `${host} bind`);
  r = await env.tspod(['run', '--rm', '-v', 'bindvol:/etc', IMG, 'sh', '-c', 'ls /etc; echo via-volume > /etc/vv']);
  t.equal(r.exitCode, 0, r.stderr);
  t.notMatch(r.stdout, /passwd/, 'no copy-up into a bind volume');
  t.equal(fs.readFileSync(path.join(host, 'vv'), 'utf8'), 'via-volume\n');
  r = await env.tspod(['volume', 'rm', 'bindvol']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(fs.existsSync(path.join(host, 'vv')), 'removing a bind volume leaves the host directory alone');
  r = await env.tspod(['volume', 'create', '--opt', 'type=bind', '--opt', `device=${path.join(host, 'nope')}`, 'bad']);
  t.equal(r.exitCode, 125);

  r = await env.tspod(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=4m', 'tmpvol']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['volume', 'inspect', '--format', '{{.Options.type}} {{.Options.o}}', 'tmpvol']);
  t.equal(r.stdout.trim(), 'tmpfs size=4m');
  r = await env.tspod(['volume', 'ls', '--filter', 'opt=type=tmpfs', '-q']);
  t.equal(r.stdout.trim(), 'tmpvol');
  await env.tspod(['volume', 'rm', 'tmpvol']);
});

t.test('volume rm is refused while a container uses it; -f removes the container', async (t) => {
  let r = await env.tspod(['create', '--name', 'holder', '-v', 'busy:/data', IMG, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  const id = r.stdout.trim();
  r = await env.tspod(['volume', 'create', '--ignore', 'busy']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['volume', 'rm', 'busy']);
  t.equal(r.exitCode, 2, 'in use: exit 2 (as Podman)');
  t.match(r.stderr, new RegExp(`volume busy is being used by the following container\\(s\\): ${id}`));
  t.ok(fs.existsSync(path.join(volDir(), 'busy', '_data')), 'still there');
  r = await env.tspod(['volume', 'ls', '--filter', 'dangling=false', '-q']);
  t.equal(r.stdout.trim(), 'busy');
  r = await env.tspod(['volume', 'prune', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  t.notMatch(r.stdout, /busy/, 'prune keeps volumes in use');
  r = await env.tspod(['volume', 'rm', '-f', 'busy']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['container', 'exists', 'holder'])).exitCode, 1, 'the container using it was removed');
  t.equal((await env.tspod(['volume', 'exists', 'busy'])).exitCode, 1);
});

t.test('prune removes unused volumes only (with filters), after confirmation', async (t) => {
  for (const v of ['p1', 'p2']) t.equal((await env.tspod(['volume', 'create', v])).exitCode, 0);
  t.equal((await env.tspod(['volume', 'create', '--label', 'keep=no', 'p3'])).exitCode, 0);
  let r = await env.tspod(['create', '--name', 'user', '-v', 'p1:/data', IMG, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['volume', 'prune', '--filter', 'label=keep=no'], { input: 'n\n' });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /Are you sure you want to continue\? \[y\/N\]/);
  t.match(r.stderr, /p3/, 'the confirmation lists what would go');
  t.equal((await env.tspod(['volume', 'exists', 'p3'])).exitCode, 0, 'answering no keeps it');
  r = await env.tspod(['volume', 'prune', '--filter', 'label=keep=no'], { input: 'y\n' });
  t.equal(r.stdout.trim(), 'p3');
  r = await env.tspod(['volume', 'prune', '-f']);
  t.equal(r.stdout.trim(), 'p2');
  r = await env.tspod(['volume', 'ls', '-q']);
  t.equal(r.stdout.trim(), 'p1');
  await env.tspod(['rm', 'user']);
  await env.tspod(['volume', 'rm', 'p1']);
});

t.test('export and import round trip, file and stdin/stdout', async (t) => {
  let r = await env.tspod(['run', '--rm', '-v', 'src:/data', IMG, 'sh', '-c',
    'rm -f /data/seed.txt; echo payload > /data/p; mkdir -p /data/sub; echo deep > /data/sub/q; chmod 0604 /data/p; chown 1000:1000 /data/sub/q; ln -s p /data/lnk']);
  t.equal(r.exitCode, 0, r.stderr);
  const tarFile = path.join(env.dir, 'vol.tar');
  r = await env.tspod(['volume', 'export', '-o', tarFile, 'src']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(fs.statSync(tarFile).size > 1024);
  t.equal((await env.tspod(['volume', 'create', 'dst'])).exitCode, 0);
  r = await env.tspod(['volume', 'import', 'dst', tarFile]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '-v', 'dst:/x', IMG, 'sh', '-c', 'cat /x/p /x/sub/q; stat -c "%a %u:%g" /x/p /x/sub/q; readlink /x/lnk; ls /x']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'payload\ndeep\n604 0:0\n644 1000:1000\np\nlnk\np\nsub', 'content, modes, ownership and symlinks survive; no copy-up into an imported volume');

  // through stdout and stdin
  r = await env.tspod(['volume', 'export', 'src']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stdout.length > 1024 && r.stdout.includes('sub/q'), 'a tar on stdout');
  t.equal((await env.tspod(['volume', 'create', 'dst2'])).exitCode, 0);
  r = await env.tspod(['volume', 'import', 'dst2', '-'], { inputFile: tarFile });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(fs.readFileSync(path.join(volDir(), 'dst2', '_data', 'sub', 'q'), 'utf8'), 'deep\n');
  r = await env.tspod(['volume', 'import', 'nope', tarFile]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no volume with name "nope"/);
  r = await env.tspod(['volume', 'rm', 'src', 'dst', 'dst2']);
  t.equal(r.exitCode, 0, r.stderr);
});
