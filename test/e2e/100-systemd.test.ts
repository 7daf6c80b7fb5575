// End-to-end: `tspod generate systemd`, `tspod generate quadlet` and the
// `tspod quadlet` generator, as the unprivileged user, against the real stack.
//
// Every generated unit must pass `systemd-analyze verify --user` (Debian's
// systemd package). This file then does step by step what systemd would (the
// real user manager runs the same units in 101-systemd-user.test.ts): it parses
// the unit, expands the specifiers (%t = $XDG_RUNTIME_DIR, %n, %N, %i), the
// unit's Environment= and $VAR references, runs ExecStartPre, ExecStart (with
// a NOTIFY_SOCKET of its own for Type=notify, reading READY=1 and MAINPID= as
// systemd does), ExecStartPost, reads PIDFile= for Type=forking, and later
// ExecStop and ExecStopPost, checking the container after each step, including
// the restart systemd performs after the main process (conmon) dies.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { DgramSocket } from 'node-unix-socket';
import { makeEnv, requireUnprivileged, REPO, BIN, UNSET, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, freePort, type RegistryFixture } from '../fixtures/registry.js';
import { httpEventually } from '../fixtures/http.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';
import { expandSpecifiers, parseUnitFile, splitWords } from '../../src/systemd/unit-file.js';
import { parseNotification } from '../../src/runtime/sdnotify.js';

if (!requireUnprivileged(t)) process.exit(1);

const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
if (!ANALYZE) {
  t.fail('systemd-analyze not found: install Debian\'s "systemd" package (apt-get install -y systemd) to verify generated units');
  process.exit(1);
}

let reg: RegistryFixture;
let env: TspodEnv;
let IMAGE: string;
let manDir: string;
t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'], Labels: { 'org.test': 'yes' } } });
  await pushImage(reg.url, 'e2e/busybox', 'latest', img);
  IMAGE = `${reg.host}/e2e/busybox:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

// ---------------------------------------------------------------- helpers

async function tspodOk(args: string[], opts: Parameters<TspodEnv['tspod']>[1] = {}): Promise<string> {
  const r = await env.tspod(args, opts);
  if (r.exitCode !== 0) throw new Error(`tspod ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

/** The container's state, or 'gone'. */
async function stateOf(name: string): Promise<string> {
  const r = await env.tspod(['inspect', '--format', '{{.State.Status}}', name]);
  return r.exitCode === 0 ? r.stdout.trim() : 'gone';
}

function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch { return false; }
}

/** `systemd-analyze verify --user` of the given unit files: no output at all, exit 0. */
async function verify(t: Test, files: string[]): Promise<void> {
  const r = await execa(ANALYZE!, ['verify', '--user', ...files], {
    env: { ...env.env, MANPATH: manDir }, extendEnv: false, reject: false, cwd: path.dirname(files[0]!), timeout: 60_000,
  });
  t.equal(r.exitCode, 0, `systemd-analyze verify ${files.map((f) => path.basename(f)).join(' ')}: ${r.stderr}`);
  t.equal(String(r.stderr).trim(), '', 'systemd-analyze has no complaint (unknown keys, bad paths, ...)');
}

/** A unit, run the way systemd runs it. */
class UnitRunner {
  readonly service: Array<{ key: string; value: string }>;
  readonly vars: Record<string, string>;
  readonly unitEnv: Record<string, string> = {};
  constructor(readonly file: string, unitName: string, instance = '') {
    const text = fs.readFileSync(file, 'utf8');
    const sections = parseUnitFile(text);
    this.service = sections.find((s) => s.name === 'Service')?.entries ?? [];
    const base = unitName.replace(/\.service$/, '');
    this.vars = { n: unitName, N: base, p: base.split('@')[0]!, i: instance, I: instance, t: env.runDir, h: process.env['HOME'] ?? '/', u: 'tspodtest', U: String(process.getuid?.()) };
    for (const e of this.values('Environment')) for (const w of splitWords(e)) {
      const x = expandSpecifiers(w, this.vars);
      const i = x.indexOf('=');
      this.unitEnv[x.slice(0, i)] = x.slice(i + 1);
    }
  }

