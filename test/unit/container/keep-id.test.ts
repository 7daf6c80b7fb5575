import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addKeepIdUser, fuseMapping, keepIdMapping, mappedSize, parseUserns } from '../../../src/container/keep-id.js';
import { generateSpec } from '../../../src/runtime/spec.js';

t.test('parseUserns', async (t) => {
  t.same(parseUserns('', 1000, 100), { mode: '' });
  t.same(parseUserns('host', 1000, 100), { mode: 'host' });
  t.same(parseUserns('keep-id', 1000, 100), { mode: 'keep-id', keepId: { uid: 1000, gid: 100 } });
  t.same(parseUserns('keep-id:uid=5,gid=6', 1000, 100), { mode: 'keep-id', keepId: { uid: 5, gid: 6 } });
  t.same(parseUserns('keep-id:gid=7', 1000, 100).keepId, { uid: 1000, gid: 7 });
  t.throws(() => parseUserns('keep-id:uid=x', 1, 1), /invalid --userns option "uid=x"/);
  t.throws(() => parseUserns('keep-id:size=1', 1, 1), /invalid --userns option "size=1"/);
  t.throws(() => parseUserns('auto', 1, 1), /unsupported --userns "auto"/);
  t.throws(() => parseUserns('keep-idx', 1, 1), /unsupported --userns/);
});

t.test('keepIdMapping moves the user to its id and everyone else around it', async (t) => {
  const m = keepIdMapping(1001, 65537);
  t.same(m, [
    { containerID: 0, hostID: 1, size: 1001 },
    { containerID: 1001, hostID: 0, size: 1 },
    { containerID: 1002, hostID: 1002, size: 64535 },
  ]);
  t.equal(m.reduce((n, x) => n + x.size, 0), 65537, 'every id of the namespace is used once');
  t.equal(fuseMapping(m), '0:1:1001:1001:0:1:1002:1002:64535');
  t.same(keepIdMapping(65536, 65537).at(-1), { containerID: 65536, hostID: 0, size: 1 }, 'the last id: nothing above it');
  t.throws(() => keepIdMapping(0, 65537), /between 1 and 65536/, 'uid 0 is not a keep-id');
  t.throws(() => keepIdMapping(65537, 65537), /between 1 and 65536/);
});

t.test('mappedSize sums a uid_map', async (t) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keepid-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.writeFileSync(path.join(d, 'map'), '         0       1001          1\n         1     100000      65536\n');
  t.equal(mappedSize(path.join(d, 'map')), 65537);
});

t.test('addKeepIdUser: passwd/group entries, inside the root only', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keepid-root-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'keepid-outside-'));
  t.teardown(() => { fs.rmSync(root, { recursive: true, force: true }); fs.rmSync(outside, { recursive: true, force: true }); });
  const me = { uid: process.getuid!(), gid: process.getgid!() };
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh');
  fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\n');
  const home = addKeepIdUser(root, { uid: 1001, gid: 1001 }, 'bob', '/home/bob', me);
  t.equal(home, '/home/bob');
  t.equal(fs.readFileSync(path.join(root, 'etc', 'passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:*:1001:1001:bob:/home/bob:/bin/sh\n', 'appended on a line of its own');
  t.equal(fs.readFileSync(path.join(root, 'etc', 'group'), 'utf8'), 'root:x:0:\nbob:x:1001:\n');
  t.notOk(fs.existsSync(path.join(root, 'home', 'bob')), 'the home directory is not created (a mount or the working directory provides it)');
  t.equal(addKeepIdUser(root, { uid: 1000, gid: 1000 }, 'carol', '/home/carol', me), '/home/alice', 'a uid with an entry keeps it');
  t.notOk(fs.existsSync(path.join(root, 'home', 'carol')));
  t.equal(addKeepIdUser(root, { uid: 1002, gid: 1001 }, 'alice', '/home/alice', me), '/home/alice');
  t.match(fs.readFileSync(path.join(root, 'etc', 'passwd'), 'utf8'), /^alice1002:\*:1002:1001:/m, 'a taken name gets the uid appended');

  // an image whose /etc/passwd is a symlink out of the root: the write lands inside it
  const evil = fs.mkdtempSync(path.join(os.tmpdir(), 'keepid-evil-'));
  t.teardown(() => fs.rmSync(evil, { recursive: true, force: true }));
  fs.mkdirSync(path.join(evil, 'etc'));
  const victim = path.join(outside, 'passwd');
  fs.writeFileSync(victim, 'untouched\n');
  fs.symlinkSync(victim, path.join(evil, 'etc', 'passwd'));
  addKeepIdUser(evil, { uid: 1001, gid: 1001 }, 'bob', '/home/bob', me);
  t.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n', 'nothing written outside the root');
  t.match(fs.readFileSync(path.join(evil, outside, 'passwd'), 'utf8'), /^bob:\*:1001:1001:/, 'the entry is written at the link target inside the root');
});

t.test('generateSpec: a user namespace with the mappings', async (t) => {
  const uidMappings = keepIdMapping(1001, 65537);
  const gidMappings = keepIdMapping(1001, 65537);
  const { spec } = generateSpec({ args: ['sh'], rootfs: '/r', rootless: true, userns: { uidMappings, gidMappings } });
  t.equal(spec.linux.namespaces[0]?.type, 'user', 'the user namespace comes first');
  t.same(spec.linux.uidMappings, uidMappings);
  t.same(spec.linux.gidMappings, gidMappings);
  const plain = generateSpec({ args: ['sh'], rootfs: '/r', rootless: true }).spec;
  t.notOk(plain.linux.namespaces.some((n) => n.type === 'user'), 'none without keep-id');
  t.equal(plain.linux.uidMappings, undefined);
});
