#!/usr/bin/env node
// tspod's node entry point (bin/tspod, the shell launcher, starts it); the work is in
// src/cli/entry.ts. When the build made the start-up bundle (scripts/bundle.mjs), its CommonJS
// chunks run, each compiled from the V8 code cache the build wrote next to it: no ES module
// loader, no per-module file reads, little parsing. The core chunk (dist/bundle/tspod.cjs) loads
// first; a chunk loads when one of its modules is first imported (__tspod_module below). Without
// the bundle (a build by tsc alone), or with TSPOD_NO_BUNDLE=1, tsc's modules run as they are.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'dist', 'bundle');
const core = path.join(dir, 'tspod.cjs');
// the build's warm-up runs (scripts/bundle.mjs): each rewrites the caches of the chunks it loaded
// at exit; a cache V8 accepted keeps what it held, so the runs' compiled functions add up
const writeCache = process.env.TSPOD_WRITE_CODE_CACHE === '1';

function fail(err) {
  process.stderr.write(`Error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 125;
}

let vm;
/** The scripts compiled in a warm-up run, for their caches. */
const compiled = [];
// what `--log-level debug` reports: 'accepted' while every chunk's cache was, else the worst seen
const cacheRank = { accepted: 0, none: 1, rejected: 2 };

function compile(file, cachedData) {
  vm ??= require('node:vm');
  // the build checks every chunk is plain ASCII: read as latin1, it becomes a one-byte string at
  // once; the build wrote it already wrapped as a CommonJS module's function
  return new vm.Script(fs.readFileSync(file, 'latin1'), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Compiles (from its code cache) and runs one chunk; returns its table of modules. */
function runChunk(file) {
  let cachedData;
  try { cachedData = fs.readFileSync(`${file}.cache`); } catch { /* none: compile */ }
  const script = compile(file, cachedData);
  const status = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const seen = globalThis.TSPOD_CODE_CACHE;
  if (seen === undefined || cacheRank[status] > cacheRank[seen]) globalThis.TSPOD_CODE_CACHE = status;
  if (writeCache) compiled.push([file, script]);
  const mod = { exports: {} };
  // the chunks require node's modules and the packages left out of the bundle: with this file's
  // own require, which finds them in the same node_modules as one made for dist/bundle would
  // (module.createRequire costs ~0.4 ms)
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, dir);
  return mod.exports;
}

const chunks = [];
const modules = new Map();
/** A module of chunk n, by its path from the package root: the chunks' imports of each other. */
function tspodModule(n, id) {
  let m = modules.get(id);
  if (m === undefined) {
    const table = chunks[n] ??= runChunk(n === 0 ? core : path.join(dir, `c${n}.cjs`));
    m = table[id]();
    modules.set(id, m);
  }
  return m;
}

/** Loads the core chunk; returns src/cli/entry.ts's exports. */
function loadBundle() {
  globalThis.__tspod_module = tspodModule;
  // where src/util/root.ts finds the package root (two directories up)
  globalThis.__tspod_bundle_dir = dir;
  // import.meta.url in the chunks (oclif's require in src/cli/base.ts): built when first read, as
  // pathToFileURL costs half a millisecond
  let url;
  Object.defineProperty(globalThis, '__tspod_bundle_url', { get: () => (url ??= require('node:url').pathToFileURL(core).href), configurable: true });
  return tspodModule(0, 'dist/cli/entry.js');
}

/** The build's last step: a top-level cache for every chunk no warm-up run loaded. */
function writeMissingCaches() {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith('.cjs') && !fs.existsSync(`${file}.cache`)) fs.writeFileSync(`${file}.cache`, compile(file).createCachedData());
  }
}

// the build's tracing pass (scripts/bundle.mjs): which modules this run evaluated, one per line
const traceFile = process.env.TSPOD_TRACE_MODULES;
if (traceFile) {
  globalThis.__tspod_trace = new Set();
  process.once('exit', () => fs.writeFileSync(traceFile, [...globalThis.__tspod_trace].join('\n')));
}

if (writeCache) {
  process.once('exit', () => {
    for (const [file, script] of compiled) fs.writeFileSync(`${file}.cache`, script.createCachedData());
  });
}

if (require.main === module) {
  let entry;
  if (process.env.TSPOD_NO_BUNDLE !== '1' && fs.existsSync(core)) {
    entry = new Promise((resolve) => resolve(loadBundle()));
  } else {
    entry = import('../dist/cli/entry.js');
  }
  entry.then((m) => m.main()).catch(fail);
} else {
  module.exports = { loadBundle, writeMissingCaches };
}
