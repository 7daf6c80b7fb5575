// The generated completion scripts shipped in the package (completions/),
// written by scripts/gen-completions.mjs at build time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '../util/errors.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export const SCRIPT_PATHS: Record<Shell, string> = {
  bash: path.join('completions', 'bash', 'tspod'),
  zsh: path.join('completions', 'zsh', '_tspod'),
  fish: path.join('completions', 'fish', 'tspod.fish'),
};

export function completionScript(shell: Shell, packageRoot: string): string {
  const file = path.join(packageRoot, SCRIPT_PATHS[shell]);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new NotFoundError(`completion script ${file} is missing: rebuild tspod (npm run build) to generate it`);
  }
}
