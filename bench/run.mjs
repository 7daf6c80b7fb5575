#!/usr/bin/env node
// tspod vs podman 4.3, side by side on this machine, same rootless stack (runc,
// fuse-overlayfs, slirp4netns, cgroupfs), both in a clean login environment.
// Runs each benchmark of bench/benchmarks.mjs N times, rotating the order of the
// engines so they share the machine's noise, and reports median wall-clock times,
// the ratio tspod / podman (< 1.0: tspod is faster) against a goal, the peak
// memory of each command, and tspod again with NODE_EXTRA_CA_CERTS set (a third
// column). Goals are reported, never asserted: the exit status is non-zero only
// when a command fails.
//
//   node bench/run.mjs [--quick] [--runs N] [--warmup N] [--only a,b] [--tspod PATH] [--no-snapshot]
//                      [--no-ca] [--no-rusage] [--hyperfine] [--user NAME] [--keep] [--json-out FILE]
//
// Started as root, it re-runs itself as the unprivileged user (default tspodtest) via su.
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchmarks } from './benchmarks.mjs';
import { busyboxLayer, dataLayer, filesLayer, makeImage, packLayer, pushImage } from './lib/image.mjs';
import { makePodman, makeTspod, verifyPodman, describeTspod } from './lib/engines.mjs';
import { GNU_TIME, runTimed, shellQuote } from './lib/proc.mjs';
import { startRegistry } from './lib/registry.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH_DIR, '..');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const USAGE = `usage: node bench/run.mjs [options]
  --quick          only the rows marked quick (${benchmarks.filter((b) => b.quick).map((b) => b.name).join(', ')}), 3 runs: a few minutes
  --runs N         timed runs per engine and benchmark (default 5; 3 with --quick)
  --warmup N       untimed runs per engine before timing (default 1)
  --only a,b       run only these benchmarks (${benchmarks.map((b) => b.name).join(', ')})
  --no-ca          no 'tspod+CA' column (tspod again with NODE_EXTRA_CA_CERTS set)
  --no-rusage      no peak-memory column (it needs GNU time, ${GNU_TIME}: Debian package time)
  --tspod PATH     tspod tree (or its bin/tspod) to benchmark (default: this checkout)
  --no-snapshot    run the tree in place instead of a private copy of bin/ and dist/
  --hyperfine      also cross-check stateless benchmarks with hyperfine (if installed)
  --user NAME      unprivileged user to switch to when started as root (default tspodtest)
  --keep           keep the temp dir (stores, registry, logs) for inspection
  --json-out FILE  where to write the results (default bench/results/latest.json)`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'no-ca': { type: 'boolean', default: false },
      'no-rusage': { type: 'boolean', default: false },
      warmup: { type: 'string', default: '1' },
      only: { type: 'string' },
      tspod: { type: 'string' },
      'no-snapshot': { type: 'boolean', default: false },
      hyperfine: { type: 'boolean', default: false },
      user: { type: 'string', default: process.env.TSPOD_BENCH_USER || 'tspodtest' },
      keep: { type: 'boolean', default: false },
      'json-out': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const runs = Number(values.runs ?? (values.quick ? 3 : 5));
  const warmup = Number(values.warmup);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${values.runs}"`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be a non-negative integer, got "${values.warmup}"`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  for (const n of only ?? []) if (!benchmarks.some((b) => b.name === n)) throw new Error(`--only: no benchmark "${n}" (have: ${benchmarks.map((b) => b.name).join(', ')})`);
  if (only && values.quick) throw new Error('--only and --quick do not go together');
  return { ...values, runs, warmup, only };
}

// ---------------------------------------------------------------- root: switch user

function gitInfo(tree) {
  try {
    const commit = execFileSync('git', ['-C', tree, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', tree, 'status', '--porcelain', '--', 'src', 'bin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit, dirty: dirty !== '' };
  } catch {
    return null;
  }
}

function reexecAsUser(opts, argv) {
  const user = opts.user;
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (id.status !== 0) {
    console.error(`bench: started as root, and user "${user}" does not exist. Benchmarks must run rootless: create an unprivileged user with /etc/subuid and /etc/subgid ranges (scripts/setup.sh does), or pass --user NAME.`);
    return 2;
  }
  const uid = Number(id.stdout.trim());
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bench-out-'));
  fs.chownSync(outDir, uid, -1);
  const jsonTmp = path.join(outDir, 'latest.json');
  const finalJson = opts['json-out'] ? path.resolve(opts['json-out']) : path.join(BENCH_DIR, 'results', 'latest.json');
  const childArgs = argv.filter((a, i) => a !== '--json-out' && argv[i - 1] !== '--json-out' && !a.startsWith('--json-out='));
  const cmd = `cd /tmp && exec ${[process.execPath, path.join(BENCH_DIR, 'run.mjs'), ...childArgs, '--json-out', jsonTmp].map(shellQuote).join(' ')}`;
  console.log(`bench: running as root; switching to the unprivileged user "${user}" (su ${user})`);
  const r = spawnSync('su', ['-s', '/bin/sh', user, '-c', cmd], { stdio: 'inherit' });
  let status = r.status ?? 1;
  if (fs.existsSync(jsonTmp)) {
    const data = JSON.parse(fs.readFileSync(jsonTmp, 'utf8'));
    data.git = gitInfo(data.tspodTree ?? REPO) ?? data.git ?? null;
    fs.mkdirSync(path.dirname(finalJson), { recursive: true });
    fs.writeFileSync(finalJson, JSON.stringify(data, null, 2) + '\n');
    console.log(`results: ${finalJson}`);
  } else if (status === 0) {
    status = 1;
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  return status;
}

// ---------------------------------------------------------------- preconditions

function which(cmd) {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

function checkPreconditions(opts) {
  const problems = [];
  const user = os.userInfo().username;
  const subuid = fs.existsSync('/etc/subuid') ? fs.readFileSync('/etc/subuid', 'utf8') : '';
  if (!subuid.split('\n').some((l) => l.startsWith(`${user}:`) || l.startsWith(`${process.getuid()}:`))) {
    problems.push(`user ${user} has no /etc/subuid range (rootless engines need one)`);
  }
  for (const [cmd, pkg] of [['docker-registry', 'docker-registry'], ['podman', 'podman'], ['tar', 'tar'], ['runc', 'runc'],
    ['conmon', 'conmon'], ['fuse-overlayfs', 'fuse-overlayfs'], ['slirp4netns', 'slirp4netns'], ['newuidmap', 'uidmap']]) {
    if (!which(cmd) && !fs.existsSync(`/usr/bin/${cmd}`) && !fs.existsSync(`/usr/sbin/${cmd}`)) problems.push(`${cmd} not found: install the ${pkg} package`);
  }
  if (!fs.existsSync('/bin/busybox')) problems.push('/bin/busybox not found: install the busybox-static package');
  if (!opts['no-rusage'] && !fs.existsSync(GNU_TIME)) problems.push(`${GNU_TIME} not found: install the time package (peak memory), or pass --no-rusage`);
  if (!opts['no-ca'] && !process.env.NODE_EXTRA_CA_CERTS && !fs.existsSync(CA_BUNDLE)) problems.push(`no CA bundle for the tspod+CA column (NODE_EXTRA_CA_CERTS is unset and ${CA_BUNDLE} is missing): pass --no-ca`);
  let tree = opts.tspod ? path.resolve(opts.tspod) : REPO;
  if (fs.existsSync(tree) && fs.statSync(tree).isFile()) tree = path.resolve(path.dirname(tree), '..');
  for (const f of ['bin/tspod', 'dist', 'oclif.manifest.json', 'package.json']) {
    if (!fs.existsSync(path.join(tree, f))) problems.push(`${path.join(tree, f)} is missing: build tspod first (cd ${tree} && npx tsc -p tsconfig.json && npx oclif manifest)`);
  }
  if (problems.length) throw new Error(`cannot benchmark:\n  - ${problems.join('\n  - ')}`);
  return tree;
}

/** A private copy of the built tspod (bin, dist, manifest), so a rebuild during the run cannot change it. */
function snapshotTspod(tree, work) {
  const dest = path.join(work, 'tspod-tree');
  fs.mkdirSync(dest);
  for (const f of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) fs.cpSync(path.join(tree, f), path.join(dest, f), { recursive: true });
  fs.symlinkSync(path.join(tree, 'node_modules'), path.join(dest, 'node_modules'));
  return dest;
}

// ---------------------------------------------------------------- images

async function buildImages(work, reg) {
  const layersDir = path.join(work, 'layers');
  fs.mkdirSync(layersDir);
  const base = busyboxLayer(layersDir);
  const data = [1, 2, 3, 4].map((i) => dataLayer(layersDir, i, { bigBytes: 3 * 1024 * 1024, smallFiles: 500 }));
  const big = makeImage([base, ...data], { labels: { 'tspod.bench': 'big' } });
  await pushImage(reg.url, 'bench/big', 'latest', big);
  big.ref = `${reg.host}/bench/big:latest`;
  const small = [];
  /** bench/small0..n-1: busybox + one file each, distinct images (the images-N rows need up to 500). */
  let making = Promise.resolve();
  // the engines set up concurrently: one maker at a time
  const ensureSmallImages = (n) => (making = making.then(() => makeSmallImages(n)));
  const makeSmallImages = async (n) => {
    for (let i = small.length; i < n; i++) {
      const img = makeImage([base, filesLayer(layersDir, { 'etc/bench-image': `${i}\n` }, `bench image ${i}`)], { labels: { 'tspod.bench': `small${i}` } });
      await pushImage(reg.url, `bench/small${i}`, 'latest', img);
      img.ref = `${reg.host}/bench/small${i}:latest`;
      small.push(img);
    }
  };
  await makeSmallImages(10);
  const mb = (n) => (n / 1048576).toFixed(1);
  const bigSize = big.layers.reduce((a, l) => a + l.size, 0);
  console.log(`images: ${big.ref} (${big.layers.length} layers, ${mb(bigSize)} MiB compressed, 2000 small files), ${reg.host}/bench/smallN:latest (busybox + 1 file; 10, more on demand)`);
  const images = {
    big, small, base: small[0],
    describe: { big: { ref: big.ref, layers: big.layers.length, compressedBytes: bigSize, smallFiles: 2000 }, small: () => small.length },
  };
  /** The pull-200m image: one layer holding a 200 MiB file of random data, made and pushed on first use. */
  let huge;
  const hugeImage = () => (huge ??= makeHugeImage());
  const makeHugeImage = async () => {
    const root = fs.mkdtempSync(path.join(layersDir, 'rootfs-huge-'));
    const fd = fs.openSync(path.join(root, 'huge.bin'), 'w');
    for (let i = 0; i < 200; i++) fs.writeSync(fd, crypto.randomBytes(1 << 20));
    fs.closeSync(fd);
    const layer = packLayer(root, 'one 200 MiB file of random data', { level: 1 });
    fs.rmSync(root, { recursive: true, force: true });
    const img = makeImage([layer], { labels: { 'tspod.bench': 'huge' } });
    await pushImage(reg.url, 'bench/huge', 'latest', img);
    img.ref = `${reg.host}/bench/huge:latest`;
    images.huge = img;
    images.describe.huge = { ref: img.ref, layers: 1, compressedBytes: layer.size };
    console.log(`   image: ${img.ref} (1 layer, ${mb(layer.size)} MiB compressed)`);
    return img;
  };
  return { images, ensureSmallImages, hugeImage };
}

// ---------------------------------------------------------------- running

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The timed commands: argument lists of the engine, or { program, args, env } for a client of it (the docker CLI). */
function commandsOf(b, engine, ctx) {
  const c = (engine.name === 'tspod' ? b.tspodCmd : b.podmanCmd)(ctx, engine);
  if (!Array.isArray(c)) return [c];
  return Array.isArray(c[0]) || (typeof c[0] === 'object' && c[0] !== null) ? c : [c];
}

function execCommand(engine, cmd, opts) {
  return cmd.program ? engine.execProgram(cmd.program, cmd.args, { ...opts, env: cmd.env }) : engine.exec(cmd, opts);
}

function showCommand(engine, cmd) {
  return cmd.program ? engine.shellCommand(cmd.args, cmd.program, cmd.env) : engine.shellCommand(cmd);
}

/**
 * One run: before, the timed command(s), check, after. Returns the timed milliseconds and,
 * with `rusage`, the peak RSS (the largest of the commands) and the CPU time (their sum).
 */
async function oneRun(b, engine, ctx, { rusage = false } = {}) {
  if (b.before) await b.before(engine, ctx);
  let ms = 0;
  const results = [];
  for (const cmd of commandsOf(b, engine, ctx)) {
    const r = await execCommand(engine, cmd, { rusage });
    const [prog, args] = cmd.program ? [cmd.program, cmd.args] : [engine.name, cmd];
    if (r.code !== 0) {
      const tail = (r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n');
      const err = new Error(`${engine.label} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${prog} ${args.map(shellQuote).join(' ')}\n${tail}`);
      err.command = showCommand(engine, cmd);
      throw err;
    }
    if (r.rusageError) throw new Error(`${engine.label} ${prog} ${args[0]}: ${r.rusageError}`);
    ms += r.ms;
    results.push(r);
  }
  if (b.check) await b.check(engine, ctx, results);
  if (b.after) await b.after(engine, ctx);
  if (!rusage) return { ms };
  return { ms, maxRssKiB: Math.max(...results.map((r) => r.maxRssKiB)), cpuMs: results.reduce((a, r) => a + r.cpuMs, 0) };
}

async function tspodHas(tspod, cmd) {
  const r = await tspod.exec([...cmd.split(' '), '--help']);
  return r.code === 0;
}

async function hyperfineCheck(b, engines, ctx, opts, work) {
  const out = path.join(work, `hyperfine-${b.name}.json`);
  const cmds = engines.map((e) => showCommand(e, commandsOf(b, e, ctx)[0]));
  const r = await runTimed('hyperfine', ['-N', '--style', 'basic', '--warmup', '1', '--runs', String(opts.runs), '--export-json', out, ...cmds],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME }, outDir: work, cwd: work });
  if (r.code !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n') };
  const res = JSON.parse(fs.readFileSync(out, 'utf8')).results;
  const ms = Object.fromEntries(engines.map((e, i) => [e.label, res[i].median * 1000]));
  return { medianMs: ms, ratio: ms.tspod / ms.podman };
}

/**
 * engines: [tspod, podman, ...variants of tspod]. Setup and teardown run for the first two (a
 * variant shares tspod's store); every run rotates the order, so each engine goes first as often.
 */
async function runBenchmark(b, engines, ctx, opts, work, { teardown = true } = {}) {
  const [tspod] = engines;
  const owners = engines.filter((e) => !e.variantOf);
  const rec = { name: b.name, what: b.what, goal: b.goal, series: b.series, status: 'ok', samplesMs: {}, medianMs: {} };
  for (const e of engines) rec.samplesMs[e.label] = [];
  const missing = [];
  for (const cmd of b.requires ?? []) if (!(await tspodHas(tspod, cmd))) missing.push(cmd);
  if (missing.length) {
    rec.status = 'skipped';
    rec.note = `tspod does not support: ${missing.map((c) => `${c} (\`tspod ${c} --help\` fails)`).join(', ')}`;
    console.log(`\n== ${b.name}: skipped: ${rec.note}`);
    return rec;
  }
  console.log(`\n== ${b.name}: ${b.what}`);
  const setUp = [];
  try {
    // untimed, separate stores: both engines at once (the scaling rows create 1000 containers each)
    const done = await Promise.allSettled(owners.map(async (e) => { setUp.push(e); if (b.setup) await b.setup(e, ctx); }));
    const bad = done.find((d) => d.status === 'rejected');
    if (bad) throw bad.reason;
    for (let w = 0; w < opts.warmup; w++) for (const e of engines) await oneRun(b, e, ctx);
    for (let i = 0; i < opts.runs; i++) {
      const k = i % engines.length;
      const order = [...engines.slice(k), ...engines.slice(0, k)];
      const line = [];
      for (const e of order) {
        const { ms } = await oneRun(b, e, ctx);
        rec.samplesMs[e.label].push(ms);
        line.push(`${e.label} ${ms.toFixed(0)} ms`);
      }
      console.log(`   run ${i + 1}/${opts.runs}: ${line.join(', ')}`);
    }
    if (!opts['no-rusage']) {
      // one more run per engine under GNU time (not timed: the wrapper's own fork would count)
      rec.maxRssKiB = {};
      rec.cpuMs = {};
      for (const e of engines) {
        const u = await oneRun(b, e, ctx, { rusage: true });
        rec.maxRssKiB[e.label] = u.maxRssKiB;
        rec.cpuMs[e.label] = u.cpuMs;
      }
      console.log(`   peak RSS: ${engines.map((e) => `${e.label} ${(rec.maxRssKiB[e.label] / 1024).toFixed(1)} MiB`).join(', ')}; CPU: ${engines.map((e) => `${e.label} ${rec.cpuMs[e.label].toFixed(0)} ms`).join(', ')}`);
    }
    if (opts.hyperfine && b.hyperfine) {
      rec.hyperfine = await hyperfineCheck(b, engines, ctx, opts, work);
      if (rec.hyperfine.error) console.log(`   hyperfine: ${rec.hyperfine.error}`);
      else console.log(`   hyperfine medians: ${Object.entries(rec.hyperfine.medianMs).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}, ratio ${rec.hyperfine.ratio.toFixed(2)}`);
    }
  } catch (err) {
    rec.status = 'failed';
    rec.error = err.message;
    if (err.command) rec.command = err.command;
    console.log(`   FAILED: ${err.message.split('\n').join('\n   ')}`);
    if (err.command) console.log(`   to reproduce: ${err.command}`);
  }
  // a failed row always tears down: the next row of its series sets up from scratch
  for (const e of setUp) {
    try {
      if (b.teardown && (teardown || rec.status !== 'ok')) await b.teardown(e, ctx);
    } catch (err) {
      if (rec.status === 'ok') { rec.status = 'failed'; rec.error = `teardown: ${err.message}`; }
      console.log(`   teardown (${e.label}) failed: ${err.message.split('\n')[0]}`);
    }
  }
  if (rec.status === 'ok') {
    for (const e of engines) rec.medianMs[e.label] = median(rec.samplesMs[e.label]);
    rec.ratio = rec.medianMs.tspod / rec.medianMs.podman;
    rec.meetsGoal = rec.ratio <= b.goal;
  }
  return rec;
}

function printRows(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  }
}

function printTable(records, labels, opts) {
  const mem = !opts['no-rusage'];
  const extra = labels.slice(2);
  const rows = [['benchmark', 'tspod ms', 'podman ms', 'ratio', 'goal', 'vs goal',
    ...(mem ? ['tspod MiB', 'podman MiB'] : []), ...extra.map((l) => `${l} ms`)]];
  const mib = (r, l) => (r.maxRssKiB?.[l] !== undefined ? (r.maxRssKiB[l] / 1024).toFixed(1) : '-');
  for (const r of records) {
    if (r.status === 'ok') {
      rows.push([r.name, r.medianMs.tspod.toFixed(0), r.medianMs.podman.toFixed(0), r.ratio.toFixed(2), `<= ${r.goal.toFixed(2)}`, r.meetsGoal ? 'PASS' : 'MISS',
        ...(mem ? [mib(r, 'tspod'), mib(r, 'podman')] : []), ...extra.map((l) => r.medianMs[l].toFixed(0))]);
    } else {
      rows.push([r.name, '-', '-', '-', `<= ${r.goal.toFixed(2)}`, r.status.toUpperCase(), ...(mem ? ['-', '-'] : []), ...extra.map(() => '-')]);
    }
  }
  console.log('');
  printRows(rows);
  console.log(`\nmedians of wall-clock time per command (${opts.runs} runs, engines in rotating order), both engines in a clean login environment;`);
  console.log('ratio = tspod / podman (< 1.0: tspod is faster); goals are reported, not asserted');
  if (mem) console.log('MiB: peak RSS of the largest process of the command\'s tree (GNU time, one extra run; daemonised conmon/slirp4netns not included)');
  if (extra.length) console.log(`${extra.join(', ')}: tspod with NODE_EXTRA_CA_CERTS=${opts.caFile} (set on these machines; not in a user's login shell)`);
  for (const r of records) if (r.status !== 'ok') console.log(`${r.name}: ${r.status}: ${(r.note ?? r.error ?? '').split('\n')[0]}`);
}

