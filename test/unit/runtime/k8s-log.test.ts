import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { followK8sLog, formatLogEntry, parseK8sLog, parseLogRecord, parseTimestamp, readK8sLog, readK8sLogAt, type LogEntry } from '../../../src/runtime/k8s-log.js';

// As conmon 2.1 writes it (taken from a real container's ctr.log on this machine).
const LOG = [
  '2026-11-22T10:45:56.062114682+00:00 stdout F hello',
  '2026-11-22T10:45:56.065942755+00:00 stderr F err',
  '2026-11-22T10:45:56.069900000+00:00 stderr P sh: ',
  '2026-11-22T10:45:56.069906330+00:00 stderr P can\'t open /proc/kcore: no such file',
  '2026-11-22T10:45:56.069918628+00:00 stderr F ',
  '2026-11-22T10:45:57.000000000+00:00 stdout F',
  'garbage line',
  '2026-11-22T12:45:58.5+02:00 stdout F  two  spaces ',
  '2026-11-22T10:45:59.000000001Z stdout P no newline at exit',
  '',
].join('\n');

t.test('timestamps with nanoseconds and offsets', async (t) => {
  t.equal(parseTimestamp('1970-01-01T00:00:01.000000002Z'), 1_000_000_002n);
  t.equal(parseTimestamp('1970-01-01T02:00:00+02:00'), 0n);
  t.equal(parseTimestamp('1970-01-01T00:00:00.5-01:30'), 5_400_500_000_000n);
  t.equal(parseTimestamp('yesterday'), undefined);
});

t.test('records', async (t) => {
  t.same(parseLogRecord('2026-11-22T10:45:56.062114682+00:00 stdout F hello world'), {
    time: '2026-11-22T10:45:56.062114682+00:00', timeNs: 1795344356062114682n, stream: 'stdout', partial: false, text: 'hello world',
  });
  t.equal(parseLogRecord('2026-11-22T10:45:56Z stdout F')?.text, '', 'empty line without trailing space');
  t.equal(parseLogRecord('2026-11-22T10:45:56Z stdin F x'), undefined);
  t.equal(parseLogRecord('2026-11-22T10:45:56Z stdout X x'), undefined);
  t.equal(parseLogRecord('2026-11-22T10:45:56Z stdout Fx'), undefined);
  t.equal(parseLogRecord('notatime stdout F x'), undefined);
});

t.test('joins partial records per stream, keeps empty lines, skips garbage', async (t) => {
  const e = parseK8sLog(LOG);
  t.same(e.map((x) => [x.stream, x.text]), [
    ['stdout', 'hello\n'],
    ['stderr', 'err\n'],
    ['stderr', 'sh: can\'t open /proc/kcore: no such file\n'],
    ['stdout', '\n'],
    ['stdout', ' two  spaces \n'],
    ['stdout', 'no newline at exit'],
  ]);
  t.equal(e[2]?.time, '2026-11-22T10:45:56.069900000+00:00', 'a joined line has its first piece\'s time');
  t.equal(formatLogEntry(e[0]!), 'hello\n');
  t.equal(formatLogEntry(e[0]!, true), '2026-11-22T10:45:56.062114682+00:00 hello\n');
});

t.test('interleaved partials of both streams', async (t) => {
  const e = parseK8sLog([
    '2026-01-01T00:00:00Z stdout P a',
    '2026-01-01T00:00:01Z stderr P x',
    '2026-01-01T00:00:02Z stdout F b',
    '2026-01-01T00:00:03Z stderr F y',
  ].join('\n'));
  t.same(e.map((x) => [x.stream, x.text]), [['stdout', 'ab\n'], ['stderr', 'xy\n']]);
});

t.test('readK8sLog: since / until / tail; missing file is empty', async (t) => {
  const dir = t.testdir({ 'ctr.log': LOG });
  const f = path.join(dir, 'ctr.log');
  t.equal(readK8sLog(f).length, 6);
  t.same(readK8sLog(f, { tail: 2 }).map((x) => x.text), [' two  spaces \n', 'no newline at exit']);
  t.same(readK8sLog(f, { tail: 0 }), []);
  t.same(readK8sLog(f, { since: new Date('2026-11-22T10:45:57Z') }).map((x) => x.text), ['\n', ' two  spaces \n', 'no newline at exit']);
  t.same(readK8sLog(f, { until: new Date('2026-11-22T10:45:56.065Z') }).map((x) => x.text), ['hello\n']);
  t.same(readK8sLog(path.join(dir, 'nope.log')), []);
});

t.test('followK8sLog streams appended records until done', async (t) => {
  const dir = t.testdir({});
  const f = path.join(dir, 'ctr.log');
  const got: LogEntry[] = [];
  let done = false;
  const p = followK8sLog(f, { onEntry: (e) => got.push(e), isDone: () => done, pollMs: 5 });
  await new Promise((r) => setTimeout(r, 20));
  fs.writeFileSync(f, '2026-01-01T00:00:00Z stdout F one\n2026-01-01T00:00:00Z stdout P tw');
  await new Promise((r) => setTimeout(r, 30));
  t.same(got.map((e) => e.text), ['one\n']);
  // a record split across writes, and a multi-byte character
  fs.appendFileSync(f, 'o-part\n2026-01-01T00:00:01Z stdout F \u00e9t\u00e9\n');
  await new Promise((r) => setTimeout(r, 30));
  fs.appendFileSync(f, '2026-01-01T00:00:02Z stderr P tail');
  fs.appendFileSync(f, '\n');
  done = true;
  const offset = await p;
  t.same(got.map((e) => [e.stream, e.text]), [['stdout', 'one\n'], ['stdout', 'two-part\u00e9t\u00e9\n'], ['stderr', 'tail']]);
  t.equal(offset, fs.statSync(f).size);
});

t.test('readK8sLogAt: complete lines and the offset after them; following from it loses and repeats nothing', async (t) => {
  const dir = t.testdir({});
  const f = path.join(dir, 'ctr.log');
  t.same(readK8sLogAt(f), { entries: [], offset: 0 }, 'no log yet');
  const first = '2026-01-01T00:00:00Z stdout F web line\n';
  // conmon is writing the next record: half of it is in the file
  fs.writeFileSync(f, `${first}2026-01-01T00:00:01Z stdout F sec`);
  const { entries, offset } = readK8sLogAt(f);
  t.same(entries.map((e) => e.text), ['web line\n'], 'the half-written record is not read');
  t.equal(offset, Buffer.byteLength(first), 'the offset ends at the last complete line');
  fs.appendFileSync(f, 'ond line\n');
  const got: LogEntry[] = [];
  await followK8sLog(f, { offset, onEntry: (e) => got.push(e), isDone: () => true, pollMs: 5 });
  t.same(got.map((e) => e.text), ['second line\n'], 'following goes on from there: the line written meanwhile, once');
  t.same(readK8sLogAt(f, { tail: 1 }).entries.map((e) => e.text), ['second line\n'], 'filters apply; the offset is the whole file\'s');
  t.equal(readK8sLogAt(f, { tail: 0 }).offset, fs.statSync(f).size);
});
