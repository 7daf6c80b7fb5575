import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertContainer, QuadletError, runGenerator, searchDirs } from '../../../src/systemd/quadlet.js';
import { parseUnitFile, splitWords } from '../../../src/systemd/unit-file.js';

const CTX = { tspod: ['/opt/tspod/bin/tspod'], globalArgs: [] as string[] };
const conv = (text: string, name = 'web.container', src = '/home/u/.config/containers/systemd/web.container') => convertContainer(name, text, { sourcePath: src, ctx: CTX, user: true });
const values = (text: string, section: string, key: string) => (parseUnitFile(text).find((s) => s.name === section)?.entries ?? []).filter((e) => e.key === key).map((e) => e.value);
const execStart = (text: string) => splitWords(values(text, 'Service', 'ExecStart')[0]!);

t.test('a minimal .container file', async (t) => {
  const u = conv('[Container]\nImage=localhost/bb:latest\n');
  t.equal(u.serviceName, 'web.service');
  t.same(execStart(u.text), ['/opt/tspod/bin/tspod', 'run', '--name=systemd-%N', '--cidfile=%t/%N.cid', '--replace', '--rm', '--sdnotify=conmon', '-d', 'localhost/bb:latest']);
  t.same(values(u.text, 'Service', 'Type'), ['notify']);
  t.same(values(u.text, 'Service', 'NotifyAccess'), ['all']);
  t.same(values(u.text, 'Service', 'PIDFile'), []);
  t.same(values(u.text, 'Service', 'KillMode'), ['mixed']);
  t.same(values(u.text, 'Service', 'SyslogIdentifier'), ['%N']);
  t.same(values(u.text, 'Service', 'Environment'), ['TSPOD_SYSTEMD_UNIT=%n']);
  t.same(values(u.text, 'Service', 'ExecStartPre'), ['-/bin/rm -f %t/%N.cid']);
  t.same(values(u.text, 'Service', 'ExecStartPost'), []);
  t.same(splitWords(values(u.text, 'Service', 'ExecStop')[0]!), ['/opt/tspod/bin/tspod', 'rm', '-f', '--ignore', '-t', '10', '--cidfile=%t/%N.cid']);
  t.same(values(u.text, 'Service', 'ExecStopPost').map((v) => splitWords(v)), [['-/opt/tspod/bin/tspod', 'rm', '-f', '--ignore', '-t', '10', '--cidfile=%t/%N.cid'], ['-/bin/rm', '-f', '%t/%N.cid']]);
  t.same(values(u.text, 'Unit', 'SourcePath'), ['/home/u/.config/containers/systemd/web.container']);
  t.same(values(u.text, 'Unit', 'RequiresMountsFor'), ['%t/tspod']);
  t.same(values(u.text, 'Unit', 'Wants'), ['network-online.target']);
  t.same(values(u.text, 'X-Container', 'Image'), ['localhost/bb:latest'], '[Container] is kept as [X-Container]');
  t.notOk(parseUnitFile(u.text).some((s) => s.name === 'Container'));
});

