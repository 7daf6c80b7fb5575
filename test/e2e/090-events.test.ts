// End-to-end: `tspod events`, the real bin/tspod as the unprivileged user.
// Part 1 writes events through src/events (the built dist/events/log.js, in a
// separate node process, as any tspod process would) and checks what
// `tspod events` makes of them: filters, --since/--until windows, formats,
// --stream=false, a stream that sees another process's event, torn lines and
// SIGKILLed writers, rotation, bad input (exit 125).
// Part 2 is the container lifecycle as the issue asks: create/start/exit/rm
// lists create, (init), start, died (with the exit code, written by conmon's
// exit command), remove, in order; and a stream sees a container started by
// another process. It needs the engine's emission points wired to recordEvent.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, tspodCommand, REPO, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

const LOG_MODULE = path.join(REPO, 'dist', 'events', 'log.js');
if (!fs.existsSync(LOG_MODULE)) { t.fail(`${LOG_MODULE} is missing: run npm run build first`); process.exit(1); }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const S = 1_000_000_000n;

interface Ev { type: string; status: string; id?: string; name?: string; image?: string; network?: string; exitCode?: number; attributes?: Record<string, string>; time?: string }

/** Record events from a separate node process, through the real module (times as nanosecond strings). */
async function emit(env: TspodEnv, events: Ev[], extraEnv: Record<string, string> = {}): Promise<void> {
  const src = `const m = await import(${JSON.stringify(LOG_MODULE)});
for (const e of ${JSON.stringify(events)}) await m.recordEvent({ ...e, time: e.time === undefined ? undefined : BigInt(e.time) });`;
  const r = await execa('node', ['--input-type=module', '-e', src], { env: { ...env.env, ...extraEnv }, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw new Error(`emit: ${r.stderr}`);
}

const logFile = (env: TspodEnv) => path.join(env.runDir, 'tspod', 'events', 'events.log');
const lines = (s: string) => s.split('\n').filter(Boolean);

// ================================================================ part 1: the log and the command

let env: TspodEnv;
const A = 'a0'.repeat(32), B = 'b0'.repeat(32);
const NOW = BigInt(Date.now()) * 1_000_000n;
const at = (secondsAgo: number) => String(NOW - BigInt(secondsAgo) * S);

t.test('part 1: events written by another process', async (t) => {
  env = await makeEnv(t);

  await t.test('no log yet: nothing, exit 0', async (t) => {
    const r = await env.tspod(['events', '--stream=false']);
    t.equal(r.exitCode, 0, r.stderr);
    t.equal(r.stdout, '');
  });

  await emit(env, [
    { type: 'container', status: 'create', id: A, name: 'web', image: 'localhost/bb:1', attributes: { app: 'shop' }, time: at(3600) },
    { type: 'container', status: 'start', id: A, name: 'web', image: 'localhost/bb:1', attributes: { app: 'shop' }, time: at(1800) },
    { type: 'container', status: 'create', id: B, name: 'db', image: 'localhost/bb:1', time: at(1200) },
    { type: 'container', status: 'died', id: A, name: 'web', image: 'localhost/bb:1', exitCode: 3, attributes: { app: 'shop' }, time: at(600) },
    { type: 'image', status: 'pull', name: 'localhost/bb:1', time: at(300) },
    { type: 'volume', status: 'create', name: 'data', time: at(120) },
    { type: 'network', status: 'connect', id: A, name: 'web', network: 'front', time: at(60) },
    { type: 'container', status: 'remove', id: A, name: 'web', image: 'localhost/bb:1', attributes: { app: 'shop' }, time: at(30) },
  ]);

  const statuses = async (...args: string[]) => {
    const r = await env.tspod(['events', '--stream=false', ...args]);
    t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    return lines(r.stdout);
  };

  await t.test('filters: same key OR, different keys AND', async (t) => {
    const table: Array<[string[], string[]]> = [
      [['--filter', 'container=web', '--format', '{{.Status}}'], ['create', 'start', 'died', 'remove']],
      [['--filter', 'container=web', '--filter', 'container=db', '--format', '{{.Status}} {{.Name}}'], ['create web', 'start web', 'create db', 'died web', 'remove web']],
      [['--filter', 'container=web', '--filter', 'event=died', '--format', '{{.Status}} {{.ContainerExitCode}}'], ['died 3']],
      [['-f', 'type=volume', '-f', 'type=image', '--format', '{{.Type}} {{.Name}}'], ['image localhost/bb:1', 'volume data']],
      [['--filter', 'label=app=shop', '--filter', 'event=create', '--format', '{{.Name}}'], ['web']],
      [['--filter', 'network=front', '--format', '{{.Network}} {{.Name}}'], ['front web']],
      [['--filter', 'container=a0a0', '--filter', 'event=remove', '--format', '{{.ID}}'], [A]],
    ];
    for (const [args, want] of table) t.same(await statuses(...args), want, args.join(' '));
  });

  await t.test('--since and --until windows', async (t) => {
    const since = new Date(Number((NOW - 700n * S) / 1_000_000n)).toISOString();
    const unix = (secondsAgo: number) => String(Number(NOW / S) - secondsAgo);
    const table: Array<[string[], string[]]> = [
      [['--since', '25m'], ['create', 'died', 'pull', 'create', 'connect', 'remove']],
      [['--since', '25m', '--until', unix(240)], ['create', 'died', 'pull']],
      [['--since', since, '--until', unix(100)], ['died', 'pull', 'create']],
      [['--until', '1m30s'], ['create', 'start', 'create', 'died', 'pull', 'create', 'connect', 'remove']], // a duration from now, as Podman
      [['--since', '2h', '--filter', 'type=container', '--until', unix(2700)], ['create']],
      [['--since', '1h30m', '--until', '1s'], ['create', 'start', 'create', 'died', 'pull', 'create', 'connect', 'remove']],
    ];
    for (const [args, want] of table) t.same(await statuses(...args, '--format', '{{.Status}}'), want, args.join(' '));
  });

  await t.test('formats: the default line, --no-trunc=false, json lines, templates', async (t) => {
    const human = await statuses('--filter', 'event=died');
    t.match(human[0], new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})? [+-]\\d{4} \\S+ container died ${A} \\(image=localhost/bb:1, name=web, app=shop\\)$`));
    t.match((await statuses('--filter', 'event=died', '--no-trunc=false'))[0], / container died a0a0a0a0a0a0 \(image=/);
    t.match((await statuses('--filter', 'type=volume'))[0], / volume create data$/);
    const json = (await statuses('--filter', 'container=web', '--format', 'json')).map((l) => JSON.parse(l) as Record<string, unknown>);
    t.equal(json.length, 4, 'one JSON object per line');
    t.match(json[2], { ContainerExitCode: 3, ID: A, Image: 'localhost/bb:1', Name: 'web', Status: 'died', Type: 'container', Attributes: { app: 'shop' } });
    t.match(String(json[2]!['Time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    t.equal(typeof json[2]!['timeNano'], 'number');
    t.same(await statuses('--filter', 'event=died', '--format', '{{.Attributes}}|{{.Image}}|{{.Type}}'), ['map[app:shop]|localhost/bb:1|container']);
    t.same(await statuses('--filter', 'event=died', '--format', '{{json .Name}}'), ['"web"']);
    const alias = await env.tspod(['system', 'events', '--stream=false', '--filter', 'event=pull', '--format', '{{.Name}}']);
    t.equal(alias.stdout, 'localhost/bb:1', 'system events is an alias');
  });

  await t.test('bad input: one line, exit 125', async (t) => {
    for (const args of [['--filter', 'bogus=1'], ['--filter', 'type=box'], ['--since', '10x'], ['--until', 'later'], ['--format', '{{.Nope}}'], ['--format', '{{.Status']]) {
      const r = await env.tspod(['events', '--stream=false', ...args]);
      t.equal(r.exitCode, 125, args.join(' '));
      t.match(r.stderr, /^Error: .+\n?$/, `${args.join(' ')}: one line (${r.stderr.trim()})`);
      t.equal(r.stdout, '', 'nothing printed');
    }
  });

  await t.test('a torn line and SIGKILLed writers never show up as events', async (t) => {
    fs.appendFileSync(logFile(env), '{"ID":"torn","Status":"start","Ti');
    await emit(env, [{ type: 'volume', status: 'remove', name: 'after-torn' }]);
    t.same(await statuses('--filter', 'type=volume', '--format', '{{.Name}}'), ['data', 'after-torn'], 'the fragment is skipped, the event after it kept');
    const loop = `const m = await import(${JSON.stringify(LOG_MODULE)});
for (let i = 0; ; i++) await m.recordEvent({ type: 'container', status: 'exec', name: 'k' + i, attributes: { pad: 'z'.repeat(30000), n: String(i) } });`;
    const size = () => { try { return fs.statSync(logFile(env)).size; } catch { return 0; } };
    for (let round = 0; round < 3; round++) {
      const before = size();
      // no rotation here (it has its own test): the writer's events must all stay
      const kid = execa('node', ['--input-type=module', '-e', loop], { env: { ...env.env, TSPOD_EVENTS_MAX_SIZE: String(1 << 30) }, extendEnv: false, reject: false });
      try {
        for (let i = 0; i < 400 && size() < before + 100_000; i++) await sleep(25);
        await sleep(Math.floor(Math.random() * 100));
      } finally {
        kid.kill('SIGKILL');
        await kid;
      }
    }
    const r = await env.tspod(['events', '--stream=false', '--filter', 'event=exec', '--format', '{{.Name}} {{len .Attributes.pad}} {{.Attributes.n}}']);
    t.equal(r.exitCode, 0, r.stderr);
    const got = lines(r.stdout);
    t.ok(got.length >= 3, `events from the killed writers (${got.length})`);
    t.equal(got.filter((l) => /^k(\d+) 30000 \1$/.test(l)).length, got.length, 'every one whole');
  });

  await t.test('a stream sees an event appended by another process', async (t) => {
    const [file, args] = tspodCommand(['events', '--filter', 'type=system', '--format', '{{.Status}} {{.Name}}']);
    const stream = execa(file, args, { env: env.env, extendEnv: false, reject: false });
    let out = '';
    stream.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    // the stream starts at the end of the log: nudge until it is listening
    let n = 0;
    for (; n < 100 && !out.includes('refresh'); n++) { await emit(env, [{ type: 'system', status: 'refresh', name: `ping${n}` }]); await sleep(200); }
    t.ok(out.includes('refresh'), 'the stream is listening');
    t.notMatch(out, /after-torn|web/, 'filtered, and nothing from before it started');
    await emit(env, [{ type: 'system', status: 'renumber', name: 'from-another-process' }]);
    for (let i = 0; i < 50 && !out.includes('from-another-process'); i++) await sleep(100);
    t.match(out, /^renumber from-another-process$/m);
    stream.kill('SIGINT');
    const r = await stream;
    t.ok(r.exitCode === 0 || r.signal === 'SIGINT', `ends on SIGINT (exit ${r.exitCode}, signal ${r.signal})`);
  });

  await t.test('--stream with --until ends when that time passes', async (t) => {
    const t0 = Date.now();
    const r = await env.tspod(['events', '--until', '1s'], { timeout: 20_000 });
    t.equal(r.exitCode, 0, r.stderr);
    t.ok(Date.now() - t0 < 15_000, 'it ended');
  });

  await t.test('rotation keeps the newest events readable', async (t) => {
    const many: Ev[] = Array.from({ length: 60 }, (_, i) => ({ type: 'pod', status: 'create', id: `p${i}`, name: `pod${i}` }));
    await emit(env, many, { TSPOD_EVENTS_MAX_SIZE: '4000' });
    t.ok(fs.existsSync(`${logFile(env)}.1`), 'events.log.1 exists');
    const names = await statuses('--filter', 'type=pod', '--format', '{{.Name}}');
    t.ok(names.length >= 10, `kept ${names.length}`);
    t.same(names, Array.from({ length: names.length }, (_, i) => `pod${60 - names.length + i}`), 'the newest, contiguous, in order');
  });
});

// ================================================================ part 2: the container lifecycle

let reg: RegistryFixture | undefined;
t.teardown(async () => { await reg?.stop(); });

t.test('part 2: lifecycle events of real containers', async (t) => {
  reg = await startRegistry();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } }));
  const BB = `${reg.host}/e2e/bb:latest`;
  const e2 = await makeEnv(t, { insecure: [reg.host] });
  const pull = await e2.tspod(['pull', '-q', BB]);
  t.equal(pull.exitCode, 0, pull.stderr);

  // needs emission wiring
  await t.test('create/start/exit/rm lists create, (init), start, died with the exit code, remove', async (t) => {
    let r = await e2.tspod(['create', '--name', 'ev-life', BB, 'sh', '-c', 'exit 3']);
    t.equal(r.exitCode, 0, r.stderr);
    r = await e2.tspod(['start', 'ev-life']);
    t.equal(r.exitCode, 0, r.stderr);
    r = await e2.tspod(['wait', 'ev-life']);
    t.equal(r.stdout, '3', 'exited 3');
    // `died` comes from conmon's exit command (container cleanup), which may still be running
    let got: string[] = [];
    for (let i = 0; i < 10; i++) {
      r = await e2.tspod(['events', '--stream=false', '--filter', 'container=ev-life', '--format', '{{.Status}} {{.ContainerExitCode}}']);
      got = lines(r.stdout);
      if (got.some((l) => l.startsWith('died'))) break;
      await sleep(100);
    }
    r = await e2.tspod(['rm', 'ev-life']);
    t.equal(r.exitCode, 0, r.stderr);
    r = await e2.tspod(['events', '--stream=false', '--filter', 'container=ev-life', '--format', '{{.Status}} {{.ContainerExitCode}}']);
    t.equal(r.exitCode, 0, r.stderr);
    got = lines(r.stdout).map((l) => (l.startsWith('died') ? l : l.split(' ')[0]!));
    const main = got.filter((s) => ['create', 'init', 'start', 'died 3', 'remove'].includes(s));
    t.same(main.filter((s) => s !== 'init'), ['create', 'start', 'died 3', 'remove'], `in order (all: ${got.join(', ')})`);
    if (main.includes('init')) t.ok(main.indexOf('init') > main.indexOf('create') && main.indexOf('init') < main.indexOf('start'), 'init between create and start');
    r = await e2.tspod(['events', '--stream=false', '--filter', 'container=ev-life', '--filter', 'event=create', '--format', '{{.Image}} {{.Name}} {{len .ID}}']);
    t.equal(r.stdout, `${BB} ev-life 64`, 'create names the image, the container and its full ID');
  });

  // needs emission wiring
  await t.test('a stream sees a container started by another process', async (t) => {
    const [file, args] = tspodCommand(['events', '--filter', 'event=start', '--format', '{{.Name}}']);
    const stream = execa(file, args, { env: e2.env, extendEnv: false, reject: false });
    let out = '';
    stream.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    await sleep(3000); // the stream starts at the end of the log; give it time to open it
    const r = await e2.tspod(['run', '-d', '--rm', '--name', 'ev-follow', BB, 'sleep', '1']);
    t.equal(r.exitCode, 0, r.stderr);
    for (let i = 0; i < 100 && !out.includes('ev-follow'); i++) await sleep(100);
    t.match(out, /^ev-follow$/m, 'the start was seen');
    stream.kill('SIGINT');
    await stream;
    await e2.tspod(['wait', 'ev-follow']);
  });
});
