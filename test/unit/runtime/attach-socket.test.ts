// conmon's attach protocol, client side: pure parts (detach keys, packets,
// resize lines) and the connection over a real SOCK_SEQPACKET socket, with a
// node-unix-socket server standing in for conmon (the real conmon is exercised
// by test/e2e/080-interactive.test.ts).
import t, { type Test } from 'tap';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SeqpacketServer, type SeqpacketSocket } from 'node-unix-socket';
import {
  DetachScanner, MAX_STDIN_PACKET, connectAttach, decodePacket, parseDetachKeys, resizeMessage, sendResize, stdinPackets, type OutputChunk,
} from '../../../src/runtime/attach-socket.js';

t.test('parseDetachKeys: Docker/Podman syntax', async (t) => {
  const table: Array<[string, number[]]> = [
    ['ctrl-p,ctrl-q', [16, 17]],
    ['ctrl-a', [1]],
    ['ctrl-z', [26]],
    ['CTRL-X', [24]],
    ['a,b', [97, 98]],
    ['ctrl-@', [0]],
    ['ctrl-[', [27]],
    ['ctrl-\\', [28]],
    ['ctrl-]', [29]],
    ['ctrl-^', [30]],
    ['ctrl-_', [31]],
    ['ctrl-p, q', [16, 113]],
    ['', []],
  ];
  for (const [spec, bytes] of table) t.same([...parseDetachKeys(spec)], bytes, JSON.stringify(spec));
  for (const bad of ['ctrl-1', 'ab', 'ctrl-', 'ctrl-p,,ctrl-q', 'ctrl-pq', 'alt-x']) {
    t.throws(() => parseDetachKeys(bad), { code: 'EINVAL' }, `refuses ${JSON.stringify(bad)}`);
  }
  try { parseDetachKeys('ctrl-1'); } catch (err) { t.match((err as Error).message, /invalid detach keys "ctrl-1"/); }
});

t.test('DetachScanner: forwards input, holds a partial sequence, detaches on the full one', async (t) => {
  const keys = parseDetachKeys('ctrl-p,ctrl-q');
  let s = new DetachScanner(keys);
  let r = s.push(Buffer.from('ls\r'));
  t.same(r, { data: Buffer.from('ls\r'), detached: false }, 'ordinary input passes');
  r = s.push(Buffer.from('ab\x10\x11cd'));
  t.equal(r.detached, true, 'sequence inside a chunk detaches');
  t.equal(r.data.toString(), 'ab', 'bytes before the sequence are forwarded, after it dropped');

  s = new DetachScanner(keys);
  r = s.push(Buffer.from('x\x10'));
  t.same([r.data.toString(), r.detached], ['x', false], 'first key held back');
  r = s.push(Buffer.from('\x11'));
  t.same([r.data.length, r.detached], [0, true], 'sequence split across chunks detaches');

  s = new DetachScanner(keys);
  r = s.push(Buffer.from('\x10'));
  t.equal(r.data.length, 0);
  r = s.push(Buffer.from('y'));
  t.same([...r.data], [0x10, 0x79], 'a mismatch releases the held key');
  t.equal(r.detached, false);

  s = new DetachScanner(keys);
  r = s.push(Buffer.from('\x10\x10\x11'));
  t.same([...r.data], [0x10], 'a repeated first key: the first is input, then the sequence');
  t.equal(r.detached, true);

  s = new DetachScanner(keys);
  s.push(Buffer.from('z\x10'));
  t.same([...s.flush()], [0x10], 'flush gives back a partial sequence at EOF');
  t.equal(s.flush().length, 0);

  s = new DetachScanner(parseDetachKeys(''));
  r = s.push(Buffer.from('\x10\x11'));
  t.same([[...r.data], r.detached], [[0x10, 0x11], false], 'empty keys: never detaches');

  s = new DetachScanner(parseDetachKeys('ctrl-x'));
  r = s.push(Buffer.from('ab\x18'));
  t.same([r.data.toString(), r.detached], ['ab', true], 'one-key sequence');
  s = new DetachScanner(parseDetachKeys('ctrl-x'));
  r = s.push(Buffer.from('\x18'));
  t.same([r.data.length, r.detached], [0, true], 'one-key sequence as the first byte');
});

