// Paths under a runroot that the runtime layer (runtime.ts) writes and the engine reads without
// loading the runtime (engine/container/state.ts): one spelling for both.
import * as path from 'node:path';

/** Where conmon writes the exit files, one per container, named by its id. */
export function exitsDirOf(runroot: string): string { return path.join(runroot, 'exits'); }
