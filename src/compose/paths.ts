// Relative host paths of a Compose file are relative to its project directory (the first file's directory,
// or the directory of the file an `extends: file:` or `include` brings in). rebasePaths makes them absolute
// in a parsed tree, so trees from different directories can be merged without losing where paths point.
import * as os from 'node:os';
import * as path from 'node:path';
import { isHostPath, parseVolumeSpec } from './volumes.js';
import { isTree, type Tree } from './yaml.js';

/** Absolute path for `p` written in a file whose project directory is `dir` (~ is the home directory). */
export function resolveHostPath(p: string, dir: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(dir, p);
}

/** A build context is a directory, or a URL (git, http) that stays as written. */
export function isRemoteContext(ctx: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|ssh:\/\/|github\.com\/)/.test(ctx) || /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx);
}

/** Make the host paths of one service (raw tree) absolute against dir. */
export function rebaseService(svc: Tree, dir: string): Tree {
  const b = svc['build'];
  if (typeof b === 'string') svc['build'] = isRemoteContext(b) ? b : resolveHostPath(b, dir);
  else if (isTree(b)) {
    const ctx = typeof b['context'] === 'string' ? b['context'] : '.';
    b['context'] = isRemoteContext(ctx) ? ctx : resolveHostPath(ctx, dir);
    if (isTree(b['additional_contexts'])) {
      for (const [k, v] of Object.entries(b['additional_contexts'])) if (typeof v === 'string' && isHostPath(v)) b['additional_contexts'][k] = resolveHostPath(v, dir);
    }
  }
  for (const key of ['env_file', 'label_file']) {
    const ef = svc[key];
    const one = (e: unknown): unknown => (typeof e === 'string' ? resolveHostPath(e, dir) : isTree(e) && typeof e['path'] === 'string' ? { ...e, path: resolveHostPath(e['path'], dir) } : e);
    if (ef !== undefined && ef !== null) svc[key] = Array.isArray(ef) ? ef.map(one) : one(ef);
  }
  const vols = svc['volumes'];
  if (Array.isArray(vols)) {
    svc['volumes'] = vols.map((v) => {
      if (typeof v === 'string') {
        let parsed;
        try { parsed = parseVolumeSpec(v); } catch { return v; } // reported with its path by normalization
        // a short bind with a relative source is rewritten in long form with the absolute source
        if (parsed.type === 'bind' && parsed.source && !path.isAbsolute(parsed.source)) return { ...parsed, source: resolveHostPath(parsed.source, dir) };
        return v;
      }
      if (isTree(v) && v['type'] === 'bind' && typeof v['source'] === 'string' && !path.isAbsolute(v['source'])) return { ...v, source: resolveHostPath(v['source'], dir) };
      return v;
    });
  }
  const ext = svc['extends'];
  if (isTree(ext) && typeof ext['file'] === 'string') ext['file'] = resolveHostPath(ext['file'], dir);
  return svc;
}

/** Make every host path of a raw Compose tree absolute against dir. */
export function rebasePaths(tree: Tree, dir: string): Tree {
  const services = tree['services'];
  if (isTree(services)) for (const svc of Object.values(services)) if (isTree(svc)) rebaseService(svc, dir);
  for (const kind of ['secrets', 'configs']) {
    const objs = tree[kind];
    if (!isTree(objs)) continue;
    for (const o of Object.values(objs)) if (isTree(o) && typeof o['file'] === 'string') o['file'] = resolveHostPath(o['file'], dir);
  }
  const vols = tree['volumes'];
  if (isTree(vols)) {
    // the local driver's bind option: device is a host path
    for (const v of Object.values(vols)) {
      const o = isTree(v) ? v['driver_opts'] : undefined;
      if (isTree(o) && o['o'] !== undefined && /\bbind\b/.test(String(o['o'])) && typeof o['device'] === 'string') o['device'] = resolveHostPath(o['device'], dir);
    }
  }
  return tree;
}
