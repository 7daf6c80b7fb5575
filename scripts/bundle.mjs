// Writes the start-up bundle: dist/bundle/tspod.cjs (the core chunk) and dist/bundle/c<N>.cjs (the
// other chunks), each with its V8 code cache next to it (<file>.cache).
//
// Node's ES module loader costs about a millisecond per module (resolution, an asynchronous file
// read, a module record): a short command such as `volume ls` loads some thirty of them, more than
// Podman's whole run. The bundle is the same modules, tsc's output in dist/, joined by esbuild into
// CommonJS files that bin/tspod.cjs compiles from their code caches. One file of everything made
// every command pay for all of it (compiling 2 MB of top-level code from its cache and running it
// took ~8 ms of `volume ls`'s ~40), so the modules are split into chunks by what loads them:
//
// - The entry points are the bundle's entry and every module some module imports dynamically
//   (every command module is one: src/cli/fast.ts imports the one it runs). A module's signature is
//   the set of entry points whose static imports reach it; modules with the same signature form a
//   chunk (esbuild's own splitting rule). Every module reachable from the entry is in the core.
// - A module that the build's warm-up runs (step 4) evaluate is grouped by which of those runs
//   evaluate it instead: a first pass of the runs, on chunks tagged to note each module they
//   evaluate, says which (bin/tspod.cjs writes the list). Over 13 everyday commands that loads 131
//   chunks and 5064 KB of code cache instead of 176 and 5764: a command loads fewer modules it does
//   not run (a fifth of the bytes it loaded were such modules).
// - Chunks smaller than MIN_CHUNK are merged into the chunk where merging loads the fewest bytes
//   that are not needed (some 80 chunks instead of 290, most commands load three to fifteen of them).
// - Every module is in exactly one chunk: an import of a module in another chunk becomes
//   `__tspod_module(N, id)` (bin/tspod.cjs), which loads chunk N once and returns the module, so
//   module state, classes and instanceof checks stay single. Each chunk's modules are lazy
//   (esbuild's __esm wrappers, run at first import, in import order), as in one bundle.
//
// Every command module is listed in TSPOD_COMMAND_MODULES (src/cli/fast.ts consults it first), each
// behind the lazy import that loaded it before, so a command evaluates only what it used to load.
//
// Left out, and required from node_modules when used: oclif (help and the fallback parser only),
// undici and yaml (large, CommonJS, used by a few commands), and the native socket addon.
// The code caches come from warm-up runs of the everyday commands (step 4 below).
import { build, transform } from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outDir = path.join(dist, 'bundle');
const ENTRY = 'dist/bundle-entry.js';
const MIN_CHUNK = 8 * 1024;
// each chunk is the body of a function of CommonJS's five arguments (bin/tspod.cjs calls it)
const CHUNK_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];

