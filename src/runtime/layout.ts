// Paths under a runroot that the runtime layer (runtime.ts) writes and the engine reads or removes
// without loading the runtime (engine/container/state.ts, remove.ts): one spelling for both.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where conmon writes the exit files, one per container, named by its id. */
export function exitsDirOf(runroot: string): string { return path.join(runroot, 'exits'); }

/** runc's state directory (`runc --root`): a container runc holds has a directory there, named by its id. */
export function runcRootOf(runroot: string): string { return path.join(runroot, 'runc'); }

/** A container's run directory (pid files, the runtime's log, conmon's sockets). */
export function containerRunDirOf(runroot: string, id: string): string { return path.join(runroot, 'containers', id); }

/** runc still holds the container (its state directory exists): no runc process need start to say so. */
export function runcHolds(runroot: string, id: string): boolean { return fs.existsSync(path.join(runcRootOf(runroot), id)); }

/** Remove what a container leaves under the runroot once runc no longer holds it: its run directory and exit file. */
export function removeRunFiles(runroot: string, id: string): void {
  fs.rmSync(containerRunDirOf(runroot, id), { recursive: true, force: true });
  fs.rmSync(path.join(exitsDirOf(runroot), id), { force: true });
}