  values(key: string): string[] { return this.service.filter((e) => e.key === key).map((e) => e.value); }
  one(key: string): string | undefined { return this.values(key).pop(); }

  /** Words of one command line: unquoted, specifiers expanded, then $VAR/${VAR}/$$ as systemd does at exec time. */
  argv(line: string): { argv: string[]; ignoreFailure: boolean } {
    let words = splitWords(line).map((w) => expandSpecifiers(w, this.vars));
    let ignoreFailure = false;
    const m = /^([-@:+!]*)(.*)$/.exec(words[0]!)!;
    if (m[1]!.includes('-')) ignoreFailure = true;
    words[0] = m[2]!;
    const envv = { ...this.unitEnv };
    words = words.flatMap((w) => {
      const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
      if (whole) return splitWords(envv[whole[1]!] ?? '');
      return [w.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (s, k: string | undefined) => (s === '$$' ? '$' : envv[k!] ?? ''))];
    });
    return { argv: words, ignoreFailure };
  }

  async exec(key: string, extraEnv: Record<string, string> = {}): Promise<Array<{ cmd: string; exitCode: number; stderr: string }>> {
    const out = [];
    for (const line of this.values(key)) {
      const { argv, ignoreFailure } = this.argv(line);
      t.ok(path.isAbsolute(argv[0]!), `${key}: ${argv[0]} is an absolute path`);
      // through `env -u NODE_OPTIONS`: tap would put its loader into the environment of every child (systemd would not)
      const r = await execa('env', [...UNSET, ...argv], { env: { ...env.env, ...this.unitEnv, ...extraEnv }, extendEnv: false, reject: false, timeout: 120_000 });
      const res = { cmd: argv.join(' '), exitCode: r.exitCode ?? -1, stderr: String(r.stderr) };
      out.push(res);
      if (res.exitCode !== 0 && !ignoreFailure) throw new Error(`${key}=${res.cmd} failed (${res.exitCode}): ${res.stderr}`);
    }
    return out;
  }

  pidFile(): string | undefined {
    const p = this.one('PIDFile');
    return p === undefined ? undefined : expandSpecifiers(p, this.vars);
  }

  /**
   * Start as systemd does: ExecStartPre, ExecStart, ExecStartPost; the main PID
   * comes from MAINPID= with READY=1 (Type=notify) or from PIDFile= (forking).
   */
  async start(): Promise<number> {
    await this.exec('ExecStartPre');
    let mainPid: number;
    if (this.one('Type') === 'notify') {
      const n = await NotifyListener.open(path.join(env.dir, `notify-${Date.now()}.sock`));
      try {
        await this.exec('ExecStart', { NOTIFY_SOCKET: n.file });
        const msg = await n.waitFor('READY', 5000);
        if (msg.get('READY') !== '1') throw new Error(`Type=notify: no READY=1 from ExecStart (got ${JSON.stringify([...msg])})`);
        mainPid = Number(n.last('MAINPID'));
        this.notifications = n.messages;
      } finally { n.close(); }
      await this.exec('ExecStartPost');
    } else {
      await this.exec('ExecStart');
      await this.exec('ExecStartPost');
      const pf = this.pidFile();
      if (!pf) throw new Error('the unit has no PIDFile=');
      mainPid = Number(fs.readFileSync(pf, 'utf8').trim());
    }
    if (!(mainPid > 0) || !pidAlive(mainPid)) throw new Error(`the main PID systemd would follow is not a live process (${mainPid})`);
    return mainPid;
  }

  /** What the last Type=notify start sent to systemd. */
  notifications: string[] = [];

  /** Stop as systemd does: ExecStop (if the service is still up), then ExecStopPost. */
  async stop(): Promise<void> {
    await this.exec('ExecStop');
    await this.exec('ExecStopPost');
  }
}

