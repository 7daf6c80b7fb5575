// The events log: lines round-trip with Podman's fields; concurrent writers
// (separate processes, multi-page lines) produce only whole lines in per-writer
// order; writers killed with SIGKILL mid-write never yield a corrupted event,
// and the reader resyncs past their fragments; rotation keeps one old file and
// loses nothing it should keep; readEvents applies filters and the
// since/until window; watchEvents follows appends from another process across
// rotations, and ends on abort and when `until` passes.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordEvent, serializeEvent, parseEventLine, appendLine, readAllEvents, rotatedPath, MAX_LINE, LineSplitter } from '../../../src/events/log.js';
import { readEvents, watchEvents } from '../../../src/events/read.js';
import type { TspodEvent } from '../../../src/events/types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WRITER = path.join(REPO, 'test', 'fixtures', 'events-writer.ts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-events-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
let nfile = 0;
const newLog = () => path.join(tmp, `d${nfile++}`, 'events.log');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start the writer fixture (real src/events/log.ts) as a separate node process. */
function writer(file: string, id: number, count: number, pad: number, maxSize = 0, delayMs = 0): ChildProcess {
  return spawn(process.execPath, ['--no-warnings', '--import', '@tapjs/typescript/import', WRITER, file, String(id), String(count), String(pad), String(maxSize), String(delayMs)],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } });
}
const exited = (c: ChildProcess) => new Promise<number | null>((r) => { if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode); else c.once('exit', (code) => r(code)); });

/** An event from the writer fixture is whole: its padding is one letter of the right length, matching its checksum. */
function whole(e: TspodEvent): boolean {
  const pad = e.Attributes['pad'] ?? '';
  return e.Attributes['sum'] === `${e.Name}:${pad.length}:${pad[0] ?? ''}` && /^w\d+-\d+$/.test(e.Name ?? '') && (pad === '' || pad === pad[0]!.repeat(pad.length));
}
const seqOf = (e: TspodEvent) => Number((e.Name ?? '').split('-')[1]);
const writerOf = (e: TspodEvent) => Number((e.Name ?? '').slice(1).split('-')[0]);
const rawLines = (file: string) => [rotatedPath(file), file].flatMap((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(0, -1) : []));

t.test('a line round-trips with Podman field names', async (t) => {
  const line = serializeEvent({ type: 'container', status: 'died', id: 'abc', name: 'web', image: 'bb:1', exitCode: 3, podId: 'p1', attributes: { a: 'b' }, time: 1_796_604_067_123_456_789n });
  t.equal(line, '{"ContainerExitCode":3,"ID":"abc","Image":"bb:1","Name":"web","Status":"died","Time":"2026-12-07T00:41:07.123456789Z","Type":"container","PodID":"p1","Attributes":{"a":"b"}}\n');
  t.same(parseEventLine(line.trimEnd()), { Type: 'container', Status: 'died', Time: '2026-12-07T00:41:07.123456789Z', timeNano: 1_796_604_067_123_456_789n, ID: 'abc', Name: 'web', Image: 'bb:1', PodID: 'p1', ContainerExitCode: 3, Attributes: { a: 'b' } });
  t.equal(serializeEvent({ type: 'volume', status: 'create', name: 'v', time: 1_796_604_067_000_000_000n }), '{"Name":"v","Status":"create","Time":"2026-12-07T00:41:07Z","Type":"volume","Attributes":null}\n');
  const big = serializeEvent({ type: 'container', status: 'create', name: 'x', attributes: { huge: 'x'.repeat(MAX_LINE) } });
  t.ok(big.length < 1000 && parseEventLine(big.trimEnd())?.Name === 'x', 'an over-long line drops its attributes, not the event');
  const a = serializeEvent({ type: 'system', status: 'refresh' }), b = serializeEvent({ type: 'system', status: 'refresh' });
  t.ok(parseEventLine(a.trimEnd())!.timeNano < parseEventLine(b.trimEnd())!.timeNano, 'times within a process strictly increase');
});

