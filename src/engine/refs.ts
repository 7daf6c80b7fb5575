// How the image side learns which images and layers containers use: it reads the
// containers index directly (cheap: listings and prune need no container engine).
import * as path from 'node:path';
import { readJSON } from '../state/atomic.js';

interface ContainerIndexEntry { id: string; image: string; layers?: string[] }
interface ContainerIndex { containers: ContainerIndexEntry[] }

function readIndex(root: string): ContainerIndexEntry[] {
  const idx = readJSON<ContainerIndex>(path.join(root, 'containers', 'containers.json'), { containers: [] });
  return Array.isArray(idx.containers) ? idx.containers : [];
}

export function containerImageRefs(root: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of readIndex(root)) m.set(c.image, (m.get(c.image) ?? 0) + 1);
  return m;
}

/** The containers (ids, in index order) that use each image. */
export function containerImageUsers(root: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of readIndex(root)) m.set(c.image, [...(m.get(c.image) ?? []), c.id]);
  return m;
}

export function containerLayerSet(root: string): Set<string> {
  const s = new Set<string>();
  for (const c of readIndex(root)) for (const l of c.layers ?? []) s.add(l);
  return s;
}
