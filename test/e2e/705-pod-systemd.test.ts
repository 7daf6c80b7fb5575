// End-to-end under a real systemd user manager: the units `tspod generate systemd
// --new POD` writes (the pod's unit and its members' units, bound to it), started and
// stopped by `systemctl --user` as the unprivileged user. setup.sh starts the manager
// (scripts/user-systemd.sh); without it this file fails and says how to get one.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { httpEventually } from '../fixtures/http.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

const UID = process.getuid!();
const RUNTIME = `/run/user/${UID}`;
const SYSTEMCTL_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env['HOME'] ?? '/', XDG_RUNTIME_DIR: RUNTIME };

async function systemctl(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('systemctl', ['--user', ...args], { env: SYSTEMCTL_ENV, extendEnv: false, reject: false, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const probe = await systemctl('show-environment');
if (probe.exitCode !== 0) {
  t.fail(`no systemd user manager answers for uid ${UID} (XDG_RUNTIME_DIR=${RUNTIME}): ${probe.stderr.trim()}; start one as root with "scripts/user-systemd.sh ${process.env['USER'] ?? UID}" (scripts/setup.sh does)`);
  process.exit(1);
}

const UNIT_DIR = path.join(RUNTIME, 'systemd', 'user');
const SFX = randomBytes(3).toString('hex');
const installed: string[] = [];
let reg: RegistryFixture;
let env: TspodEnv;
let IMAGE: string;

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/busybox', 'latest', img);
  IMAGE = `${reg.host}/e2e/busybox:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const p = await env.tspod(['pull', '-q', IMAGE]);
  if (p.exitCode !== 0) throw new Error(`pull: ${p.stderr}`);
  fs.mkdirSync(UNIT_DIR, { recursive: true });
});
t.teardown(async () => {
  for (const u of installed) {
    await systemctl('stop', u);
    await systemctl('reset-failed', u);
    fs.rmSync(path.join(UNIT_DIR, u), { force: true });
  }
  await systemctl('daemon-reload');
  await reg?.stop();
});

async function tspodOk(args: string[]): Promise<string> {
  const r = await env.tspod(args);
  if (r.exitCode !== 0) throw new Error(`tspod ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}
async function stateOf(name: string): Promise<string> {
  const r = await env.tspod(['inspect', '--format', '{{.State.Status}}', name]);
  return r.exitCode === 0 ? r.stdout.trim() : 'gone';
}
async function conmonOf(name: string): Promise<number> {
  return Number((await tspodOk(['inspect', '--format', '{{.State.ConmonPid}}', name])).trim());
}
async function prop(unit: string, key: string): Promise<string> {
  return (await systemctl('show', '-p', key, '--value', unit)).stdout.trim();
}
async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
/** Put a unit where the user manager finds it (the runtime unit directory) and reload. */
async function install(file: string, name = path.basename(file)): Promise<string> {
  fs.copyFileSync(file, path.join(UNIT_DIR, name));
  installed.push(name);
  const r = await systemctl('daemon-reload');
  if (r.exitCode !== 0) throw new Error(`daemon-reload: ${r.stderr}`);
  return name;
}
async function start(t: Test, unit: string): Promise<void> {
  const r = await systemctl('start', unit);
  t.equal(r.exitCode, 0, `systemctl --user start ${unit}: ${r.stderr}${r.exitCode ? (await systemctl('status', '--no-pager', unit)).stdout : ''}`);
}
function webRoot(): string {
  const www = path.join(env.dir, 'www');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), 'hello from systemd\n');
  return www;
}