t.test('packets and control lines', async (t) => {
  t.same(decodePacket(Buffer.from('\x02hello')), { stream: 'stdout', data: Buffer.from('hello') });
  t.same(decodePacket(Buffer.from('\x03oops')), { stream: 'stderr', data: Buffer.from('oops') });
  t.equal(decodePacket(Buffer.from('\x01in')), undefined, 'stdin packets are not output');
  t.equal(decodePacket(Buffer.alloc(0)), undefined);
  const big = Buffer.alloc(2 * MAX_STDIN_PACKET + 100, 7);
  t.same(stdinPackets(big).map((p) => p.length), [MAX_STDIN_PACKET, MAX_STDIN_PACKET, 100]);
  t.same(stdinPackets(Buffer.alloc(0)), []);
  t.equal(resizeMessage(24, 80), '1 24 80\n');
  t.equal(resizeMessage(5000, 1200), '1 1000 1000\n', 'conmon refuses sizes above 1000');
  t.equal(resizeMessage(-3, Number.NaN), '1 0 0\n');
});

function tmpdir(t: Test): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-attach-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('connectAttach over a real SOCK_SEQPACKET socket with a bundle path longer than sun_path', async (t) => {
  const base = tmpdir(t);
  const bundle = path.join(base, 'containers', 'c'.repeat(64), 'userdata');
  fs.mkdirSync(bundle, { recursive: true });
  t.ok(path.join(bundle, 'attach').length > 108, 'the socket path itself would not fit in sun_path');
  // bind the way conmon does: through /proc/self/fd/<dirfd>/attach
  const dirFd = fs.openSync(bundle, 'r');
  const server = new SeqpacketServer();
  server.listen(`/proc/self/fd/${dirFd}/attach`);
  fs.closeSync(dirFd);
  t.teardown(() => server.close());
  t.ok(fs.statSync(path.join(bundle, 'attach')).isSocket());

  const peer = new Promise<SeqpacketSocket>((resolve) => server.on('connection', (s: SeqpacketSocket) => resolve(s)));
  const got: OutputChunk[] = [];
  let gotOne!: () => void;
  let wanted = 2;
  const outputSeen = new Promise<void>((r) => { gotOne = r; });
  const conn = await connectAttach(bundle, (c) => { got.push(c); if (--wanted === 0) gotOne(); });
  const s = await peer;
  const received: Buffer[] = [];
  let ended!: () => void;
  const serverSawEnd = new Promise<void>((r) => { ended = r; });
  s.on('data', (b: Buffer) => received.push(Buffer.from(b)));
  s.on('end', () => ended());

  s.write(Buffer.from('\x02out'));
  s.write(Buffer.from('\x03err'));
  await outputSeen;
  t.same(got.map((c) => [c.stream, c.data.toString()]), [['stdout', 'out'], ['stderr', 'err']], 'stream byte decoded, order kept');

  const input = Buffer.alloc(20000);
  for (let i = 0; i < input.length; i++) input[i] = i % 251;
  await conn.write(input);
  await conn.endInput();
  await serverSawEnd;
  t.ok(received.every((p) => p.length <= MAX_STDIN_PACKET), 'stdin goes in small packets');
  t.same(Buffer.concat(received), input, 'stdin arrives complete and in order, raw (no header)');

  // half-closed: output still flows to us
  wanted = 1;
  const more = new Promise<void>((r) => { gotOne = r; });
  s.write(Buffer.from('\x02after-eof'));
  await more;
  t.equal(got.at(-1)!.data.toString(), 'after-eof', 'output keeps flowing after our EOF');

  s.destroy();
  await conn.ended;
  t.pass('ended resolves when the peer (conmon) closes');
  await conn.write(Buffer.from('late'));
  t.pass('writing after the end is dropped, not thrown');
  conn.close();
});

t.test('connectAttach: a clear error when nobody listens', async (t) => {
  const bundle = tmpdir(t);
  await t.rejects(connectAttach(bundle, () => undefined), { code: 'EATTACH', message: /cannot attach to the container through .*attach/ });
  await t.rejects(connectAttach(path.join(bundle, 'missing'), () => undefined), { code: 'EATTACH', message: /cannot open the container's bundle/ });
});

t.test('sendResize writes a resize line to the ctl fifo', async (t) => {
  const bundle = tmpdir(t);
  t.equal(sendResize(bundle, 30, 100), false, 'no fifo: false, no throw');
  cp.execFileSync('mkfifo', [path.join(bundle, 'ctl')]);
  t.equal(sendResize(bundle, 30, 100), false, 'no reader (conmon gone): false, no block');
  const rd = fs.openSync(path.join(bundle, 'ctl'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  t.teardown(() => fs.closeSync(rd));
  t.equal(sendResize(bundle, 30, 100), true);
  t.equal(sendResize(bundle, 41, 132), true);
  const buf = Buffer.alloc(100);
  const n = fs.readSync(rd, buf);
  t.equal(buf.subarray(0, n).toString(), '1 30 100\n1 41 132\n');
});
