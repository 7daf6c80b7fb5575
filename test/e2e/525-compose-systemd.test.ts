// End-to-end under a real systemd user manager: the unit `tspod compose systemd` writes for a two-service
// project (images from the loopback registry), checked by `systemd-analyze verify --user`, then started and
// stopped by `systemctl --user` as the unprivileged user: start brings up both services (one reaches the
// other by name), stop leaves no container and no network. setup.sh starts the manager
// (scripts/user-systemd.sh); without it this file fails and says how to get one.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { requireUnprivileged, REPO, type TspodEnv } from '../fixtures/tspod.js';
import { userSystemdSuite, systemctl, prop, UNIT_DIR } from '../fixtures/user-systemd.js';

if (!requireUnprivileged(t)) process.exit(1);

const sd = await userSystemdSuite(t, 'e2e/composesd');
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
if (!ANALYZE) {
  t.fail('systemd-analyze not found: install Debian\'s "systemd" package (apt-get install -y systemd) to verify generated units');
  process.exit(1);
}

const SFX = sd.sfx;
let env: TspodEnv;
let IMG: string;
t.before(() => { env = sd.env; IMG = sd.image; });

async function projectContainers(project: string): Promise<string[]> {
  const r = await env.tspod(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.State}}']);
  if (r.exitCode !== 0) throw new Error(`ps: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).sort();
}
async function networkNames(): Promise<string[]> {
  const r = await env.tspod(['network', 'ls', '--format', '{{.Name}}']);
  return r.stdout.split('\n').filter(Boolean);
}
async function poll<T>(what: () => Promise<T | undefined>, ms = 30_000): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    const v = await what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

t.test('compose systemd: the unit brings the project up under systemctl --user and takes it down on stop', async (t) => {
  const project = `sd${SFX}`;
  const dir = path.join(env.dir, 'app dir');
  fs.mkdirSync(path.join(dir, 'www'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'hello from the db service\n');
  fs.writeFileSync(path.join(dir, '.env'), 'GREETING=from-dotenv\n');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
name: ${project}
services:
  db:
    image: ${IMG}
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    volumes: ["./www:/www:ro"]
  web:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    environment:
      GREETING: \${GREETING}
    depends_on: [db]
`);
  const units = path.join(env.dir, 'units');
  fs.mkdirSync(units);
  const unitName = `tspod-compose-${project}.service`;

  // printed by default, written with --files; the project directory is found from the cwd
  const printed = await env.tspod(['compose', 'systemd', '--no-header'], { cwd: dir });
  t.equal(printed.exitCode, 0, printed.stderr);
  t.match(printed.stdout, /^\[Unit\]\n/, 'no header with --no-header');
  const g = await env.tspod(['compose', 'systemd', '--files', units], { cwd: dir });
  t.equal(g.exitCode, 0, g.stderr);
  const file = path.join(units, unitName);
  t.equal(g.stdout.trim(), file, 'prints the path it wrote');
  t.same(fs.readdirSync(units), [unitName], 'one unit for the project');
  const text = fs.readFileSync(file, 'utf8');
  t.equal(text.replace(/^#.*\n\n?/gm, ''), `${printed.stdout}\n`, 'the same unit either way (execa drops the last newline)');
  t.match(text, /^Type=oneshot$/m);
  t.match(text, /^RemainAfterExit=yes$/m);
  t.match(text, /^WantedBy=default\.target$/m);
  t.match(text, new RegExp(`--file "${path.join(dir, 'compose.yaml')}"`), 'the absolute Compose file, quoted (the directory has a space)');
  t.match(text, new RegExp(`--project-name ${project}`));

  // the unit is valid for systemd (man page it names included)
  const manDir = path.join(env.dir, 'man');
  fs.mkdirSync(path.join(manDir, 'man1'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'man', 'man1', 'tspod-compose-systemd.1'), path.join(manDir, 'man1', 'tspod-compose-systemd.1'));
  const v = await execa(ANALYZE!, ['verify', '--user', file], { env: { ...env.env, MANPATH: manDir }, extendEnv: false, reject: false, cwd: units, timeout: 60_000 });
  t.equal(v.exitCode, 0, `systemd-analyze verify: ${v.stderr}`);
  t.equal(String(v.stderr).trim(), '', 'systemd-analyze has no complaint');

  // installed and started by the real user manager
  fs.copyFileSync(file, path.join(UNIT_DIR, unitName));
  sd.track(unitName);
  t.equal((await systemctl('daemon-reload')).exitCode, 0);
  const start = await systemctl('start', unitName);
  t.equal(start.exitCode, 0, `systemctl --user start: ${start.stderr}${start.exitCode ? (await systemctl('status', '--no-pager', '-n', '40', unitName)).stdout : ''}`);
  t.equal(await prop(unitName, 'ActiveState'), 'active', 'active once up --wait returned');
  t.equal(await prop(unitName, 'SubState'), 'exited', 'a oneshot unit that remains after exit');
  t.same(await projectContainers(project), [`${project}-db-1 running`, `${project}-web-1 running`], 'both services run');
  const page = await poll(async () => {
    const r = await env.tspod(['exec', `${project}-web-1`, 'wget', '-qO-', 'http://db:8080/']);
    return r.exitCode === 0 ? r.stdout : undefined;
  });
  t.equal(page, 'hello from the db service', 'web reaches db by its service name');
  const greeting = await env.tspod(['exec', `${project}-web-1`, 'sh', '-c', 'echo $GREETING']);
  t.equal(greeting.stdout.trim(), 'from-dotenv', "the project's .env was read when the unit started");
  t.ok((await networkNames()).includes(`${project}_default`), 'the project network exists');

  // started again: nothing changes (compose up converges)
  const id = (await env.tspod(['inspect', '--format', '{{.Id}}', `${project}-db-1`])).stdout.trim();
  t.equal((await systemctl('restart', unitName)).exitCode, 0, 'restart');
  t.same(await projectContainers(project), [`${project}-db-1 running`, `${project}-web-1 running`], 'both run after a restart');
  t.not((await env.tspod(['inspect', '--format', '{{.Id}}', `${project}-db-1`])).stdout.trim(), id, 'restart went through down and up');

  const stop = await systemctl('stop', unitName);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.equal(await prop(unitName, 'ActiveState'), 'inactive');
  t.same(await projectContainers(project), [], 'no container left');
  t.notOk((await networkNames()).includes(`${project}_default`), 'no network left');
});

