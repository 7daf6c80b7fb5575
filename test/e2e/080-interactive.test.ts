// End-to-end: interactive I/O through conmon's attach socket, as the
// unprivileged user, through a REAL pseudo-terminal: tmux (its own server on a
// private socket) runs a shell in which the test types tspod commands, reads
// the screen, resizes the window and presses ctrl-c / the detach keys.
//   run -it (prompt, arithmetic, exit code, resize, ctrl-c, detach, attach),
//   run -t, first output not lost, run -i with piped stdin (EOF, big input,
//   stderr, exit code), start -ai, attach errors, custom detach keys,
//   sig-proxy in non-TTY mode, exec -it / exec -i.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { BIN, UNSET, makeEnv, requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => fs.existsSync(p));
if (!TMUX) {
  t.fail('tmux not found: this test drives tspod through a real terminal with tmux (apt-get install tmux)');
  process.exit(1);
}

let reg: RegistryFixture;
let env: TspodEnv;
let IMAGE = '';

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/busybox', 'latest', img);
  IMAGE = `${reg.host}/e2e/busybox:latest`;
});
t.teardown(async () => { await reg?.stop(); });

/** Bound for one interactive tspod call: a hang fails fast instead of eating the suite's time. */
const LIMIT = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tmux session running /bin/sh, with `tspod` on PATH (a wrapper without tap's loader). */
class Terminal {
  readonly sock: string;
  private constructor(private readonly e: TspodEnv, readonly name: string) {
    this.sock = path.join(e.dir, `tmux-${name}`);
  }

  static async open(t: Test, e: TspodEnv, name: string, cols = 100, rows = 30): Promise<Terminal> {
    const term = new Terminal(e, name);
    const bin = path.join(e.dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'tspod'), `#!/bin/sh\nexec env ${UNSET.join(' ')} ${BIN} "$@"\n`, { mode: 0o755 });
    const shellEnv = { ...e.env, PATH: `${bin}:${e.env['PATH'] ?? '/usr/bin:/bin'}`, PS1: '$ ', TERM: 'xterm', ENV: '' };
    delete (shellEnv as Record<string, unknown>)['TMUX'];
    await execa('env', [...UNSET, TMUX!, '-S', term.sock, '-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '/bin/sh'], { env: shellEnv, extendEnv: false });
    await term.tmux(['set-option', '-g', 'history-limit', '5000']);
    t.teardown(() => term.tmux(['kill-server']).catch(() => undefined));
    await term.shellPrompt();
    return term;
  }

  async tmux(args: string[]): Promise<string> {
    const r = await execa('env', [...UNSET, TMUX!, '-S', this.sock, ...args], { env: this.e.env, extendEnv: false });
    return String(r.stdout);
  }

  /** Type a line and press Enter. */
  async type(line: string): Promise<void> {
    await this.tmux(['send-keys', '-t', this.name, '-l', line]);
    await this.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  async keys(...k: string[]): Promise<void> { await this.tmux(['send-keys', '-t', this.name, ...k]); }

  async screen(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-5000', '-t', this.name]);
  }

  /** Wait until the screen (with history) matches; fail with the screen if it does not in time. */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.screen();
      const m = s.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} on the terminal; screen:\n${s}`);
      await sleep(50);
    }
  }

  /** Wait until the pane's own shell shows its prompt again (what tspod printed is above it). */
  async shellPrompt(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.screen();
      const lines = s.split('\n').map((l) => l.trimEnd()).filter(Boolean);
      // after a detach our prompt follows the container's on the same line: tspod prints nothing extra
      if (/(^|\s)\$$/.test(lines.at(-1) ?? '')) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the shell prompt; screen:\n${s}`);
      await sleep(50);
    }
  }

  /** The exit status of the last command of the pane's shell (tagged to be unique). */
  async status(tag: string): Promise<number> {
    await this.shellPrompt();
    await this.type(`echo "${tag}=$?"`);
    const m = await this.waitFor(new RegExp(`^${tag}=(\\d+)$`, 'm'));
    return Number(m[1]);
  }
}