/** systemd's side of sd_notify(3): a datagram socket that collects VAR=VALUE messages. */
class NotifyListener {
  readonly messages: string[] = [];
  private constructor(readonly file: string, private readonly sock: DgramSocket) {}
  static async open(file: string): Promise<NotifyListener> {
    const s = new DgramSocket();
    s.bind(file);
    const l = new NotifyListener(file, s);
    s.on('data', (buf: Buffer) => l.messages.push(buf.toString()));
    return l;
  }
  private vars(): Map<string, string> {
    return parseNotification(this.messages.join('\n'));
  }
  last(key: string): string | undefined { return this.vars().get(key); }
  async waitFor(key: string, ms: number): Promise<Map<string, string>> {
    for (const end = Date.now() + ms; !this.vars().has(key) && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    return this.vars();
  }
  close(): void { this.sock.close(); fs.rmSync(this.file, { force: true }); }
}

function cmdline(pid: number): string {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; }
}

// ---------------------------------------------------------------- tests

t.test('setup: environment, image, man pages for Documentation=', async (t) => {
  await tspodOk(['pull', IMAGE]);
  // Documentation=man:tspod-generate-systemd(1) is checked by systemd-analyze: give it the man pages of this tree
  manDir = path.join(env.dir, 'man');
  fs.mkdirSync(path.join(manDir, 'man1'), { recursive: true });
  const g = await execa(process.execPath, [path.join(REPO, 'scripts', 'gen-man.mjs'), '--out', path.join(manDir, 'man1')], { reject: false, env: { ...env.env }, extendEnv: false });
  t.equal(g.exitCode, 0, `scripts/gen-man.mjs: ${g.stderr}`);
  t.ok(fs.existsSync(path.join(manDir, 'man1', 'tspod-generate-systemd.1')), 'the man page the units point to exists');
});

