// Locks are abstract Unix sockets named from a hash of the uid and key (src/state/lock.ts); random ids
// come from /dev/urandom (src/util/random.ts). Neither loads node:crypto.
import t from 'tap';
import { socketName, tryLock, acquireLock } from '../../../src/state/lock.js';
import { randomHex, randomInt } from '../../../src/util/random.js';

t.test('lock names: stable, distinct, short enough for an abstract socket', async (t) => {
  t.equal(socketName('store'), socketName('store'), 'the same key, the same name');
  const names = new Set<string>();
  const keys: string[] = [];
  for (let i = 0; i < 20000; i++) keys.push(`container:${i.toString(16).padStart(64, '0')}`, `/home/u${i}/.local/share/tspod\0images`, `k${i}`);
  for (const k of keys) names.add(socketName(k));
  t.equal(names.size, keys.length, `${keys.length} keys, as many names`);
  t.match(socketName('x'), /^\0tspod-lock-[0-9a-f]{28}$/);
  t.ok(Buffer.byteLength(socketName('y'.repeat(5000))) < 108, 'a long key still fits sun_path');
});

t.test('a lock excludes the same key only', async (t) => {
  const a = await tryLock('unit-test-a');
  t.ok(a, 'free lock taken');
  t.equal(await tryLock('unit-test-a'), undefined, 'held: a second taker is refused');
  const b = await tryLock('unit-test-b');
  t.ok(b, 'another key is independent');
  await a!.release();
  const again = await acquireLock('unit-test-a', 1000);
  t.ok(again, 'released: taken again');
  await again.release();
  await b!.release();
});

t.test('a lock held by another process excludes this one, and is free once that process dies', async (t) => {
  const { spawn } = await import('node:child_process');
  const name = socketName('unit-test-cross');
  // the other process binds the same abstract socket with node:net (the fallback path), then waits
  const child = spawn(process.execPath, ['-e', `const s = require('node:net').createServer(); s.listen(${JSON.stringify(name)}, () => console.log('held')); setTimeout(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  t.equal(await tryLock('unit-test-cross'), undefined, 'held elsewhere: refused');
  const waiting = acquireLock('unit-test-cross', 5000);
  child.kill('SIGKILL');
  const lock = await waiting;
  t.ok(lock, 'taken as soon as the holder is gone');
  // and the other way round: held here, another process cannot bind it
  const probe = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(name)}).on('error', (e) => { console.log(e.code); process.exit(0); }).on('listening', () => { console.log('bound'); process.exit(0); });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const said = await new Promise<string>((resolve) => probe.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  t.equal(said, 'EADDRINUSE', 'held here: another process is refused');
  await lock.release();
});

t.test('random ids and numbers', async (t) => {
  const ids = new Set(Array.from({ length: 1000 }, () => randomHex(32)));
  t.equal(ids.size, 1000, 'no repeats');
  for (const id of ids) if (!/^[0-9a-f]{64}$/.test(id)) t.fail(`bad id ${id}`);
  const counts = new Array(7).fill(0) as number[];
  for (let i = 0; i < 7000; i++) counts[randomInt(7)]!++;
  t.ok(counts.every((c) => c > 800 && c < 1200), `randomInt(7) is spread evenly: ${counts.join(' ')}`);
  t.throws(() => randomInt(0), /not an integer/);
  t.throws(() => randomInt(1.5), /not an integer/);
});
