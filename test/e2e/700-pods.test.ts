// End-to-end: pods as an unprivileged user. A pod's infra container (catatonit, from an
// image tspod makes locally) holds the shared namespaces and the published port; an HTTP
// server member is reached by another member on localhost and from the host through the
// pod's port; inspect and ps show the pod; stop/start/restart; the errors Podman gives
// (a member asking for -p, removing the infra container, a missing pod); rm -f leaves no
// process behind; bad input creates nothing.
// (busybox-static's `wget -T` crashes here: `timeout` bounds wget instead.)
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv, processesMatching, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { httpEventually } from '../fixtures/http.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';

t.before(async () => {
  reg = await startRegistry();
  const www = await buildFileLayer({ 'var/www/index.html': 'hello from the pod\n' });
  await pushImage(reg.url, 'e2e/podweb', 'latest', buildImage({ layers: [await buildBusyboxLayer(), www], config: { Cmd: ['sh'] } }));
  IMG = `${reg.host}/e2e/podweb:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', IMG]);
  if (r.exitCode !== 0) throw new Error(`pull: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/var/www'];
const runcRoot = () => path.join(env.runDir, 'tspod', 'runc');
const runcIds = () => { try { return fs.readdirSync(runcRoot()); } catch { return []; } };

t.test('a pod: members share localhost, the published port reaches them from the host', async (t) => {
  const port = await freePort();
  let r = await env.tspod(['pod', 'create', '--name', 'web', '-p', `${port}:80`, '--label', 'tier=front']);
  t.equal(r.exitCode, 0, r.stderr);
  const podId = r.stdout.trim();
  t.match(podId, /^[0-9a-f]{64}$/, 'pod create prints the pod ID');

  r = await env.tspod(['pod', 'inspect', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  const ins = JSON.parse(r.stdout) as Record<string, any>;
  t.equal(ins['Id'], podId);
  t.equal(ins['Name'], 'web');
  t.equal(ins['State'], 'Created');
  t.same(ins['SharedNamespaces'], ['ipc', 'net', 'uts']);
  t.same(ins['InfraConfig']['PortBindings'], { '80/tcp': [{ HostIp: '', HostPort: String(port) }] });
  t.equal(ins['ExitPolicy'], 'continue');
  t.equal(ins['Labels']['tier'], 'front');
  t.equal(ins['NumContainers'], 1, 'the infra container');
  t.equal(ins['Hostname'], 'web');
  const infraId = ins['InfraContainerID'] as string;
  t.match(infraId, /^[0-9a-f]{64}$/);
  t.same(ins['CreateCommand'].slice(0, 3), ['tspod', 'pod', 'create']);

  r = await env.tspod(['__complete', 'pod', 'stop', 'w']);
  t.match(r.stdout, /^web$/m, 'pod names complete');
  r = await env.tspod(['__complete', 'run', '--pod', '']);
  t.match(r.stdout, /^web$/m, '--pod completes pod names');

  r = await env.tspod(['run', '-d', '--pod', 'web', '--name', 'web-srv', IMG, ...HTTPD]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(await httpEventually(port, '/index.html'), 'hello from the pod\n', 'the pod port reaches the member from the host');

  r = await env.tspod(['run', '--rm', '--pod', 'web', IMG, 'timeout', '10', 'wget', '-q', '-O', '-', 'http://127.0.0.1:80/index.html']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'hello from the pod', 'another member reaches the server on localhost');
  r = await env.tspod(['run', '--rm', '--pod', 'web', IMG, 'hostname']);
  t.equal(r.stdout, 'web', 'members share the pod hostname (uts)');
  r = await env.tspod(['run', '--rm', '--pod', 'web', IMG, 'grep', '-c', 'web', '/etc/hosts']);
  t.not(r.stdout, '0', "members use the pod's /etc/hosts");

  r = await env.tspod(['pod', 'inspect', '--format', '{{.State}} {{.NumContainers}}', 'web']);
  t.equal(r.stdout, 'Running 2');
  r = await env.tspod(['pod', 'ps', '--format', '{{.Name}} {{.Status}} {{.NumberOfContainers}}']);
  t.equal(r.stdout, 'web Running 2');
  r = await env.tspod(['pod', 'ps', '--ctr-names', '--ctr-status', '--no-trunc']);
  t.match(r.stdout, /POD ID\s+NAME\s+STATUS\s+CREATED\s+INFRA ID\s+NAMES\s+STATUS/);
  t.match(r.stdout, new RegExp(`${podId}\\s+web\\s+Running\\s+.*${infraId}\\s+\\S*web-srv\\S*\\s+running,running`));
  r = await env.tspod(['pod', 'ps', '--format', 'json']);
  const rows = JSON.parse(r.stdout) as Array<Record<string, any>>;
  t.equal(rows[0]?.['Id'], podId);
  t.equal(rows[0]?.['InfraId'], infraId);
  t.equal(rows[0]?.['Containers'].length, 2);
  r = await env.tspod(['pod', 'ps', '-q', '--filter', 'label=tier=front']);
  t.equal(r.stdout, podId.slice(0, 12));
  r = await env.tspod(['pod', 'ps', '-q', '--filter', 'name=nomatch']);
  t.equal(r.stdout, '');

  r = await env.tspod(['ps', '-a', '--pod', '--format', '{{.Names}} {{.PodName}}', '--filter', 'pod=web']);
  t.same(r.stdout.split('\n').sort(), [`${podId.slice(0, 12)}-infra web`, 'web-srv web'].sort(), 'ps --filter pod= lists the pod\'s containers');
  r = await env.tspod(['ps', '--pod', '--filter', 'name=web-srv']);
  t.match(r.stdout, /POD ID\s+PODNAME/);
  t.match(r.stdout, new RegExp(`${podId.slice(0, 12)}\\s+web\\s*$`, 'm'));
  r = await env.tspod(['inspect', '--format', '{{.Pod}}', 'web-srv']);
  t.equal(r.stdout, podId);

  r = await env.tspod(['pod', 'top', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /catatonit -P/);
  t.match(r.stdout, /httpd -f -p 80/);

  r = await env.tspod(['pod', 'stats', '--no-stream', '--format', 'json', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as Array<Record<string, string>>;
  t.same(stats.map((x) => x['Name']).sort(), [`${podId.slice(0, 12)}-infra`, 'web-srv'].sort(), 'pod stats: one row per running container');
  t.ok(stats.every((x) => x['Pod'] === podId.slice(0, 12) && /%$/.test(x['CPU']!) && Number(x['PIDS']) >= 1), 'with the pod, CPU % and PIDs');

  r = await env.tspod(['pod', 'logs', 'web']);
  t.equal(r.exitCode, 0, r.stderr);

  // stop, start, restart
  r = await env.tspod(['pod', 'stop', '-t', '0', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, podId);
  r = await env.tspod(['pod', 'inspect', '--format', '{{.State}}', 'web']);
  t.equal(r.stdout, 'Exited');
  t.same(runcIds(), [], 'nothing left in runc after pod stop');
  r = await env.tspod(['pod', 'start', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(await httpEventually(port, '/index.html'), 'hello from the pod\n', 'served again after pod start');
  r = await env.tspod(['pod', 'restart', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(await httpEventually(port, '/index.html'), 'hello from the pod\n', 'served again after pod restart');
  r = await env.tspod(['pod', 'ps', '--format', '{{.Status}}']);
  t.equal(r.stdout, 'Running');

  // what a member may not ask for
  const before = (await env.tspod(['ps', '-aq'])).stdout;
  r = await env.tspod(['run', '-d', '--pod', 'web', '-p', '9999:80', IMG, 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), 'Error: invalid config provided: published or exposed ports must be defined when the pod is created: network cannot be configured when it is shared with a pod');
  r = await env.tspod(['create', '--pod', 'web', '--network', 'none', IMG, 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /networks must be defined when the pod is created/);
  r = await env.tspod(['create', '--pod', 'web', '--hostname', 'x', IMG, 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /cannot set hostname when joining the pod UTS namespace/);
  t.equal((await env.tspod(['ps', '-aq'])).stdout, before, 'the refused members were not created');

  // the infra container goes only with its pod
  r = await env.tspod(['rm', '-f', infraId]);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr.trim(), `Error: container ${infraId} is the infra container of pod ${podId} and cannot be removed without removing the pod`);

  // rm -f: members, infra and every process go
  const srvId = (await env.tspod(['inspect', '--format', '{{.Id}}', 'web-srv'])).stdout;
  r = await env.tspod(['pod', 'rm', 'web']);
  t.equal(r.exitCode, 2, 'a running pod is not removed without --force');
  t.match(r.stderr, /cannot be removed without force/);
  r = await env.tspod(['pod', 'rm', '-f', 'web']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, podId);
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'the members and the infra container are gone');
  t.equal((await env.tspod(['pod', 'exists', 'web'])).exitCode, 1);
  t.same(runcIds(), [], 'runc knows no container');
  t.same([...processesMatching(infraId), ...processesMatching(srvId)], [], 'no conmon or container process left');
  t.same(processesMatching(env.dataDir).filter((p) => { try { return /fuse-overlayfs|slirp4netns/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8')); } catch { return false; } }), [], 'no mount or network process left');
});

t.test('--pod new:NAME, --share, --exit-policy stop, prune', async (t) => {
  let r = await env.tspod(['run', '-d', '--pod', 'new:solo', '--name', 'solo-a', IMG, 'sleep', '1']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'inspect', '--format', '{{.Name}} {{.NumContainers}}', 'solo']);
  t.equal(r.stdout, 'solo 2', 'the pod was made with the container');

  r = await env.tspod(['pod', 'create', '--name', 'pidpod', '--share', '+pid', '--exit-policy', 'stop']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'inspect', '--format', '{{.SharedNamespaces}} {{.ExitPolicy}}', 'pidpod']);
  t.equal(r.stdout, '[ipc net pid uts] stop');
  r = await env.tspod(['run', '--rm', '--pod', 'pidpod', IMG, 'ps', '-o', 'pid,args']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^\s*1\s+\/catatonit -P$/m, 'a member sees the infra container\'s catatonit as PID 1');
  // --exit-policy stop: the pod stops with its last member
  for (let i = 0; i < 100; i++) {
    r = await env.tspod(['pod', 'inspect', '--format', '{{.State}}', 'pidpod']);
    if (r.stdout === 'Exited') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  t.equal(r.stdout, 'Exited', 'the infra container stopped after the last member exited');

  // the solo member exited: with exit policy continue its pod keeps running
  for (let i = 0; i < 50; i++) {
    r = await env.tspod(['pod', 'ps', '--filter', 'name=^solo$', '--format', '{{.Status}}']);
    if (r.stdout === 'Degraded') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  t.equal(r.stdout, 'Degraded', 'exit policy continue: the infra container still runs');

  // --userns keep-id: the infra container has the user namespace, members join it with the pod's others
  r = await env.tspod(['pod', 'create', '--name', 'kid', '--userns', 'keep-id']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '--pod', 'kid', IMG, 'sh', '-c', 'id -u; hostname']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `${process.getuid!()}\nkid`, 'a keep-id pod member is the user, with the pod hostname');
  r = await env.tspod(['pod', 'rm', '-f', '-t', '0', 'kid']);
  t.equal(r.exitCode, 0, r.stderr);

  // a pod on the host network, and one without an infra container
  r = await env.tspod(['pod', 'create', '--name', 'hostnet', '--network', 'host']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '--pod', 'hostnet', IMG, 'true']);
  t.equal(r.exitCode, 0, `a member of a host-network pod runs: ${r.stderr}`);
  r = await env.tspod(['pod', 'inspect', '--format', '{{.InfraConfig.HostNetwork}}', 'hostnet']);
  t.equal(r.stdout, 'true');
  r = await env.tspod(['pod', 'create', '--name', 'bare', '--infra=false']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rm', '--pod', 'bare', IMG, 'hostname']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'inspect', '--format', '{{.InfraContainerID}}|{{.SharedNamespaces}}|{{.NumContainers}}', 'bare']);
  t.equal(r.stdout, '|[]|0', 'no infra container, nothing shared');
  r = await env.tspod(['pod', 'rm', '-f', '-t', '0', 'hostnet', 'bare']);
  t.equal(r.exitCode, 0, r.stderr);

  r = await env.tspod(['pod', 'prune', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'ps', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'solo', 'prune removed the stopped pod only');
  r = await env.tspod(['pod', 'rm', '-f', '-t', '0', 'solo']);
  t.equal(r.exitCode, 0, r.stderr);
});

t.test('pod rm --all --force --ignore with no pods, missing pods, bad input', async (t) => {
  let r = await env.tspod(['pod', 'rm', '--all', '--force', '--ignore']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '');
  r = await env.tspod(['pod', 'rm', '-t', '0', '--all', '--force', '--ignore']);
  t.equal(r.exitCode, 0, r.stderr);
  const table: Array<[string[], number, RegExp | string]> = [
    [['pod', 'inspect', 'nope'], 125, 'Error: no pod with name or ID nope found: no such pod'],
    [['pod', 'start', 'nope'], 125, 'Error: no pod with name or ID nope found: no such pod'],
    [['pod', 'stop', 'nope'], 125, 'Error: no pod with name or ID nope found: no such pod'],
    [['pod', 'rm', 'nope'], 1, 'Error: no pod with name or ID nope found: no such pod'],
    [['pod', 'exists', 'nope'], 1, ''],
    [['run', '--pod', 'nope', IMG, 'true'], 125, 'Error: no pod with name or ID nope found: no such pod'],
    [['pod', 'create', '--share', 'bogus'], 125, /invalid kernel namespace to share: bogus/],
    [['pod', 'create', '--name', 'bad name'], 125, /invalid pod name/],
    [['pod', 'create', '-p', 'notaport'], 125, /Error: /],
    [['pod', 'create', '--exit-policy', 'sometimes'], 125, /exit-policy/],
    [['pod', 'create', '--infra=false', '-p', '8080:80'], 125, /--infra=false/],
    [['pod', 'create', '--network', 'nonet'], 125, /unable to find network with name or ID nonet/],
  ];
  for (const [args, code, err] of table) {
    r = await env.tspod(args);
    t.equal(r.exitCode, code, `${args.join(' ')} exits ${code}`);
    if (typeof err === 'string') t.equal(r.stderr.trim(), err, args.join(' '));
    else t.match(r.stderr, err, args.join(' '));
  }
  r = await env.tspod(['pod', 'ps', '-q']);
  t.equal(r.stdout, '', 'no pod was created by bad input');
  r = await env.tspod(['ps', '-aq']);
  t.equal(r.stdout, '', 'no container was created by bad input');
  t.same(runcIds(), [], 'nothing runs');

  // a name in use
  r = await env.tspod(['pod', 'create', '--name', 'twice']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'create', '--name', 'twice']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /name "twice" is in use: pod already exists/);
  r = await env.tspod(['pod', 'create', '--name', 'twice', '--replace']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'ps', '--format', '{{.Name}}']);
  t.equal(r.stdout, 'twice', 'replaced, not added');
  r = await env.tspod(['rm', '-a', '-f']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['pod', 'ps', '-q']);
  t.equal(r.stdout, '', 'rm --all takes pods with their infra containers (as Podman\'s --all implies --depend)');
});

t.test('--init-ctr: init containers run first, in order, on each pod start (always) or on the first (once)', async (t) => {
  const state = async (n: string) => { const x = await env.tspod(['inspect', '--format', '{{.State.Status}}', n]); return x.exitCode === 0 ? x.stdout.trim() : 'gone'; };
  const noPod = await env.tspod(['create', '--init-ctr', 'once', '--name', 'lonely', IMG, 'true']);
  t.equal(noPod.exitCode, 125);
  t.match(noPod.stderr, /^Error: --init-ctr can only be used with --pod/);
  t.equal(await state('lonely'), 'gone', 'nothing was created');
  const badValue = await env.tspod(['create', '--pod', 'new:x', '--init-ctr', 'sometimes', IMG, 'true']);
  t.equal(badValue.exitCode, 125);
  t.equal((await env.tspod(['pod', 'exists', 'x'])).exitCode, 1, 'no pod was made either');

  t.equal((await env.tspod(['pod', 'create', '--name', 'ini'])).exitCode, 0);
  const mnt = ['-v', 'inivol:/s'];
  t.equal((await env.tspod(['create', '--pod', 'ini', '--init-ctr', 'always', '--name', 'ini-a', ...mnt, IMG, 'sh', '-c', 'sleep 1; echo always >> /s/log'])).exitCode, 0);
  t.equal((await env.tspod(['create', '--pod', 'ini', '--init-ctr', 'once', '--name', 'ini-o', ...mnt, IMG, 'sh', '-c', 'echo once >> /s/log'])).exitCode, 0);
  t.equal((await env.tspod(['create', '--pod', 'ini', '--name', 'ini-app', ...mnt, IMG, 'sh', '-c', 'echo app >> /s/log; exec sleep 600'])).exitCode, 0);
  const start = await env.tspod(['pod', 'start', 'ini']);
  t.equal(start.exitCode, 0, start.stderr);
  t.same([await state('ini-a'), await state('ini-o'), await state('ini-app')], ['exited', 'gone', 'running'], 'always is kept, once is removed');
  t.equal((await env.tspod(['pod', 'stop', '-t', '0', 'ini'])).exitCode, 0);
  const again = await env.tspod(['pod', 'start', 'ini']);
  t.equal(again.exitCode, 0, again.stderr);
  const log = async () => (await env.tspod(['exec', 'ini-app', 'cat', '/s/log'])).stdout.trim().split('\n');
  for (let i = 0; i < 50 && (await log()).length < 5; i++) await new Promise((r) => setTimeout(r, 200));
  t.same(await log(), ['always', 'once', 'app', 'always', 'app'], 'in order; the always init container ran again on the next start');
  t.equal((await env.tspod(['pod', 'rm', '-f', 'ini'])).exitCode, 0);
  t.equal((await env.tspod(['volume', 'rm', 'inivol'])).exitCode, 0);
});
