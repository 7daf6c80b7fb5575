// Stopping a container's slirp4netns (src/container/network.ts): by pid only when that pid still is a
// slirp4netns naming the container's net directory, and found by its command line when its pid was
// never written (a start killed between spawning it and recording it).
import t from 'tap';
import { spawn } from 'node:child_process';
import { findSlirps, stopSlirp } from '../../../src/container/network.js';

/** A stand-in: a shell whose command line reads like slirp4netns's (its arguments name the directory). */
function standIn(dir: string) {
  const child = spawn('/bin/sh', ['-c', 'sleep 30; :', 'slirp4netns', `--api-socket=${dir}/api.sock`], { stdio: 'ignore' });
  const gone = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid!, gone, kill: () => child.kill('SIGKILL') };
}

t.test('found by its command line, stopped only when it names the directory', async (t) => {
  const dir = `/tmp/tspod-slirp-stop-${process.pid}/net/abc123`;
  const a = standIn(dir);
  const b = standIn(`${dir}-other`);
  // the shell has the command line once it has execed
  for (let i = 0; i < 100 && !findSlirps(dir).includes(a.pid); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(findSlirps(dir).includes(a.pid), 'the one naming the directory is found');
  t.notOk(findSlirps(`${dir}/`).includes(b.pid), 'another container\'s is not');
  stopSlirp(a.pid, `${dir}-elsewhere`);
  stopSlirp(b.pid, `${dir}/`);
  await new Promise((r) => setTimeout(r, 100));
  t.ok(findSlirps(dir).includes(a.pid), 'a pid whose command line names another directory is left alone');
  stopSlirp(a.pid, dir);
  t.equal(await a.gone, 'SIGTERM', 'stopped with SIGTERM');
  t.ok(findSlirps(`${dir}-other`).includes(b.pid), 'the other one still runs');
  b.kill();
  await b.gone;
  t.notOk(findSlirps(`${dir}-other`).includes(b.pid), 'gone once it exits');
});
