// --squash (and --layers=false): merge a build's new layers into one. The
// layers' unpacked directories are applied in order to an empty directory:
// later files replace earlier ones, an OCI whiteout (.wh.NAME) removes what
// earlier new layers added and is kept (it may hide a base-image file), an
// opaque marker (.wh..wh..opq) empties the directory and is kept too.
import * as fs from 'node:fs';
import * as path from 'node:path';

const WH = '.wh.';
const OPQ = '.wh..wh..opq';

function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

function copyMeta(src: string, st: fs.Stats, dst: string): void {
  fs.lchownSync(dst, st.uid, st.gid);
  if (!st.isSymbolicLink()) fs.chmodSync(dst, st.mode & 0o7777);
  try { fs.lutimesSync(dst, st.atime, st.mtime); } catch { /* ignore */ }
  void src;
}

function apply(srcDir: string, dstDir: string): void {
  const names = fs.readdirSync(srcDir);
  if (names.includes(OPQ)) {
    for (const n of fs.readdirSync(dstDir)) rmrf(path.join(dstDir, n));
  }
  for (const name of names.sort()) {
    const src = path.join(srcDir, name);
    const dst = path.join(dstDir, name);
    const st = fs.lstatSync(src);
    if (name === OPQ) { fs.writeFileSync(dst, ''); copyMeta(src, st, dst); continue; }
    if (name.startsWith(WH)) {
      rmrf(path.join(dstDir, name.slice(WH.length)));
      fs.writeFileSync(dst, '');
      copyMeta(src, st, dst);
      continue;
    }
    // a new entry replaces an earlier whiteout of the same name; a directory
    // that replaces a whiteout must not show the base image's old content: opaque
    const wh = path.join(dstDir, `${WH}${name}`);
    const hadWhiteout = fs.existsSync(wh);
    if (hadWhiteout) fs.unlinkSync(wh);
    const cur = fs.lstatSync(dst, { throwIfNoEntry: false });
    if (st.isDirectory()) {
      if (cur && !cur.isDirectory()) rmrf(dst);
      if (!cur || !cur.isDirectory()) fs.mkdirSync(dst);
      if (hadWhiteout) fs.writeFileSync(path.join(dst, OPQ), '');
      apply(src, dst);
      copyMeta(src, st, dst);
      continue;
    }
    if (cur) rmrf(dst);
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else if (st.isFile()) fs.copyFileSync(src, dst);
    else continue;
    copyMeta(src, st, dst);
  }
}

/** Merge layer directories (bottom to top) into outDir (empty, existing). */
export function squashLayerDirs(layerDirs: string[], outDir: string): void {
  for (const d of layerDirs) apply(d, outDir);
}
