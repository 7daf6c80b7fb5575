// A build step's upper directory becomes a layer without being unpacked again:
// it is packed once (digests, blob), then converted in place to exactly what
// unpacking that tar would give (overlay whiteout devices -> `.wh.NAME` files,
// opaque-directory xattrs -> `.wh..wh..opq` files, sockets dropped: the same
// rules as storage/pack.ts) and moved into the layer store as the layer's diff.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findOpaqueDirs, packLayerToFile, OPAQUE_MARKER, WHITEOUT_PREFIX } from '../storage/pack.js';
import type { ImageStore } from '../image/store.js';
import { MT, type LayerRecord } from '../image/types.js';

function byteOrder(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/** Rewrite dir the way pack.ts reads it, so it equals the unpacked form of its own tar. */
export function convertUpperDir(root: string, opaque: Set<string>): void {
  const walk = (rel: string): void => {
    const abs = rel === '' ? root : path.join(root, rel);
    const dst = fs.lstatSync(abs);
    const names = fs.readdirSync(abs).sort(byteOrder);
    const present = new Set(names);
    let changed = false;
    if (rel !== '' && opaque.has(rel) && !present.has(OPAQUE_MARKER)) {
      const m = path.join(abs, OPAQUE_MARKER);
      fs.writeFileSync(m, '', { mode: 0o600 });
      fs.chownSync(m, dst.uid, dst.gid);
      fs.chmodSync(m, 0o600);
      fs.utimesSync(m, dst.mtime, dst.mtime);
      changed = true;
    }
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const p = path.join(abs, name);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) { walk(r); continue; }
      if (st.isCharacterDevice() && st.rdev === 0) {
        const wname = `${WHITEOUT_PREFIX}${name}`;
        fs.unlinkSync(p);
        changed = true;
        if (present.has(wname) || (wname === OPAQUE_MARKER && opaque.has(rel))) continue;
        const w = path.join(abs, wname);
        fs.writeFileSync(w, '', { mode: 0o600 });
        fs.chownSync(w, st.uid, st.gid);
        fs.chmodSync(w, 0o600);
        fs.utimesSync(w, st.mtime, st.mtime);
        present.add(wname);
        continue;
      }
      if (st.isSocket()) { fs.unlinkSync(p); changed = true; }
    }
    if (changed) fs.utimesSync(abs, dst.atime, dst.mtime);
  };
  walk('');
}

/**
 * Store dir (an overlay upper directory or a squashed tree) as a layer; dir is
 * consumed (moved into the store). workDir is private scratch space on the same
 * filesystem as the store.
 */
export async function storeDirAsLayer(store: ImageStore, dir: string, workDir: string): Promise<LayerRecord> {
  const slot = fs.mkdtempSync(path.join(workDir, 'layer-'));
  const blob = path.join(slot, 'blob.tar.gz');
  const opaque = await findOpaqueDirs(dir);
  const packed = await packLayerToFile(dir, blob, { gzipLevel: 1 });
  convertUpperDir(dir, opaque);
  const layerTmp = path.join(slot, 'layer');
  fs.mkdirSync(layerTmp, { mode: 0o755 });
  const diff = path.join(layerTmp, 'diff');
  fs.renameSync(dir, diff);
  // as unpacking creates it (the tar has no entry for the root)
  fs.chmodSync(diff, 0o755);
  store.commitBlobFile(blob, packed.digest);
  store.commitLayerDir(layerTmp, packed.diffID);
  fs.rmSync(slot, { recursive: true, force: true });
  return {
    id: packed.diffID, compressedDigest: packed.digest, compressedSize: packed.size, mediaType: MT.ociLayerGzip,
    size: packed.diffSize, created: new Date().toISOString(),
  };
}
