// End-to-end: `cp` as Podman's users and scripts know it (Podman 4.3's behaviour and words):
// a running container's tmpfs, stdin and stdout, dangling symlinks as the destination,
// ownership in a container with a user namespace of its own, --overwrite, and the messages
// scripts match on. The security rules (nothing outside the container's root or the
// destination) are checked in 310-files.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { BIN, makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let IMG = '';
let host = '';

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({
    layers: [await buildBusyboxLayer(), await buildFileLayer({ 'srv/': { type: 'dir' }, 'tmp/': { type: 'dir', mode: 0o1777 }, 'tmp/from-image': 'image\n' })],
    config: { Cmd: ['/bin/sh'] },
  });
  await pushImage(reg.url, 'e2e/cp', 'latest', img);
  IMG = `${reg.host}/e2e/cp:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', IMG]);
  if (r.exitCode !== 0) throw new Error(`pull failed: ${r.stderr}`);
  host = fs.mkdtempSync(path.join(env.dir, 'host-'));
});
t.teardown(async () => { await reg?.stop(); });

async function ok(t: Test, args: string[], opts?: Parameters<TspodEnv['tspod']>[1]) {
  const r = await env.tspod(args, opts);
  t.equal(r.exitCode, 0, `tspod ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** tspod failing with exit 125 and exactly this one-line error. */
async function fails(t: Test, args: string[], message: string | RegExp, opts?: Parameters<TspodEnv['tspod']>[1]) {
  const r = await env.tspod(args, opts);
  t.equal(r.exitCode, 125, `tspod ${args.join(' ')} fails`);
  if (typeof message === 'string') t.equal(r.stderr.trim(), message); else t.match(r.stderr.trim(), message);
  return r;
}

t.test('messages: missing paths, a directory onto a file, a host destination that is not a file', async (t) => {
  await ok(t, ['run', '-d', '--name', 'msg', IMG, 'sleep', '300']);
  const file = path.join(host, 'f.txt');
  fs.writeFileSync(file, 'f\n');
  await fails(t, ['cp', path.join(host, 'nope'), 'msg:/tmp'], `Error: "${path.join(host, 'nope')}" could not be found on the host: no such file or directory`);
  await fails(t, ['cp', 'msg:/nope', host], 'Error: "/nope" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', file, 'msg:/IdoNotExist/'], 'Error: "/IdoNotExist/" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', file, 'msg:/no/such/parent'], 'Error: "/no/such/parent" could not be found on container msg: no such file or directory');
  await fails(t, ['cp', host, 'msg:/etc/passwd'], 'Error: destination must be a directory when copying a directory');
  await fails(t, ['cp', 'msg:/etc', file], 'Error: destination must be a directory when copying a directory');
  // "/dev/stdout" is a path like any other (only "-" is stdout): here a pipe
  await fails(t, ['cp', 'msg:/etc/passwd', '/dev/stdout'], 'Error: invalid destination: "/dev/stdout" must be a directory or a regular file');
  await ok(t, ['rm', '-f', '-t', '0', 'msg']);
});
