import t from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { activationEndpoint, checkTcpSecurity, defaultSocketPath, parseEndpoint, prepareUnixPath } from '../../../src/api/listen.js';

t.test('URIs', async (t) => {
  t.same(parseEndpoint('unix:///run/x.sock'), { kind: 'unix', path: '/run/x.sock' });
  t.same(parseEndpoint('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  t.same(parseEndpoint('tcp://[::1]:2375'), { kind: 'tcp', host: '::1', port: 2375 });
  t.same(parseEndpoint(undefined).kind, 'unix');
  for (const bad of ['unix://rel.sock', 'tcp://host', 'tcp://h:0', 'tcp://h:70000', 'http://x:1', 'x']) t.throws(() => parseEndpoint(bad), /invalid URI/, bad);
  t.equal(defaultSocketPath({ XDG_RUNTIME_DIR: '/run/user/7' }), '/run/user/7/tspod/tspod.sock');
});

t.test('socket activation is ours only when LISTEN_PID says so', async (t) => {
  t.same(activationEndpoint({ LISTEN_PID: '42', LISTEN_FDS: '1' }, 42, 1), { kind: 'fd', fd: 3 });
  t.equal(activationEndpoint({ LISTEN_PID: '41', LISTEN_FDS: '1' }, 42, 41), undefined, 'meant for the parent, not passed on');
  t.same(activationEndpoint({ LISTEN_PID: '41', LISTEN_FDS: '1', TSPOD_LISTEN_FROM_PARENT: '1' }, 42, 41), { kind: 'fd', fd: 3 }, 'passed on by the user-namespace re-exec');
  t.equal(activationEndpoint({}, 42, 1), undefined);
  t.throws(() => activationEndpoint({ LISTEN_PID: '42', LISTEN_FDS: '2' }, 42, 1), /exactly one/);
});

t.test('plain TCP: refused off loopback, warned on it; TLS any address', async (t) => {
  t.throws(() => checkTcpSecurity({ kind: 'tcp', host: '0.0.0.0', port: 1 }, undefined), /refusing to serve/);
  t.throws(() => checkTcpSecurity({ kind: 'tcp', host: '192.168.1.2', port: 1 }, undefined), /refusing to serve/);
  t.match(checkTcpSecurity({ kind: 'tcp', host: '127.0.0.1', port: 1 }, undefined), /no TLS/);
  t.match(checkTcpSecurity({ kind: 'tcp', host: '::1', port: 1 }, undefined), /no TLS/);
  t.equal(checkTcpSecurity({ kind: 'tcp', host: '0.0.0.0', port: 1 }, { ca: 'a', cert: 'b', key: 'c' }), undefined);
  t.equal(checkTcpSecurity({ kind: 'unix', path: '/x' }, undefined), undefined);
});

t.test('a stale socket is replaced, a live one or another file is not', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-listen-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = path.join(dir, 'sub', 's.sock');
  await prepareUnixPath(p);
  t.equal(fs.statSync(path.dirname(p)).mode & 0o777, 0o700, 'the directory is private');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(p, () => r()));
  await t.rejects(prepareUnixPath(p), /in use by another service/);
  await new Promise<void>((r) => srv.close(() => r()));
  // a socket file nobody listens on (a crashed service) is taken over
  const s2 = net.createServer();
  await new Promise<void>((r) => s2.listen(p, () => r()));
  (s2 as unknown as { _handle: { close(): void } })._handle.close();
  if (fs.existsSync(p)) await prepareUnixPath(p);
  t.notOk(fs.existsSync(p));
  fs.writeFileSync(p, 'x');
  await t.rejects(prepareUnixPath(p), /not a socket/);
});
