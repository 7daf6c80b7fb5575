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
  t.match(r.stderr, /in use by 2 containers/);
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
