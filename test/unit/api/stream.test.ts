import t from 'tap';
import { PassThrough } from 'node:stream';
import { demux, frame, outputSink } from '../../../src/api/stream.js';

t.test('8-byte frames', async (t) => {
  const f = frame(2, Buffer.from('err'));
  t.same([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
  t.equal(f.subarray(8).toString(), 'err');
  const big = frame(1, Buffer.alloc(70000, 97));
  t.equal(big.readUInt32BE(4), 70000, 'big-endian length');
  const both = Buffer.concat([frame(1, Buffer.from('a')), frame(2, Buffer.from('bc'))]);
  t.same(demux(both).map((x) => [x.stream, x.data.toString()]), [[1, 'a'], [2, 'bc']]);
  t.same(demux(both.subarray(0, 10)).length, 1, 'a partial frame is left');
});

t.test('sink: framed without a TTY, raw with one', async (t) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const s = outputSink(out, false);
  s.write('stdout', 'x');
  s.write('stderr', Buffer.from('y'));
  s.write('stdout', '');
  s.end();
  t.same(demux(Buffer.concat(chunks)).map((x) => [x.stream, x.data.toString()]), [[1, 'x'], [2, 'y']]);
  const raw = new PassThrough();
  const rc: Buffer[] = [];
  raw.on('data', (c: Buffer) => rc.push(c));
  const r = outputSink(raw, true);
  r.write('stdout', 'a');
  r.write('stderr', 'b');
  r.end();
  t.equal(Buffer.concat(rc).toString(), 'ab');
});