t.test('what is not an event is skipped; a torn fragment does not swallow the next line', async (t) => {
  const good = serializeEvent({ type: 'container', status: 'start', name: 'after', attributes: { k: 'v' } }).trimEnd();
  for (const bad of ['', 'garbage', '{"Status":"start"}', '{"Type":"container","Status":"exploded","Time":"2026-12-07T00:00:00Z"}', '{"Type":"container","Status":"start","Time":"yesterday"}', '[1,2]', 'null']) {
    t.equal(parseEventLine(bad), undefined, `skipped: ${bad}`);
  }
  const fragment = good.slice(0, 40);
  t.equal(parseEventLine(fragment + good)?.Name, 'after', 'fragment + whole line: the whole line is recovered');
  t.equal(parseEventLine(good.slice(0, good.indexOf('"Attributes"') + 20) + good)?.Name, 'after', 'a fragment cut inside its attributes');
  const sp = new LineSplitter();
  t.same(sp.push(Buffer.from('{"a":1}\n{"b"')), ['{"a":1}'], 'an unterminated line is held back');
  t.equal(sp.held, 4);
  t.same(sp.push(Buffer.from(':2}\n')), ['{"b":2}'], '...until its newline arrives');
  // on disk: a writer died after half a line; the next writer appends a whole one
  const file = newLog();
  await recordEvent({ type: 'container', status: 'create', name: 'before' }, { path: file });
  fs.appendFileSync(file, serializeEvent({ type: 'container', status: 'start', name: 'torn' }).slice(0, 50));
  t.same((await readEvents({ path: file })).map((e) => e.Name), ['before'], 'a torn last line is held back, not parsed');
  await recordEvent({ type: 'container', status: 'remove', name: 'after' }, { path: file });
  t.same((await readEvents({ path: file })).map((e) => e.Name), ['before', 'after'], 'the fragment is skipped, the next event kept');
});

t.test('recordEvent never throws and creates the directory', async (t) => {
  const file = newLog();
  await recordEvent({ type: 'volume', status: 'create', name: 'v' }, { path: file });
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'the log is private');
  t.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  const blocked = path.join(tmp, 'a-file');
  fs.writeFileSync(blocked, '');
  await t.resolves(recordEvent({ type: 'volume', status: 'create', name: 'v' }, { path: path.join(blocked, 'events.log') }), 'an unwritable log: no throw, no rejection');
});

t.test('concurrent writers in separate processes: only whole lines, each writer in order', async (t) => {
  const file = newLog();
  const W = 4, N = 150, PAD = 20_000; // multi-page lines: the copy into the file spans several pages
  const kids = Array.from({ length: W }, (_, i) => writer(file, i, N, PAD, 1 << 30));
  const codes = await Promise.all(kids.map(exited));
  t.same(codes, Array(W).fill(0), 'writers succeeded');
  const lines = rawLines(file);
  t.equal(lines.length, W * N, 'one line per event');
  const evs = lines.map(parseEventLine);
  t.equal(evs.filter((e) => e && whole(e)).length, W * N, 'every line is one whole event');
  for (let w = 0; w < W; w++) {
    const seqs = evs.filter((e) => e && writerOf(e) === w).map((e) => seqOf(e!));
    t.same(seqs, Array.from({ length: N }, (_, i) => i), `writer ${w}: all events, in order`);
  }
});

