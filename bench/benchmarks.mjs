// The benchmarks: one entry per measured command. To add one, append an entry:
//   name       short id (the table's first column)
//   goal       the ratio (tspod / podman median) we aim for; reported, never asserted
//   what       one line describing what is timed
//   quick      true: part of `--quick` (the subset that runs in a few minutes)
//   series     rows of one series ({ series, n }) share their state: set up incrementally, torn down
//              after the last selected row; run.mjs prints the cost per item between rows
//   requires   tspod commands that must exist (`tspod CMD --help` exits 0), else the benchmark is skipped
//   setup      async (engine, ctx) once per engine before the runs (untimed)
//   before     async (engine, ctx) before every run (untimed)
//   tspodCmd   (ctx, engine) => args, or a list of args run one after another (timed as a whole)
//   podmanCmd  (ctx, engine) => the same for podman
//   check      async (engine, ctx, results) after every timed run (untimed): throw if the command did not do its job
//   after      async (engine, ctx) after every run (untimed)
//   teardown   async (engine, ctx) once per engine after the runs (untimed)
//   hyperfine  true when the timed command has no per-run state, so hyperfine can cross-check it
// `engine` has .name ('tspod' | 'podman'), .label (the column: 'tspod', 'podman', 'tspod+CA'),
// .ok(args) (run, require exit 0), .exec(args) and .cur (per-run scratch, e.g. the container
// `before` made). The 'tspod+CA' column is tspod on the same store with NODE_EXTRA_CA_CERTS set:
// setup and teardown run for 'tspod' and 'podman' only.
// ctx has .images (see run.mjs: big, small[], base), .reg (host, url), .opts, .series (state of
// the series rows), .ensureSmallImages(n) (at least n small images in the registry) and
// .hugeImage() (the 200 MiB single-layer image, built and pushed on first use).

import { buildBenchmarks } from './build.mjs';
import { apiBenchmarks } from './api.mjs';
import { composeBenchmarks } from './compose.mjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './lib/registry.mjs';

const both = (fn) => ({ tspodCmd: fn, podmanCmd: fn });

let seq = 0;
/** A container name no earlier run used. */
const uniq = (prefix) => `bench-${prefix}-${process.pid}-${++seq}`;

/** `rm -f` without podman's 10 s wait for `sleep` (PID 1 ignores SIGTERM). */
const rmForce = (e, ...what) => e.ok(e.name === 'podman' ? ['rm', '-f', '-t', '0', ...what] : ['rm', '-f', ...what]);

/** Remove every container, quickly. */
async function rmAllContainers(e) {
  await rmForce(e, '-a');
}

async function countLines(e, args) {
  const r = await e.ok(args);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

async function expectCount(e, args, want, what) {
  const n = await countLines(e, args);
  if (n !== want) throw new Error(`${e.name}: ${what}: \`${args.join(' ')}\` lists ${n}, expected ${want}`);
}

/** Run `fn(i)` for i in [from, to) with at most `width` at once (setup of the scaling rows). */
async function pool(from, to, width, fn) {
  let next = from;
  const worker = async () => { while (next < to) { const i = next++; await fn(i); } };
  await Promise.all(Array.from({ length: Math.min(width, Math.max(0, to - from)) }, worker));
}

const expectRows = (n, what) => async (e, _ctx, r) => {
  const rows = r[0].stdout.split('\n').filter((l) => l.trim()).length - 1;
  if (rows !== n) throw new Error(`${e.name} ${what} printed ${rows} rows, expected ${n}`);
};

const expectOutput = (re, what) => async (e, _ctx, r) => {
  if (!re.test(r[0].stdout)) throw new Error(`${e.name} ${what}: output does not match ${re}: ${JSON.stringify(r[0].stdout.slice(0, 300))}`);
};

const pullBase = async (e, ctx) => { await e.ok(['pull', '-q', ctx.images.base.ref]); };

/** The engine that owns the store (tspod+CA is tspod on tspod's store): setup ran for it. */
const own = (e) => e.variantOf ?? e;
/** kube-play-3 / kube-down-3: the engine's manifest file (a Pod named per run, three sleeping containers, as the pods issue asks). */
function kubeManifest(e, ctx) {
  e.yaml = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `bench-kube-${e.name}-`)), 'pod.yaml');
  // a process that exits on SIGTERM: podman 4.3's kube down stops with a 0 s timeout (SIGKILL at once), tspod's
  // (as later podmans) with the containers' own (10 s): a `sleep` as PID 1 ignores SIGTERM and would time the wait
  const ctr = (n) => `  - { name: ${n}, image: ${ctx.images.base.ref}, imagePullPolicy: IfNotPresent, command: [sh, -c, 'trap "exit 0" TERM; sleep 100 & wait'] }`;
  e.manifest = (name) => ['apiVersion: v1', 'kind: Pod', `metadata: { name: ${name} }`, 'spec:', '  containers:', ctr('one'), ctr('two'), ctr('three'), ''].join('\n');
}
async function kubePodRunning(e) {
  // three containers and the infra container
  const r = await e.ok(['pod', 'inspect', '--format', '{{.State}} {{.NumContainers}}', e.cur]);
  if (r.stdout.trim() !== 'Running 4') throw new Error(`${e.name}: pod ${e.cur} is "${r.stdout.trim()}", expected "Running 4"`);
}