/** Cost per item along each series: the median's growth per container/image between rows, per engine. */
function seriesCosts(records) {
  const out = [];
  const bySeries = new Map();
  for (const r of records) if (r.series && r.status === 'ok') (bySeries.get(r.series.series) ?? bySeries.set(r.series.series, []).get(r.series.series)).push(r);
  for (const [series, rs] of bySeries) {
    rs.sort((a, b) => a.series.n - b.series.n);
    for (let i = 1; i < rs.length; i++) {
      const [a, b] = [rs[i - 1], rs[i]];
      const dn = b.series.n - a.series.n;
      const per = (l) => (b.medianMs[l] - a.medianMs[l]) / dn;
      // CPU time (the rusage run) is disturbed less by a busy machine than wall time
      const cpu = (l) => (a.cpuMs && b.cpuMs ? (b.cpuMs[l] - a.cpuMs[l]) / dn : undefined);
      out.push({ series, from: a.series.n, to: b.series.n, tspodMsPerItem: per('tspod'), podmanMsPerItem: per('podman'), tspodCpuMsPerItem: cpu('tspod'), podmanCpuMsPerItem: cpu('podman') });
    }
  }
  return out;
}

function printSeriesCosts(costs) {
  if (!costs.length) return;
  const f = (x) => (x === undefined ? '-' : x.toFixed(3));
  const rows = [['series', 'items', 'tspod ms/item', 'podman ms/item', 'ratio', 'tspod CPU ms/item', 'podman CPU ms/item']];
  for (const c of costs) {
    rows.push([c.series, `${c.from} -> ${c.to}`, f(c.tspodMsPerItem), f(c.podmanMsPerItem),
      c.podmanMsPerItem > 0 && c.tspodMsPerItem > 0 ? (c.tspodMsPerItem / c.podmanMsPerItem).toFixed(2) : '-', f(c.tspodCpuMsPerItem), f(c.podmanCpuMsPerItem)]);
  }
  console.log('\ncost per item (growth of the median between rows of a series, divided by the added items):');
  printRows(rows);
}

