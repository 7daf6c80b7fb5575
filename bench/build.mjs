// Build benchmarks (issue 5): tspod build vs podman build on the same Containerfile
// and context. Entries in the format of benchmarks.mjs; to enable them add
//   import { buildBenchmarks } from './build.mjs';
// to bench/benchmarks.mjs and `...buildBenchmarks` at the end of its `benchmarks` array.
//
//   build-cold      every step runs (--no-cache), base image already local   goal: no slower (<= 1.0)
//   build-cached    fully cached rebuild                                     goal: 2x faster (<= 0.5)
//   build-lastcopy  rebuild after editing the file of the last COPY          goal: <= 1.0
//   build-cached-run  fully cached rebuild of RUN steps only (issue 15)      goal: <= 0.8
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let contextDir;
let edits = 0;

/** One build context shared by both engines (read-only for them; `last.txt` is edited between runs). */
function context(ctx) {
  if (contextDir) return contextDir;
  contextDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bench-build-'));
  fs.chmodSync(contextDir, 0o755);
  const data = path.join(contextDir, 'data');
  fs.mkdirSync(data);
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(data, `file${i}`), `${i}\n`.repeat(1000));
  fs.writeFileSync(path.join(contextDir, 'last.txt'), 'initial\n');
  fs.writeFileSync(path.join(contextDir, 'Containerfile'), [
    `FROM ${ctx.images.base.ref}`,
    'RUN mkdir -p /app && for i in $(seq 1 200); do echo $i > /app/f$i; done',
    'COPY data/ /data/',
    'RUN ls /data | wc -l > /count',
    'ENV MODE=bench',
    'WORKDIR /app',
    'COPY last.txt /app/last.txt',
    'CMD ["cat", "/app/last.txt"]',
  ].join('\n') + '\n');
  process.on('exit', () => { try { fs.rmSync(contextDir, { recursive: true, force: true }); } catch { /* ignore */ } });
  return contextDir;
}

let runOnlyDir;

/** A Containerfile of three RUN steps and nothing else to copy: a cached rebuild is cache look-ups only. */
function runOnlyContext(ctx) {
  if (runOnlyDir) return runOnlyDir;
  runOnlyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bench-build-run-'));
  fs.chmodSync(runOnlyDir, 0o755);
  fs.writeFileSync(path.join(runOnlyDir, 'Containerfile'), [
    `FROM ${ctx.images.base.ref}`,
    'RUN echo one > /one',
    'RUN echo two > /two',
    'RUN cat /one /two > /three',
  ].join('\n') + '\n');
  process.on('exit', () => { try { fs.rmSync(runOnlyDir, { recursive: true, force: true }); } catch { /* ignore */ } });
  return runOnlyDir;
}

const both = (fn) => ({ tspodCmd: fn, podmanCmd: fn });
const TAG = 'localhost/bench-build:latest';
const setup = async (e, ctx) => {
  await e.ok(['pull', '-q', ctx.images.base.ref]);
  context(ctx);
};
const check = async (e) => { await e.ok(['image', 'exists', TAG]); };

export const buildBenchmarks = [
  {
    name: 'build-cold',
    goal: 1.0,
    what: 'build --no-cache: 2 RUN, 2 COPY (300 files + 1), 4 config steps',
    requires: ['build'],
    setup,
    ...both((ctx) => ['build', '--no-cache', '-q', '-t', TAG, context(ctx)]),
    check,
  },
  {
    name: 'build-cached',
    goal: 0.5,
    what: 'build again with every step cached',
    requires: ['build'],
    setup: async (e, ctx) => { await setup(e, ctx); await e.ok(['build', '-q', '-t', TAG, context(ctx)]); },
    ...both((ctx) => ['build', '-q', '-t', TAG, context(ctx)]),
    check,
  },
  {
    name: 'build-lastcopy',
    goal: 1.0,
    what: 'build after editing the file of the last COPY (the steps before it cached)',
    requires: ['build'],
    setup: async (e, ctx) => { await setup(e, ctx); await e.ok(['build', '-q', '-t', TAG, context(ctx)]); },
    before: async (_e, ctx) => { fs.writeFileSync(path.join(context(ctx), 'last.txt'), `edit ${++edits}\n`); },
    ...both((ctx) => ['build', '-q', '-t', TAG, context(ctx)]),
    check,
    teardown: async (e) => { await e.ok(['rmi', '-a', '-f']); },
  },
  {
    name: 'build-cached-run',
    goal: 0.8,
    what: 'build again with every step cached: FROM + 3 RUN steps',
    requires: ['build'],
    setup: async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); await e.ok(['build', '-q', '-t', TAG, runOnlyContext(ctx)]); },
    ...both((ctx) => ['build', '-q', '-t', TAG, runOnlyContext(ctx)]),
    check,
    teardown: async (e) => { await e.ok(['rmi', '-a', '-f']); },
  },
];