t.test('every supported key becomes its run option', async (t) => {
  const text = `
[Unit]
Description=Web server
After=db.service

[Container]
Image=localhost/bb:latest
ContainerName=web1
Exec=/bin/busybox httpd -f -p "8 0"
Environment=FOO=bar "BAZ=two words"
Environment=QUX=1
EnvironmentFile=./web.env
EnvironmentFile=/etc/web.env
PublishPort=8080:80
PublishPort=127.0.0.1:5353:53/udp
Volume=/srv/www:/www:ro
Volume=./data:/data
Volume=named:/named:U
Volume=/anon
Network=none
Label=app=web "tier=front end"
Annotation=io.x=y
User=1000
Group=100
WorkingDir=/www
Entrypoint=/bin/busybox
HostName=web.local
DNS=1.1.1.1
DNSSearch=example.com
DNSOption=ndots:2
AddHost=db:10.0.0.2
AddCapability=CAP_NET_ADMIN CAP_NET_RAW
DropCapability=CAP_CHOWN
ReadOnly=yes
RunInit=true
NoNewPrivileges=true
SecurityLabelDisable=false
SeccompProfile=unconfined
Tmpfs=/run:size=1m
Mount=type=tmpfs,target=/cache
StopSignal=SIGINT
StopTimeout=5
HealthCmd=wget -q -O- http://localhost/
HealthInterval=30s
HealthRetries=2
HealthTimeout=2s
HealthStartPeriod=1s
LogDriver=k8s-file
LogOpt=max-size=1m
Memory=512m
PidsLimit=100
ShmSize=64m
Sysctl=net.ipv4.ip_forward=1
Ulimit=nofile=1024:2048
UserNS=host
GroupAdd=wheel
Pull=never
AutoUpdate=registry
Notify=false
PodmanArgs=--tty --hostname "ignored later"
GlobalArgs=--log-level=debug

[Service]
Restart=always
TimeoutStartSec=300

[Install]
WantedBy=default.target multi-user.target
RequiredBy=x.target
Alias=www.service
`;
  const u = conv(text);
  const argv = execStart(u.text);
  t.same(argv.slice(0, 3), ['/opt/tspod/bin/tspod', '--log-level=debug', 'run'], 'GlobalArgs go before run');
  const s = argv.join(' ');
  for (const want of [
    '--name=web1', '--env FOO=bar', '--env BAZ=two words', '--env QUX=1', '--env-file /home/u/.config/containers/systemd/web.env', '--env-file /etc/web.env',
    '--publish 8080:80', '--publish 127.0.0.1:5353:53/udp', '--volume /srv/www:/www:ro', '--volume /home/u/.config/containers/systemd/data:/data',
    '--volume named:/named:U', '--volume /anon', '--network none', '--label app=web', '--label tier=front end', '--annotation io.x=y', '--user 1000:100',
    '--workdir /www', '--entrypoint /bin/busybox', '--hostname web.local', '--dns 1.1.1.1', '--dns-search example.com', '--dns-option ndots:2',
    '--add-host db:10.0.0.2', '--cap-add CAP_NET_ADMIN --cap-add CAP_NET_RAW', '--cap-drop CAP_CHOWN', '--read-only', '--init',
    '--security-opt no-new-privileges', '--security-opt seccomp=unconfined', '--tmpfs /run:size=1m', '--mount type=tmpfs,target=/cache',
    '--stop-signal SIGINT', '--stop-timeout 5', '--health-cmd wget -q -O- http://localhost/', '--health-interval 30s', '--health-retries 2',
    '--health-timeout 2s', '--health-start-period 1s', '--log-driver k8s-file', '--log-opt max-size=1m', '--memory 512m', '--pids-limit 100',
    '--shm-size 64m', '--sysctl net.ipv4.ip_forward=1', '--ulimit nofile=1024:2048', '--userns host', '--group-add wheel', '--pull never',
    '--label io.containers.autoupdate=registry', '--tty --hostname ignored later',
  ]) t.ok(s.includes(want), want);
  t.notOk(s.includes('label=disable'), 'SecurityLabelDisable=false adds nothing');
  t.same(argv.slice(-6), ['localhost/bb:latest', '/bin/busybox', 'httpd', '-f', '-p', '8 0'], 'image, then Exec words');
  t.same(values(u.text, 'Unit', 'Description'), ['Web server'], '[Unit] passes through');
  t.same(values(u.text, 'Unit', 'After'), ['network-online.target', 'db.service']);
  t.same(values(u.text, 'Unit', 'RequiresMountsFor'), ['%t/tspod', '/srv/www', '/home/u/.config/containers/systemd/data'], 'bind sources must be mounted first');
  t.same(values(u.text, 'Service', 'Restart'), ['always'], '[Service] passes through');
  t.same(values(u.text, 'Service', 'TimeoutStartSec'), ['300']);
  t.same(values(u.text, 'Service', 'TimeoutStopSec'), ['65'], 'StopTimeout + 60');
  t.same(splitWords(values(u.text, 'Service', 'ExecStop')[0]!).slice(-4), ['--ignore', '-t', '5', '--cidfile=%t/%N.cid']);
  t.same(u.install, { wantedBy: ['default.target', 'multi-user.target'], requiredBy: ['x.target'], alias: ['www.service'] });
});

