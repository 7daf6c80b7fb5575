// rmi -f of an image in use: as Podman, the containers using it (stopped or running)
// are removed first, then the image; without -f it is refused and nothing changes.
import t from 'tap';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'rmi/bb')); });

t.test('rmi -f removes the stopped and the running containers using the image, then the image', async (t) => {
  let r = await env.tspod(['create', '--name', 'stopped', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '-d', '--name', 'running', IMAGE, 'sleep', '600']);
  t.equal(r.exitCode, 0, r.stderr);

  r = await env.tspod(['rmi', IMAGE]);
  t.equal(r.exitCode, 2, 'without -f: refused, in use (exit 2 as podman)');
  t.match(r.stderr, /^Error: image used by [0-9a-f]{64}: image is in use by a container: consider listing external containers and force-removing image$/, 'Podman\'s words');
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}']);
  t.same(r.stdout.split('\n').sort(), ['running', 'stopped'], 'nothing was removed');

  r = await env.tspod(['rmi', '-f', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /Untagged: .*rmi\/bb:latest/);
  t.match(r.stdout, /Deleted: [0-9a-f]{64}/);
  r = await env.tspod(['ps', '-a', '-q']);
  t.equal(r.stdout, '', 'both containers are gone');
  r = await env.tspod(['images', '-q']);
  t.equal(r.stdout, '', 'and the image');
  r = await env.tspod(['events', '--stream=false', '--filter', 'type=container', '--filter', 'event=remove', '--format', '{{.Name}}']);
  t.same(r.stdout.split('\n').sort(), ['running', 'stopped'], 'each removal recorded');
  r = await env.tspod(['rmi', IMAGE]);
  t.equal(r.exitCode, 1, 'rmi of a missing image: exit 1 as podman');
});

t.test('rmi -a of images in use by a pod: one error listing each, then -af removes pods, containers and images', async (t) => {
  let r = await env.tspod(['pull', '-q', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['create', '--pod', 'new:rmipod', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  const ver = await env.tspod(['version', '--format', '{{.Server.Version}}-{{.Server.Built}}']);
  const pause = `localhost/podman-pause:${ver.stdout}`;
  const id = async (n: string) => (await env.tspod(['inspect', '--format', '{{.ID}}', n])).stdout;
  const imageID = await id(IMAGE);
  const pauseID = await id(pause);
  t.match(pauseID, /^[0-9a-f]{64}$/, 'the pod made its pause image');

  r = await env.tspod(['rmi', pause]);
  t.equal(r.exitCode, 2);
  t.match(r.stderr, /^Error: image used by [0-9a-f]{64}: image is in use by a container/);
  r = await env.tspod(['rmi', '-a']);
  t.equal(r.exitCode, 2, 'in use: exit 2');
  const lines = r.stderr.trim().split('\n');
  t.equal(lines[0], 'Error: 2 errors occurred:', 'the errors joined as Podman joins them');
  t.equal(lines.length, 3);
  for (const l of lines.slice(1)) t.match(l, /^\t\* image used by [0-9a-f]{64}: image is in use by a container: consider listing external containers/);
  t.equal(r.stdout, '', 'nothing removed');

  r = await env.tspod(['rmi', '-af']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, [`Untagged: ${IMAGE}`, `Untagged: ${pause}`, `Deleted: ${imageID}`, `Deleted: ${pauseID}`].join('\n'), 'every Untagged line, then every Deleted line');
  t.equal((await env.tspod(['ps', '-a', '-q'])).stdout, '', 'no container left');
  t.equal((await env.tspod(['pod', 'ps', '-q'])).stdout, '', 'no pod left');
  t.equal((await env.tspod(['images', '-q'])).stdout, '', 'no image left');
});

t.test('rmi REPO@DIGEST of a tagged image drops that digest reference only', async (t) => {
  let r = await env.tspod(['pull', '-q', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  const digest = (await env.tspod(['inspect', '--format', '{{.Digest}}', IMAGE])).stdout;
  const fqin = `${IMAGE.replace(/:latest$/, '')}@${digest}`;
  r = await env.tspod(['pull', '-q', fqin]);
  t.equal(r.exitCode, 0, r.stderr);
  const before = (await env.tspod(['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout;
  r = await env.tspod(['rmi', fqin]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `Untagged: ${fqin}`, 'untagged, not deleted');
  t.equal((await env.tspod(['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout, before, 'the image and its tag stay');
  t.equal((await env.tspod(['rmi', IMAGE])).exitCode, 0);
});

t.test('rmi -f NAME of an image with several names untags that name only (as Podman); by ID it needs -f, which removes it', async (t) => {
  let r = await env.tspod(['pull', '-q', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['tag', IMAGE, 'extra:1'])).exitCode, 0);
  const id = (await env.tspod(['inspect', '--format', '{{.ID}}', IMAGE])).stdout;
  r = await env.tspod(['rmi', '-f', 'extra:1']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'Untagged: localhost/extra:1', 'only the name given');
  t.equal((await env.tspod(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--no-trunc'])).stdout, `${IMAGE} sha256:${id}`, 'the image keeps its other name');
  t.equal((await env.tspod(['tag', IMAGE, 'extra:1'])).exitCode, 0);
  r = await env.tspod(['rmi', id.slice(0, 12)]);
  t.equal(r.exitCode, 125, 'by ID without -f: refused');
  t.equal(r.stderr, `Error: unable to delete image "${id}" by ID with more than one tag ([${IMAGE} localhost/extra:1]): please force removal`);
  t.equal((await env.tspod(['images', '-q'])).stdout, id.slice(0, 12), 'nothing removed');
  r = await env.tspod(['rmi', '-f', id]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /Deleted: [0-9a-f]{64}/, '-f by ID: the image goes, every name with it');
  t.equal((await env.tspod(['images', '-q'])).stdout, '');
});
