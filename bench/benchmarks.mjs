// The benchmarks: one entry per measured command. To add one, append an entry:
//   name       short id (the table's first column)
//   goal       the ratio (tspod / podman median) we aim for; reported, never asserted
//   what       one line describing what is timed
//   requires   tspod commands that must exist (`tspod CMD --help` exits 0), else the benchmark is skipped
//   setup      async (engine, ctx) once per engine before the runs (untimed)
//   before     async (engine, ctx) before every run (untimed)
//   tspodCmd   (ctx) => args, or a list of args run one after another (timed as a whole)
//   podmanCmd  (ctx) => the same for podman
//   check      async (engine, ctx, results) after every timed run (untimed): throw if the command did not do its job
//   after      async (engine, ctx) after every run (untimed)
//   teardown   async (engine, ctx) once per engine after the runs (untimed)
//   hyperfine  true when the timed command has no per-run state, so hyperfine can cross-check it
// `engine` has .name ('tspod' | 'podman'), .ok(args) (run, require exit 0) and .exec(args).
// ctx has .images (see run.mjs: big, small[], base), .reg (host, url) and .opts.

import { buildBenchmarks } from './build.mjs';

const both = (fn) => ({ tspodCmd: fn, podmanCmd: fn });

/** Remove every container, quickly (podman's rm -f would wait 10 s for `sleep` to ignore SIGTERM). */
async function rmAllContainers(e) {
  await e.ok(e.name === 'podman' ? ['rm', '-a', '-f', '-t', '0'] : ['rm', '-a', '-f']);
}

async function countLines(e, args) {
  const r = await e.ok(args);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

async function expectCount(e, args, want, what) {
  const n = await countLines(e, args);
  if (n !== want) throw new Error(`${e.name}: ${what}: \`${args.join(' ')}\` lists ${n}, expected ${want}`);
}

export const benchmarks = [
  {
    name: 'pull',
    goal: 0.67,
    what: 'pull a 5-layer image (busybox + 4 data layers) into an empty store',
    requires: ['pull', 'rmi', 'images'],
    setup: async (e) => { await e.ok(['rmi', '-a', '-f']); },
    before: async (e) => { await expectCount(e, ['images', '-q'], 0, 'store must be empty before pull'); },
    ...both((ctx) => ['pull', ctx.images.big.ref]),
    check: async (e, ctx) => { await e.ok(['image', 'exists', ctx.images.big.ref]); },
    after: async (e) => { await e.ok(['rmi', '-a', '-f']); },
  },
  {
    name: 'images',
    goal: 1.0,
    what: 'list 10 images',
    requires: ['pull', 'rmi', 'images'],
    setup: async (e, ctx) => {
      for (const img of ctx.images.small) await e.ok(['pull', '-q', img.ref]);
      await expectCount(e, ['images', '-q'], ctx.images.small.length, 'images after setup');
    },
    ...both(() => ['images']),
    check: async (e, ctx, r) => {
      const rows = r[0].stdout.split('\n').filter((l) => l.trim()).length - 1;
      if (rows !== ctx.images.small.length) throw new Error(`${e.name} images printed ${rows} rows, expected ${ctx.images.small.length}`);
    },
    teardown: async (e) => { await e.ok(['rmi', '-a', '-f']); },
    hyperfine: true,
  },
  {
    name: 'run',
    goal: 1.0,
    what: 'run --rm IMAGE true',
    requires: ['run', 'rm', 'ps'],
    setup: async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); },
    ...both((ctx) => ['run', '--rm', ctx.images.base.ref, 'true']),
    check: async (e) => { await expectCount(e, ['ps', '-a', '-q'], 0, 'containers left after run --rm'); },
    teardown: async (e) => { await rmAllContainers(e); },
  },
  {
    // issue 4: the cost of a container on a user-defined network (netavark + aardvark-dns in the
    // rootless network namespace) next to the default slirp4netns one ('run' above)
    name: 'run-usernet',
    goal: 1.0,
    what: 'run --rm --network benchnet IMAGE true (a user-defined network)',
    requires: ['run', 'rm', 'ps', 'network'],
    setup: async (e, ctx) => {
      await e.ok(['pull', '-q', ctx.images.base.ref]);
      await e.exec(['network', 'rm', '-f', 'benchnet']);
      await e.ok(['network', 'create', 'benchnet']);
    },
    ...both((ctx) => ['run', '--rm', '--network', 'benchnet', ctx.images.base.ref, 'true']),
    check: async (e) => { await expectCount(e, ['ps', '-a', '-q'], 0, 'containers left after run --rm'); },
    teardown: async (e) => { await rmAllContainers(e); await e.exec(['network', 'rm', '-f', 'benchnet']); },
  },
  {
    // the same without slirp4netns: isolates the runtime path (conmon, runc, fuse-overlayfs) from networking
    name: 'run-nonet',
    goal: 1.0,
    what: 'run --rm --network none IMAGE true',
    requires: ['run', 'rm', 'ps'],
    setup: async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); },
    ...both((ctx) => ['run', '--rm', '--network', 'none', ctx.images.base.ref, 'true']),
    check: async (e) => { await expectCount(e, ['ps', '-a', '-q'], 0, 'containers left after run --rm'); },
    teardown: async (e) => { await rmAllContainers(e); },
  },
  {
    name: 'ps',
    goal: 1.0,
    what: 'ps -a with 100 created containers',
    requires: ['create', 'ps', 'rm'],
    setup: async (e, ctx) => {
      await e.ok(['pull', '-q', ctx.images.base.ref]);
      for (let i = 0; i < 100; i++) await e.ok(['create', ctx.images.base.ref, 'true']);
      await expectCount(e, ['ps', '-a', '-q'], 100, 'containers after setup');
    },
    ...both(() => ['ps', '-a']),
    check: async (e, ctx, r) => {
      const rows = r[0].stdout.split('\n').filter((l) => l.trim()).length - 1;
      if (rows !== 100) throw new Error(`${e.name} ps -a printed ${rows} rows, expected 100`);
    },
    teardown: async (e) => { await rmAllContainers(e); },
    hyperfine: true,
  },
  {
    name: 'start20',
    goal: 1.0,
    what: '20 x run -d IMAGE sleep 100, one after another (total)',
    requires: ['run', 'ps', 'rm'],
    setup: async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); },
    ...both((ctx) => Array.from({ length: 20 }, () => ['run', '-d', ctx.images.base.ref, 'sleep', '100'])),
    check: async (e) => { await expectCount(e, ['ps', '-q'], 20, 'running containers after 20 x run -d'); },
    after: async (e) => { await rmAllContainers(e); },
  },
  ...buildBenchmarks,
];
