// The volume store and the volume engine against a temporary state root:
// index and directories agree, bind volumes point at their host directory,
// driver options are validated, filters, and "in use" read from the containers' configuration.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VolumeStore } from '../../../src/volume/store.js';
import { ContainerStore } from '../../../src/container/store.js';
import { createVolume, listVolumes, planVolume, pruneCandidates, pruneVolumes, removeVolumes, volumeFilter, volumeUsers, inspectVolume } from '../../../src/engine/volumes.js';
import { setPaths } from '../../../src/util/paths.js';

function tmpRoot(t: Test): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-vol-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A container record using some volumes, written the way the container store keeps it. */
function addContainer(root: string, id: string, volumes: string[]): void {
  const cs = new ContainerStore(root);
  fs.mkdirSync(cs.ctrDir(id), { recursive: true });
  const idxFile = cs.indexFile;
  const idx = fs.existsSync(idxFile) ? JSON.parse(fs.readFileSync(idxFile, 'utf8')) : { version: 1, containers: [] };
  idx.containers.push({ id, names: [`c-${id}`], state: 'exited', layers: [], labels: {} });
  fs.writeFileSync(idxFile, JSON.stringify(idx));
  fs.writeFileSync(cs.configFile(id), JSON.stringify({ id, mounts: [...volumes.map((v) => ({ type: 'volume', source: v, destination: `/${v}`, readonly: false, options: [] })), { type: 'bind', source: '/tmp', destination: '/hosttmp', readonly: false, options: [] }] }));
}

t.test('create, list, get, remove keep the index and the directories in step', async (t) => {
  const root = tmpRoot(t);
  const s = new VolumeStore(root);
  const v = await s.create({ name: 'data', labels: { a: 'b' } });
  t.equal(v.mountpoint, path.join(root, 'volumes', 'data', '_data'));
  t.ok(fs.statSync(v.mountpoint).isDirectory());
  t.same(s.list().map((x) => x.name), ['data']);
  await t.rejects(s.create({ name: 'data' }), /already exists/);
  t.equal((await s.create({ name: 'data', ifMissing: true })).created, v.created, 'ifMissing returns the existing one');
  const anon = await s.create({});
  t.match(anon.name, /^[0-9a-f]{64}$/);
  fs.writeFileSync(path.join(v.mountpoint, 'f'), 'x');
  await s.remove('data');
  t.notOk(fs.existsSync(path.join(root, 'volumes', 'data')));
  t.same(fs.readdirSync(path.join(root, 'volumes')).sort(), [anon.name, 'volumes.json'].sort(), 'nothing left behind');
  await t.rejects(s.remove('data'), /no volume with name "data" found/);
  const again = await s.create({ name: 'data' });
  t.same(fs.readdirSync(again.mountpoint), [], 'a re-created volume starts empty');
  t.throws(() => VolumeStore.validName('../x'), /invalid volume name/);
  t.throws(() => VolumeStore.validName('-x'), /invalid volume name/);
});