// ---------------------------------------------------------------- cleanup

/** Remove a tree that may hold files owned by subordinate ids (left by a failed reset). */
function removeTree(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  } catch { /* files owned by subuids: remove them inside a user namespace */ }
  const user = os.userInfo().username;
  const line = (f) => fs.readFileSync(f, 'utf8').split('\n').find((l) => l.startsWith(`${user}:`) || l.startsWith(`${process.getuid()}:`));
  const [, su, sn] = (line('/etc/subuid') ?? '').split(':');
  const [, sg, gn] = (line('/etc/subgid') ?? '').split(':');
  spawnSync('unshare', ['--map-root-user', `--map-users=${su},1,${sn}`, `--map-groups=${sg},1,${gn}`, '--', 'rm', '-rf', dir], { stdio: 'ignore' });
  if (fs.existsSync(dir)) console.error(`warning: could not remove ${dir} completely`);
}

/**
 * Processes this run left behind: ours, with an XDG_RUNTIME_DIR inside the work dir
 * (pause processes, conmon, slirp4netns of either engine). Found by environment, ended by pid.
 */
function leftovers(work) {
  const found = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      const rt = env.find((v) => v.startsWith('XDG_RUNTIME_DIR='));
      if (!rt || !rt.slice('XDG_RUNTIME_DIR='.length).startsWith(`${work}/`)) continue;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), cmd, engine: rt.includes(`${work}/podman/`) ? 'podman' : 'tspod' });
    } catch { /* not ours, or gone */ }
  }
  return found;
}

