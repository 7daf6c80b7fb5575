// Ownership and overlay whiteouts need a real rootless user namespace: these tests
// run the unpacker/packer as the unprivileged user tspodtest inside
// `unshare --map-root-user --map-users=<subuid>,1,65536 ...` and check the result on the host.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { buildTar } from '../../fixtures/image-builder.js';
import { AS_ROOT, TEST_USER, asTestUser, chownToTestUser, subIdRange } from '../../fixtures/test-user.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const USER = TEST_USER;
const SUB_START = subIdRange('/etc/subuid')?.[0] ?? -1;

function prerequisites(): string | undefined {
  const id = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  if (id.status !== 0) return `user ${USER} does not exist`;
  const su = subIdRange('/etc/subuid'), sg = subIdRange('/etc/subgid');
  if (!su || su[1] < 65536 || !sg || sg[0] !== su[0] || sg[1] < 65536) return `${USER} needs the same range of at least 65536 ids in /etc/subuid and /etc/subgid`;
  for (const bin of ['unshare', ...(AS_ROOT ? ['su'] : []), 'newuidmap', 'fuse-overlayfs', 'getfattr']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} not found`;
  }
  return undefined;
}

const hostUid = (): number => Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());

const CHILD = `
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { unpackLayer } from '${REPO}/src/storage/unpack.js';
import { packLayer } from '${REPO}/src/storage/pack.js';
const [op, a, b, c] = process.argv.slice(2);
try {
  if (op === 'unpack') {
    console.log(JSON.stringify(await unpackLayer(fs.createReadStream(a), b)));
  } else {
    await pipeline(packLayer(a, { rootfsMode: c === 'rootfs' }), fs.createWriteStream(b));
    console.log('{}');
  }
} catch (err) {
  console.log(JSON.stringify({ error: err.message, code: err.code }));
}
`;

/** A base directory owned by tspodtest, with the child script in it. */
function setup(t: Test): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-userns-'));
  t.teardown(() => {
    spawnSync('sh', ['-c', `fusermount3 -u ${base}/merged 2>/dev/null; fusermount3 -u ${base}/merged2 2>/dev/null; true`]);
    // files owned by subordinate ids (0700 dirs among them) go from inside the namespace
    inUserns(`rm -rf ${base}`);
    fs.rmSync(base, { recursive: true, force: true });
  });
  fs.writeFileSync(path.join(base, 'child.mts'), CHILD);
  chownToTestUser(base);
  return base;
}

/** Run a shell script as tspodtest inside the rootless user namespace. */
function inUserns(script: string): { status: number | null; stdout: string; stderr: string } {
  const node = `${process.execPath} --no-warnings --import @tapjs/typescript/import`;
  const inner = `set -e\nexport TS_NODE_TRANSPILE_ONLY=1\nNODE="${node}"\n${script}`;
  const cmd = `cd ${REPO} && exec unshare --map-root-user --map-users=${SUB_START},1,65536 --map-groups=${SUB_START},1,65536 --mount --fork sh -c '${inner.replace(/'/g, `'\\''`)}'`;
  const [file, args] = asTestUser(cmd);
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function tarEntries(file: string): Promise<Array<{ name: string; type: string; uid: number; gid: number; mode: number; size: number; linkname?: string | null }>> {
  const out: Array<{ name: string; type: string; uid: number; gid: number; mode: number; size: number; linkname?: string | null }> = [];
  const ex = tar.extract();
  ex.on('entry', (h, s, next) => { out.push({ name: h.name, type: h.type, uid: h.uid, gid: h.gid, mode: h.mode & 0o7777, size: h.size, linkname: h.linkname }); s.on('end', () => next()); s.resume(); });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', () => resolve());
    ex.on('error', reject);
    Readable.from([fs.readFileSync(file)]).pipe(ex as unknown as NodeJS.WritableStream);
  });
  return out;
}

const missing = prerequisites();