t.test('interactive I/O', async (t) => {
  env = await makeEnv(t, { insecure: [reg.host] });
  const pulled = await env.tspod(['pull', '-q', IMAGE]);
  t.equal(pulled.exitCode, 0, pulled.stderr);

  t.test('run -it: a shell through a real terminal; resize; ctrl-c; detach; attach; exit code', async (t) => {
    const term = await Terminal.open(t, env, 'it', 100, 30);
    await term.type(`tspod run -it --name it1 ${IMAGE} sh`);
    await term.waitFor(/^\/ # /m);
    await term.type('echo $((6*7))');
    await term.waitFor(/^42\r?$/m);
    t.pass('typed input reaches the shell, its output comes back');
    await term.type('echo size-$(stty size | tr " " x)');
    await term.waitFor(/^size-30x100$/m);
    t.pass('the container terminal starts with our size');
    await term.type('tty | sed s/^/tty-/');
    await term.waitFor(/^tty-\/dev\/pts\/\d+$/m);

    await term.tmux(['resize-window', '-t', 'it', '-x', '120', '-y', '40']);
    await sleep(300);
    await term.type('echo size-$(stty size | tr " " x)');
    await term.waitFor(/^size-40x120$/m);
    t.pass('SIGWINCH resizes the container terminal');

    await term.type('sleep 60; echo not-interrupted');
    await sleep(500);
    await term.keys('C-c');
    await term.type('echo alive-$((1+1))');
    await term.waitFor(/^alive-2$/m, 10_000);
    t.notMatch(await term.screen(), /^not-interrupted/m, 'ctrl-c went to the container (sleep interrupted), tspod stayed attached');

    await term.keys('C-p', 'C-q');
    t.equal(await term.status('rc1'), 0, 'detach keys end tspod with 0');
    await term.type('tspod ps --format "ps-{{.Names}}-{{.State}}"');
    await term.waitFor(/^ps-it1-running$/m);
    t.pass('the container keeps running after detaching');
    t.notMatch(await term.screen(), /read escape sequence|detached/i, 'nothing extra is printed on detach');

    await term.type('tspod attach it1');
    await sleep(1500);
    await term.type('echo back-$((3+4))');
    await term.waitFor(/^back-7$/m);
    t.pass('attach reconnects, input works again');
    await term.type('exit 3');
    t.equal(await term.status('rc2'), 3, 'the exit code of the container is tspod attach\'s');
    await term.shellPrompt();
    await term.type('stty -a | tr " ;" "\\n\\n" | grep -x -e icanon -e -icanon -e echo -e -echo | tr "\\n" , | sed s/^/modes-/; echo');
    const m = await term.waitFor(/^modes-(.*)$/m);
    t.equal(m[1], 'icanon,echo,', 'the local terminal is restored (canonical mode, echo)');
    const r = await env.tspod(['ps', '-a', '--filter', 'name=it1', '--format', '{{.State}} {{.ExitCode}}']);
    t.equal(r.stdout.trim(), 'exited 3');
  });

  t.test('run -t / -it: early output is not lost; exit codes pass through', async (t) => {
    const term = await Terminal.open(t, env, 'early');
    await term.type(`tspod run -it --rm ${IMAGE} echo first-line`);
    await term.waitFor(/^first-line\r?$/m);
    t.equal(await term.status('rc1'), 0);
    await term.type(`tspod run -t --rm ${IMAGE} sh -c 'echo out; exit 5'`);
    await term.waitFor(/^out\r?$/m);
    t.equal(await term.status('rc2'), 5, 'run -t passes the exit code');
    await term.type(`tspod run -it --rm ${IMAGE} nosuchcommand`);
    t.equal(await term.status('rc3'), 127, 'a missing command is 127');
  });

  t.test('run -i with piped stdin', async (t) => {
    let r = await env.tspod(['run', '-i', '--rm', IMAGE, 'cat'], { input: 'hi\n', timeout: LIMIT });
    t.same([r.stdout, r.exitCode], ['hi', 0], 'echo hi | tspod run -i IMAGE cat');
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = 32 + (i * 7) % 90;
    const [cmd, args] = tspodCommand(['run', '-i', '--rm', IMAGE, 'sh', '-c', 'cat | md5sum']);
    const res = await execa(cmd, args, { env: env.env, extendEnv: false, input: big, reject: false, timeout: LIMIT });
    const { createHash } = await import('node:crypto');
    t.equal(String(res.stdout).split(' ')[0], createHash('md5').update(big).digest('hex'), '300 KB of stdin arrive intact, then EOF');
    r = await env.tspod(['run', '-i', '--rm', IMAGE, 'sh', '-c', 'read x; echo "got $x"; echo oops >&2; exit 7'], { input: 'abc\n', timeout: LIMIT });
    t.same([r.stdout, r.stderr, r.exitCode], ['got abc', 'oops', 7], 'stdout and stderr apart, exit code passes');
    r = await env.tspod(['run', '-i', '--rm', IMAGE, 'sh', '-c', 'cat; echo done'], { input: '', timeout: LIMIT });
    t.same([r.stdout, r.exitCode], ['done', 0], 'empty stdin is EOF at once');
  });

  t.test('run -i cleans up after its container itself: it holds the cleanup claim while attached, none is left after', async (t) => {
    const [cmd, args] = tspodCommand(['run', '-i', '--rm', '--name', 'claimi', IMAGE, 'sh', '-c', 'read x; echo "got $x"']);
    const child = execa(cmd, args, { env: env.env, extendEnv: false, reject: false, timeout: LIMIT, stdin: 'pipe' });
    // claimed before the container starts (engine/container/cleanup-claim.ts): conmon's exit command then starts no tspod
    let claim = '';
    let id = '';
    for (let i = 0; i < 200 && !claim; i++) {
      const r = await env.tspod(['inspect', '--format', '{{.Id}} {{.State.Status}}', 'claimi']);
      const [cid, status] = r.stdout.split(' ');
      const file = path.join(env.runDir, 'tspod', 'cleanup-claims', cid ?? '');
      if (r.exitCode === 0 && status === 'running' && fs.existsSync(file)) { claim = fs.readFileSync(file, 'utf8'); id = cid!; } else await sleep(50);
    }
    t.match(claim, /^\d+ \d+\n$/, 'the attached run holds the claim (its pid and start time)');
    child.stdin!.end('hi\n');
    const res = await child;
    t.same([res.stdout, res.exitCode], ['got hi', 0], 'stdin in, output and exit code out');
    t.notOk(fs.existsSync(path.join(env.runDir, 'tspod', 'cleanup-claims', id)), 'the claim is dropped');
    const r = await env.tspod(['ps', '-a', '-q', '--filter', 'name=claimi']);
    t.same([r.stdout, r.exitCode], ['', 0], '--rm: removed by the time run returned');
  });

  t.test('start -ai', async (t) => {
    let r = await env.tspod(['create', '-i', '--name', 'si', IMAGE, 'sh', '-c', 'echo started; cat; exit 4']);
    t.equal(r.exitCode, 0, r.stderr);
    r = await env.tspod(['start', '-ai', 'si'], { input: 'from-start\n', timeout: LIMIT });
    t.same([r.stdout, r.exitCode], ['started\nfrom-start', 4], 'start -ai: early output, stdin, exit code');
    r = await env.tspod(['start', '-ai', 'si'], { input: 'again\n', timeout: LIMIT });
    t.same([r.stdout, r.exitCode], ['started\nagain', 4], 'and again (a restart attaches afresh)');
    await env.tspod(['rm', 'si']);
  });

  t.test('attach errors', async (t) => {
    let r = await env.tspod(['attach', 'nosuch']);
    t.equal(r.exitCode, 125);
    t.match(r.stderr, /no container with name or ID "nosuch"/);
    r = await env.tspod(['create', '--name', 'idle', IMAGE, 'true']);
    r = await env.tspod(['attach', 'idle']);
    t.equal(r.exitCode, 125);
    t.match(r.stderr, /you can only attach to running containers/);
    r = await env.tspod(['attach', '--detach-keys', 'ctrl-1', 'idle']);
    t.equal(r.exitCode, 125);
    t.match(r.stderr, /invalid detach keys "ctrl-1"/);
    r = await env.tspod(['run', '-it', '--detach-keys', 'bogus-keys', IMAGE, 'true']);
    t.equal(r.exitCode, 125, 'run refuses bad detach keys');
    await env.tspod(['rm', '-f', 'idle']);
  });

  t.test('custom detach keys (run --detach-keys, attach --detach-keys)', async (t) => {
    const term = await Terminal.open(t, env, 'dk');
    await term.type(`tspod run -it --detach-keys ctrl-x --name dk ${IMAGE} sh`);
    await term.waitFor(/^\/ # /m);
    await term.keys('C-p', 'C-q');
    await term.type('echo still-$((2*4))');
    await term.waitFor(/^still-8$/m);
    t.pass('the default keys are ordinary input when others are set');
    await term.keys('C-x');
    t.equal(await term.status('rc1'), 0, 'ctrl-x detaches');
    await term.type('tspod attach --detach-keys ctrl-a,b dk');
    await sleep(1500);
    await term.type('echo in-$((5*5))');
    await term.waitFor(/^in-25$/m);
    await term.keys('C-a', 'b');
    t.equal(await term.status('rc2'), 0, 'attach --detach-keys ctrl-a,b detaches');
    const r = await env.tspod(['ps', '--filter', 'name=dk', '--format', '{{.State}}']);
    t.equal(r.stdout.trim(), 'running');
    await env.tspod(['rm', '-f', '-t', '0', 'dk']);
  });

  t.test('sig-proxy: signals to tspod reach a non-TTY container', async (t) => {
    const [cmd, args] = tspodCommand(['run', '-i', '--rm', '--name', 'sp', IMAGE, 'sh', '-c', 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done']);
    const child = execa(cmd, args, { env: env.env, extendEnv: false, stdin: 'pipe', reject: false, timeout: LIMIT });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('ready') && Date.now() < deadline) await sleep(50);
      t.match(out, /ready/, 'the container runs, its first output reached us');
      child.kill('SIGTERM');
      const res = await child;
      t.match(String(res.stdout), /got-term/, 'the container got SIGTERM');
      t.equal(res.exitCode, 9, 'and its exit code is tspod\'s');
    } finally {
      // never leave a hung session behind
      await env.tspod(['rm', '-f', '-t', '0', 'sp'], { timeout: LIMIT });
      child.kill('SIGKILL');
      await child;
    }
  });

  t.test('exec -it / exec -i', async (t) => {
    let r = await env.tspod(['run', '-d', '--name', 'ex', IMAGE, 'sleep', '600']);
    t.equal(r.exitCode, 0, r.stderr);
    const term = await Terminal.open(t, env, 'exec', 90, 25);
    await term.type('tspod exec -it ex sh -c \'tty | sed s/^/tty-/; echo size-$(stty size | tr " " x)\'');
    await term.waitFor(/^tty-\/dev\/pts\/\d+\r?$/m);
    await term.waitFor(/^size-25x90\r?$/m);
    t.pass('exec -it gets a pts of our size');
    await term.type('tspod exec -it ex sh');
    await term.waitFor(/^\/ # /m);
    await term.type('echo ex-$((9*9))');
    await term.waitFor(/^ex-81\r?$/m);
    await term.type('exit 4');
    t.equal(await term.status('rc1'), 4, 'exec -it passes the exit code');
    r = await env.tspod(['exec', '-i', 'ex', 'cat'], { input: 'via-exec\n', timeout: LIMIT });
    t.same([r.stdout, r.exitCode], ['via-exec', 0], 'echo via-exec | tspod exec -i CTR cat');
    await env.tspod(['rm', '-f', '-t', '0', 'ex']);
  });
});

t.test('save and load on a terminal: a spinner that ends in a check mark; nothing extra when piped or --quiet', async (t) => {
  const env = await makeEnv(t, { insecure: [reg.host] });
  const pulled = await env.tspod(['pull', '-q', IMAGE]);
  t.equal(pulled.exitCode, 0, pulled.stderr);
  const term = await Terminal.open(t, env, 'spin', 120, 30);
  const archive = path.join(env.dir, 'spin.tar');
  // a CI runner's environment switches spinners off everywhere: this shell is a user's terminal
  await term.type('unset CI');
  await term.type(`tspod save -o ${archive} ${IMAGE}`);
  await term.waitFor(new RegExp(`✔ Wrote ${IMAGE.replace(/[.:/]/g, '\\$&')} \\(docker-archive\\) to ${archive.replace(/[.:/]/g, '\\$&')}`));
  t.equal(await term.status('SAVE'), 0);
  await term.type(`tspod load -i ${archive}`);
  await term.waitFor(/✔ Loaded 1 image from /);
  await term.waitFor(new RegExp(`^Loaded image: ${IMAGE.replace(/[.:/]/g, '\\$&')}\\r?$`, 'm'));
  t.equal(await term.status('LOAD'), 0);
  t.pass('the spinner is drawn on the terminal (stderr) and the result stays on stdout');

  const quiet = await env.tspod(['save', '-q', '-o', archive, IMAGE]);
  t.equal(quiet.exitCode, 0, quiet.stderr);
  t.equal(quiet.stderr, '', 'stderr not a terminal: no spinner');
  const piped = await env.tspod(['load', '-i', archive]);
  t.equal(piped.exitCode, 0, piped.stderr);
  t.equal(piped.stderr, '', 'nothing but the result when not on a terminal');
  t.match(piped.stdout, /^Loaded image: /m);
});