t.test('errors name the file and the line', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['[Container]\nImage=x\nFrobnicate=1\n', 3, /unsupported key "Frobnicate" in section \[Container\]/],
    ['[Container]\nImage=x\n\nSecret=token\n', 4, /key "Secret" of Podman's Quadlet is not supported by tspod/],
    ['[Container]\nExec=sh\n', 1, /no Image= key/],
    ['[Unit]\nDescription=x\n', 0, /no \[Container\] section/],
    ['[Container]\nImage=x\nPublishPort=80:abc\n', 3, /invalid PublishPort "80:abc"/],
    ['[Container]\nImage=x\nVolume=data\n', 3, /the container path must be absolute/],
    ['[Container]\nImage=x\nVolume=a:b\n', 3, /container path "b" must be absolute/],
    ['[Container]\nImage=x\nVolume=db.volume:/db\n', 3, /\.volume units are not supported/],
    ['[Container]\nImage=x\nReadOnly=perhaps\n', 3, /ReadOnly= wants a boolean/],
    ['[Container]\nImage=x\nEnvironment=NOEQUALS\n', 3, /"NOEQUALS" is not KEY=VALUE/],
    ['[Container]\nImage=x\nExec=sh -c "unterminated\n', 3, /unterminated double quote/],
    ['[Container]\nImage=x\nNotify=healthy\n', 3, /Notify=healthy is not supported by tspod/],
    ['[Container]\nImage=x\nNotify=maybe\n', 3, /Notify= wants a boolean, got "maybe"/],
    ['[Container]\nImage=x\n[Service]\nType=forking\n', 4, /Type=forking is not supported: tspod units are notify \(the default\) or oneshot/],
    ['[Container]\nImage=x\nLogDriver=journald\n', 3, /journald is not available/],
    ['[Container]\nImage=x\nContainerName=bad name\n', 3, /invalid ContainerName/],
    ['[Container]\nImage=x\nGlobalArgs=--storage-opt x\n', 3, /not a tspod global option/],
    ['[Container]\nImage=x\n[Service]\nExecStart=/bin/true\n', 4, /ExecStart= in \[Service\] is generated/],
    ['[Container]\nImage=x\n[Service]\nType=simple\n', 4, /Type=simple is not supported/],
    ['[Container]\nImage=x\n[Service]\nKillMode=none\n', 4, /invalid KillMode "none"/],
    ['[Container]\nImage=x\nStopTimeout=soon\n', 3, /StopTimeout= wants a number/],
    ['[Container]\nImage=x\n[Quadlet]\nFoo=1\n', 4, /unsupported key "Foo" in section \[Quadlet\]/],
    ['[Container]\nImage=x\njunk line\n', 3, /expected KEY=VALUE/],
  ];
  for (const [text, line, re] of cases) {
    try { conv(text, 'bad.container', '/q/bad.container'); t.fail(`no error for ${JSON.stringify(text)}`); } catch (err) {
      t.ok(err instanceof QuadletError, `${re}: a QuadletError`);
      t.match((err as Error).message, re);
      t.match((err as Error).message, line ? new RegExp(`^/q/bad\\.container:${line}: `) : /^\/q\/bad\.container: /, `names the file${line ? ` and line ${line}` : ''}`);
      t.equal((err as QuadletError).line, line);
    }
  }
  t.throws(() => conv('[Container]\nImage=x\n', 'web.service'), /not a \.container file/);
});

