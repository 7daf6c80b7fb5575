// End-to-end under a real systemd user manager: units from `tspod generate
// systemd` and the `tspod quadlet` generator started, restarted and stopped by
// `systemctl --user`, as the unprivileged user. setup.sh starts the manager
// (scripts/user-systemd.sh: lingering on a machine booted with systemd, by hand
// in a container); without it this file fails and says how to get one.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { freePort } from '../fixtures/registry.js';
import { userSystemdSuite, systemctl, prop, until, RUNTIME } from '../fixtures/user-systemd.js';
import { httpEventually } from '../fixtures/http.js';

if (!requireUnprivileged(t)) process.exit(1);

const sd = await userSystemdSuite(t);
const { install, start, tspodOk, stateOf, conmonOf, webRoot } = sd;
const SFX = sd.sfx;
let env: TspodEnv;
let IMAGE: string;
t.before(() => { env = sd.env; IMAGE = sd.image; });

t.test('generate systemd --new: systemd starts it (Type=notify), restarts it when it dies, stops and removes it', async (t) => {
  const name = `web${SFX}`;
  const port = await freePort();
  await tspodOk(['create', '--name', name, '--init', '-p', `${port}:8080`, '-v', `${webRoot()}:/www:ro`, IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  const dir = path.join(env.dir, 'units');
  fs.mkdirSync(dir, { recursive: true });
  const g = await env.tspod(['generate', 'systemd', '--new', '--name', '--files', '--restart-sec', '1', name], { cwd: dir });
  t.equal(g.exitCode, 0, g.stderr);
  const unit = await install(path.join(dir, `container-${name}.service`));
  t.equal(await prop(unit, 'Type'), 'notify');

  await start(t, unit);
  t.equal(await prop(unit, 'ActiveState'), 'active', 'active once tspod sent READY=1');
  t.equal(await stateOf(name), 'running');
  const conmon1 = await conmonOf(name);
  t.equal(Number(await prop(unit, 'MainPID')), conmon1, "systemd's main PID is the container's conmon (MAINPID=)");
  t.match(await prop(unit, 'ControlGroup'), new RegExp(`/${unit.replace(/\./g, '\\.')}$`));
  t.match(fs.readFileSync(`/proc/${conmon1}/cgroup`, 'utf8'), new RegExp(unit.replace(/\./g, '\\.')), 'conmon lives in the unit\'s cgroup');
  t.equal(await httpEventually(port), 'hello from systemd\n', 'the service answers');
  t.equal(fs.readFileSync(path.join(RUNTIME, `${unit}.ctr-id`), 'utf8').trim(), (await tspodOk(['inspect', '--format', '{{.Id}}', name])).trim(), '%t/%n.ctr-id names the container');

  // the container dies: conmon exits, systemd runs ExecStopPost and restarts the unit (Restart=on-failure)
  await tspodOk(['kill', name]);
  await until('the restart', async () => Number(await prop(unit, 'NRestarts')) >= 1 && (await prop(unit, 'ActiveState')) === 'active');
  const conmon2 = await conmonOf(name);
  t.not(conmon2, conmon1, 'a new container with a new conmon after the restart');
  t.equal(Number(await prop(unit, 'MainPID')), conmon2);
  t.equal(await httpEventually(port), 'hello from systemd\n', 'answers again');

  // systemctl restart: stop + start
  t.equal((await systemctl('restart', unit)).exitCode, 0);
  t.equal(await prop(unit, 'ActiveState'), 'active');
  t.not(await conmonOf(name), conmon2, 'restart makes a fresh container');

  const stop = await systemctl('stop', unit);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.not(await prop(unit, 'ActiveState'), 'active', 'stopped');
  t.equal(await stateOf(name), 'gone', 'ExecStopPost removed the container');
  t.notOk(fs.existsSync(path.join(RUNTIME, `${unit}.ctr-id`)), 'and its ID file');
});

t.test('generate systemd for an existing container: Type=forking with conmon\'s PID file', async (t) => {
  const name = `keep${SFX}`;
  await tspodOk(['create', '--name', name, '--init', IMAGE, 'sleep', '600']);
  const dir = path.join(env.dir, 'units-keep');
  fs.mkdirSync(dir, { recursive: true });
  const g = await env.tspod(['generate', 'systemd', '--name', '--files', '-t', '1', name], { cwd: dir });
  t.equal(g.exitCode, 0, g.stderr);
  const unit = await install(path.join(dir, `container-${name}.service`));
  await start(t, unit);
  t.equal(await prop(unit, 'ActiveState'), 'active');
  t.equal(Number(await prop(unit, 'MainPID')), await conmonOf(name), 'PIDFile= gave systemd conmon');
  t.equal((await systemctl('stop', unit)).exitCode, 0);
  t.equal(await stateOf(name), 'exited', 'stopped, not removed');
  await start(t, unit);
  t.equal(await stateOf(name), 'running', 'starts again');
  await systemctl('stop', unit);
  await tspodOk(['rm', '-f', name]);
});

t.test('Quadlet: systemd\'s generator run turns a .container file into a unit it runs; a pause process it creates gets its own scope', async (t) => {
  const base = `site${SFX}`;
  const port = await freePort();
  const qdir = path.join(env.dir, 'quadlet');
  fs.mkdirSync(qdir, { recursive: true });
  fs.writeFileSync(path.join(qdir, `${base}.container`), [
    '[Container]',
    `Image=${IMAGE}`,
    'Exec=httpd -f -p 8080 -h /www',
    `PublishPort=${port}:8080`,
    `Volume=${webRoot()}:/www:ro`,
    'RunInit=true',
    // the test's own store, as every tspod command of this file uses
    `GlobalArgs=--root ${path.join(env.dataDir, 'tspod')} --runroot ${path.join(env.runDir, 'tspod')}`,
    '',
  ].join('\n'));
  // systemd's own run of the generator (setup.sh installs it in /etc/systemd/user-generators)
  const gen = '/etc/systemd/user-generators/tspod';
  if (!fs.existsSync(gen)) throw new Error(`${gen} is missing: scripts/setup.sh installs tspod's Quadlet generator there`);
  const qrun = path.join(RUNTIME, 'containers', 'systemd');
  fs.mkdirSync(qrun, { recursive: true });
  fs.copyFileSync(path.join(qdir, `${base}.container`), path.join(qrun, `${base}.container`));
  t.teardown(() => fs.rmSync(path.join(qrun, `${base}.container`), { force: true }));
  const unit = `${base}.service`;
  sd.track(unit);
  t.equal((await systemctl('daemon-reload')).exitCode, 0);
  t.match(await prop(unit, 'FragmentPath'), /\/generator\//, 'the unit comes from the generator');
  t.equal(await prop(unit, 'SourcePath'), path.join(qrun, `${base}.container`), '...made from the .container file');

  // no pause process: the unit's own tspod creates it, and it must outlive the unit
  const pauseFile = path.join(env.runDir, 'tspod', 'pause', 'pause.pid');
  const oldPause = Number(fs.readFileSync(pauseFile, 'utf8').trim());
  process.kill(oldPause, 'SIGKILL');
  await until('the old pause process to go', async () => { try { return /State:\s+Z/.test(fs.readFileSync(`/proc/${oldPause}/status`, 'utf8')); } catch { return true; } });

  await start(t, unit);
  const ctr = `systemd-${base}`;
  t.equal(await stateOf(ctr), 'running');
  t.equal(await httpEventually(port), 'hello from systemd\n', 'the Quadlet unit serves');
  t.equal(Number(await prop(unit, 'MainPID')), await conmonOf(ctr), 'MAINPID= is conmon');
  const pause = Number(fs.readFileSync(pauseFile, 'utf8').trim());
  t.not(pause, oldPause, 'a new pause process');
  t.match(fs.readFileSync(`/proc/${pause}/cgroup`, 'utf8'), /tspod-pause-[^/\n]*\.scope/, 'in a scope of its own, not in the unit');

  t.equal((await systemctl('stop', unit)).exitCode, 0);
  t.equal(await stateOf(ctr), 'gone', 'stop removed the container');
  t.ok(fs.existsSync(`/proc/${pause}`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${pause}/status`, 'utf8')), 'the pause process outlives the unit');
  t.equal((await tspodOk(['ps', '-a', '--format', '{{.Names}}'])).trim(), '', 'nothing left behind');
});

t.test('a unit that brings up the user network: its slirp4netns and aardvark-dns outlive the unit', async (t) => {
  const net = `unet${SFX}`;
  await tspodOk(['network', 'create', net]);
  t.teardown(() => env.tspod(['network', 'rm', '-f', net]).then(() => undefined));
  const name = `svc${SFX}`;
  await tspodOk(['create', '--name', name, '--network', net, IMAGE, 'sleep', '600']);
  const dir = path.join(env.dir, 'units-net');
  fs.mkdirSync(dir, { recursive: true });
  const g = await env.tspod(['generate', 'systemd', '--new', '--name', '--files', name], { cwd: dir });
  t.equal(g.exitCode, 0, g.stderr);
  const unit = await install(path.join(dir, `container-${name}.service`));

  // nothing is on a user network yet: the unit's own tspod creates the rootless network namespace
  const stateFile = path.join(env.runDir, 'tspod', 'networks', 'rootless-netns.json');
  t.notOk(fs.existsSync(stateFile), 'no rootless network namespace before the unit starts');
  await start(t, unit);
  const slirp = (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { slirpPid: number }).slirpPid;
  const aardvarkFile = path.join(env.runDir, 'tspod', 'networks', 'aardvark', 'aardvark-dns', 'aardvark.pid');
  const aardvark = Number(fs.readFileSync(aardvarkFile, 'utf8').trim());
  const cg = (pid: number) => fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  t.match(cg(slirp), /tspod-rootless-netns-[^/\n]*\.scope/, "the network namespace's slirp4netns runs in a scope of its own");
  t.match(cg(aardvark), /\.scope\n/, 'so does aardvark-dns (netavark starts it with systemd-run)');
  t.notMatch(cg(aardvark), new RegExp(unit.replace(/\./g, '\\.')), 'not in the unit either');
  t.notMatch(cg(slirp), new RegExp(unit.replace(/\./g, '\\.')), 'not in the unit');

  // another container joins the network outside systemd; then the unit stops
  await tspodOk(['run', '-d', '--name', `peer${SFX}`, '--network', net, IMAGE, 'sleep', '600']);
  t.equal((await systemctl('stop', unit)).exitCode, 0);
  t.equal(await stateOf(name), 'gone');
  const alive = (pid: number) => { try { return !/State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; } };
  t.ok(alive(slirp), 'slirp4netns still serves the network');
  t.ok(alive(aardvark), 'aardvark-dns still answers');
  const r = await env.tspod(['exec', `peer${SFX}`, 'nslookup', `peer${SFX}`]);
  t.match(r.stdout, /Address:? .*\d+\.\d+\.\d+\.\d+/, 'the remaining container still resolves names on the network');
  await tspodOk(['rm', '-f', '-t', '0', `peer${SFX}`]);
});
