// --cidfile for stop, kill and rm (as Podman's): the containers named by ID
// files that `run`/`create --cidfile` wrote. With --ignore a missing file is
// skipped (a unit's ExecStopPost after its container is gone).
import * as fs from 'node:fs';
import { InvalidArgumentError } from '../util/errors.js';

export const cidfileFlagDescription = 'Read the container ID from the file (repeatable)';

export function readCidFiles(files: readonly string[] | undefined, ignoreMissing: boolean): string[] {
  const ids: string[] = [];
  for (const f of files ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (err) {
      if (ignoreMissing && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new InvalidArgumentError(`reading CIDFile ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const id = text.trim();
    if (!id) throw new InvalidArgumentError(`CIDFile ${f} is empty`);
    ids.push(id);
  }
  return ids;
}

/** Remove the ID files (of `rm --cidfile`) that name no container of `known`. */
export function removeStaleCidFiles(files: readonly string[], known: ReadonlySet<string>): void {
  for (const f of files) {
    let id: string;
    try { id = fs.readFileSync(f, 'utf8').trim(); } catch { continue; }
    if (id && !known.has(id)) fs.rmSync(f, { force: true });
  }
}
