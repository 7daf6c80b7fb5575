// The completion engine behind `tspod __complete`, over a fixed manifest
// (fixture-manifest.json: the commands completion has to know about, including
// container verbs) and index files written into a temporary root.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, type Manifest } from '../../../src/completion/model.js';
import { complete, render } from '../../../src/completion/engine.js';
import { argSpec, argKind, ARG_KINDS, KINDS, FLAG_KINDS } from '../../../src/completion/kinds.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'fixture-manifest.json'), 'utf8')) as Manifest;
const model = buildModel(manifest);

const IMG1 = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const IMG2 = 'ffee00112233445566778899aabbccddeeff00112233445566778899aabbccdd';

function seed(root: string): void {
  fs.mkdirSync(path.join(root, 'storage'), { recursive: true });
  fs.mkdirSync(path.join(root, 'containers'), { recursive: true });
  fs.mkdirSync(path.join(root, 'volumes'), { recursive: true });
  fs.mkdirSync(path.join(root, 'networks'), { recursive: true });
  fs.writeFileSync(path.join(root, 'storage', 'storage.json'), JSON.stringify({
    version: 1,
    images: [
      { id: IMG1, names: ['docker.io/library/busybox:latest', 'localhost/web:1.0'] },
      { id: IMG2, names: ['quay.io/x/y:2'] },
      { id: 'dead' + IMG2.slice(4), names: [] },
    ],
    layers: [],
  }));
  fs.writeFileSync(path.join(root, 'containers', 'containers.json'), JSON.stringify({
    containers: [
      { id: 'c0ffee' + '0'.repeat(58), names: ['web'], state: 'running' },
      { id: 'beef01' + '0'.repeat(58), names: ['api'], state: 'running' },
      { id: 'abc123' + '0'.repeat(58), names: ['db'], state: 'exited' },
      { id: 'abc456' + '0'.repeat(58), name: 'fresh', state: 'created' },
      { id: 'fed000' + '0'.repeat(58), names: ['sleepy'], state: { status: 'paused' } },
    ],
  }));
  fs.writeFileSync(path.join(root, 'volumes', 'volumes.json'), JSON.stringify({ volumes: [{ name: 'data' }, { name: 'cache' }] }));
  fs.writeFileSync(path.join(root, 'networks', 'networks.json'), JSON.stringify({ networks: [{ name: 'podman' }, { name: 'back' }] }));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-compl-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const root = path.join(dir, 'root');
seed(root);
const other = path.join(dir, 'other');
fs.mkdirSync(path.join(other, 'containers'), { recursive: true });
fs.writeFileSync(path.join(other, 'containers', 'containers.json'), JSON.stringify({ containers: [{ id: '1', names: ['elsewhere'], state: 'running' }] }));

const c = (words: string[]) => complete(model, words, { defaultRoot: () => root });
const cands = (line: string) => {
  const words = line.split(' ');
  return c(words.slice(1)).candidates;
};

t.test('commands, topics and aliases', async (t) => {
  t.same(cands('tspod sto'), ['stop']);
  t.same(cands('tspod i'), ['image', 'images', 'inspect']);
  t.same(cands('tspod image '), ['build', 'list', 'load', 'ls', 'remove', 'rm', 'save']);
  t.same(cands('tspod container l'), ['list', 'ls'], 'hidden commands (cleanup) are not offered');
  t.notOk(cands('tspod ').includes('__complete'), 'the hidden __complete is not offered');
  t.ok(cands('tspod ').includes('ps'));
});

t.test('flags', async (t) => {
  t.same(cands('tspod --log'), ['--log-level']);
  t.same(cands('tspod --log-level '), ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']);
  t.same(cands('tspod --log-level=d'), ['--log-level=debug']);
  t.same(cands('tspod images --sort '), ['created', 'id', 'repository', 'size', 'tag']);
  t.same(cands('tspod images --sort=r'), ['--sort=repository']);
  t.same(cands('tspod run --pull '), ['always', 'missing', 'never', 'newer']);
  t.same(cands('tspod stop -'), ['--root', '--runroot', '--log-level', '--storage-driver', '--time', '-t', '--all', '-a', '--help']);
  t.same(cands('tspod stop --t'), ['--time']);
});

t.test('containers by state', async (t) => {
  t.same(cands('tspod stop '), ['api', 'web'], 'running only');
  t.same(cands('tspod container stop '), ['api', 'web'], 'canonical id too');
  t.same(cands('tspod stop web '), ['api', 'web'], 'every argument');
  t.same(cands('tspod stop -t 5 '), ['api', 'web'], 'a flag value is skipped');
  t.same(cands('tspod start '), ['db', 'fresh'], 'created and exited');
  t.same(cands('tspod unpause '), ['sleepy'], 'paused only, state given as an object');
  t.same(cands('tspod kill w'), ['web']);
  t.same(cands('tspod stop c0'), ['c0ffee000000'], 'a short ID once two characters are typed');
  t.same(cands('tspod stop c'), [], 'not for one character');
  t.same(cands('tspod exec web '), [], 'only the first argument of exec is a container');
  t.same(cands('tspod exec -it '), ['api', 'web'], 'combined short booleans');
});

t.test('images, volumes, networks, objects', async (t) => {
  t.same(cands('tspod rmi '), ['busybox:latest', 'docker.io/library/busybox:latest', 'localhost/web:1.0', 'quay.io/x/y:2', 'web:1.0']);
  t.same(cands('tspod rmi busybox:'), ['busybox:latest']);
  t.same(cands('tspod rmi ff'), ['ffee00112233']);
  t.same(cands('tspod rmi de'), ['dead00112233'], 'an untagged image by ID');
  t.same(cands('tspod run '), ['busybox:latest', 'docker.io/library/busybox:latest', 'localhost/web:1.0', 'quay.io/x/y:2', 'web:1.0']);
  // after the image: paths inside it (layered.test.ts); these records have no layers, so host paths
  t.same(c(['run', '--rm', '-d', 'busybox', '']), { candidates: [], directive: 'files' }, 'after the image comes the command');
  t.same(c(['run', '--name', 'x', 'web:1.0', '']), { candidates: [], directive: 'files' }, 'the value of --name is not the image');
  t.same(cands('tspod run --network '), ['back', 'podman']);
  t.same(cands('tspod run --network=p'), ['--network=podman']);
  t.same(cands('tspod volume rm '), ['cache', 'data']);
  t.same(cands('tspod network rm '), ['back', 'podman']);
  t.same(cands('tspod inspect '), ['api', 'back', 'busybox:latest', 'cache', 'data', 'db', 'docker.io/library/busybox:latest', 'fresh', 'localhost/web:1.0', 'podman', 'quay.io/x/y:2', 'sleepy', 'web', 'web:1.0']);
  t.same(cands('tspod build --from '), ['busybox:latest', 'docker.io/library/busybox:latest', 'localhost/web:1.0', 'quay.io/x/y:2', 'web:1.0'], 'a per-command flag kind');
  t.same(cands('tspod completion '), ['bash', 'zsh', 'fish'], 'argument choices');
});

t.test('files are left to the shell', async (t) => {
  t.same(c(['save', '-o', '']), { candidates: [], directive: 'files' });
  t.same(c(['load', '--input=x']), { candidates: [], directive: 'files' });
  t.same(c(['run', '--env-file', 'f']), { candidates: [], directive: 'files' });
  t.same(c(['build', '']), { candidates: [], directive: 'dirs' });
  t.equal(render(c(['save', '-o', ''])), ':files\n');
  t.equal(render(c(['stop', ''])), 'api\nweb\n');
  t.equal(render(c(['stop', 'zzz'])), '');
});

t.test('--root in the words wins over the default root', async (t) => {
  t.same(cands(`tspod --root ${other} stop `), ['elsewhere']);
  t.same(cands(`tspod stop --root=${other} `), ['elsewhere']);
  t.same(cands(`tspod --root ${other} sto`), ['stop'], 'the value of a global flag is not a command');
});

t.test('after -- everything is an argument', async (t) => {
  t.same(cands('tspod stop -- -'), [], 'no flags after --');
});

t.test('missing and malformed index files give no candidates, never an error', async (t) => {
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(path.join(bad, 'containers'), { recursive: true });
  fs.mkdirSync(path.join(bad, 'storage'), { recursive: true });
  fs.writeFileSync(path.join(bad, 'containers', 'containers.json'), '{"containers": [nul');
  fs.writeFileSync(path.join(bad, 'storage', 'storage.json'), JSON.stringify({ images: 'nope' }));
  t.same(cands(`tspod --root ${bad} stop `), []);
  t.same(cands(`tspod --root ${bad} rmi `), []);
  t.same(cands(`tspod --root ${path.join(dir, 'missing')} volume rm `), []);
  // Other shapes the container index may take: an array, or a map keyed by ID.
  fs.writeFileSync(path.join(bad, 'containers', 'containers.json'), JSON.stringify([{ ID: 'x1', Names: ['/arr'], State: 'running' }]));
  t.same(cands(`tspod --root ${bad} stop `), ['arr']);
  fs.writeFileSync(path.join(bad, 'containers', 'containers.json'), JSON.stringify({ containers: { x2: { name: 'mapped', status: 'exited' } } }));
  t.same(cands(`tspod --root ${bad} start `), ['mapped']);
});

t.test('the kinds table', async (t) => {
  for (const [id, spec] of ARG_KINDS) {
    for (const k of [...spec.args, spec.rest]) t.ok(KINDS.includes(k), `${id}: ${k} is a kind`);
  }
  for (const [flag, k] of FLAG_KINDS) t.ok(KINDS.includes(k), `--${flag}: ${k} is a kind`);
  // The topic form and the Docker-style alias agree.
  for (const verb of ['stop', 'kill', 'pause', 'unpause', 'start', 'exec', 'attach', 'top', 'port', 'stats', 'logs', 'rm']) {
    t.same(ARG_KINDS.get(verb), ARG_KINDS.get(`container ${verb}`), verb);
  }
  t.equal(argKind(argSpec(['image rm', 'rmi']), 3), 'images');
  t.equal(argKind(argSpec(['container stop']), 0), 'containers-running');
  t.equal(argKind(argSpec(['container start']), 0), 'containers-stopped');
  t.equal(argKind(argSpec(['no such thing']), 0), 'none');
});
