// The start-up bundle (scripts/bundle.mjs, dist/bundle/tspod.cjs) holds every command the fast path
// can run: each module command-index.json names loads from the bundle as a command class on the
// light base, and the bundle is plain ASCII (bin/tspod.cjs reads it as latin1).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bundle = path.join(root, 'dist', 'bundle', 'tspod.cjs');

t.test('the bundle is built, ASCII, with its code cache', async (t) => {
  t.ok(fs.existsSync(bundle), `${bundle} exists (npm run build writes it)`);
  t.ok(fs.statSync(`${bundle}.cache`).size > 0, 'the code cache is not empty');
  const bytes = fs.readFileSync(bundle);
  t.equal(bytes.findIndex((b) => b > 0x7f), -1, 'no byte above 0x7f');
});

t.test('every command of command-index.json loads from the bundle, on the light base', async (t) => {
  const index = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli', 'command-index.json'), 'utf8')) as Record<string, [string, string]>;
  // all but __complete, which the fast path leaves to oclif (src/cli/fast.ts)
  const files = [...new Set(Object.values(index).filter(([id]) => id !== '__complete').map(([, f]) => f))];
  t.ok(files.length > 100, `${files.length} command modules`);
  // in a child: the bundle sets globals and the light base is chosen once per process
  const script = `
    globalThis.TSPOD_LITE = true;
    require(${JSON.stringify(bundle)});
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