// every command module the fast path can load, by the path command-index.json gives it
const index = JSON.parse(fs.readFileSync(path.join(dist, 'cli', 'command-index.json'), 'utf8'));
// (not __complete: an oclif command, which the fast path leaves to oclif)
const files = [...new Set(Object.values(index).filter(([id]) => id !== '__complete').map(([, file]) => file))].sort();
const commandModules = [
  'globalThis.TSPOD_COMMAND_MODULES = {',
  ...files.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify('./' + path.relative(dist, path.join(root, f)))}),`),
  '};',
].join('\n');

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // the packages left out are all CommonJS: their lazy imports become require(), which needs no
  // ES module loader in the bundle's vm.Script
  supported: { 'dynamic-import': false },
  charset: 'ascii',
  external: ['@oclif/core', 'undici', 'yaml', 'node-unix-socket'],
  // import.meta.url: bin/tspod.cjs defines this global (the core chunk's URL) when first read
  define: { 'import.meta.url': 'globalThis.__tspod_bundle_url' },
  logLevel: 'warning',
  legalComments: 'none',
};

// 1. the module graph, from one build of everything (not written)
const graph = await build({
  ...common,
  stdin: { contents: `${commandModules}\nexport { main } from './cli/entry.js';\n`, resolveDir: dist, sourcefile: 'bundle-entry.js', loader: 'js' },
  write: false,
  outfile: path.join(outDir, 'graph.cjs'),
  metafile: true,
});
const inputs = graph.metafile.inputs;
const bytesOut = Object.values(graph.metafile.outputs)[0].inputs;
if (!inputs[ENTRY]) throw new Error(`bundle: the graph has no ${ENTRY}`);

// 2. the chunks
const entries = [ENTRY];
for (const info of Object.values(inputs)) {
  for (const imp of info.imports) if (imp.kind === 'dynamic-import' && !imp.external && !entries.includes(imp.path)) entries.push(imp.path);
}
/** The modules an entry point's static imports (and require calls) reach. */
function reach(start) {
  const seen = new Set();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f) || !inputs[f]) continue;
    seen.add(f);
    for (const imp of inputs[f].imports) if (imp.kind !== 'dynamic-import' && !imp.external) todo.push(imp.path);
  }
  return seen;
}
const signature = new Map();
entries.forEach((e, k) => { for (const f of reach(e)) { if (!signature.has(f)) signature.set(f, new Set()); signature.get(f).add(k); } });
/**
 * The chunks: lists of modules, the core first. A module's tags say who needs it: the warm-up runs that
 * evaluated it (`usage`, from the tracing pass) or else the entry points whose static imports reach it.
 */
function groupChunks(usage) {
  const byTags = new Map();
  for (const [f, sig] of signature) {
    const used = usage?.get(f);
    const key = sig.has(0) ? 'core' : used ? `run:${[...used].sort().join('|')}` : [...sig].sort((a, b) => a - b).join(',');
    if (!byTags.has(key)) byTags.set(key, { sig: new Set(sig.has(0) || !used ? sig : used), files: [], size: 0 });
    const g = byTags.get(key);
    g.files.push(f);
    g.size += bytesOut[f]?.bytesInOutput ?? 0;
  }
  const core = byTags.get('core');
  let rest = [...byTags.values()].filter((g) => g !== core);
  /** Bytes loaded for nothing when a and b become one chunk: each user of one loads the other too. */
  const waste = (a, b) => {
    let w = 0;
    for (const e of b.sig) if (!a.sig.has(e)) w += a.size;
    for (const e of a.sig) if (!b.sig.has(e)) w += b.size;
    return w;
  };
  for (;;) {
    rest.sort((a, b) => a.size - b.size || (a.files[0] < b.files[0] ? -1 : 1));
    const small = rest[0];
    if (rest.length < 2 || small.size >= MIN_CHUNK) break;
    let best;
    let bestWaste = Infinity;
    for (const g of rest.slice(1)) {
      const w = waste(small, g);
      if (w < bestWaste) { best = g; bestWaste = w; }
    }
    for (const e of small.sig) best.sig.add(e);
    best.files.push(...small.files);
    best.size += small.size;
    rest = rest.slice(1);
  }
  // chunk 0 is the core (dist/bundle/tspod.cjs); the others are numbered in a stable order
  rest.sort((a, b) => ([...a.files].sort()[0] < [...b.files].sort()[0] ? -1 : 1));
  return [core, ...rest].map((g) => [...g.files].sort());
}
let chunks = [];
let chunkOf = new Map();
function setChunks(list) {
  chunks = list;
  chunkOf = new Map();
  chunks.forEach((fs_, n) => { for (const f of fs_) chunkOf.set(f, n); });
}
const chunkFile = (n) => path.join(outDir, n === 0 ? 'tspod.cjs' : `c${n}.cjs`);
// which module is in which chunk (read by the unit test and by people, not at run time)
const chunkList = () => chunks.map((list, n) => ({ file: path.basename(chunkFile(n)), modules: list.filter((f) => f !== ENTRY) }));

// 3. one build per chunk: its own modules, and every other module by __tspod_module
const absolute = (f) => path.join(root, f);
const idOf = (abs) => path.relative(root, abs);
function crossChunk(n) {
  return {
    name: 'tspod-chunks',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'inner') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (r.errors.length || r.external) return r;
        const home = chunkOf.get(idOf(r.path));
        if (home === undefined) throw new Error(`bundle: ${idOf(r.path)} (imported by ${args.importer}) is in no chunk`);
        if (home === n) return r;
        return { path: idOf(r.path), namespace: 'tspod-chunk', pluginData: home };
      });
      b.onLoad({ filter: /.*/, namespace: 'tspod-chunk' }, (args) => ({
        contents: `module.exports = __tspod_module(${args.pluginData}, ${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}
function chunkEntry(n) {
  const table = chunks[n].filter((f) => f !== ENTRY).map((f) => `  ${JSON.stringify(f)}: () => require(${JSON.stringify(absolute(f))}),`);
  return [...(n === 0 ? [commandModules] : []), 'module.exports = {', ...table, '};', ''].join('\n');
}

// esbuild's namespace import helper builds a new object of getters for every module that imports
// a package, and `node:fs` and `node:path` are imported by most: give each package one namespace
// object for all chunks, as node's own ES module loader does. A module of another chunk comes
// from __tspod_module as an ES module's exports already (esbuild's __toCommonJS: __esModule, a
// getter per export): it is its own namespace, not copied again. Checked, so a changed helper
// fails the build.
const helper = 'var __toESM = (mod, isNodeMode, target) =>';
const memoHelper = [
  'var __toESM_memo = globalThis.__tspod_esm_memo ??= [new WeakMap(), new WeakMap()];',
  'var __toESM = (mod, isNodeMode) => {',
  '  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESM_new(mod, isNodeMode);',
  '  if (!isNodeMode && mod.__esModule === true) return mod;',
  '  const memo = __toESM_memo[isNodeMode ? 1 : 0];',
  '  let ns = memo.get(mod);',
  '  if (ns === undefined) memo.set(mod, ns = __toESM_new(mod, isNodeMode));',
  '  return ns;',
  '};',
  'var __toESM_new = (mod, isNodeMode, target) =>',
].join('\n');

// For the tracing pass: esbuild's lazy-module helpers note each module they evaluate (bin/tspod.cjs
// writes the list when TSPOD_TRACE_MODULES names a file).
const traced = [
  ['var __esm = ', '    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;', '    if (fn) globalThis.__tspod_trace.add(__getOwnPropNames(fn)[0]);\n'],
  ['var __commonJS = ', '    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;', '    if (!mod) globalThis.__tspod_trace.add(__getOwnPropNames(cb)[0]);\n'],
];

/** Writes the chunks of `chunks` (with the tracing helpers when `trace`) and chunks.json; their sizes. */
async function writeChunks(trace) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const built = await Promise.all(chunks.map(async (_, n) => {
    const out = chunkFile(n);
    const result = await build({
      ...common,
      stdin: { contents: chunkEntry(n), resolveDir: dist, sourcefile: n === 0 ? 'bundle-entry.js' : `chunk-${n}.js`, loader: 'js' },
      outfile: `${out}.tmp`,
      plugins: [crossChunk(n)],
    });
    if (result.errors.length) throw new Error(`bundle: chunk ${n} failed`);
    let text = fs.readFileSync(`${out}.tmp`, 'latin1');
    const uses = text.split(helper).length - 1;
    if (uses > 1) throw new Error(`bundle: esbuild's __toESM helper found ${uses} times in ${out}`);
    if (uses === 1) text = text.replace(helper, memoHelper);
    for (const [helperDef, line, note] of trace ? traced : []) {
      if (!text.includes(helperDef)) continue;
      if (!text.includes(line)) throw new Error(`bundle: esbuild's ${helperDef.slice(4, -3)} helper in ${out} is not the one traced (has it changed?)`);
      text = text.replace(line, `${note}${line}`);
    }
    // without the line breaks and indentation: a quarter fewer bytes to read and to hold as the
    // script's source (V8 keeps it; the code cache is the same size); names are kept
    text = (await transform(text, { loader: 'js', format: 'cjs', target: 'node20', charset: 'ascii', minifyWhitespace: true, legalComments: 'none' })).code;
    // wrapped here as node's CommonJS loader wraps a module, so bin/tspod.cjs compiles the file as it
    // is: wrapping at run time made one more copy of every chunk's source to compile
    text = `${CHUNK_WRAPPER[0]}${text}${CHUNK_WRAPPER[1]}`;
    const bytes = Buffer.from(text, 'latin1');
    const wide = bytes.findIndex((b) => b > 0x7f);
    // bin/tspod.cjs reads the chunks as latin1 (a one-byte string at once): that is only right for ASCII
    if (wide >= 0) throw new Error(`bundle: byte ${wide} of ${out} is not ASCII`);
    fs.writeFileSync(out, bytes);
    fs.rmSync(`${out}.tmp`);
    return { bytes: bytes.length, memo: uses === 1 };
  }));
  if (!built.some((c) => c.memo)) throw new Error('bundle: no chunk has esbuild\'s __toESM helper (has it changed?)');
  fs.writeFileSync(path.join(outDir, 'chunks.json'), `${JSON.stringify(chunkList(), null, 1)}\n`);
  return built.map((c) => c.bytes);
}