// ---------------------------------------------------------------- scaling series

/** `images` with n images: the store holds exactly small[0..n-1], pulled incrementally along the series. */
function imagesRow(n, goal, quick) {
  return {
    name: `images-${n}`,
    goal,
    quick,
    series: { series: 'images', n },
    what: `images with ${n} images`,
    requires: ['pull', 'rmi', 'images'],
    setup: async (e, ctx) => {
      const state = (ctx.series.images ??= {});
      let have = state[e.name];
      if (have === undefined) { await e.ok(['rmi', '-a', '-f']); have = 0; }
      await ctx.ensureSmallImages(n);
      await pool(have, n, 4, (i) => e.ok(['pull', '-q', ctx.images.small[i].ref]));
      state[e.name] = n;
      await expectCount(e, ['images', '-q'], n, 'images after setup');
    },
    ...both(() => ['images']),
    check: expectRows(n, 'images'),
    teardown: async (e, ctx) => { await e.ok(['rmi', '-a', '-f']); delete ctx.series.images?.[e.name]; },
    hyperfine: true,
  };
}

/** `ps -a` with n created containers, created incrementally along the series. */
function psRow(n, goal, quick) {
  return {
    name: `ps-${n}`,
    goal,
    quick,
    series: { series: 'ps', n },
    what: `ps -a with ${n} created containers`,
    requires: ['create', 'ps', 'rm'],
    setup: async (e, ctx) => {
      const state = (ctx.series.ps ??= {});
      let have = state[e.name];
      if (have === undefined) { await pullBase(e, ctx); await rmAllContainers(e); have = 0; }
      await pool(have, n, 4, () => e.ok(['create', ctx.images.base.ref, 'true']));
      state[e.name] = n;
      await expectCount(e, ['ps', '-a', '-q'], n, 'containers after setup');
    },
    ...both(() => ['ps', '-a']),
    check: expectRows(n, 'ps -a'),
    teardown: async (e, ctx) => { await rmAllContainers(e); delete ctx.series.ps?.[e.name]; },
    hyperfine: true,
  };
}

// ---------------------------------------------------------------- the list

