// End-to-end under a real systemd user manager: the units `tspod generate systemd
// --new POD` writes (the pod's unit and its members' units, bound to it), started and
// stopped by `systemctl --user` as the unprivileged user. setup.sh starts the manager
// (scripts/user-systemd.sh); without it this file fails and says how to get one.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { freePort } from '../fixtures/registry.js';
import { userSystemdSuite, systemctl, prop, until, UNIT_DIR, RUNTIME } from '../fixtures/user-systemd.js';
import { httpEventually } from '../fixtures/http.js';

if (!requireUnprivileged(t)) process.exit(1);

const sd = await userSystemdSuite(t);
const { install, start, tspodOk, stateOf, webRoot } = sd;
const SFX = sd.sfx;
let env: TspodEnv;
let IMAGE: string;
t.before(() => { env = sd.env; IMAGE = sd.image; });

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
  sd.track(podUnit, memberUnit);
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
