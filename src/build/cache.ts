// The build layer cache. A step's key is a digest of: the state it starts
// from (the layer chain and the container config), the instruction after
// variable substitution, the build arguments in scope (for RUN) and, for
// COPY/ADD, a digest of the copied files' paths, modes and contents. The
// value is the step's result: the new layer (if any) and the whole resulting
// image config, so a fully cached build yields the same image ID again.
//
//   <root>/build-cache/steps/<key hex>.json   one file per step (atomic writes)
//   <root>/build-cache/mounts/<id hash>/      RUN --mount=type=cache directories
//
// Layers a cache entry points at may have been removed since (rmi, prune): a
// hit is only used when the layer directory and its blob are still there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { readJSON, writeJSONAtomic } from '../state/atomic.js';
import type { ImageStore } from '../image/store.js';
import type { ImageConfig, LayerRecord } from '../image/types.js';

export interface CacheEntry {
  version: 1;
  key: string;
  /** the layer the step added; absent for metadata-only steps */
  layer?: LayerRecord;
  /** the complete image config after the step */
  config: ImageConfig;
  created: string;
}

export interface KeyParts {
  /** stateId() of the state the step starts from */
  parent: string;
  /** the instruction after substitution (with its flags) */
  instruction: string;
  /** build args in scope (RUN sees them in its environment) */
  args?: Record<string, string> | undefined;
  /** digest of COPY/ADD sources, RUN bind mounts, heredoc bodies */
  content?: string | undefined;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The identity of a build state: the layer chain plus the runtime-relevant config. */
export function stateId(layers: string[], config: ImageConfig): string {
  const c = config.config ?? {};
  return sha(JSON.stringify({ layers, os: config.os, arch: config.architecture, config: c }));
}

export function cacheKey(p: KeyParts): string {
  const args = p.args ? Object.keys(p.args).sort().map((k) => [k, p.args![k]]) : [];
  return sha(JSON.stringify({ v: 1, parent: p.parent, instruction: p.instruction, args, content: p.content ?? '' }));
}

export class BuildCache {
  readonly dir: string;
  constructor(root: string) {
    this.dir = path.join(root, 'build-cache');
  }

  private file(key: string): string { return path.join(this.dir, 'steps', `${key}.json`); }

  mountDir(id: string): string { return path.join(this.dir, 'mounts', sha(id).slice(0, 32)); }

  /** A usable entry for key, or undefined (missing, unreadable, or its layer is gone). */
  get(key: string, store: ImageStore): CacheEntry | undefined {
    let e: CacheEntry | undefined;
    try { e = readJSON<CacheEntry | undefined>(this.file(key), undefined as never); } catch { return undefined; }
    if (!e || e.version !== 1 || !e.config) return undefined;
    if (e.layer && (!store.layerPresent(e.layer.id) || !store.hasBlob(e.layer.compressedDigest))) return undefined;
    return e;
  }

  put(e: CacheEntry): void {
    writeJSONAtomic(this.file(e.key), e);
  }

  clear(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