t.test('generate systemd for an existing container: start, stop, start again', async (t) => {
  const port = await freePort();
  const www = path.join(env.dir, 'www');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), 'hello from web\n');
  await tspodOk(['create', '--name', 'web', '--init', '-p', `${port}:8080`, '-e', 'GREETING=hello world', '-v', `${www}:/www:ro`, '--label', 'app=web', IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  const id = (await tspodOk(['inspect', '--format', '{{.Id}}', 'web'])).trim();

  const units = path.join(env.dir, 'units');
  fs.mkdirSync(units, { recursive: true });
  const r = await env.tspod(['generate', 'systemd', '--name', '--files', '-t', '5', 'web'], { cwd: units });
  t.equal(r.exitCode, 0, r.stderr);
  const file = path.join(units, 'container-web.service');
  t.equal(r.stdout.trim(), file, '--files prints the path it wrote');
  const text = fs.readFileSync(file, 'utf8');
  t.match(text, /^# container-web\.service\n# autogenerated by tspod \d+\.\d+\.\d+\n/);
  await verify(t, [file]);

  const u = new UnitRunner(file, 'container-web.service');
  t.equal(u.one('Type'), 'forking');
  const pidFile = u.pidFile()!;
  t.equal(pidFile, (await tspodOk(['inspect', '--format', '{{.ConmonPidFile}}', 'web'])).trim(), "PIDFile= is the container's conmon pid file");
  const mainPid = await u.start();
  t.equal(await stateOf('web'), 'running', 'running after ExecStart');
  t.match(cmdline(mainPid), new RegExp(`conmon.*${id}`), 'the main PID systemd reads is conmon of this container');
  t.equal(await httpEventually(port), 'hello from web\n', 'the service answers');
  await u.exec('ExecStop');
  t.equal(await stateOf('web'), 'exited', 'stopped after ExecStop');
  t.notOk(pidAlive(mainPid), 'the main process is gone');
  await u.exec('ExecStopPost');
  t.equal(await stateOf('web'), 'exited', 'ExecStopPost of an existing container leaves it in place');
  const again = await u.start();
  t.equal(await stateOf('web'), 'running', 'starts again (restart)');
  t.not(again, mainPid, 'with a new conmon');
  t.equal((await tspodOk(['inspect', '--format', '{{.Id}}', 'web'])).trim(), id, 'the same container');
  await u.stop();
  t.equal(await stateOf('web'), 'exited');
});

t.test('generate systemd --new: the unit creates, restarts and removes the container', async (t) => {
  const port = await freePort();
  // the container `web` of the previous test exists; --replace takes its name over
  await tspodOk(['rm', '-f', 'web']);
  const www = path.join(env.dir, 'www');
  await tspodOk(['create', '--name', 'web', '--init', '-p', `${port}:8080`, '-e', 'GREETING=hello world', '-e', 'PCT=100%', '-v', `${www}:/www:ro`, '--label', 'app=web', '--restart', 'on-failure', IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  const units = path.join(env.dir, 'units-new');
  fs.mkdirSync(units, { recursive: true });
  const r = await env.tspod(['generate', 'systemd', '--new', '--name', '--files', '--restart-sec', '1', '-e', 'EXTRA=x y', 'web'], { cwd: units });
  t.equal(r.exitCode, 0, r.stderr);
  const file = path.join(units, 'container-web.service');
  await verify(t, [file]);
  const old = (await tspodOk(['inspect', '--format', '{{.Id}}', 'web'])).trim();

  const u = new UnitRunner(file, 'container-web.service');
  t.equal(u.one('Restart'), 'on-failure');
  t.equal(u.unitEnv['EXTRA'], 'x y', '--env lands in the unit');
  t.equal(u.unitEnv['TSPOD_SYSTEMD_UNIT'], 'container-web.service');
  const cidFile = path.join(env.runDir, 'container-web.service.ctr-id');
  const main1 = await u.start();
  t.equal(await stateOf('web'), 'running', 'running after ExecStart');
  const id1 = (await tspodOk(['inspect', '--format', '{{.Id}}', 'web'])).trim();
  t.not(id1, old, 'a new container replaced the old one (--replace)');
  t.equal(fs.readFileSync(cidFile, 'utf8').trim(), id1, 'the cid file names it');
  t.equal(u.one('Type'), 'notify');
  t.equal(u.one('NotifyAccess'), 'all');
  t.equal(main1, Number((await tspodOk(['inspect', '--format', '{{.State.ConmonPid}}', 'web'])).trim()), 'MAINPID= names its conmon');
  t.same(u.notifications, [`MAINPID=${main1}\nREADY=1`], 'one notification: MAINPID and READY=1 (--sdnotify=conmon)');
  t.notMatch(await tspodOk(['exec', 'web', 'env']), /NOTIFY_SOCKET/, "with --sdnotify=conmon the container does not see systemd's socket");
  t.equal(await httpEventually(port), 'hello from web\n', 'the same port, volume and command as the original');
  const envOut = await tspodOk(['exec', 'web', 'env']);
  t.match(envOut, /^GREETING=hello world$/m, 'the same environment');
  t.match(envOut, /^PCT=100%$/m, 'a % in the configuration survives systemd specifier expansion');
  t.equal((await tspodOk(['inspect', '--format', '{{index .Config.Labels "app"}} {{.HostConfig.AutoRemove}} {{.HostConfig.RestartPolicy.Name}}', 'web'])).trim(), 'web true no',
    'labels kept; --rm added; the restart policy is left to systemd');

  // restart cycle: systemctl restart = stop + start
  await u.exec('ExecStop');
  const afterStop = await stateOf('web');
  t.ok(afterStop === 'gone' || afterStop === 'exited', `not running after ExecStop (${afterStop})`);
  t.notOk(pidAlive(main1), 'conmon is gone');
  await u.exec('ExecStopPost');
  t.equal(await stateOf('web'), 'gone', 'removed after ExecStopPost');
  t.notOk(fs.existsSync(cidFile), 'the cid file is removed');
  const main2 = await u.start();
  t.equal(await stateOf('web'), 'running', 'running again after a restart');
  const id2 = (await tspodOk(['inspect', '--format', '{{.Id}}', 'web'])).trim();
  t.not(id2, id1, 'a fresh container');
  t.equal(await httpEventually(port), 'hello from web\n');

  // the main process dies (the container is killed): systemd sees conmon exit,
  // runs ExecStopPost (ExecStop is not run for a service that is already dead) and
  // restarts it (Restart=on-failure after RestartSec=1)
  await tspodOk(['kill', 'web']);
  for (let i = 0; i < 100 && pidAlive(main2); i++) await new Promise((r) => setTimeout(r, 50));
  t.notOk(pidAlive(main2), 'the main PID exits when the container dies');
  await u.exec('ExecStopPost');
  t.equal(await stateOf('web'), 'gone');
  await u.start();
  t.equal(await stateOf('web'), 'running', 'running after systemd\'s automatic restart');
  t.equal(await httpEventually(port), 'hello from web\n');

  await u.stop();
  t.equal(await stateOf('web'), 'gone', 'gone after stop');
  t.equal((await tspodOk(['ps', '-a', '--format', '{{.Names}}'])).trim(), '', 'nothing left behind');

  // ExecStop/ExecStopPost on a unit whose container is already gone must not fail
  const again = await u.exec('ExecStop');
  t.same(again.map((x) => x.exitCode), [0], 'stop --ignore of a missing container succeeds');
  const post = await u.exec('ExecStopPost');
  t.same(post.map((x) => x.exitCode), [0], 'rm --ignore --cidfile of a missing ID file succeeds');
});

t.test('--sdnotify: conmon, container and ignore under a NOTIFY_SOCKET', async (t) => {
  const n = await NotifyListener.open(path.join(env.dir, 'sdnotify.sock'));
  t.teardown(() => n.close());
  const withSocket = { env: { ...env.env, NOTIFY_SOCKET: n.file } };

  // container: the container itself says when it is ready, through the socket tspod gives it. The
  // busybox image has no sd_notify client: it borrows the host's systemd-notify (and its libraries).
  const host = ['-v', '/usr:/usr:ro', '-v', '/usr/lib:/lib:ro', '-v', '/usr/lib64:/lib64:ro'];
  const script = 'echo "socket=$NOTIFY_SOCKET"; sleep 1; /usr/bin/systemd-notify --status=warming; /usr/bin/systemd-notify --ready --status=serving; exec sleep 600';
  const c = await env.tspod(['run', '-d', '--sdnotify=container', '--name', 'sn-ctr', ...host, IMAGE, 'sh', '-c', script], withSocket);
  t.equal(c.exitCode, 0, c.stderr);
  const conmon = Number((await tspodOk(['inspect', '--format', '{{.State.ConmonPid}}', 'sn-ctr'])).trim());
  t.same(n.messages, [`MAINPID=${conmon}\nSTATUS=serving\nREADY=1`], 'run -d returned after the container\'s READY=1, passed on with MAINPID=conmon and its STATUS');
  t.match(await tspodOk(['logs', 'sn-ctr']), /^socket=\/run\/notify\/notify\.sock$/m, 'the container sees its own socket as NOTIFY_SOCKET');
  await tspodOk(['rm', '-f', '-t', '0', 'sn-ctr']);

  // container, but it exits without READY=1: run -d fails instead of waiting forever
  n.messages.length = 0;
  const early = await env.tspod(['run', '-d', '--sdnotify=container', '--name', 'sn-early', IMAGE, 'sh', '-c', 'exit 3'], withSocket);
  t.equal(early.exitCode, 125);
  t.match(early.stderr, /exited before it sent READY=1/);
  t.same(n.messages, [], 'nothing told systemd it is ready');
  await tspodOk(['rm', '-f', 'sn-early']);

  // ignore: the socket is neither used nor passed on
  const ig = await env.tspod(['run', '-d', '--sdnotify=ignore', '--name', 'sn-ig', IMAGE, 'sleep', '600'], withSocket);
  t.equal(ig.exitCode, 0, ig.stderr);
  await new Promise((r) => setTimeout(r, 300));
  t.same(n.messages, [], '--sdnotify=ignore sends nothing');
  t.notMatch(await tspodOk(['exec', 'sn-ig', 'env']), /NOTIFY_SOCKET/);

  // start (an existing container) notifies as run does
  await tspodOk(['stop', '-t', '0', 'sn-ig']);
  const cr = await env.tspod(['create', '--sdnotify=conmon', '--name', 'sn-start', IMAGE, 'sleep', '600']);
  t.equal(cr.exitCode, 0, cr.stderr);
  const st = await env.tspod(['start', 'sn-start'], withSocket);
  t.equal(st.exitCode, 0, st.stderr);
  const pid = Number((await tspodOk(['inspect', '--format', '{{.State.ConmonPid}}', 'sn-start'])).trim());
  t.same(n.messages, [`MAINPID=${pid}\nREADY=1`], 'start --sdnotify=conmon container: MAINPID and READY=1');
  await tspodOk(['rm', '-f', '-t', '0', 'sn-ig', 'sn-start']);
});

t.test('generate systemd --new --template: one unit, many instances', async (t) => {
  await tspodOk(['create', '--name', 'tpl', '--init', IMAGE, 'sleep', '600']);
  const units = path.join(env.dir, 'units-tpl');
  fs.mkdirSync(units, { recursive: true });
  const r = await env.tspod(['generate', 'systemd', '--new', '--name', '--template', '--files', 'tpl'], { cwd: units });
  t.equal(r.exitCode, 0, r.stderr);
  const file = path.join(units, 'container-tpl@.service');
  t.equal(r.stdout.trim(), file);
  await verify(t, [file]);
  const blue = new UnitRunner(file, 'container-tpl@blue.service', 'blue');
  const green = new UnitRunner(file, 'container-tpl@green.service', 'green');
  await blue.start();
  await green.start();
  t.equal(await stateOf('tpl-blue'), 'running');
  t.equal(await stateOf('tpl-green'), 'running');
  await blue.stop();
  t.equal(await stateOf('tpl-blue'), 'gone');
  t.equal(await stateOf('tpl-green'), 'running', 'the other instance is untouched');
  await green.stop();
  t.equal(await stateOf('tpl-green'), 'gone');
  await tspodOk(['rm', '-f', 'tpl']);
});

t.test('generate systemd: errors', async (t) => {
  await tspodOk(['create', '--name', 'e1', IMAGE, 'true']);
  const cases: Array<[string[], RegExp]> = [
    [['generate', 'systemd', 'nosuch'], /no container with name or ID "nosuch" found/],
    [['generate', 'systemd', '--template', 'e1'], /--template cannot be set without --new/],
    [['generate', 'systemd', '--restart-policy', 'sometimes', 'e1'], /invalid --restart-policy "sometimes"/],
    [['generate', 'systemd', '--format', 'yaml', 'e1'], /only json/],
  ];
  for (const [args, re] of cases) {
    const r = await env.tspod(args);
    t.equal(r.exitCode, 125, args.join(' '));
    t.match(r.stderr, re);
  }
  const j = await env.tspod(['generate', 'systemd', '--name', '--format', 'json', 'e1']);
  t.equal(j.exitCode, 0, j.stderr);
  t.match(JSON.parse(j.stdout)['container-e1'], /^# container-e1\.service\n/);
  await tspodOk(['rm', '-f', 'e1']);
});

t.test('Quadlet: a .container file becomes a unit that verifies and runs the container', async (t) => {
  const port = await freePort();
  const qdir = path.join(env.configDir, 'containers', 'systemd');
  fs.mkdirSync(qdir, { recursive: true });
  const www = path.join(qdir, 'site');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), 'hello from quadlet\n');
  fs.writeFileSync(path.join(qdir, 'site.env'), 'FROM_FILE=yes\n');
  fs.writeFileSync(path.join(qdir, 'site.container'), [
    '[Unit]',
    'Description=A quadlet web site',
    '',
    '[Container]',
    `Image=${IMAGE}`,
    'Exec=httpd -f -p 8080 -h /www',
    `PublishPort=${port}:8080`,
    'Volume=./site:/www:ro',
    'Environment=GREETING="hello quadlet" OTHER=1',
    'EnvironmentFile=./site.env',
    'Label=app=site',
    'RunInit=true',
    'StopTimeout=5',
    '',
    '[Service]',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(qdir, 'broken.container'), '[Container]\nImage=x\nFrobnicate=yes\n');

  const out = path.join(env.dir, 'generator');
  fs.mkdirSync(out);
  const r = await env.tspod(['quadlet', '--user', out]);
  t.equal(r.exitCode, 1, 'a broken file makes the generator fail...');
  t.match(r.stderr, new RegExp(`${qdir.replace(/[.]/g, '\\.')}/broken\\.container:3: unsupported key "Frobnicate" in section \\[Container\\]`), '...naming the file and line');
  const file = path.join(out, 'site.service');
  t.ok(fs.existsSync(file), '...while the good file is still converted');
  t.notOk(fs.existsSync(path.join(out, 'broken.service')));
  t.equal(fs.readlinkSync(path.join(out, 'default.target.wants', 'site.service')), '../site.service', '[Install] WantedBy= applied as a symlink');
  fs.rmSync(path.join(qdir, 'broken.container'));

  const dry = await env.tspod(['quadlet', '--user', '--dryrun']);
  t.equal(dry.exitCode, 0, dry.stderr);
  t.equal(dry.stdout.trimEnd(), `---site.service---\n${fs.readFileSync(file, 'utf8')}`.trimEnd(), '--dryrun prints what would be written');

  await verify(t, [file]);
  const u = new UnitRunner(file, 'site.service');
  await u.start();
  t.equal(await stateOf('systemd-site'), 'running', 'the container is named systemd-%N');
  t.equal(await httpEventually(port), 'hello from quadlet\n', 'port, relative volume and Exec work');
  const envOut = await tspodOk(['exec', 'systemd-site', 'env']);
  t.match(envOut, /^GREETING=hello quadlet$/m);
  t.match(envOut, /^OTHER=1$/m);
  t.match(envOut, /^FROM_FILE=yes$/m, 'EnvironmentFile relative to the .container file');
  await u.stop();
  t.equal(await stateOf('systemd-site'), 'gone', 'stop removes it');
});

t.test('generate quadlet: an existing container round-trips through the generator', async (t) => {
  const port = await freePort();
  const www = path.join(env.dir, 'www');
  await tspodOk(['create', '--name', 'rt', '--init', '-p', `${port}:8080`, '-e', 'A=b c', '-v', `${www}:/www:ro`, '--label', 'k=v', IMAGE, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  const qdir = path.join(env.dir, 'qrt');
  fs.mkdirSync(qdir);
  const r = await env.tspod(['generate', 'quadlet', '--files', 'rt'], { cwd: qdir });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout.trim(), path.join(qdir, 'rt.container'));
  const text = fs.readFileSync(path.join(qdir, 'rt.container'), 'utf8');
  t.match(text, /^ContainerName=rt$/m);
  t.match(text, new RegExp(`^PublishPort=${port}:8080$`, 'm'));
  await tspodOk(['rm', '-f', 'rt']);

  const out = path.join(env.dir, 'generator-rt');
  const g = await env.tspod(['quadlet', '--user', out], { env: { ...env.env, QUADLET_UNIT_DIRS: qdir } });
  t.equal(g.exitCode, 0, g.stderr);
  const file = path.join(out, 'rt.service');
  await verify(t, [file]);
  const u = new UnitRunner(file, 'rt.service');
  await u.start();
  t.equal(await stateOf('rt'), 'running');
  t.equal(await httpEventually(port), 'hello from web\n');
  t.match(await tspodOk(['exec', 'rt', 'env']), /^A=b c$/m);
  await u.stop();
  t.equal(await stateOf('rt'), 'gone');
});

t.test('generated units name tspod by an absolute path that exists', async (t) => {
  const r = await env.tspod(['quadlet', '--dryrun'], { env: { ...env.env, QUADLET_UNIT_DIRS: path.join(env.dir, 'qrt') } });
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stdout.includes(`ExecStart=${BIN} `) || r.stdout.includes(`ExecStart=${process.execPath} ${BIN}.mjs `), `ExecStart runs ${BIN}`);
});
