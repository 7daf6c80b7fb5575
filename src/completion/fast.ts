// The completion fast path: `tspod __complete <words...>` without loading
// oclif. bin/tspod hands over to main() before anything else when argv[0] is
// `__complete`; it reads oclif.manifest.json and the index files, prints the
// candidates and exits. Errors are silent (a completion must never print
// noise into the user's command line) unless TSPOD_LOG_LEVEL=debug.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/root.js';
import { paths } from '../util/paths.js';
import { cobraDirective, complete, render, type Completion } from './engine.js';
import { buildModel, type Manifest, type Model } from './model.js';

export { packageRoot };

export function loadModel(root = packageRoot()): Model {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as Manifest;
  return buildModel(manifest);
}

/** The completion for `words` (the words after `tspod`, the last one partial). */
export function completion(words: string[], root = packageRoot()): Completion {
  return complete(loadModel(root), words, { defaultRoot: () => paths().root });
}

/** Compute the answer for `words`: the protocol's text. */
export function answer(words: string[], root = packageRoot()): string {
  return render(completion(words, root));
}

export async function main(words: string[], o: { descriptions?: boolean } = {}): Promise<never> {
  let text = '';
  let directive = '';
  const code = 0;
  try {
    const c = completion(words);
    text = render(c);
    directive = cobraDirective(c);
    // __completeNoDesc: the candidates without their tab-separated descriptions
    if (o.descriptions === false) text = text.split('\n').map((l) => (l.startsWith(':') ? l : l.replace(/\t.*$/, ''))).join('\n');
  } catch (err) {
    if (process.env['TSPOD_LOG_LEVEL'] === 'debug') process.stderr.write(`Error: completion failed: ${String((err as Error)?.stack ?? err)}\n`);
  }
  if (text) fs.writeSync(1, text);
  // after the candidates, as Podman (cobra) does: the directive in words on stderr (the shell scripts discard it)
  if (directive) try { fs.writeSync(2, `Completion ended with directive: ${directive}\n`); } catch { /* stderr closed */ }
  process.exit(code);
}
