// The package root, wherever the running code was loaded from: tsc's output
// (dist/util/root.js) and the start-up bundle's chunks (dist/bundle/*.cjs, whose
// directory bin/tspod.cjs gives as __tspod_bundle_dir) both sit two directories
// below it. Files the build writes next to the compiled modules (the seccomp
// profile, the compose validator) are found from here, not from the calling
// module's own location, which differs between the two layouts.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  // the bundle's loader names the chunks' directory (dist/bundle): no URL to build and parse
  const bundleDir = (globalThis as { __tspod_bundle_dir?: string }).__tspod_bundle_dir;
  return (root ??= path.resolve(bundleDir ?? path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
}

/** A file of tsc's output tree, dist/<rel>. */
export function distFile(...rel: string[]): string {
  return path.join(packageRoot(), 'dist', ...rel);
}