t.test('writers killed with SIGKILL mid-write never produce a corrupted event', async (t) => {
  const file = newLog();
  const PAD = 60_000; // ~15 pages per write: SIGKILL can land between pages and cut it short
  for (let round = 0; round < 3; round++) {
    const size = () => { try { return fs.statSync(file).size; } catch { return 0; } };
    const before = size();
    const kids = Array.from({ length: 3 }, (_, i) => writer(file, round * 10 + i, 0, PAD, 1 << 30, 1));
    // kill once they are writing (node start-up takes a while), at a random moment
    for (let i = 0; i < 2400 && size() < before + PAD * 3; i++) await sleep(25);
    await sleep(Math.floor(Math.random() * 300));
    for (const k of kids) k.kill('SIGKILL');
    await Promise.all(kids.map(exited));
  }
  await recordEvent({ type: 'container', status: 'create', name: 'w99-0', attributes: { pad: '', sum: 'w99-0:0:' } }, { path: file });
  const lines = rawLines(file);
  const evs = await readEvents({ path: file });
  t.ok(evs.length > 10, `events were written before the kills (${evs.length})`);
  t.equal(evs.filter(whole).length, evs.length, 'every event read is whole');
  t.equal(evs.at(-1)?.Name, 'w99-0', 'the log stays usable after the kills');
  const bad = lines.filter((l) => !parseEventLine(l)).length;
  t.comment(`${lines.length} lines, ${bad} torn (skipped)`);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 3; i++) {
      const seqs = evs.filter((e) => writerOf(e) === round * 10 + i).map(seqOf);
      t.same(seqs, seqs.slice().sort((a, b) => a - b), `writer ${round * 10 + i}: in order, no duplicates`);
    }
  }
});

t.test('rotation keeps one old file', async (t) => {
  const file = newLog();
  const one = serializeEvent({ type: 'container', status: 'start', name: 'w0-0', attributes: { pad: '', sum: 'w0-0:0:' } }).length;
  const max = one * 10;
  for (let i = 0; i < 95; i++) await recordEvent({ type: 'container', status: 'start', name: `w0-${i}`, attributes: { pad: '', sum: `w0-${i}:0:` } }, { path: file, maxSize: max });
  t.ok(fs.existsSync(rotatedPath(file)), 'events.log.1 exists');
  t.notOk(fs.existsSync(`${file}.2`), 'only one old file');
  t.ok(fs.statSync(file).size <= max + one, 'the current file stays near the limit');
  const seqs = readAllEvents(file).map(seqOf);
  t.ok(seqs.length >= 10 && seqs.length <= 22, `the newest events are kept (${seqs.length})`);
  t.equal(seqs.at(-1), 94);
  t.same(seqs, Array.from({ length: seqs.length }, (_, i) => 95 - seqs.length + i), 'contiguous, oldest first, no duplicates');
});

t.test('rotation with concurrent writers: whole lines, order kept, a generation never clobbered twice', async (t) => {
  const file = newLog();
  const W = 4, N = 200;
  const codes = await Promise.all(Array.from({ length: W }, (_, i) => writer(file, i, N, 200, 30_000)).map(exited));
  t.same(codes, Array(W).fill(0));
  const evs = readAllEvents(file);
  t.equal(rawLines(file).filter((l) => !parseEventLine(l)).length, 0, 'no torn lines');
  t.equal(evs.filter(whole).length, evs.length);
  t.ok(evs.length > 0, `events kept (${evs.length})`);
  // whatever was kept is the newest stretch of each writer, contiguous
  for (let w = 0; w < W; w++) {
    const seqs = evs.filter((e) => writerOf(e) === w).map(seqOf);
    // kept events are the newest: a writer's, if any survived, end with its last one
    if (seqs.length) t.equal(seqs.at(-1), N - 1, `writer ${w}: its last event kept`);
    t.same(seqs, Array.from({ length: seqs.length }, (_, i) => N - seqs.length + i), `writer ${w}: a contiguous tail`);
  }
  t.ok(fs.statSync(rotatedPath(file)).size > 30_000, 'the rotated generation is a full file (not clobbered by a second rotation)');
});