async function cleanup(state) {
  if (state.cleaned) return;
  state.cleaned = true;
  const { tspod, podman, reg, work, keep } = state;
  if (tspod) {
    const r = await tspod.exec(['system', 'reset', '--force'], { timeoutMs: 900_000 }).catch((e) => ({ code: -1, stderr: e.message }));
    if (r.code !== 0) console.error(`warning: tspod system reset --force failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.trim().split('\n').pop()}`);
  }
  if (podman) {
    const r = await podman.exec(['system', 'reset', '--force'], { timeoutMs: 900_000 }).catch((e) => ({ code: -1, stderr: e.message }));
    if (r.code !== 0) console.error(`warning: podman system reset --force failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.trim().split('\n').pop()}`);
  }
  if (work) {
    // podman keeps its pause process after a reset by design; anything else left is worth a note
    // (a reset of 1000 containers and 500 images on a busy machine takes minutes: hence the long timeout)
    for (const p of leftovers(work)) {
      if (p.engine === 'tspod') console.error(`note: after \`tspod system reset --force\`, pid ${p.pid} is still running: ${p.cmd}; killing it`);
      try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  if (reg) await reg.stop();
  if (work && !keep) removeTree(work);
  else if (work) console.log(`kept ${work}`);
}

// ---------------------------------------------------------------- main

async function main(argv) {
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    console.error(`bench: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) { console.log(USAGE); return 0; }
  if (process.getuid() === 0) return reexecAsUser(opts, argv);

  const tree = checkPreconditions(opts);
  const state = { keep: opts.keep };
  const onSignal = async (sig) => { console.error(`\nbench: ${sig}, cleaning up`); await cleanup(state); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let failed = false;
  try {
    state.work = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-bench-'));
    fs.chmodSync(state.work, 0o700);
    const tspodTree = opts['no-snapshot'] ? tree : snapshotTspod(tree, state.work);
    state.loadStart = os.loadavg();
    console.log(`load average: ${state.loadStart.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs (a busy machine makes every number noisier)`);
    console.log(`tspod: ${tspodTree}${opts['no-snapshot'] ? '' : ` (snapshot of ${tree})`}; work dir ${state.work}; ${opts.runs} runs, ${opts.warmup} warm-up`);

    state.reg = await startRegistry(path.join(state.work, 'registry'));
    console.log(`registry: ${state.reg.url}`);
    const { images, ensureSmallImages, hugeImage } = await buildImages(state.work, state.reg);

    state.tspod = makeTspod(path.join(state.work, 'tspod'), path.join(tspodTree, 'bin', 'tspod'), state.reg.host);
    state.podman = makePodman(path.join(state.work, 'podman'), state.reg.host);
    const engines = [state.tspod, state.podman];
    opts.caFile = process.env.NODE_EXTRA_CA_CERTS || CA_BUNDLE;
    if (!opts['no-ca']) engines.push(state.tspod.variant('tspod+CA', { NODE_EXTRA_CA_CERTS: opts.caFile }));
    console.log(`environment of both engines: ${Object.keys(state.tspod.env).filter((k) => !k.startsWith('XDG_') && k !== 'REGISTRY_AUTH_FILE').join(' ')} (+ their XDG dirs)${opts['no-ca'] ? '' : `; tspod+CA adds NODE_EXTRA_CA_CERTS=${opts.caFile}`}`);
    const podmanInfo = await verifyPodman(state.podman);
    console.log(`podman ${podmanInfo.version}: rootless, ${podmanInfo.runtime}, ${podmanInfo.driver} via ${podmanInfo.mountProgram}, ${podmanInfo.cgroupManager}, events ${podmanInfo.eventLogger}, ${podmanInfo.slirp4netns}`);
    let tspodInfo = null;
    try {
      tspodInfo = await describeTspod(state.tspod);
      console.log(`tspod ${tspodInfo.version ?? '?'}: rootless=${tspodInfo.rootless}, ${tspodInfo.runtime}, ${tspodInfo.driver}`);
    } catch (err) {
      console.log(`warning: tspod info: ${err.message.split('\n')[0]}`);
    }
    // warm both up: pause processes, storage initialisation, page cache
    for (const e of engines) await e.ok(['images']);

    const ctx = { images, reg: state.reg, opts, series: {}, ensureSmallImages, hugeImage };
    const selected = benchmarks.filter((b) => (opts.only ? opts.only.includes(b.name) : !opts.quick || b.quick));
    const records = [];
    for (const [i, b] of selected.entries()) {
      // rows of one series keep their state for the next row: it only adds items
      const next = selected[i + 1];
      const teardown = !(b.series && next?.series && next.series.series === b.series.series);
      records.push(await runBenchmark(b, engines, ctx, opts, state.work, { teardown }));
    }
    failed = records.some((r) => r.status === 'failed');
    const labels = engines.map((e) => e.label);
    printTable(records, labels, opts);
    const costs = seriesCosts(records);
    printSeriesCosts(costs);
    console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);

    const result = {
      date: new Date().toISOString(),
      host: { hostname: os.hostname(), kernel: os.release(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, user: os.userInfo().username, loadavgAtStart: state.loadStart, loadavgAtEnd: os.loadavg() },
      tspodTree: tree,
      git: gitInfo(tree),
      options: { runs: opts.runs, warmup: opts.warmup, quick: opts.quick, snapshot: !opts['no-snapshot'], only: opts.only, rusage: !opts['no-rusage'] },
      environment: Object.fromEntries(engines.map((e) => [e.label, e.env])),
      engines: { tspod: tspodInfo, podman: podmanInfo },
      images: { ...images.describe, small: images.describe.small() },
      benchmarks: records,
      costPerItem: costs,
    };
    const out = opts['json-out'] ? path.resolve(opts['json-out']) : path.join(BENCH_DIR, 'results', 'latest.json');
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
      if (opts['json-out'] === undefined) console.log(`results: ${out}`);
    } catch (err) {
      const alt = path.join(os.tmpdir(), `tspod-bench-latest-${process.pid}.json`);
      fs.writeFileSync(alt, JSON.stringify(result, null, 2) + '\n');
      console.log(`results: ${alt} (cannot write ${out}: ${err.code ?? err.message})`);
    }
  } catch (err) {
    console.error(`bench: ${err.message}`);
    failed = true;
  } finally {
    await cleanup(state);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
