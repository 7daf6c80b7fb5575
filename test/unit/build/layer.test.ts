// An upper directory stored as a layer must be exactly what unpacking its own
// tar gives: whiteout devices and opaque xattrs become OCI marker files.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { convertUpperDir, storeDirAsLayer } from '../../../src/build/layer.js';
import { findOpaqueDirs, packLayer } from '../../../src/storage/pack.js';
import { unpackLayer } from '../../../src/storage/unpack.js';
import { ImageStore } from '../../../src/image/store.js';

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = fs.lstatSync(path.join(root, r));
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l>${fs.readlinkSync(path.join(root, r))}` : st.isFile() ? `f:${fs.readFileSync(path.join(root, r), 'utf8')}` : 'other';
      out.push(`${r} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

t.test('converted upper dir == unpacked tar of it', async (t) => {
  if (process.getuid?.() !== 0) { t.fail('this test needs root (mknod of whiteout devices)'); return; }
  let hasSetfattr = true;
  try { execFileSync('setfattr', ['--version'], { stdio: 'ignore' }); } catch { hasSetfattr = false; }
  if (!hasSetfattr) { t.fail('setfattr (package attr) is needed for this test'); return; }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-layer-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const upper = path.join(base, 'upper');
  fs.mkdirSync(path.join(upper, 'etc/sub'), { recursive: true });
  fs.mkdirSync(path.join(upper, 'opq'));
  fs.writeFileSync(path.join(upper, 'etc/new'), 'n');
  fs.chownSync(path.join(upper, 'etc/new'), 1000, 1001);
  fs.symlinkSync('new', path.join(upper, 'etc/link'));
  execFileSync('mknod', [path.join(upper, 'etc/deleted'), 'c', '0', '0']);
  execFileSync('mknod', [path.join(upper, 'etc/sub/gone'), 'c', '0', '0']);
  execFileSync('setfattr', ['-n', 'user.fuseoverlayfs.opaque', '-v', 'y', path.join(upper, 'opq')]);
  fs.writeFileSync(path.join(upper, 'opq/kept'), 'k');

  // the reference: unpack the tar pack.ts makes of the directory
  const ref = path.join(base, 'ref');
  fs.mkdirSync(ref);
  await unpackLayer(packLayer(upper), ref, { compression: 'none' });
  const opaque = await findOpaqueDirs(upper);
  t.same([...opaque], ['opq']);
  convertUpperDir(upper, opaque);
  t.same(tree(upper), tree(ref), 'same names, types, contents, modes and owners');
  t.ok(tree(upper).includes('etc/.wh.deleted f: 600 0:0'));
  t.ok(tree(upper).includes('opq/.wh..wh..opq f: 600 0:0'));

  // and stored: the layer dir is that tree, its blob is in the store
  const store = new ImageStore(path.join(base, 'store'));
  const work = store.makeTemp('test');
  const layer = await storeDirAsLayer(store, upper, work);
  t.notOk(fs.existsSync(upper), 'the directory is consumed');
  t.ok(store.layerPresent(layer.id));
  t.ok(store.hasBlob(layer.compressedDigest));
  t.same(tree(store.layerDiff(layer.id)), tree(ref));
  const again = path.join(base, 'again');
  fs.mkdirSync(again);
  const r = await unpackLayer(fs.createReadStream(store.blobPath(layer.compressedDigest)), again);
  t.equal(r.diffID, layer.id, 'the blob\'s diffID is the layer ID');
  t.same(tree(again), tree(ref));
});
