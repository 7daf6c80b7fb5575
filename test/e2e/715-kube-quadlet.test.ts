// End-to-end under a real systemd user manager: a Quadlet NAME.kube file and the Kubernetes YAML it names,
// turned into NAME.service by `tspod quadlet --user`, started and stopped by `systemctl --user` as the
// unprivileged user: the pod's container serves on its hostPort, stopping the unit leaves nothing behind.
// setup.sh starts the manager (scripts/user-systemd.sh); without it this file fails and says how to get one.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processesMatching, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { freePort } from '../fixtures/registry.js';
import { userSystemdSuite, systemctl, prop, UNIT_DIR } from '../fixtures/user-systemd.js';
import { httpEventually } from '../fixtures/http.js';

if (!requireUnprivileged(t)) process.exit(1);

const sd = await userSystemdSuite(t);
const { start, tspodOk, stateOf, conmonOf, webRoot } = sd;
const SFX = sd.sfx;
let env: TspodEnv;
let IMAGE: string;
t.before(() => { env = sd.env; IMAGE = sd.image; });


async function everything(): Promise<{ pods: string; containers: string }> {
  return {
    pods: (await tspodOk(['pod', 'ls', '--format', '{{.Name}}'])).trim(),
    containers: (await tspodOk(['ps', '-a', '--format', '{{.Names}}'])).trim(),
  };
}
t.test('Quadlet .kube: NAME.kube plays its YAML under the user manager; stopping the unit takes it down', async (t) => {
  const base = `qk${SFX}`;
  const pod = `web${SFX}`;
  const port = await freePort();
  const qdir = path.join(env.dir, 'quadlet-kube');
  fs.mkdirSync(path.join(qdir, 'manifests'), { recursive: true });
  const www = webRoot();
  // a Pod with an init container (writes a file the server then serves) and the server on a hostPort
  fs.writeFileSync(path.join(qdir, 'manifests', 'web.yaml'), [
    'apiVersion: v1', 'kind: Pod', `metadata: {name: ${pod}}`, 'spec:',
    '  volumes:', `  - {name: www, hostPath: {path: ${www}, type: Directory}}`,
    '  initContainers:',
    `  - {name: init, image: ${IMAGE}, command: [sh, -c, 'echo from init > /www/init.txt'], volumeMounts: [{name: www, mountPath: /www}]}`,
    '  containers:',
    `  - name: srv`, `    image: ${IMAGE}`, '    command: [httpd, -f, -p, "8080", -h, /www]',
    '    ports: [{containerPort: 8080, hostPort: ' + port + '}]',
    '    volumeMounts: [{name: www, mountPath: /www}]', '',
  ].join('\n'));
  const globalArgs = `GlobalArgs=--root ${path.join(env.dataDir, 'tspod')} --runroot ${path.join(env.runDir, 'tspod')}`;
  fs.writeFileSync(path.join(qdir, `${base}.kube`), ['[Unit]', 'Description=a kube play under systemd', '[Kube]', 'Yaml=manifests/web.yaml', 'Network=slirp4netns', globalArgs, ''].join('\n'));
  const g = await env.tspod(['quadlet', '--user', UNIT_DIR], { env: { ...env.env, QUADLET_UNIT_DIRS: qdir } });
  t.equal(g.exitCode, 0, g.stderr);
  const unit = `${base}.service`;
  sd.track(unit);
  const text = fs.readFileSync(path.join(UNIT_DIR, unit), 'utf8');
  t.match(text, new RegExp(`kube play \\\\\\n\\t--replace \\\\\\n\\t--network slirp4netns \\\\\\n\\t${path.join(qdir, 'manifests', 'web.yaml').replace(/[/.]/g, '\\$&')}$`, 'm'), 'the YAML path is resolved against the .kube file');
  t.equal((await systemctl('daemon-reload')).exitCode, 0);
  t.equal(await prop(unit, 'Type'), 'oneshot');
  t.equal(await prop(unit, 'RemainAfterExit'), 'yes');

  await start(t, unit);
  t.equal(await prop(unit, 'ActiveState'), 'active', 'the unit stays active after kube play returned');
  t.equal(await stateOf(`${pod}-srv`), 'running', "the pod's container runs");
  t.equal(await stateOf(`${pod}-init`), 'gone', 'the init container ran and was removed');
  t.equal(fs.readFileSync(path.join(www, 'init.txt'), 'utf8'), 'from init\n', 'the init container ran');
  t.equal((await tspodOk(['pod', 'inspect', '--format', '{{.Name}} {{.State}}', pod])).trim(), `${pod} Running`);
  t.equal(await httpEventually(port), 'hello from systemd\n', 'the hostPort reaches the container');
  const conmon = await conmonOf(`${pod}-srv`);
  const cgroup = fs.readFileSync(`/proc/${conmon}/cgroup`, 'utf8');
  t.match(cgroup, new RegExp(`/${unit.replace(/\./g, '\\.')}`), "the container's conmon runs in the unit's cgroup");

  // a second start of an active oneshot unit does nothing; a restart replaces the pod
  const restart = await systemctl('restart', unit);
  t.equal(restart.exitCode, 0, restart.stderr);
  t.equal(await stateOf(`${pod}-srv`), 'running', 'running again after a restart');
  t.not(await conmonOf(`${pod}-srv`), conmon, 'a new container (kube down, then kube play --replace)');

  const stop = await systemctl('stop', unit);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.equal(await prop(unit, 'ActiveState'), 'inactive');
  t.same(await everything(), { pods: '', containers: '' }, 'no pod and no container is left');
  t.same(processesMatching(pod), [], 'no process of the pod (conmon of its infra or its container) is left');
});

t.test('a bad .kube file: the generator names the file and key and writes no unit', async (t) => {
  const qdir = path.join(env.dir, 'quadlet-kube-bad');
  fs.mkdirSync(qdir, { recursive: true });
  fs.writeFileSync(path.join(qdir, `bad${SFX}.kube`), '[Kube]\nYaml=x.yaml\nExitCodePropagation=all\n');
  const out = path.join(env.dir, 'bad-out');
  const g = await env.tspod(['quadlet', '--user', out], { env: { ...env.env, QUADLET_UNIT_DIRS: qdir } });
  t.equal(g.exitCode, 1);
  t.match(g.stderr, new RegExp(`bad${SFX}\\.kube:3: ExitCodePropagation=all is not supported by tspod`));
  t.notOk(fs.existsSync(path.join(out, `bad${SFX}.service`)));
});
