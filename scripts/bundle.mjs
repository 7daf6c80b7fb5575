// Writes dist/bundle/tspod.cjs, the start-up bundle, and dist/bundle/tspod.cjs.cache, its V8 code cache.
//
// Node's ES module loader costs about a millisecond per module (resolution, an asynchronous file
// read, a module record): a short command such as `volume ls` loads some thirty of them, more than
// Podman's whole run. The bundle is the same modules, tsc's output in dist/, joined by esbuild into
// one CommonJS file that bin/tspod.cjs compiles from the code cache. Every command module is in it
// (TSPOD_COMMAND_MODULES below, which src/cli/fast.ts consults first), each behind the lazy
// import that loaded it before, so a command evaluates only what it used to load.
//
// Left out, and required from node_modules when used: oclif (help and the fallback parser only),
// undici and yaml (large, CommonJS, used by a few commands), and the native socket addon.
// The cache is made by a warm-up run of `tspod version` in a throw-away home: it holds the code of
// the start-up path every command shares; the rest compiles lazily, as it always did.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outDir = path.join(dist, 'bundle');
const out = path.join(outDir, 'tspod.cjs');

// every command module the fast path can load, by the path command-index.json gives it
const index = JSON.parse(fs.readFileSync(path.join(dist, 'cli', 'command-index.json'), 'utf8'));
// (not __complete: an oclif command, which the fast path leaves to oclif)
const files = [...new Set(Object.values(index).filter(([id]) => id !== '__complete').map(([, file]) => file))].sort();
const entry = [
  'globalThis.TSPOD_COMMAND_MODULES = {',
  ...files.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify('./' + path.relative(dist, path.join(root, f)))}),`),
  '};',
  "export { main } from './cli/entry.js';",
  '',
].join('\n');

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const result = await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'bundle-entry.js', loader: 'js' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // the packages left out are all CommonJS: their lazy imports become require(), which needs no
  // ES module loader in the bundle's vm.Script
  supported: { 'dynamic-import': false },
  charset: 'ascii',
  outfile: `${out}.tmp`,
  external: ['@oclif/core', 'undici', 'yaml', 'node-unix-socket'],
  // tsc's modules find the package root from their own URL (src/util/root.ts): the bundle sits
  // two directories below the root too, as dist/util/root.js does
  define: { 'import.meta.url': '__tspod_bundle_url' },
  banner: { js: "const __tspod_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
});
if (result.errors.length) process.exit(1);
// esbuild's namespace import helper builds a new object of getters for every module that imports
// a package, and `node:fs` and `node:path` are imported by most: give each package one namespace
// object, as node's own ES module loader does. Checked, so a changed helper fails the build.
const helper = 'var __toESM = (mod, isNodeMode, target) =>';
let text = fs.readFileSync(`${out}.tmp`, 'latin1');
if (text.split(helper).length !== 2) throw new Error(`bundle: esbuild's __toESM helper not found once in ${out}`);
text = text.replace(helper, [
  'var __toESM_memo = [new WeakMap(), new WeakMap()];',
  'var __toESM = (mod, isNodeMode) => {',
  '  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESM_new(mod, isNodeMode);',
  '  const memo = __toESM_memo[isNodeMode ? 1 : 0];',
  '  let ns = memo.get(mod);',
  '  if (ns === undefined) memo.set(mod, ns = __toESM_new(mod, isNodeMode));',
  '  return ns;',
  '};',
  'var __toESM_new = (mod, isNodeMode, target) =>',
].join('\n'));
fs.writeFileSync(`${out}.tmp`, text, 'latin1');
const bytes = fs.readFileSync(`${out}.tmp`);
const wide = bytes.findIndex((b) => b > 0x7f);
// bin/tspod.cjs reads the bundle as latin1 (a one-byte string at once): that is only right for ASCII
if (wide >= 0) throw new Error(`bundle: byte ${wide} of ${out} is not ASCII`);
fs.renameSync(`${out}.tmp`, out);

// the warm-up: nothing of the user's is read or written (a fresh home, store and runtime directory)
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bundle-'));
try {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, TMPDIR: scratch,
    XDG_DATA_HOME: path.join(scratch, 'data'), XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_RUNTIME_DIR: path.join(scratch, 'run'),
    TSPOD_ROOT: path.join(scratch, 'root'), TSPOD_RUNROOT: path.join(scratch, 'runroot'), TSPOD_WRITE_CODE_CACHE: '1',
  };
  execFileSync(process.execPath, [path.join(root, 'bin', 'tspod.cjs'), 'version'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
if (!fs.existsSync(`${out}.cache`)) throw new Error(`bundle: the warm-up run wrote no ${out}.cache`);
console.log(`bundle: ${path.relative(root, out)} ${(bytes.length / 1024).toFixed(0)} KB, ${files.length} command modules, code cache ${(fs.statSync(`${out}.cache`).size / 1024).toFixed(0)} KB`);
