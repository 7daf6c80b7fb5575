// Paths under a runroot that the runtime layer (runtime.ts) writes and the engine reads without
// loading the runtime (engine/container/state.ts): one spelling for both.
import * as path from 'node:path';

/** Where conmon writes the exit files, one per container, named by its id. */
export function exitsDirOf(runroot: string): string { return path.join(runroot, 'exits'); }

/** runc's state directory (`runc --root`): a container runc holds has a directory there, named by its id. */
export function runcRootOf(runroot: string): string { return path.join(runroot, 'runc'); }

/** A container's run directory (pid files, the runtime's log, conmon's sockets). */
export function containerRunDirOf(runroot: string, id: string): string { return path.join(runroot, 'containers', id); }
