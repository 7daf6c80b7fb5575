// watchForWrites (src/util/wake.ts): a waiter sleeps until the watched file or directory changes,
// never longer than its bound, and a write between two sleeps is not missed.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { watchForWrites } from '../../../src/util/wake.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-wake-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('a write to the file wakes the sleeper long before its bound', async (t) => {
  const file = path.join(dir, 'sync');
  fs.writeFileSync(file, '');
  const w = watchForWrites(file);
  const started = Date.now();
  setTimeout(() => fs.appendFileSync(file, '{"data": 1}\n'), 20);
  await w.sleep(5000);
  const took = Date.now() - started;
  w.close();
  t.ok(took < 2000, `woken after ${took} ms, not at the 5000 ms bound`);
  t.ok(took >= 15, `not before the write (${took} ms)`);
});

t.test('without a write the sleep lasts its bound', async (t) => {
  const file = path.join(dir, 'quiet');
  fs.writeFileSync(file, '');
  const w = watchForWrites(file);
  const started = Date.now();
  await w.sleep(60);
  w.close();
  t.ok(Date.now() - started >= 55, 'slept the whole bound');
});

t.test('a write while nobody sleeps makes the next sleep return at once', async (t) => {
  const file = path.join(dir, 'early');
  fs.writeFileSync(file, '');
  const w = watchForWrites(file);
  fs.appendFileSync(file, 'x');
  await new Promise((r) => setTimeout(r, 50)); // the event arrives while no one waits
  const started = Date.now();
  await w.sleep(5000);
  w.close();
  t.ok(Date.now() - started < 1000, 'the earlier write counted');
});

t.test('a watched directory wakes the sleeper when an entry is created in it', async (t) => {
  const exits = path.join(dir, 'exits');
  fs.mkdirSync(exits);
  const w = watchForWrites(exits);
  const started = Date.now();
  setTimeout(() => fs.writeFileSync(path.join(exits, 'ctr'), '0'), 20);
  await w.sleep(5000);
  w.close();
  t.ok(Date.now() - started < 2000, 'woken by the new entry');
});

t.test('a path that cannot be watched falls back to plain sleeps', async (t) => {
  const w = watchForWrites(path.join(dir, 'missing', 'file'));
  const started = Date.now();
  await w.sleep(30);
  w.close();
  t.ok(Date.now() - started >= 25, 'slept the bound');
});