export const benchmarks = [
  imagesRow(10, 0.8, true),
  imagesRow(100, 0.8, true),
  imagesRow(500, 0.8, false),
  psRow(10, 0.6, true),
  psRow(100, 0.6, true),
  psRow(1000, 0.6, false),
  {
    name: 'create',
    goal: 1.0,
    quick: true,
    what: 'create --name NAME IMAGE true',
    requires: ['create', 'rm', 'container exists'],
    setup: pullBase,
    before: async (e) => { e.cur = uniq('create'); },
    ...both((ctx, e) => ['create', '--name', e.cur, ctx.images.base.ref, 'true']),
    check: async (e) => { await e.ok(['container', 'exists', e.cur]); },
    after: async (e) => { await e.ok(['rm', e.cur]); },
  },
  {
    name: 'start',
    goal: 1.0,
    quick: true,
    what: 'start a created container (sleep 100)',
    requires: ['create', 'start', 'rm'],
    setup: pullBase,
    before: async (e, ctx) => { e.cur = uniq('start'); await e.ok(['create', '--name', e.cur, ctx.images.base.ref, 'sleep', '100']); },
    ...both((_ctx, e) => ['start', e.cur]),
    after: async (e) => { await rmForce(e, e.cur); },
  },
  {
    name: 'stop',
    goal: 1.0,
    quick: true,
    what: 'stop -t 0 a running container (sleep 100)',
    requires: ['run', 'stop', 'rm'],
    setup: pullBase,
    before: async (e, ctx) => { e.cur = uniq('stop'); await e.ok(['run', '-d', '--name', e.cur, ctx.images.base.ref, 'sleep', '100']); },
    ...both((_ctx, e) => ['stop', '-t', '0', e.cur]),
    after: async (e) => { await e.ok(['rm', e.cur]); },
  },
  {
    name: 'rm',
    goal: 1.0,
    quick: true,
    what: 'rm a created container',
    requires: ['create', 'rm', 'container exists'],
    setup: pullBase,
    before: async (e, ctx) => { e.cur = uniq('rm'); await e.ok(['create', '--name', e.cur, ctx.images.base.ref, 'true']); },
    ...both((_ctx, e) => ['rm', e.cur]),
    check: async (e) => {
      const r = await e.exec(['container', 'exists', e.cur]);
      if (r.code !== 1) throw new Error(`${e.name}: container ${e.cur} still exists after rm (container exists: ${r.code})`);
    },
  },
  {
    name: 'run-d',
    goal: 0.9,
    quick: true,
    what: 'run -d --name NAME IMAGE sleep 100',
    requires: ['run', 'rm'],
    setup: pullBase,
    before: async (e) => { e.cur = uniq('rund'); },
    ...both((ctx, e) => ['run', '-d', '--name', e.cur, ctx.images.base.ref, 'sleep', '100']),
    after: async (e) => { await rmForce(e, e.cur); },
  },
  {
    name: 'exec',
    goal: 1.0,
    quick: true,
    what: 'exec CTR true (a running container)',
    requires: ['run', 'exec', 'rm'],
    setup: async (e, ctx) => { await pullBase(e, ctx); await e.ok(['run', '-d', '--name', 'bench-exec', ctx.images.base.ref, 'sleep', '1000']); },
    ...both(() => ['exec', 'bench-exec', 'true']),
    teardown: async (e) => { await rmForce(e, 'bench-exec'); },
    hyperfine: true,
  },
  {
    name: 'logs',
    goal: 1.0,
    quick: true,
    what: 'logs CTR (an exited container that printed 3 lines)',
    requires: ['run', 'logs', 'rm'],
    setup: async (e, ctx) => { await pullBase(e, ctx); await e.ok(['run', '--name', 'bench-logs', ctx.images.base.ref, 'sh', '-c', 'echo one; echo two; echo three']); },
    ...both(() => ['logs', 'bench-logs']),
    check: expectOutput(/^one\ntwo\nthree\n$/, 'logs'),
    teardown: async (e) => { await rmForce(e, 'bench-logs'); },
    hyperfine: true,
  },
  {
    name: 'inspect',
    goal: 1.0,
    quick: true,
    what: 'inspect CTR (a created container)',
    requires: ['create', 'inspect', 'rm'],
    setup: async (e, ctx) => { await pullBase(e, ctx); await e.ok(['create', '--name', 'bench-inspect', ctx.images.base.ref, 'true']); },
    ...both(() => ['inspect', 'bench-inspect']),
    check: async (e, _ctx, r) => {
      const v = JSON.parse(r[0].stdout);
      if (!Array.isArray(v) || v.length !== 1) throw new Error(`${e.name} inspect: expected a JSON array of one object`);
    },
    teardown: async (e) => { await rmForce(e, 'bench-inspect'); },
    hyperfine: true,
  },
  {
    name: 'port',
    goal: 1.0,
    quick: true,
    what: 'port CTR (running, -p 127.0.0.1:PORT:8080)',
    requires: ['run', 'port', 'rm'],
    setup: async (e, ctx) => {
      await pullBase(e, ctx);
      const port = await freePort();
      (ctx.ports ??= {})[e.name] = port;
      await e.ok(['run', '-d', '--name', 'bench-port', '-p', `127.0.0.1:${port}:8080`, ctx.images.base.ref, 'sleep', '1000']);
    },
    ...both(() => ['port', 'bench-port']),
    check: async (e, ctx, r) => {
      if (!r[0].stdout.includes(`127.0.0.1:${ctx.ports[e.name]}`)) throw new Error(`${e.name} port: ${JSON.stringify(r[0].stdout)} does not show 127.0.0.1:${ctx.ports[e.name]}`);
    },
    teardown: async (e) => { await rmForce(e, 'bench-port'); },
    hyperfine: true,
  },
  {
    name: 'top',
    goal: 1.0,
    quick: true,
    what: 'top CTR (a running container)',
    requires: ['run', 'top', 'rm'],
    setup: async (e, ctx) => { await pullBase(e, ctx); await e.ok(['run', '-d', '--name', 'bench-top', ctx.images.base.ref, 'sleep', '1000']); },
    ...both(() => ['top', 'bench-top']),
    check: expectOutput(/sleep/, 'top'),
    teardown: async (e) => { await rmForce(e, 'bench-top'); },
    hyperfine: true,
  },
  {
    name: 'volume-ls',
    goal: 1.0,
    quick: true,
    what: 'volume ls (3 volumes)',
    requires: ['volume create', 'volume ls', 'volume rm'],
    setup: async (e) => { for (const i of [1, 2, 3]) await e.ok(['volume', 'create', `bench-vol-${i}`]); },
    ...both(() => ['volume', 'ls']),
    check: expectRows(3, 'volume ls'),
    teardown: async (e) => { await e.ok(['volume', 'rm', 'bench-vol-1', 'bench-vol-2', 'bench-vol-3']); },
    hyperfine: true,
  },
  {
    name: 'network-ls',
    goal: 1.0,
    quick: true,
    what: 'network ls (the default network and one more)',
    requires: ['network create', 'network ls', 'network rm'],
    setup: async (e) => { await e.exec(['network', 'rm', '-f', 'bench-netls']); await e.ok(['network', 'create', 'bench-netls']); },
    ...both(() => ['network', 'ls']),
    check: expectOutput(/bench-netls/, 'network ls'),
    teardown: async (e) => { await e.ok(['network', 'rm', 'bench-netls']); },
    hyperfine: true,
  },
  {
    name: 'run',
    goal: 0.9,
    quick: true,
    what: 'run --rm IMAGE true',
    requires: ['run', 'rm', 'ps'],
    setup: pullBase,
    ...both((ctx) => ['run', '--rm', ctx.images.base.ref, 'true']),
    check: async (e) => { await expectCount(e, ['ps', '-a', '-q'], 0, 'containers left after run --rm'); },
    teardown: async (e) => { await rmAllContainers(e); },
  },
  {
    // the same without slirp4netns: isolates the runtime path (conmon, runc, fuse-overlayfs) from networking
    name: 'run-nonet',
    goal: 1.0,
    what: 'run --rm --network none IMAGE true',
    requires: ['run', 'rm', 'ps'],
    setup: pullBase,
    ...both((ctx) => ['run', '--rm', '--network', 'none', ctx.images.base.ref, 'true']),
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
      await pullBase(e, ctx);
      await e.exec(['network', 'rm', '-f', 'benchnet']);
      await e.ok(['network', 'create', 'benchnet']);
    },
    ...both((ctx) => ['run', '--rm', '--network', 'benchnet', ctx.images.base.ref, 'true']),
    check: async (e) => { await expectCount(e, ['ps', '-a', '-q'], 0, 'containers left after run --rm'); },
    teardown: async (e) => { await rmAllContainers(e); await e.exec(['network', 'rm', '-f', 'benchnet']); },
  },
  {
    name: 'start20',
    goal: 0.9,
    what: '20 x run -d IMAGE sleep 100, one after another (total)',
    requires: ['run', 'ps', 'rm'],
    setup: pullBase,
    ...both((ctx) => Array.from({ length: 20 }, () => ['run', '-d', ctx.images.base.ref, 'sleep', '100'])),
    check: async (e) => { await expectCount(e, ['ps', '-q'], 20, 'running containers after 20 x run -d'); },
    after: async (e) => { await rmAllContainers(e); },
  },
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
    name: 'pull-200m',
    goal: 0.5,
    what: 'pull a single-layer image of 200 MiB (random data) into an empty store',
    requires: ['pull', 'rmi', 'images'],
    setup: async (e, ctx) => { await e.ok(['rmi', '-a', '-f']); await ctx.hugeImage(); },
    before: async (e) => { await expectCount(e, ['images', '-q'], 0, 'store must be empty before pull'); },
    ...both((ctx) => ['pull', ctx.images.huge.ref]),
    check: async (e, ctx) => { await e.ok(['image', 'exists', ctx.images.huge.ref]); },
    after: async (e) => { await e.ok(['rmi', '-a', '-f']); },
  },
  {
    name: 'pod-2',
    goal: 1.0,
    what: 'pod create --name P -p PORT:80, then two run -d --pod P IMAGE sleep 100 (one after another)',
    requires: ['pod create', 'pod rm'],
    setup: pullBase,
    before: async (e) => { e.cur = uniq('pod'); e.port = await freePort(); },
    ...both((ctx, e) => [
      ['pod', 'create', '--name', e.cur, '-p', `${e.port}:80`],
      ['run', '-d', '--pod', e.cur, ctx.images.base.ref, 'sleep', '100'],
      ['run', '-d', '--pod', e.cur, ctx.images.base.ref, 'sleep', '100'],
    ]),
    check: async (e) => {
      const r = await e.ok(['pod', 'inspect', '--format', '{{.State}} {{.NumContainers}}', e.cur]);
      if (r.stdout.trim() !== 'Running 3') throw new Error(`${e.name}: pod ${e.cur} is "${r.stdout.trim()}", expected "Running 3"`);
    },
    after: async (e) => { await e.ok(['pod', 'rm', '-f', '-t', '0', e.cur]); },
  },
  {
    name: 'kube-play-3',
    goal: 1.0,
    what: 'kube play --network slirp4netns FILE: a Pod of 3 containers (sh exiting on SIGTERM, sleep 100; imagePullPolicy IfNotPresent)',
    requires: ['kube play', 'kube down'],
    setup: async (e, ctx) => { await pullBase(e, ctx); kubeManifest(e, ctx); },
    before: async (e) => { e.cur = uniq('kube'); fs.writeFileSync(own(e).yaml, own(e).manifest(e.cur)); },
    ...both((_ctx, e) => ['kube', 'play', '--network', 'slirp4netns', own(e).yaml]),
    check: kubePodRunning,
    after: async (e) => { await e.ok(['kube', 'down', own(e).yaml]); },
    teardown: async (e) => { fs.rmSync(path.dirname(e.yaml), { recursive: true, force: true }); },
  },
  {
    name: 'kube-down-3',
    goal: 1.0,
    what: 'kube down FILE of the 3-container Pod kube-play-3 plays (running)',
    requires: ['kube play', 'kube down'],
    setup: async (e, ctx) => { await pullBase(e, ctx); kubeManifest(e, ctx); },
    before: async (e) => {
      e.cur = uniq('kube');
      fs.writeFileSync(own(e).yaml, own(e).manifest(e.cur));
      await e.ok(['kube', 'play', '--network', 'slirp4netns', own(e).yaml]);
      await kubePodRunning(e);
    },
    ...both((_ctx, e) => ['kube', 'down', own(e).yaml]),
    check: async (e) => { await expectCount(e, ['pod', 'ps', '-q'], 0, 'kube down must remove the pod'); await expectCount(e, ['ps', '-aq'], 0, 'kube down must remove the containers'); },
    teardown: async (e) => { fs.rmSync(path.dirname(e.yaml), { recursive: true, force: true }); },
  },
  ...buildBenchmarks,
  ...apiBenchmarks,
  ...composeBenchmarks,
];
