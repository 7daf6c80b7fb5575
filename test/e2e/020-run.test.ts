// End-to-end: `tspod run` semantics as an unprivileged user against real
// conmon/runc/fuse-overlayfs/slirp4netns, with images built here and pulled by
// `run` itself from a loopback registry; exit codes and image semantics are
// compared with rootless podman 4.3 configured on the same stack.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, type TspodEnv, type Result } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { which } from '../../src/util/exec.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';   // busybox, CMD /bin/sh, IMGVAR in ENV
let EP = '';   // ENTRYPOINT ["/bin/echo","ep"] CMD ["default"], WORKDIR /work, USER tester

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'IMGVAR=fromimage'] } }));
  const work = await buildFileLayer({ work: { type: 'dir', uid: 1000, gid: 1000 } });
  await pushImage(reg.url, 'e2e/ep', 'latest', buildImage({
    layers: [base, work],
    config: { Entrypoint: ['/bin/echo', 'ep'], Cmd: ['default'], WorkingDir: '/work', User: 'tester', Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'EPVAR=1'] },
  }));
  BB = `${reg.host}/e2e/bb:latest`;
  EP = `${reg.host}/e2e/ep:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

const ok = (t: Tap, r: Result, what = '') => t.equal(r.exitCode, 0, `${what} exit 0 ${r.stderr.trim().split('\n').pop() ?? ''}`);
type Tap = typeof t;

t.test('run pulls a missing image itself, then reuses it', async (t) => {
  let r = await env.tspod(['run', '--rm', BB, 'echo', 'hello']);
  ok(t, r);
  t.equal(r.stdout, 'hello');
  t.match(r.stderr, /Trying to pull/, 'pull progress on stderr');
  r = await env.tspod(['run', '--rm', BB, 'echo', 'again']);
  t.equal(r.stdout, 'again');
  t.notMatch(r.stderr, /Trying to pull/, 'no second pull');
  r = await env.tspod(['run', '--rm', '--pull', 'never', `${reg.host}/e2e/nothere`, 'true']);
  t.equal(r.exitCode, 125, '--pull never with a missing image');
});

// command | exit code | stderr
const EXIT_TABLE: Array<[string, string[], number, RegExp | undefined]> = [
  ['true', ['true'], 0, undefined],
  ['false', ['false'], 1, undefined],
  ["sh -c 'exit 32'", ['sh', '-c', 'exit 32'], 32, undefined],
  ['missing command', ['nosuchcommand'], 127, /not found|no such file/i],
  ['a directory as command', ['/tmp'], 126, /permission denied|is a directory/i],
];

t.test('exit codes (table)', async (t) => {
  for (const [what, cmd, code, err] of EXIT_TABLE) {
    const r = await env.tspod(['run', '--rm', BB, ...cmd]);
    t.equal(r.exitCode, code, `${what} -> ${code}`);
    if (err) t.match(r.stderr, err, `${what}: says why`);
  }
  let r = await env.tspod(['run', '--rm', '--no-such-flag', BB, 'true']);
  t.equal(r.exitCode, 125, 'bad flag -> 125');
  t.match(r.stderr, /^Error: /m);
  r = await env.tspod(['run', '--rm', `${reg.host}/e2e/unknown:latest`, 'true']);
  t.equal(r.exitCode, 125, 'unknown image -> 125');
  t.match(r.stderr, /Error: .*(not found|manifest unknown|unknown)/i);
  r = await env.tspod(['ps', '-a', '-q']);
  t.equal(r.stdout, '', 'every --rm container is gone, failed ones too');
});

t.test('ENTRYPOINT + CMD and their overrides', async (t) => {
  const cases: Array<[string[], string[], string]> = [
    [[], [], 'ep default'],
    [[], ['a', 'b'], 'ep a b'],
    [['--entrypoint', '/bin/echo'], [], ''],
    [['--entrypoint', '/bin/echo'], ['x'], 'x'],
    [['--entrypoint', ''], ['echo', 'cleared'], 'cleared'],
    [['--entrypoint', '["/bin/echo","json"]'], ['y'], 'json y'],
  ];
  for (const [flags, args, want] of cases) {
    const r = await env.tspod(['run', '--rm', ...flags, EP, ...args]);
    ok(t, r, `${flags.join(' ')} ${args.join(' ')}`);
    t.equal(r.stdout, want, `run ${flags.join(' ')} EP ${args.join(' ')} -> "${want}"`);
  }
  const r = await env.tspod(['run', '--rm', '--entrypoint', '', BB]);
  t.equal(r.stdout, '', 'CMD alone runs when the entrypoint is cleared');
});

t.test('ENV, -e, --env-file, WORKDIR, -w, USER, -u', async (t) => {
  const envFile = path.join(env.dir, 'vars.env');
  fs.writeFileSync(envFile, '# comment\nFROMFILE=file\nOVER=file\n\n');
  let r = await env.tspod(['run', '--rm', '-e', 'A=1', '-e', 'OVER=flag', '--env-file', envFile, '-e', 'IMGVAR=overridden', BB, 'sh', '-c', 'echo $A $FROMFILE $OVER $IMGVAR $HOME $HOSTNAME; echo $container']);
  ok(t, r);
  const [line1, line2] = r.stdout.split('\n');
  t.match(line1, /^1 file flag overridden \/root [0-9a-f]{12}$/, '-e wins over --env-file and the image ENV');
  t.equal(line2, 'podman', 'container=podman as podman sets it');
  r = await env.tspod(['run', '--rm', BB, 'sh', '-c', 'echo $IMGVAR; pwd; id']);
  t.match(r.stdout, /^fromimage\n\/\nuid=0\(root\) gid=0\(root\)/, 'image ENV, / and root by default');
  r = await env.tspod(['run', '--rm', '--entrypoint', '', EP, 'sh', '-c', 'pwd; id -un; echo $HOME']);
  t.equal(r.stdout, '/work\ntester\n/home/tester', 'image WORKDIR and USER (HOME from passwd)');
  // as Podman 4.3: the image's WORKDIR is created, a --workdir must exist (in the image or a mount)
  r = await env.tspod(['run', '--rm', '-w', '/not/yet/there', '-u', '1000', BB, 'pwd']);
  t.equal(r.exitCode, 126, '-w of a missing directory cannot be used');
  t.match(r.stderr, /^Error: workdir "\/not\/yet\/there" does not exist on container [0-9a-f]{64}$/m);
  r = await env.tspod(['run', '--rm', '-w', '/data', '-v', `${env.dir}:/data`, '-u', '1000', BB, 'sh', '-c', 'pwd; id']);
  t.match(r.stdout, /^\/data\nuid=1000\(tester\) gid=1000\(tester\)/, '-w under a mount is made; -u uid takes the primary group from passwd');
  fs.writeFileSync(path.join(env.dir, 'served.txt'), 'served\n');
  r = await env.tspod(['run', '--rm', '-w', '/srv/www', '-v', `${path.join(env.dir, 'served.txt')}:/srv/www/file.txt`, BB, 'sh', '-c', 'pwd; cat file.txt']);
  t.equal(r.stdout, '/srv/www\nserved', '-w of a parent of a mount destination is accepted (the runtime makes it)');
  r = await env.tspod(['run', '--rm', '-u', 'tester', BB, 'id']);
  t.match(r.stdout, /^uid=1000\(tester\) gid=1000\(tester\)/, '-u name');
  r = await env.tspod(['run', '--rm', '-u', '1000:65534', BB, 'id']);
  t.match(r.stdout, /^uid=1000\(tester\) gid=65534\(nobody\)/, '-u uid:gid');
  r = await env.tspod(['run', '--rm', '-u', '4242', BB, 'sh', '-c', 'id -u; echo $HOME']);
  t.equal(r.stdout, '4242\n/', '-u of a uid without passwd entry');
  r = await env.tspod(['run', '--rm', '-u', 'nosuchuser', BB, 'true']);
  t.not(r.exitCode, 0, 'unknown user fails');
  t.match(r.stderr, /unable to find user nosuchuser/);
});

t.test('/etc/hosts, /etc/hostname, /etc/resolv.conf, --hostname, --add-host, --dns', async (t) => {
  let r = await env.tspod(['run', '--rm', '--hostname', 'box1', '--add-host', 'db.local:10.1.2.3', '--dns', '9.9.9.9', '--dns-search', 'example.org',
    BB, 'sh', '-c', 'hostname; cat /etc/hostname; cat /etc/hosts; echo ---; cat /etc/resolv.conf']);
  ok(t, r);
  const [hostname, etcHostname, rest] = [r.stdout.split('\n')[0], r.stdout.split('\n')[1], r.stdout.split('\n').slice(2).join('\n')];
  t.equal(hostname, 'box1');
  t.equal(etcHostname, 'box1');
  const [hosts, resolv] = rest!.split('---\n');
  t.match(hosts, /^127\.0\.0\.1\s+localhost/m);
  t.match(hosts, /^10\.1\.2\.3\s+db\.local$/m, '--add-host');
  t.match(hosts, /^10\.0\.2\.100\s+box1\b/m, 'own name on the slirp4netns address');
  t.match(hosts, /host\.containers\.internal/);
  t.match(resolv, /^nameserver 9\.9\.9\.9$/m);
  t.notMatch(resolv, /10\.0\.2\.3/, '--dns replaces the default');
  t.match(resolv, /^search example\.org$/m);
  r = await env.tspod(['run', '--rm', BB, 'sh', '-c', 'hostname; cat /etc/resolv.conf']);
  t.match(r.stdout, /^[0-9a-f]{12}\n/, 'default hostname: the short ID');
  t.match(r.stdout, /^nameserver 10\.0\.2\.3$/m, 'slirp4netns DNS by default');
});

// ------------------------------------------------------------------ podman comparison

interface Podman { run(args: string[]): Promise<Result>; dir: string }

async function makePodman(tt: Tap): Promise<Podman | undefined> {
  if (!which('podman')) { tt.fail('podman not found: install the podman package to compare behaviour'); return undefined; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-e2e-podman-'));
  const d = { data: path.join(dir, 'data'), run: path.join(dir, 'run'), config: path.join(dir, 'config') };
  for (const x of Object.values(d)) fs.mkdirSync(x, { recursive: true, mode: 0o700 });
  const c = path.join(d.config, 'containers');
  fs.mkdirSync(c, { recursive: true });
  fs.writeFileSync(path.join(c, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = ${JSON.stringify(path.join(dir, 'graphroot'))}\nrunroot = ${JSON.stringify(path.join(d.run, 'containers'))}\n\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n`);
  fs.writeFileSync(path.join(c, 'containers.conf'), '[containers]\nnetns = "slirp4netns"\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
  fs.writeFileSync(path.join(dir, 'auth.json'), '{}\n');
  fs.writeFileSync(path.join(c, 'registries.conf'), `[[registry]]\nlocation = "${reg.host}"\ninsecure = true\n`);
  const penv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(NODE_OPTIONS|TAP|_TAP|NODE_V8|TS_NODE)/.test(k)) penv[k] = v;
  Object.assign(penv, { XDG_DATA_HOME: d.data, XDG_RUNTIME_DIR: d.run, XDG_CONFIG_HOME: d.config, CONTAINERS_REGISTRIES_CONF: path.join(c, 'registries.conf'), REGISTRY_AUTH_FILE: path.join(dir, 'auth.json') });
  const run = async (args: string[]): Promise<Result> => {
    const r = await execa('podman', args, { env: penv, extendEnv: false, reject: false, timeout: 120_000 });
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
  };
  tt.teardown(async () => {
    await run(['system', 'reset', '--force']);
    // podman's own pause process outlives a reset by design: end it (we started it)
    for (const f of [path.join(d.run, 'libpod', 'tmp', 'pause.pid')]) {
      try { process.kill(Number(fs.readFileSync(f, 'utf8').trim()), 'SIGKILL'); } catch { /* gone */ }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const info = await run(['info', '--format', '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} {{.Host.CgroupManager}}']);
  if (info.exitCode !== 0) { tt.fail(`podman cannot run rootless here: ${info.stderr.trim().split('\n').pop()}`); return undefined; }
  tt.equal(info.stdout, 'runc overlay cgroupfs', 'podman runs on the same stack (runc, overlay via fuse-overlayfs, cgroupfs)');
  for (const ref of [BB, EP]) {
    const p = await run(['pull', '-q', ref]);
    if (p.exitCode !== 0) { tt.fail(`podman pull ${ref}: ${p.stderr.trim()}`); return undefined; }
  }
  return { run, dir };
}

t.test('tspod and podman agree: exit codes, env, user, workdir, entrypoint/cmd', async (t) => {
  const podman = await makePodman(t);
  if (!podman) return;
  const cases: Array<[string, string[]]> = [
    ...EXIT_TABLE.map(([what, cmd]): [string, string[]] => [what, ['--rm', BB, ...cmd]]),
    ['bad flag', ['--rm', '--no-such-flag', BB, 'true']],
    ['unknown image', ['--rm', `${reg.host}/e2e/unknown:latest`, 'true']],
    ['image env and identity', ['--rm', BB, 'sh', '-c', 'echo $IMGVAR $HOME $PATH; id; pwd']],
    // (-w of a missing directory: podman 4.3 fails with 126, tspod creates it as Docker does; compared on an existing one)
    ['-e and -w and -u', ['--rm', '-e', 'X=1', '-w', '/tmp', '-u', '1000:1000', BB, 'sh', '-c', 'echo $X $HOME; id; pwd']],
    ['-u uid:gid', ['--rm', '-u', '1000:65534', BB, 'id']],
    ['-u 0', ['--rm', '-u', '0', BB, 'id']],
    ['image USER', ['--rm', '--entrypoint', 'id', EP]],
    ['-u name', ['--rm', '-u', 'nobody', BB, 'sh', '-c', 'id; echo $HOME']],
    ['entrypoint + cmd', ['--rm', EP]],
    ['args replace cmd', ['--rm', EP, 'one', 'two']],
    ['--entrypoint replaces both', ['--rm', '--entrypoint', '/bin/echo', EP, 'three']],
    ["--entrypoint ''", ['--rm', '--entrypoint', '', EP, 'sh', '-c', 'echo $EPVAR; pwd; id -un']],
    ['exit code of a signal', ['--rm', BB, 'sh', '-c', 'kill -9 $$']],
  ];
  for (const [what, args] of cases) {
    const [a, b] = [await env.tspod(['run', ...args]), await podman.run(['run', ...args])];
    t.equal(a.exitCode, b.exitCode, `${what}: same exit code (${b.exitCode}) podman: ${b.stderr.trim().split('\n').pop() ?? ''} tspod: ${a.stderr.trim().split('\n').pop() ?? ''}`);
    if (b.exitCode === 0 || what.includes('signal')) t.equal(a.stdout, b.stdout, `${what}: same output`);
  }
});
