// Compose: `tspod compose` against podman-compose (Debian's package, a Python client that runs the podman
// CLI once per step) driving podman on the same stack. The project has three services from the base image
// (db <- app <- web by depends_on), each a shell that exits on SIGTERM, on the project's default network
// (a bridge network on both: netavark + aardvark-dns for podman). Rows:
//   compose-up    `compose up -d` of the project (network and three containers created and started)
//   compose-down  `compose down` of it, running (containers stopped and removed, network removed)
// Both engines get the same file and an explicit project name (-p); the images are pulled in setup, so
// `up` pulls nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';

let seq = 0;
const projectName = () => `benchcompose${process.pid}x${++seq}`;

const SERVICE = (ref, deps) => [
  `    image: ${ref}`,
  `    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]`,
  ...(deps.length ? [`    depends_on: [${deps.join(', ')}]`] : []),
].join('\n');

/** The project's file, in the engine's dir (shared by its tspod+CA column, whose setup does not run). */
const fileOf = (e) => path.join(e.dirs.dir, 'compose3', 'compose.yaml');

function writeComposeFile(e, ctx) {
  const file = fileOf(e);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ['services:', '  db:', SERVICE(ctx.images.base.ref, []), '  app:', SERVICE(ctx.images.base.ref, ['db']), '  web:', SERVICE(ctx.images.base.ref, ['app']), ''].join('\n'));
}

/** The timed command: tspod's own subcommand, or podman-compose (a client of podman) with the same arguments. */
const compose = (e, args) => (e.name === 'tspod'
  ? ['compose', '-f', fileOf(e), '-p', e.cur, ...args]
  : { program: 'podman-compose', args: ['-f', fileOf(e), '-p', e.cur, ...args] });

async function composeOk(e, args) {
  const cmd = compose(e, args);
  if (Array.isArray(cmd)) return e.ok(cmd);
  const r = await e.execProgram(cmd.program, cmd.args);
  if (r.code !== 0) throw new Error(`podman-compose ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-10).join('\n')}`);
  return r;
}

async function setup(e, ctx) {
  if (e.name === 'podman') {
    const v = await e.execProgram('podman-compose', ['version']).catch((err) => ({ code: -1, stderr: err.message }));
    if (v.code !== 0) throw new Error(`podman-compose does not run (${(v.stderr || '').trim().split('\n').pop()}): install Debian's package podman-compose (scripts/setup.sh does)`);
  }
  await e.ok(['pull', '-q', ctx.images.base.ref]);
  writeComposeFile(e, ctx);
}

/** The project's containers as "STATE" lines (both clients label them com.docker.compose.project=NAME). */
async function states(e) {
  const r = await e.ok(['ps', '-a', '--filter', `label=com.docker.compose.project=${e.cur}`, '--format', '{{.State}}']);
  return r.stdout.split('\n').map((l) => l.trim().toLowerCase()).filter(Boolean);
}

async function networkExists(e) {
  const r = await e.ok(['network', 'ls', '--format', '{{.Name}}']);
  return r.stdout.split('\n').includes(`${e.cur}_default`);
}

async function expectUp(e) {
  const s = await states(e);
  if (s.length !== 3 || s.some((x) => !x.startsWith('running') && !x.startsWith('up'))) throw new Error(`${e.label}: project ${e.cur} has containers [${s.join(', ')}], expected 3 running`);
  if (!(await networkExists(e))) throw new Error(`${e.label}: no network ${e.cur}_default after up`);
}

async function expectDown(e) {
  const s = await states(e);
  if (s.length) throw new Error(`${e.label}: project ${e.cur} still has containers [${s.join(', ')}] after down`);
}

export const composeBenchmarks = [
  {
    name: 'compose-up',
    goal: 1.0,
    what: '`compose up -d` of a 3-service project (depends_on chain, default network) vs podman-compose',
    requires: ['compose up', 'compose down'],
    setup,
    before: async (e) => { e.cur = projectName(); },
    tspodCmd: (_ctx, e) => compose(e, ['up', '-d']),
    podmanCmd: (_ctx, e) => compose(e, ['up', '-d']),
    check: expectUp,
    after: async (e) => { await composeOk(e, ['down']); await expectDown(e); },
  },
  {
    name: 'compose-down',
    goal: 1.0,
    what: '`compose down` of the running 3-service project vs podman-compose',
    requires: ['compose up', 'compose down'],
    setup,
    before: async (e) => { e.cur = projectName(); await composeOk(e, ['up', '-d']); await expectUp(e); },
    tspodCmd: (_ctx, e) => compose(e, ['down']),
    podmanCmd: (_ctx, e) => compose(e, ['down']),
    check: expectDown,
  },
];
