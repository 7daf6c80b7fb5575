// The completion fast path: `tspod __complete <words...>` without loading
// oclif. bin/tspod hands over to main() before anything else when argv[0] is
// `__complete`; it reads oclif.manifest.json and the index files, prints the
// candidates and exits. Errors are silent (a completion must never print
// noise into the user's command line) unless TSPOD_LOG_LEVEL=debug.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/root.js';
import { paths } from '../util/paths.js';
import { complete, render } from './engine.js';
import { buildModel, type Manifest, type Model } from './model.js';

export { packageRoot };

export function loadModel(root = packageRoot()): Model {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as Manifest;
  return buildModel(manifest);
}

/** Compute the answer for `words` (the words after `tspod`, the last one partial). */
export function answer(words: string[], root = packageRoot()): string {
  return render(complete(loadModel(root), words, { defaultRoot: () => paths().root }));
}

export async function main(words: string[], o: { descriptions?: boolean } = {}): Promise<never> {
  let text = '';
  let code = 0;
  try {
    text = answer(words);
    // __completeNoDesc: the candidates without their tab-separated descriptions
    if (o.descriptions === false) text = text.split('\n').map((l) => (l.startsWith(':') ? l : l.replace(/\t.*$/, ''))).join('\n');
  } catch (err) {
    if (process.env['TSPOD_LOG_LEVEL'] === 'debug') process.stderr.write(`Error: completion failed: ${String((err as Error)?.stack ?? err)}\n`);
    code = 0;
  }
  if (text) fs.writeSync(1, text);
  process.exit(code);
}
