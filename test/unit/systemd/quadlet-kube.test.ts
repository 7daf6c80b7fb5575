// Quadlet .kube files (pure conversion) and the generator finding them.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertKube } from '../../../src/systemd/quadlet-kube.js';
import { runGenerator } from '../../../src/systemd/quadlet.js';

const ctx = { tspod: ['/usr/bin/tspod'], globalArgs: [] };
const opts = (f: string) => ({ sourcePath: `/q/${f}`, ctx, user: true });

t.test('a .kube file becomes NAME.service playing its YAML on start and taking it down on stop', async (t) => {
  const u = convertKube('app.kube', [
    '[Unit]', 'Description=my app', '[Kube]', 'Yaml=app.yaml', 'PublishPort=8080:80', 'PublishPort=127.0.0.1:9090:90/udp',
    'Network=none', 'ConfigMap=./cm.yaml', 'ConfigMap=/etc/other.yaml', 'LogDriver=none', 'UserNS=auto', 'ExitCodePropagation=none',
    '[Install]', 'WantedBy=default.target', '',
  ].join('\n'), opts('app.kube'));
  t.equal(u.serviceName, 'app.service');
  t.match(u.text, /^Type=oneshot$/m);
  t.match(u.text, /^RemainAfterExit=yes$/m);
  t.match(u.text, /^ExecStart=\/usr\/bin\/tspod kube play \\\n\t--replace \\\n\t--publish 8080:80 \\\n\t--publish 127\.0\.0\.1:9090:90\/udp \\\n\t--configmap \/q\/cm\.yaml \\\n\t--configmap \/etc\/other\.yaml \\\n\t--network none \\\n\t--log-driver none \\\n\t--userns auto \\\n\t\/q\/app\.yaml$/m,
    'the YAML and ConfigMap= paths are relative to the .kube file');
  t.match(u.text, /^ExecStop=\/usr\/bin\/tspod kube down \\\n\t\/q\/app\.yaml$/m);
  t.match(u.text, /^ExecStopPost=-\/usr\/bin\/tspod kube down \\\n\t\/q\/app\.yaml$/m);
  t.match(u.text, /^\[Unit\]\nWants=network-online\.target\nAfter=network-online\.target\nSourcePath=\/q\/app\.kube\n/m);
  t.match(u.text, /^Description=my app$/m);
  t.match(u.text, /^\[X-Kube\]\nYaml=app\.yaml$/m);
  t.same(u.install.wantedBy, ['default.target']);
});

t.test('Yaml= absolute, the last Network= wins, GlobalArgs, PodmanArgs and SetWorkingDirectory', async (t) => {
  const u = convertKube('x.kube', '[Kube]\nYaml=/srv/k/x.yml\nNetwork=a\nNetwork=b\nGlobalArgs=--root /r --runroot=/rr\nPodmanArgs=--quiet\nSetWorkingDirectory=yaml\n', opts('x.kube'));
  t.match(u.text, /^ExecStart=\/usr\/bin\/tspod --root \/r --runroot=\/rr kube play \\\n\t--replace \\\n\t--network b \\\n\t--quiet \\\n\t\/srv\/k\/x\.yml$/m);
  t.notMatch(u.text, /--network a/);
  t.match(u.text, /^WorkingDirectory=\/srv\/k$/m);
  t.match(convertKube('x.kube', '[Kube]\nYaml=x.yml\nSetWorkingDirectory=unit\n', opts('x.kube')).text, /^WorkingDirectory=\/q$/m);
});

t.test('bad keys and values: one error naming the file, the line and the key', async (t) => {
  const bad = (text: string, re: RegExp, what: string) => t.throws(() => convertKube('x.kube', text, opts('x.kube')), re, what);
  bad('[Unit]\n', /^\/q\/x\.kube: no \[Kube\] section$/, 'no [Kube]');
  bad('[Kube]\nNetwork=none\n', /^\/q\/x\.kube:1: no Yaml= key in \[Kube\] \(it is required\)$/, 'no Yaml=');
  bad('[Kube]\nYaml=\n', /x\.kube:2: no Yaml= key/, 'an empty Yaml=');
  bad('[Kube]\nYaml=a.yaml\nBogus=1\n', /^\/q\/x\.kube:3: unsupported key "Bogus" in section \[Kube\]$/, 'an unknown key');
  bad('[Kube]\nYaml=a.yaml\nKubeDownForce=true\n', /x\.kube:3: key "KubeDownForce" of Podman's Quadlet is not supported by tspod/, 'a Podman-only key');
  bad('[Kube]\nYaml=a.yaml\nPublishPort=80:abc\n', /x\.kube:3: invalid PublishPort "80:abc"/, 'a bad port');
  bad('[Kube]\nYaml=a.yaml\nLogDriver=journald\n', /x\.kube:3: LogDriver=journald is not available/, 'journald');
  bad('[Kube]\nYaml=a.yaml\nLogDriver=syslog\n', /x\.kube:3: invalid LogDriver "syslog"/, 'another log driver');
  bad('[Kube]\nYaml=a.yaml\nExitCodePropagation=all\n', /x\.kube:3: ExitCodePropagation=all is not supported by tspod/, 'exit code propagation');
  bad('[Kube]\nYaml=a.yaml\nExitCodePropagation=some\n', /x\.kube:3: invalid ExitCodePropagation "some"/, 'a bad ExitCodePropagation');
  bad('[Kube]\nYaml=a.yaml\nSetWorkingDirectory=home\n', /x\.kube:3: invalid SetWorkingDirectory "home"/, 'a bad SetWorkingDirectory');
  bad('[Kube]\nYaml=a.yaml\nGlobalArgs=--tls-verify=false\n', /x\.kube:3: GlobalArgs: "--tls-verify=false" is not a tspod global option/, 'a bad global arg');
  bad('[Kube]\nYaml=a.yaml\n[Service]\nType=notify\n', /x\.kube:4: Type= in \[Service\] is generated from \[Kube\]/, 'Type= in [Service]');
  bad('[Kube]\nYaml=a.yaml\n[Service]\nExecStart=/bin/true\n', /x\.kube:4: ExecStart= in \[Service\] is generated/, 'ExecStart= in [Service]');
  bad('[Kube\nYaml=a.yaml\n', /x\.kube:1:/, 'a syntax error');
  t.throws(() => convertKube('x.pod', '[Kube]\nYaml=a\n', opts('x.pod')), /not a \.kube file/);
});

t.test('the generator converts .kube files next to .container files and reports bad ones by file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qkube-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'good.kube'), '[Kube]\nYaml=good.yaml\n');
  fs.writeFileSync(path.join(dir, 'bad.kube'), '[Kube]\nYaml=bad.yaml\nNope=1\n');
  fs.writeFileSync(path.join(dir, 'web.container'), '[Container]\nImage=img\n');
  const out = path.join(dir, 'out');
  const rep = runGenerator({ user: true, outputDir: out, dirs: [dir], ctx });
  t.same(rep.units.map((u) => u.serviceName).sort(), ['good.service', 'web.service']);
  t.equal(rep.errors.length, 1);
  t.equal(rep.errors[0]!.message, `${path.join(dir, 'bad.kube')}:3: unsupported key "Nope" in section [Kube]`);
  t.match(fs.readFileSync(path.join(out, 'good.service'), 'utf8'), new RegExp(`kube play \\\\\\n\\t--replace \\\\\\n\\t${path.join(dir, 'good.yaml').replace(/[/.]/g, '\\$&')}$`, 'm'));
  t.notOk(fs.existsSync(path.join(out, 'bad.service')), 'nothing is written for the bad file');
});