t.test('compose systemd: bad input writes nothing and exits 125 with one line', async (t) => {
  const dir = path.join(env.dir, 'bad');
  const out = path.join(env.dir, 'bad-units');
  fs.mkdirSync(dir);
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: x\n    depends_on: [nope]\n');
  const r = await env.tspod(['compose', 'systemd', '--files', out], { cwd: dir });
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /^Error: .*nope.*\n?$/);
  t.same(fs.readdirSync(out), [], 'nothing written');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `services:\n  web:\n    image: ${IMG}\n`);
  const noDir = await env.tspod(['compose', 'systemd', '--files', path.join(env.dir, 'missing')], { cwd: dir });
  t.equal(noDir.exitCode, 125);
  t.match(noDir.stderr, /^Error: --files: .*missing is not a directory\n?$/);
  const stdin = await env.tspod(['compose', '-f', '-', 'systemd'], { cwd: dir, input: `services:\n  web:\n    image: ${IMG}\n` });
  t.equal(stdin.exitCode, 125);
  t.match(stdin.stderr, /^Error: a Compose file from standard input cannot be baked into a unit/);
});

t.test('compose systemd: a variable only this shell sets is named in a warning (the unit will not have it)', async (t) => {
  const dir = path.join(env.dir, 'shellvar');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '.env'), 'FROM_DOTENV=same\n');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `services:\n  web:\n    image: ${IMG}\n    environment:\n      A: \${ONLY_IN_SHELL}\n      B: \${FROM_DOTENV}\n`);
  const r = await env.tspod(['compose', 'systemd'], { cwd: dir, env: { ...env.env, ONLY_IN_SHELL: 'x', FROM_DOTENV: 'same' } });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /the project uses ONLY_IN_SHELL from this shell's environment, which the unit will not have/);
  t.notMatch(r.stderr, /FROM_DOTENV/, 'a variable the .env file sets to the same value is fine');
  t.match(r.stdout, /^ExecStart=/m, 'the unit is printed all the same');
  const quiet = await env.tspod(['compose', 'systemd'], { cwd: dir, env: { ...env.env } });
  t.notMatch(quiet.stderr, /this shell's environment/, 'no warning when the shell does not set it');
});
