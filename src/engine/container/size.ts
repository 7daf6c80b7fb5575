// `ps --size` and `inspect --size`: bytes in each container's writable layer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerStore } from '../../container/store.js';

/** Bytes of the regular files under `dir` (0 when it is gone). */
export function dirSize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let ents: fs.Dirent[];
    try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else { try { total += fs.lstatSync(p).size; } catch { /* gone */ } }
    }
  };
  walk(dir);
  return total;
}

/** Bytes in each container's writable layer, by ID. */
export async function containerSizes(ids: string[]): Promise<Map<string, number>> {
  const store = new ContainerStore();
  return new Map(ids.map((id) => [id, dirSize(path.join(store.ctrDir(id), 'upper'))]));
}
