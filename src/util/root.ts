// The package root, wherever the running code was loaded from: tsc's output
// (dist/util/root.js) and the start-up bundle's chunks (dist/bundle/*.cjs, where
// import.meta.url is the core chunk's URL, set by bin/tspod.cjs) both sit two
// directories below it. Files the build writes next to the compiled modules (the seccomp
// profile, the compose validator) are found from here, not from the calling
// module's own location, which differs between the two layouts.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  return (root ??= path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
}

/** A file of tsc's output tree, dist/<rel>. */
export function distFile(...rel: string[]): string {
  return path.join(packageRoot(), 'dist', ...rel);
}
