// The layering of src/ (see the README's "How it works"): commands -> cli -> engine ->
// parts -> util. Checked over every import (static and dynamic) of every source file.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');
const PARTS = ['container', 'image', 'storage', 'runtime', 'network', 'rootless', 'build', 'state', 'volume', 'registry', 'systemd', 'events'];
const UI_PACKAGES = ['@oclif/core', 'chalk', 'ora'];

interface Edge { from: string; to: string; typeOnly: boolean }

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

function edges(file: string): Edge[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Edge[] = [];
  const rel = path.relative(SRC, file);
  const re = /(import\s+type\s[^'"]*?from\s*|import\s[^'"]*?from\s*|export\s[^'"]*?from\s*|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const spec = m[2]!;
    const typeOnly = /^import\s+type\s/.test(m[1]!) || /^export\s+type\s/.test(m[1]!);
    if (spec.startsWith('.')) out.push({ from: rel, to: path.relative(SRC, path.resolve(path.dirname(file), spec)), typeOnly });
    else out.push({ from: rel, to: `pkg:${spec}`, typeOnly });
  }
  return out;
}

const top = (p: string) => p.split(path.sep)[0]!.replace(/\.(ts|js)$/, '');
const all = files(SRC).flatMap(edges);

t.ok(all.length > 300, `the graph was read (${all.length} imports)`);

t.test('nothing below src/cli imports oclif, chalk or ora', async (t) => {
  const bad = all.filter((e) => UI_PACKAGES.some((p) => e.to === `pkg:${p}` || e.to.startsWith(`pkg:${p}/`)) && !['commands', 'cli'].includes(top(e.from)));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('commands load without oclif (the fast path runs them on src/cli/lite.ts)', async (t) => {
  // oclif is loaded only by the entry's fallback and by base.ts when not on the fast path;
  // commands take Flags and Args from src/cli/params.ts. __complete is answered before either.
  const allowed = new Set([path.join('cli', 'entry.ts'), path.join('cli', 'base.ts'), path.join('commands', '__complete.ts')]);
  const bad = all.filter((e) => !e.typeOnly && (e.to === 'pkg:@oclif/core' || e.to.startsWith('pkg:@oclif/core/')) && !allowed.has(e.from));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('the engine and its parts never import a front end', async (t) => {
  const bad = all.filter((e) => !e.to.startsWith('pkg:') && [...PARTS, 'engine', 'util'].includes(top(e.from)) && ['commands', 'cli', 'compose', 'api', 'kube'].includes(top(e.to)));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('parts never import the engine; util imports only util', async (t) => {
  const bad = all.filter((e) => !e.to.startsWith('pkg:') && !e.typeOnly && (
    (PARTS.includes(top(e.from)) && top(e.to) === 'engine') || (top(e.from) === 'util' && top(e.to) !== 'util')));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('commands reach stores, the runtime and systemd only through the engine', async (t) => {
  const bad = all.filter((e) => !e.to.startsWith('pkg:') && !e.typeOnly && top(e.from) === 'commands' && PARTS.includes(top(e.to)));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('the API service reaches the engine only through its public API (src/engine/index.ts)', async (t) => {
  const ok = (to: string) => ['api', 'util'].includes(top(to)) || to === path.join('engine', 'index.ts') || to === path.join('engine', 'index.js');
  const bad = all.filter((e) => !e.to.startsWith('pkg:') && top(e.from) === 'api' && !ok(e.to));
  t.same(bad.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('the engine has no file over 600 lines', async (t) => {
  const long = files(path.join(SRC, 'engine')).map((f) => [path.relative(SRC, f), fs.readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 600);
  t.same(long, []);
});

