// The container's root filesystem: a fuse-overlayfs mount of the image's
// layers plus the container's own upper directory. Runs inside tspod's user
// and mount namespace, where runc will see the mount.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, which } from '../util/exec.js';
import { PrerequisiteError, TspodError } from '../util/errors.js';
import type { ImageStore } from '../image/store.js';

export interface RootfsPaths { upper: string; work: string; merged: string }

export function rootfsPaths(ctrDir: string): RootfsPaths {
  return { upper: path.join(ctrDir, 'upper'), work: path.join(ctrDir, 'work'), merged: path.join(ctrDir, 'merged') };
}

export function isMounted(dir: string): boolean {
  let info = '';
  try { info = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return false; }
  const want = dir.replace(/ /g, '\\040');
  return info.split('\n').some((l) => l.split(' ')[4] === want);
}

/** fuse-overlayfs uidmapping=/gidmapping= values (--userns=keep-id: see keep-id.ts). */
export interface RootfsIdMapping { uid: string; gid: string }

export async function mountRootfs(store: ImageStore, layers: string[], ctrDir: string, idmap?: RootfsIdMapping): Promise<string> {
  const p = rootfsPaths(ctrDir);
  // the root directory's mode is the upper directory's: the topmost layer's that sets one, else
  // 0555 (as containers/storage's overlay makes a layer without an entry for its root)
  if (!fs.existsSync(p.upper)) {
    fs.mkdirSync(p.upper, { recursive: true, mode: 0o755 });
    const records = new Map(store.read().layers.map((l) => [l.id, l]));
    const set = layers.slice().reverse().map((l) => records.get(l)?.rootMode).find((m) => m !== undefined);
    fs.chmodSync(p.upper, (set ?? 0o555) & 0o7777);
  }
  for (const d of [p.work, p.merged]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  if (isMounted(p.merged)) return p.merged;
  const fo = which('fuse-overlayfs');
  if (!fo) throw new PrerequisiteError('fuse-overlayfs not found: install the fuse-overlayfs package');
  try { fs.accessSync('/dev/fuse', fs.constants.R_OK | fs.constants.W_OK); } catch {
    throw new PrerequisiteError('/dev/fuse is not accessible: run "chmod 0666 /dev/fuse" as root (fuse-overlayfs needs it)');
  }
  // lowerdir lists the top layer first; an image with no layers gets an empty one
  let lowers = layers.slice().reverse().map((l) => store.layerDiff(l));
  if (!lowers.length) {
    const empty = path.join(ctrDir, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    lowers = [empty];
  }
  const opts = `lowerdir=${lowers.join(':')},upperdir=${p.upper},workdir=${p.work}${idmap ? `,uidmapping=${idmap.uid},gidmapping=${idmap.gid}` : ''}`;
  const r = await run(fo, ['-o', opts, p.merged], { reject: false });
  if (r.exitCode !== 0) throw new TspodError(`mounting the container root filesystem with fuse-overlayfs failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`, 'EMOUNT');
  return p.merged;
}

export async function unmountRootfs(ctrDir: string): Promise<void> {
  const p = rootfsPaths(ctrDir);
  if (!isMounted(p.merged)) return;
  const r = await run('fusermount3', ['-u', p.merged], { reject: false });
  if (r.exitCode !== 0) await run('fusermount3', ['-u', '-z', p.merged], { reject: false });
}

/**
 * Walk `p` component by component the way the kernel would inside the
 * container: symlinks are followed (an absolute target starts again at the
 * container's root), `..` never climbs above it. `hostOf` says where a list of
 * components lives on the host (root/..., or inside a mount). With followFinal
 * false the last component is not dereferenced. Returns the components.
 */
export function walkContainerPath(p: string, hostOf: (comps: string[]) => string, followFinal = true): string[] {
  const parts = p.split('/').filter((x) => x && x !== '.');
  const out: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') { out.pop(); continue; }
    if (!followFinal && parts.length === 0) { out.push(part); break; }
    const candidate = hostOf([...out, part]);
    let st: fs.Stats | undefined;
    try { st = fs.lstatSync(candidate); } catch { st = undefined; }
    if (st?.isSymbolicLink()) {
      if (++hops > 40) throw new TspodError(`too many levels of symbolic links resolving ${p}`, 'ELOOP');
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) out.length = 0;
      parts.unshift(...target.split('/').filter((x) => x && x !== '.'));
      continue;
    }
    out.push(part);
  }
  return out;
}

/**
 * Resolve `p` inside `root` the way the kernel would inside the container,
 * following symlinks but never leaving root (a symlink to /etc resolves to
 * root/etc). Returns a host path under root.
 */
export function secureJoin(root: string, p: string): string {
  return path.join(root, ...walkContainerPath(p, (comps) => path.join(root, ...comps)));
}