t.test('empty assignments reset lists; the last single value wins; Type=oneshot', async (t) => {
  const u = conv('[Container]\nImage=x\nEnvironment=A=1\nEnvironment=\nEnvironment=B=2\nNetwork=host\nNetwork=none\nExec=a\nExec=b c\n[Service]\nType=oneshot\nRemainAfterExit=yes\n');
  const s = execStart(u.text).join(' ');
  t.notOk(s.includes('A=1'));
  t.ok(s.includes('--env B=2'));
  t.ok(s.includes('--network none') && !s.includes('--network host'));
  t.same(execStart(u.text).slice(-2), ['b', 'c']);
  t.same(values(u.text, 'Service', 'Type'), ['oneshot']);
  t.same(values(u.text, 'Service', 'NotifyAccess'), [], 'oneshot: nothing to notify');
  const n = conv('[Container]\nImage=x\nNotify=true\n');
  t.ok(execStart(n.text).includes('--sdnotify=container'), 'Notify=true: the container sends READY=1 itself');
  t.same(values(n.text, 'Service', 'Type'), ['notify']);
  t.notOk(execStart(u.text).some((w) => w.startsWith('--sdnotify')), 'oneshot: no --sdnotify');
  const d = conv('[Quadlet]\nDefaultDependencies=false\n[Container]\nImage=x\n');
  t.same(values(d.text, 'Unit', 'Wants'), [], 'DefaultDependencies=false drops the network-online dependency');
  t.same(values(conv('[Container]\nImage=x\n[Service]\nKillMode=control-group\n').text, 'Service', 'KillMode'), ['control-group']);
});

t.test('searchDirs', async (t) => {
  t.same(searchDirs(true, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), ['/run/user/1000/containers/systemd', '/home/u/.config/containers/systemd', '/etc/containers/systemd/users/1000', '/etc/containers/systemd/users']);
  t.same(searchDirs(true, { HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, 1000)[0], '/cfg/containers/systemd');
  t.same(searchDirs(false, {}), ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd']);
  t.same(searchDirs(true, { QUADLET_UNIT_DIRS: '/a:/b' }), ['/a', '/b']);
});

t.test('runGenerator: writes units and [Install] symlinks, reports bad files and goes on', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quadlet-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = path.join(dir, 'a'), b = path.join(dir, 'b'), out = path.join(dir, 'out');
  fs.mkdirSync(a); fs.mkdirSync(b);
  fs.writeFileSync(path.join(a, 'web.container'), '[Container]\nImage=one\n[Install]\nWantedBy=default.target\nAlias=www.service\n');
  fs.writeFileSync(path.join(b, 'web.container'), '[Container]\nImage=two\n');
  fs.writeFileSync(path.join(b, 'db.container'), '[Container]\nImage=db\nRequiredBy=x\n');
  fs.writeFileSync(path.join(b, 'other.txt'), 'ignored');
  const rep = runGenerator({ user: true, outputDir: out, dirs: [a, b], ctx: CTX });
  t.same(rep.units.map((u) => u.serviceName), ['web.service']);
  t.equal(rep.errors.length, 1);
  t.match(rep.errors[0]!.message, new RegExp(`${b}/db\\.container:3: unsupported key "RequiredBy"`));
  const web = fs.readFileSync(path.join(out, 'web.service'), 'utf8');
  t.ok(splitWords(values(web, 'Service', 'ExecStart')[0]!).includes('one'), 'the first directory wins');
  t.equal(fs.readlinkSync(path.join(out, 'default.target.wants', 'web.service')), '../web.service');
  t.equal(fs.readlinkSync(path.join(out, 'www.service')), 'web.service');
  t.notOk(fs.existsSync(path.join(out, 'db.service')));
  const dry = runGenerator({ user: true, dryRun: true, dirs: [a], ctx: CTX });
  t.equal(dry.units.length, 1);
  t.equal(dry.units[0]!.path, undefined, 'a dry run writes nothing');
});