t.test('generate systemd --new of a pod: the pod unit brings up its members, stopping it takes them down and removes the pod', async (t) => {
  const pod = `pod${SFX}`;
  const member = `${pod}-web`;
  const port = await freePort();
  await tspodOk(['pod', 'create', '--name', pod, '-p', `${port}:8080`]);
  await tspodOk(['create', '--pod', pod, '--name', member, '-v', `${webRoot()}:/www:ro`, IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  const dir = path.join(env.dir, 'pod-units');
  fs.mkdirSync(dir, { recursive: true });
  const g = await env.tspod(['generate', 'systemd', '--new', '--name', '--files', pod], { cwd: dir });
  t.equal(g.exitCode, 0, g.stderr);
  t.same(fs.readdirSync(dir).sort(), [`container-${member}.service`, `pod-${pod}.service`].sort());
  const memberText = fs.readFileSync(path.join(dir, `container-${member}.service`), 'utf8');
  t.match(memberText, new RegExp(`^BindsTo=pod-${pod}\\.service$`, 'm'));
  t.match(memberText, new RegExp(`^After=pod-${pod}\\.service$`, 'm'));
  t.match(memberText, new RegExp(`--pod-id-file %t/pod-${pod}\\.pod-id`));
  t.notMatch(memberText, /container:/, 'the member joins the pod, not the infra container it joined once');
  const podText = fs.readFileSync(path.join(dir, `pod-${pod}.service`), 'utf8');
  t.match(podText, new RegExp(`^Wants=container-${member}\\.service$`, 'm'));
  t.match(podText, new RegExp(`^Before=container-${member}\\.service$`, 'm'));
  // the units recreate the pod: the one made here goes first
  await tspodOk(['pod', 'rm', '-f', pod]);
  const memberUnit = await install(path.join(dir, `container-${member}.service`));
  const podUnit = await install(path.join(dir, `pod-${pod}.service`));
  t.equal(await prop(podUnit, 'Type'), 'forking');

  await start(t, podUnit);
  await until('the member unit', async () => (await prop(memberUnit, 'ActiveState')) === 'active');
  t.equal(await stateOf(member), 'running', 'the member runs');
  const podId = fs.readFileSync(path.join(RUNTIME, `pod-${pod}.pod-id`), 'utf8').trim();
  t.equal((await tspodOk(['pod', 'inspect', '--format', '{{.Id}} {{.State}} {{.ExitPolicy}}', pod])).trim(), `${podId} Running stop`);
  const infraConmon = Number(fs.readFileSync(path.join(RUNTIME, `pod-${pod}.pid`), 'utf8').trim());
  t.equal(Number(await prop(podUnit, 'MainPID')), infraConmon, "the pod unit's main PID is the infra container's conmon");
  t.equal(await httpEventually(port), 'hello from systemd\n', 'the pod port reaches the member');

  const stop = await systemctl('stop', podUnit);
  t.equal(stop.exitCode, 0, stop.stderr);
  await until('the member unit to stop', async () => (await prop(memberUnit, 'ActiveState')) !== 'active');
  t.equal(await stateOf(member), 'gone', 'the member was removed (BindsTo)');
  t.equal((await env.tspod(['pod', 'exists', pod])).exitCode, 1, 'the pod was removed');
  t.notOk(fs.existsSync(path.join(RUNTIME, `pod-${pod}.pod-id`)), 'and its ID file');
});

t.test('Quadlet .pod: a NAME.pod and a .container with Pod=NAME.pod become units that run the pod and its member', async (t) => {
  const base = `qp${SFX}`;
  const port = await freePort();
  const qdir = path.join(env.dir, 'quadlet-pod');
  fs.mkdirSync(qdir, { recursive: true });
  // the test's own store, as every tspod command of this file uses
  const globalArgs = `GlobalArgs=--root ${path.join(env.dataDir, 'tspod')} --runroot ${path.join(env.runDir, 'tspod')}`;
  fs.writeFileSync(path.join(qdir, `${base}.pod`), ['[Pod]', `PublishPort=${port}:8080`, globalArgs, ''].join('\n'));
  fs.writeFileSync(path.join(qdir, `${base}-web.container`), [
    '[Container]', `Image=${IMAGE}`, 'Exec=httpd -f -p 8080 -h /www', `Volume=${webRoot()}:/www:ro`, `Pod=${base}.pod`, globalArgs, '',
  ].join('\n'));
  const g = await env.tspod(['quadlet', '--user', UNIT_DIR], { env: { ...env.env, QUADLET_UNIT_DIRS: qdir } });
  t.equal(g.exitCode, 0, g.stderr);
  const podUnit = `${base}-pod.service`;
  const memberUnit = `${base}-web.service`;
  installed.push(podUnit, memberUnit);
  const podText = fs.readFileSync(path.join(UNIT_DIR, podUnit), 'utf8');
  t.match(podText, new RegExp(`^Wants=${memberUnit.replace(/\./g, '\\.')}$`, 'm'), 'the pod unit wants its member');
  t.match(fs.readFileSync(path.join(UNIT_DIR, memberUnit), 'utf8'), new RegExp(`^BindsTo=${podUnit.replace(/\./g, '\\.')}$`, 'm'));
  t.equal((await systemctl('daemon-reload')).exitCode, 0);

  await start(t, podUnit);
  await until('the member unit', async () => (await prop(memberUnit, 'ActiveState')) === 'active');
  const member = `systemd-${base}-web`;
  t.equal(await stateOf(member), 'running');
  t.equal((await tspodOk(['pod', 'inspect', '--format', '{{.Name}} {{.State}}', `systemd-${base}`])).trim(), `systemd-${base} Running`, 'the pod is named systemd-NAME');
  t.equal(await httpEventually(port), 'hello from systemd\n', 'the pod port reaches the member');

  t.equal((await systemctl('stop', podUnit)).exitCode, 0);
  await until('the member unit to stop', async () => (await prop(memberUnit, 'ActiveState')) !== 'active');
  t.equal(await stateOf(member), 'gone');
  t.equal((await env.tspod(['pod', 'exists', `systemd-${base}`])).exitCode, 1, 'the pod was removed');
});
