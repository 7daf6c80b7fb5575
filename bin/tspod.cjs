#!/usr/bin/env node
// tspod's node entry point (bin/tspod, the shell launcher, starts it); the work is in
// src/cli/entry.ts. When the build made the start-up bundle (scripts/bundle.mjs), that one
// CommonJS file runs, compiled from the V8 code cache the build wrote next to it: no ES
// module loader, no per-module file reads, little parsing. Without the bundle (a build
// by tsc alone), or with TSPOD_NO_BUNDLE=1, tsc's modules run as they are.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'bundle', 'tspod.cjs');

function fail(err) {
  process.stderr.write(`Error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 125;
}

function runBundle() {
  const vm = require('node:vm');
  const Module = require('node:module');
  // the build checks the bundle is plain ASCII: read as latin1, it becomes a one-byte string at once
  const source = fs.readFileSync(bundle, 'latin1');
  const cacheFile = `${bundle}.cache`;
  const writeCache = process.env.TSPOD_WRITE_CODE_CACHE === '1';
  let cachedData;
  if (!writeCache) try { cachedData = fs.readFileSync(cacheFile); } catch { /* none: compile */ }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  globalThis.TSPOD_CODE_CACHE = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  // the build's warm-up run: the cache then holds every function that run compiled
  if (writeCache) process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
  return mod.exports;
}

let entry;
if (process.env.TSPOD_NO_BUNDLE !== '1' && fs.existsSync(bundle)) {
  entry = new Promise((resolve) => resolve(runBundle()));
} else {
  entry = import('../dist/cli/entry.js');
}
entry.then((m) => m.main()).catch(fail);
