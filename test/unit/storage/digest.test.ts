import t from 'tap';
import { Readable } from 'node:stream';
import { HashCounter, sha256Hex, sha256Digest } from '../../../src/storage/digest.js';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

t.test('HashCounter hashes and counts what passes through', async (t) => {
  const h = new HashCounter();
  let last = 0;
  const h2 = new HashCounter((n) => { last = n; });
  const out = await collect(Readable.from([Buffer.from('hello '), Buffer.from('world')]).pipe(h).pipe(h2));
  t.equal(out.toString(), 'hello world');
  t.equal(h.bytes, 11);
  t.equal(last, 11);
  t.equal(h.digest(), `sha256:${sha256Hex('hello world')}`);
  t.equal(h.digest(), h2.digest(), 'digest() is repeatable');
  t.equal(sha256Digest('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});
