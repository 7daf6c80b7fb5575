import t from 'tap';
import { PassThrough } from 'node:stream';
import { spinnerEnabled, withSpinner } from '../../../src/cli/spinner.js';

/** A stream that says it is a terminal, and keeps what was drawn on it. */
function fakeTerminal(): NodeJS.WriteStream & { text(): string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  const chunks: Buffer[] = [];
  (s as unknown as PassThrough).on('data', (c: Buffer) => chunks.push(c));
  Object.assign(s, { isTTY: true, columns: 80, rows: 24, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, text: () => Buffer.concat(chunks).toString() });
  return s;
}

t.test('drawn on a terminal only: not with --quiet, on a pipe or under CI', async (t) => {
  const saved = process.env['CI'];
  t.teardown(() => { if (saved === undefined) delete process.env['CI']; else process.env['CI'] = saved; });
  delete process.env['CI'];
  t.ok(spinnerEnabled({ stream: fakeTerminal() }));
  t.notOk(spinnerEnabled({ stream: fakeTerminal(), quiet: true }), '--quiet');
  t.notOk(spinnerEnabled({ stream: new PassThrough() as unknown as NodeJS.WriteStream }), 'a pipe');
  t.notOk(spinnerEnabled({ stream: Object.assign(fakeTerminal(), { columns: 0 }) }), 'a terminal of no width (ora would redraw for ever)');
  process.env['CI'] = 'true';
  t.notOk(spinnerEnabled({ stream: fakeTerminal() }), 'CI');
});

t.test('the spinner shows the work and ends in a check mark with the result', async (t) => {
  const saved = process.env['CI'];
  t.teardown(() => { if (saved === undefined) delete process.env['CI']; else process.env['CI'] = saved; });
  delete process.env['CI'];
  const term = fakeTerminal();
  const r = await withSpinner('Writing busybox to x.tar', { stream: term }, async () => { await new Promise((res) => setTimeout(res, 250)); return 3; }, (n) => `Wrote ${n} layers`);
  t.equal(r, 3, 'the work\'s result comes back');
  const out = term.text();
  t.match(out, /Writing busybox to x\.tar/, 'the text is drawn while working');
  t.match(out, /✔ Wrote 3 layers/, 'and replaced by a check mark with the summary');
});

t.test('a failure clears the spinner and passes the error on', async (t) => {
  const saved = process.env['CI'];
  t.teardown(() => { if (saved === undefined) delete process.env['CI']; else process.env['CI'] = saved; });
  delete process.env['CI'];
  const term = fakeTerminal();
  await t.rejects(withSpinner('Loading', { stream: term }, async () => { throw new Error('bad archive'); }), /bad archive/);
  t.notMatch(term.text(), /✔/, 'no check mark for a failure');
  const plain = await withSpinner('quiet work', { quiet: true, stream: term }, async () => 'ok');
  t.equal(plain, 'ok', 'with --quiet the work just runs');
});