t.test('ownership is preserved inside the user namespace and maps to subuids on the host', async (t) => {
  if (missing) { t.fail(`cannot run: ${missing}`); return; }
  const base = setup(t);
  const layer = await buildTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'home/', type: 'directory' },
    { name: 'home/tester/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
    { name: 'home/tester/file', content: 'x', uid: 1000, gid: 1000, mode: 0o640 },
    { name: 'home/tester/link', type: 'symlink', linkname: 'file', uid: 1000, gid: 1000 },
    { name: 'usr/bin/sudo', content: 'suid', uid: 0, gid: 0, mode: 0o4755 },
    { name: 'usr/bin/mine', content: 'suid', uid: 1000, gid: 50, mode: 0o6750 },
    { name: 'nobody', content: 'n', uid: 65534, gid: 65534 },
  ]);
  fs.writeFileSync(path.join(base, 'layer.tar'), layer);
  const bad = await buildTar([{ name: 'unmapped', content: 'x', uid: 70000, gid: 0 }]);
  fs.writeFileSync(path.join(base, 'bad.tar'), bad);
  chownToTestUser(base);
  const r = inUserns(`
mkdir ${base}/dest ${base}/dest-bad
$NODE ${base}/child.mts unpack ${base}/layer.tar ${base}/dest
$NODE ${base}/child.mts unpack ${base}/bad.tar ${base}/dest-bad
$NODE ${base}/child.mts pack ${base}/dest ${base}/repacked.tar
stat -c %a ${base}/dest/home/tester
chmod 0755 ${base}/dest/home/tester
`);
  t.equal(r.status, 0, `userns script ran: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  // the 0700 directory's mode as unpacked; it is then opened up so the host can look inside
  t.equal(lines.length, 4, r.stdout);
  const ok = JSON.parse(lines[0] ?? '{}') as { diffID?: string; error?: string };
  t.notOk(ok.error, 'unpack succeeded inside the namespace');
  t.match(ok.diffID, /^sha256:[0-9a-f]{64}$/);
  const me = hostUid();
  const st = (p: string): fs.Stats => fs.lstatSync(path.join(base, 'dest', p));
  t.same([st('etc/passwd').uid, st('etc/passwd').gid], [me, me], 'uid 0 in the layer -> the invoking user on the host');
  t.same([st('home/tester').uid, st('home/tester').gid], [SUB_START + 999, SUB_START + 999], 'container uid 1000 -> first subuid + 999');
  t.same([st('home/tester/file').uid, st('home/tester/link').uid], [SUB_START + 999, SUB_START + 999], 'file and symlink');
  t.equal(lines[3], '700', 'directory mode 0700 as in the layer');
  t.equal(st('usr/bin/sudo').mode & 0o7777, 0o4755, 'setuid root file keeps setuid');
  t.same([st('usr/bin/mine').uid, st('usr/bin/mine').gid, st('usr/bin/mine').mode & 0o7777], [SUB_START + 999, SUB_START + 49, 0o6750], 'setuid+setgid after chown');
  t.same([st('nobody').uid, st('nobody').gid], [SUB_START + 65533, SUB_START + 65533]);
  t.same([st('usr').uid, st('usr/bin').uid, st('usr').mode & 0o7777], [me, me, 0o755], 'implicit parents: root-owned 0755');
  const badRes = JSON.parse(lines[1] ?? '{}') as { error?: string; code?: string };
  t.equal(badRes.code, 'EOWNER', 'an unmapped uid is a clear error');
  t.match(badRes.error, /cannot set owner 70000:0 of layer entry "unmapped".*subuid/);

  // packing inside the namespace gives back the container's ids
  const entries = await tarEntries(path.join(base, 'repacked.tar'));
  const by = new Map(entries.map((e) => [e.name, e]));
  t.same([by.get('etc/passwd')?.uid, by.get('home/tester/')?.uid, by.get('home/tester/file')?.gid], [0, 1000, 1000], 'pack reads in-namespace ids');
  t.equal(by.get('usr/bin/mine')?.mode, 0o6750);
  t.equal(by.get('nobody')?.uid, 65534);
});

t.test('fuse-overlayfs upper dir: whiteouts and opaque dirs become OCI markers, and fuse-overlayfs honours them after a round trip', async (t) => {
  if (missing) { t.fail(`cannot run: ${missing}`); return; }
  const base = setup(t);
  const r = inUserns(`
B=${base}
mkdir -p $B/lower/dir/sub $B/lower/keep $B/upper $B/work $B/merged $B/layer2 $B/work2 $B/merged2 $B/upper2
echo a > $B/lower/file; echo b > $B/lower/dir/old; echo c > $B/lower/dir/sub/older; echo k > $B/lower/keep/k
fuse-overlayfs -o lowerdir=$B/lower,upperdir=$B/upper,workdir=$B/work $B/merged
rm $B/merged/file
rm -rf $B/merged/dir
mkdir $B/merged/dir
echo new > $B/merged/dir/new
echo k2 > $B/merged/keep/k2
chown 1000:1000 $B/merged/keep/k2
umount $B/merged
echo "UPPER:"; ls -la $B/upper | sed 1d
getfattr -h -d -m - $B/upper/dir 2>/dev/null || true
$NODE $B/child.mts pack $B/upper $B/upper.tar
$NODE $B/child.mts pack $B/upper $B/upper-rootfs.tar rootfs
$NODE $B/child.mts unpack $B/upper.tar $B/layer2
fuse-overlayfs -o lowerdir=$B/layer2:$B/lower,upperdir=$B/upper2,workdir=$B/work2 $B/merged2
echo "MERGED:"; (cd $B/merged2 && find . | sort)
umount $B/merged2
`);
  t.equal(r.status, 0, `userns script ran: ${r.stderr}`);
  t.match(r.stdout, /c---------.* file\n/, 'fuse-overlayfs wrote a char device whiteout in the upper dir');
  const entries = await tarEntries(path.join(base, 'upper.tar'));
  const names = entries.map((e) => e.name);
  t.ok(names.includes('.wh.file'), 'char device 0:0 -> .wh.file');
  const wh = entries.find((e) => e.name === '.wh.file');
  t.same([wh?.type, wh?.size], ['file', 0], '.wh.file is an empty regular file');
  t.ok(names.includes('dir/.wh..wh..opq'), `opaque dir -> dir/.wh..wh..opq (upper: ${r.stdout.split('MERGED:')[0]})`);
  t.ok(names.indexOf('dir/') < names.indexOf('dir/.wh..wh..opq') && names.indexOf('dir/.wh..wh..opq') < names.indexOf('dir/new'), 'marker right after its directory');
  t.notOk(names.includes('file'), 'no device entry in layer mode');
  t.equal(new Set(names).size, names.length, 'no name is emitted twice');
  t.equal(entries.find((e) => e.name === 'keep/k2')?.uid, 1000, 'in-namespace uid');

  const rootfs = await tarEntries(path.join(base, 'upper-rootfs.tar'));
  t.notOk(rootfs.some((e) => e.name === '.wh.file'), 'rootfsMode: no whiteout conversion');
  t.equal(rootfs.find((e) => e.name === 'file')?.type, 'character-device', 'rootfsMode keeps the device as is');

  const merged = r.stdout.split('MERGED:')[1]?.trim().split('\n') ?? [];
  t.same(merged, ['.', './dir', './dir/new', './keep', './keep/k', './keep/k2'],
    'after pack -> unpack, fuse-overlayfs hides the deleted file and the opaque dir\'s old content');
});