t.test('driver options: bind, tmpfs, ownership, refusals', async (t) => {
  const root = tmpRoot(t);
  setPaths({ root });
  const s = new VolumeStore(root);
  const hostDir = fs.mkdtempSync(path.join(root, 'host-'));
  t.same(planVolume({}), { kind: 'plain', owner: undefined });
  t.same(planVolume({ type: 'tmpfs', device: 'tmpfs', o: 'size=64m,mode=1777' }).kind, 'tmpfs');
  t.equal(planVolume({ type: 'none', o: 'bind', device: hostDir }).kind, 'bind', "Docker's spelling of a bind volume");
  t.throws(() => planVolume({ type: 'bind' }), /needs --opt device/);
  t.throws(() => planVolume({ type: 'bind', device: 'rel/dir' }), /absolute/);
  t.throws(() => planVolume({ type: 'bind', device: path.join(hostDir, 'nope') }), /^invalid volume option device for driver 'local': stat .*\/nope: no such file or directory$/);
  t.throws(() => planVolume({ type: 'nfs', device: ':/x' }), /unsupported volume type "nfs"/);
  t.throws(() => planVolume({ type: 'tmpfs', o: 'size=1m,evil' }), /invalid tmpfs volume option "evil"/);
  t.throws(() => planVolume({ foo: 'bar' }), /invalid mount option foo/);
  t.throws(() => planVolume({ uid: '-1' }), /non-negative/);

  const b = await createVolume({ name: 'b', opts: ['type=bind', `device=${hostDir}`] }, s);
  t.equal(b.Mountpoint, hostDir, 'a bind volume is its host directory');
  t.equal(b.NeedsCopyUp, false, 'no copy-up into a bind volume');
  const tv = await createVolume({ name: 'tv', opts: ['type=tmpfs', 'o=size=1m'] }, s);
  t.same(tv.Options, { type: 'tmpfs', o: 'size=1m' });
  t.equal(tv.NeedsCopyUp, false);
  const plain = await createVolume({ name: 'p', labels: ['k=v', 'flag'] }, s);
  t.same(plain.Labels, { k: 'v', flag: '' });
  t.equal(plain.NeedsCopyUp, true);
  if (process.getuid?.() === 0) {
    const owned = await createVolume({ name: 'own', opts: ['uid=1234', 'gid=99'] }, s);
    const st = fs.statSync(owned.Mountpoint);
    t.same([st.uid, st.gid], [1234, 99], 'uid=/gid= options chown the data directory');
  }
  await t.rejects(createVolume({ name: 'x', driver: 'nfs' }, s), /driver "nfs" is not supported/);
  await t.rejects(createVolume({ name: 'y', opts: ['novalue'] }, s), /expected KEY=VALUE/);
  t.equal((await createVolume({ name: 'b', ignore: true }, s)).Mountpoint, hostDir, '--ignore returns the existing volume');
  await s.remove('b');
  t.ok(fs.existsSync(hostDir), "removing a bind volume keeps the host directory");
  t.equal(inspectVolume('p', s).Scope, 'local');
});

t.test('filters, users, rm refused while in use, prune', async (t) => {
  const root = tmpRoot(t);
  setPaths({ root });
  const s = new VolumeStore(root);
  await createVolume({ name: 'web-data', labels: ['app=web'] }, s);
  await createVolume({ name: 'db-data', labels: ['app=db', 'tier'] }, s);
  await createVolume({ name: 'free' }, s);
  addContainer(root, 'c1', ['web-data']);
  addContainer(root, 'c2', ['web-data', 'db-data']);
  const cs = new ContainerStore(root);
  t.same(volumeUsers('web-data', cs), ['c1', 'c2']);
  t.same(volumeUsers('free', cs), []);
  const names = (f: string[]) => listVolumes({ filters: f }, s).map((v) => v.Name).sort();
  t.same(names(['label=app=web']), ['web-data']);
  t.same(names(['label=tier']), ['db-data']);
  t.same(names(['label=app=web', 'label=app=db']), [], 'label values must all match (Podman: label is exclusive)');
  t.same(names(['label=app', 'label=tier']), ['db-data'], 'every label given');
  t.same(names(['name=web', 'name=db']), ['db-data', 'web-data'], 'the same key otherwise: any matches');
  t.same(names(['label=app', 'name=web']), ['web-data'], 'different keys: all must match');
  t.same(names(['dangling=true']), ['free']);
  t.same(names(['dangling=false']), ['db-data', 'web-data']);
  t.same(names(['driver=local']).length, 3);
  t.same(names(['until=2000-01-01T00:00:00Z']), []);
  t.same(names(['until=1h']), [], 'all created less than an hour ago');
  t.throws(() => volumeFilter(['dangling=maybe']), /true or false/);
  t.throws(() => volumeFilter(['nope=1']), /invalid filter "nope"/);
  t.throws(() => volumeFilter(['label']), /expected key=value/);

  const reps = await removeVolumes(['web-data', 'missing'], {}, s);
  t.match(reps[0]!.error?.message, /volume web-data is being used by the following container\(s\): c1, c2: volume is being used/);
  t.equal(reps[0]!.error?.code, 'EINUSE');
  t.equal(reps[1]!.error?.code, 'ENOTFOUND');
  t.ok(fs.existsSync(s.dataDir('web-data')), 'an in-use volume stays');
  t.same(pruneCandidates(undefined, s), ['free']);
  t.same(pruneCandidates(['label=app'], s), [], 'prune filters');
  const pruned = await pruneVolumes(undefined, s);
  t.same(pruned.map((r) => r.name), ['free']);
  t.same(s.list().map((v) => v.name).sort(), ['db-data', 'web-data']);
});