// 4. the warm-up runs: the everyday commands in a throw-away home and store (nothing of the user's is
// read or written). The commands that change the store run as root: as root itself, or for a build
// by a user as root of a user namespace of its own (util-linux unshare), where tspod works as root
// does and starts no pause process. Where no user namespace can be made, those steps are left out (a
// warning says so) and their functions compile when first used; the read-only ones need only node.
/**
 * With `trace`: which modules each run evaluated (module -> the runs, by their command line), no
 * caches written. Else each run adds what it compiled to the caches of the chunks it loaded
 * (bin/tspod.cjs), then every chunk none of them loaded gets a top-level cache.
 */
function warmUp(trace) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bundle-'));
  const usage = new Map();
  try {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, TMPDIR: scratch,
      XDG_DATA_HOME: path.join(scratch, 'data'), XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_RUNTIME_DIR: path.join(scratch, 'run'),
      TSPOD_ROOT: path.join(scratch, 'root'), TSPOD_RUNROOT: path.join(scratch, 'runroot'), TSPOD_WRITE_CODE_CACHE: trace ? '0' : '1',
    };
    // a one-file image to create containers from
    fs.mkdirSync(path.join(scratch, 'rootfs'));
    fs.writeFileSync(path.join(scratch, 'rootfs', 'hello'), 'hello\n');
    const tar = path.join(scratch, 'warm.tar');
    // owned by root: a user's build imports it as root of a namespace that maps no other id
    execFileSync('tar', ['--owner=0', '--group=0', '--numeric-owner', '-cf', tar, '-C', path.join(scratch, 'rootfs'), '.']);
    // a build context of config steps only (no RUN: nothing to start), built once and again fully cached
    const ctx = path.join(scratch, 'ctx');
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(ctx, 'Containerfile'), 'FROM localhost/warm\nLABEL warm=1\nENV WARM=1\n');
    // the commands that change nothing, run as the user: they must work here
    const readOnly = [['version'], ['volume', 'ls'], ['network', 'ls'], ['ps', '-a'], ['images'], ['pod', 'ps']];
    // their error paths (they fail by design)
    const failing = [['inspect', 'none'], ['logs', 'none'], ['volume', 'ls', '--bogus']];
    // the store-changing ones, as root (see above)
    const changing = [
      ['volume', 'create', 'warm'], ['volume', 'inspect', 'warm'], ['volume', 'ls', '--format', '{{.Name}}'],
      ['import', tar, 'localhost/warm'], ['images'], ['image', 'inspect', 'localhost/warm'],
      ['create', '--name', 'warm', '-p', '127.0.0.1:18080:80', '-v', 'warm:/data', '-e', 'A=1', 'localhost/warm', '/hello'],
      ['inspect', 'warm'], ['inspect', '--format', '{{.State.Status}}', 'warm'], ['container', 'inspect', 'warm'],
      ['port', 'warm'], ['logs', 'warm'], ['ps', '-a'], ['ps', '-a', '--format', '{{.Names}} {{.Status}}'], ['container', 'exists', 'warm'],
      ['stop', 'warm'], ['rm', 'warm'], ['volume', 'rm', 'warm'],
      ['build', '-q', '-t', 'localhost/warm-built', ctx], ['build', '-q', '-t', 'localhost/warm-built', ctx], ['rmi', 'localhost/warm-built'],
      ['rmi', 'localhost/warm'],
    ];
    const asRoot = process.getuid?.() === 0 ? [] : ['unshare', '--map-root-user', '--'];
    let canRoot = true;
    try { if (asRoot.length) execFileSync(asRoot[0], [...asRoot.slice(1), 'true'], { stdio: 'ignore' }); } catch { canRoot = false; }
    let runs = 0;
    /** Runs one warm-up; the error's last line when it failed. */
    const warm = (args, prefix = []) => {
      const argv = [...prefix, process.execPath, path.join(root, 'bin', 'tspod.cjs'), ...args];
      const traceFile = path.join(scratch, `trace-${runs++}`);
      try {
        execFileSync(argv[0], argv.slice(1), { env: trace ? { ...env, TSPOD_TRACE_MODULES: traceFile } : env, stdio: ['ignore', 'ignore', 'pipe'] });
        return undefined;
      } catch (err) {
        return `tspod ${args.join(' ')}: ${String(err.stderr ?? err.message).trim().split('\n').pop()}`;
      } finally {
        if (trace) {
          // the run's tag: its command line, the scratch directory's name left out
          const tag = args.map((a) => (a.startsWith(scratch) ? path.basename(a) : a)).join(' ');
          let list = [];
          try { list = fs.readFileSync(traceFile, 'utf8').split('\n'); } catch { /* it wrote nothing */ }
          for (const m of list) if (chunkOf.has(m)) { if (!usage.has(m)) usage.set(m, new Set()); usage.get(m).add(tag); }
        }
      }
    };
    const basic = readOnly.map((args) => warm(args)).filter(Boolean);
    if (basic.length) throw new Error(`bundle: warm-up runs failed: ${basic.join('; ')}`);
    for (const args of failing) warm(args);
    // where they can run, they must work too; where they cannot, their functions compile when first used
    if (!canRoot && !trace) console.warn('bundle: no user namespace for the store-changing warm-up runs (unshare --map-root-user failed): their code caches hold top-level code only');
    const broken = canRoot ? changing.map((args) => warm(args, asRoot)).filter(Boolean) : [];
    if (broken.length) throw new Error(`bundle: warm-up runs failed: ${broken.join('; ')}`);
    if (!trace) execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'bin', 'tspod.cjs'))}).writeMissingCaches()`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return usage;
}

// 5. chunks by static reach, a tracing pass of the warm-up runs, then the chunks again by what those
// runs evaluated (a command loads fewer modules it does not run), and their caches
setChunks(groupChunks());
await writeChunks(true);
const usage = warmUp(true);
if (usage.size === 0) throw new Error('bundle: the tracing warm-up runs noted no module');
setChunks(groupChunks(usage));
const sizes = await writeChunks(false);
warmUp(false);
const missing = chunks.map((_, n) => `${chunkFile(n)}.cache`).filter((f) => !fs.existsSync(f));
if (missing.length) throw new Error(`bundle: no code cache written for ${missing.join(', ')}`);
const total = sizes.reduce((a, b) => a + b, 0);
const caches = chunks.reduce((a, _, n) => a + fs.statSync(`${chunkFile(n)}.cache`).size, 0);
console.log(`bundle: ${chunks.length} chunks in ${path.relative(root, outDir)}, ${(total / 1024).toFixed(0)} KB (core ${(sizes[0] / 1024).toFixed(0)} KB), ${files.length} command modules, code caches ${(caches / 1024).toFixed(0)} KB`);