t.test('readEvents: filters and the since/until window', async (t) => {
  const file = newLog();
  const T = 1_796_604_067_000_000_000n;
  for (let i = 0; i < 10; i++) await recordEvent({ type: i % 2 ? 'container' : 'image', status: i % 2 ? 'start' : 'pull', name: `n${i}`, time: T + BigInt(i) * 1_000_000_000n }, { path: file });
  const names = async (o: Parameters<typeof readEvents>[0]) => (await readEvents({ path: file, ...o })).map((e) => e.Name);
  t.same(await names({}), ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
  t.same(await names({ since: '2026-12-07T00:41:10Z' }), ['n4', 'n5', 'n6', 'n7', 'n8', 'n9'], 'since is exclusive');
  t.same(await names({ until: '1796604070' }), ['n0', 'n1', 'n2'], 'until is exclusive (unix seconds)');
  t.same(await names({ since: '2026-12-07T00:41:09.5Z', until: '2026-12-07T00:41:13Z', filters: ['type=container'] }), ['n3', 'n5']);
  t.same(await names({ since: T + 7n * 1_000_000_000n }), ['n8', 'n9'], 'nanoseconds');
  await t.rejects(readEvents({ path: file, since: 'soon' }), { exitCode: 125 });
  t.same(await readEvents({ path: path.join(tmp, 'none', 'events.log') }), [], 'no log yet: no events');
});

t.test('watchEvents follows another process across rotations', async (t) => {
  const file = newLog();
  await recordEvent({ type: 'container', status: 'create', name: 'w7-old', attributes: {} }, { path: file });
  const ac = new AbortController();
  const seen: TspodEvent[] = [];
  const done = (async () => {
    for await (const e of watchEvents({ path: file, signal: ac.signal, pollMs: 50 })) {
      seen.push(e);
      if (e.Name === 'w7-39') ac.abort();
    }
  })();
  await sleep(300);
  const one = serializeEvent({ type: 'container', status: 'start', id: '000000000007', name: 'w7-00', attributes: { pad: '', sum: 'w7-00:0:' } }).length;
  const kid = writer(file, 7, 40, 0, one * 8, 15); // a rotation every ~8 events
  const timer = setTimeout(() => ac.abort(), 30_000);
  await done;
  clearTimeout(timer);
  t.equal(await exited(kid), 0);
  t.ok(fs.existsSync(rotatedPath(file)), 'the log rotated meanwhile');
  t.same(seen.map((e) => e.Name), Array.from({ length: 40 }, (_, i) => `w7-${i}`), 'every new event once, in order; none from before the watch began');
});

t.test('watchEvents with since replays, then follows; ends when until passes or on abort', async (t) => {
  const file = newLog();
  await recordEvent({ type: 'volume', status: 'create', name: 'past', time: BigInt(Date.now() - 60_000) * 1_000_000n }, { path: file });
  await recordEvent({ type: 'volume', status: 'create', name: 'recent' }, { path: file });
  const got: string[] = [];
  const start = Date.now();
  const it = (async () => { for await (const e of watchEvents({ path: file, since: '30s', until: '1500ms', pollMs: 50 })) got.push(e.Name ?? ''); })();
  await sleep(400);
  await recordEvent({ type: 'volume', status: 'remove', name: 'live' }, { path: file });
  await it;
  const took = Date.now() - start;
  t.same(got, ['recent', 'live'], 'since: the recorded events in the window, then new ones');
  t.ok(took >= 1400 && took < 4000, `the stream ended when until passed (${took} ms)`);

  const ac = new AbortController();
  const it2 = (async () => { for await (const _ of watchEvents({ path: path.join(tmp, 'not-yet', 'events.log'), signal: ac.signal, pollMs: 50 })) { /* none */ } })();
  await sleep(100);
  const t0 = Date.now();
  ac.abort();
  await it2;
  t.ok(Date.now() - t0 < 500, 'abort ends the iterator promptly, even with no log yet');
});

t.test('appendLine is one write: the size it returns includes the line', async (t) => {
  const file = newLog();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  t.equal(appendLine(file, 'x\n'), 2);
  t.equal(appendLine(file, 'yy\n'), 5);
});
