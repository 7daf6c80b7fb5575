// The start-up bundle (scripts/bundle.mjs: dist/bundle/tspod.cjs, the core chunk, and the chunks
// c<N>.cjs) holds every command the fast path can run: each module command-index.json names loads
// from the bundle as a command class on the light base, every module is in exactly one chunk, and
// every chunk is plain ASCII (bin/tspod.cjs reads them as latin1) with its code cache.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = path.join(root, 'dist', 'bundle');
const loader = path.join(root, 'bin', 'tspod.cjs');

t.test('the chunks are built, ASCII, each with its code cache, each module in one chunk', async (t) => {
  const chunks = JSON.parse(fs.readFileSync(path.join(dir, 'chunks.json'), 'utf8')) as Array<{ file: string; modules: string[] }>;
  t.equal(chunks[0]?.file, 'tspod.cjs', 'the core chunk comes first');
  t.ok(chunks.length > 10, `${chunks.length} chunks`);
  const home = new Map<string, string>();
  const twice: string[] = [];
  for (const c of chunks) {
    const file = path.join(dir, c.file);
    t.ok(fs.statSync(`${file}.cache`).size > 0, `${c.file}: a code cache`);
    const bytes = fs.readFileSync(file);
    t.equal(bytes.findIndex((b) => b > 0x7f), -1, `${c.file}: no byte above 0x7f`);
    // bin/tspod.cjs compiles the file as it is: the build wraps it as a CommonJS module's function
    const text = bytes.toString('latin1');
    t.ok(text.startsWith('(function (exports, require, module, __filename, __dirname) { ') && text.endsWith('\n});'), `${c.file}: wrapped as a CommonJS module`);
    // the build's tracing pass (scripts/bundle.mjs) writes chunks that note each module evaluated: not these
    t.notOk(text.includes('__tspod_trace'), `${c.file}: not a tracing chunk`);
    for (const m of c.modules) {
      if (home.has(m)) twice.push(`${m} in ${home.get(m)} and ${c.file}`);
      home.set(m, c.file);
    }
  }
  t.same(twice, [], 'no module in two chunks');
  t.ok(home.has('dist/cli/entry.js') && home.has('dist/engine/volumes.js'), 'the modules are listed by their path from the package root');
  t.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.cjs')).length, chunks.length, 'no chunk file the list does not name');
});

t.test('every command of command-index.json loads from the bundle, on the light base', async (t) => {
  const index = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli', 'command-index.json'), 'utf8')) as Record<string, [string, string]>;
  // all but __complete, which the fast path leaves to oclif (src/cli/fast.ts)
  const files = [...new Set(Object.values(index).filter(([id]) => id !== '__complete').map(([, f]) => f))];
  t.ok(files.length > 100, `${files.length} command modules`);
  // in a child: the bundle sets globals and the light base is chosen once per process
  const script = `
    globalThis.TSPOD_LITE = true;
    require(${JSON.stringify(loader)}).loadBundle();
    const mods = globalThis.TSPOD_COMMAND_MODULES;
    const files = ${JSON.stringify(files)};
    (async () => {
      const bad = [];
      for (const f of files) {
        if (typeof mods[f] !== 'function') { bad.push(f + ': not in the bundle'); continue; }
        const C = (await mods[f]()).default;
        if (typeof C !== 'function' || typeof C.prototype.runLite !== 'function') bad.push(f + ': not a command on the light base');
      }
      console.log(JSON.stringify({ bad, count: Object.keys(mods).length }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TSPOD_LOG_LEVEL: 'error' } });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { bad: string[]; count: number };
  t.same(out.bad, [], 'each loads, as a command class');
  t.equal(out.count, files.length, 'the bundle lists exactly the commands of the index');
});
