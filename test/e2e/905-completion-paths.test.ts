// Completion of paths inside an image (`run IMAGE <path>`, `create IMAGE <path>`)
// and inside a container (`cp CONTAINER:<path>`), as Podman completes them,
// through the real bin/tspod against a real pulled image and real containers:
// the image's layers merged (a whiteout in the upper layer hides a lower
// file), a container's own changes (made by fuse-overlayfs, running or
// stopped), `..` that never leaves the image, a directory of a subordinate id
// that the user cannot read, the `:nospace` line and cobra's directive on
// stderr, the shipped bash script, and what it costs.
import t from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, REPO, UNSET, makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildFileLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const base = await buildBusyboxLayer();
  const top = await buildFileLayer({
    'etc/os-release': 'ID=tspodtest\n',
    'etc/hostname': { type: 'whiteout' },
    'opt/': { type: 'dir' },
    'opt/app.conf': 'x=1\n',
    'home/tester/private/': { type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
    'home/tester/private/notes': { content: 'secret\n', uid: 1000, gid: 1000 },
    'up': { type: 'symlink', target: '../../../../../..' },
  });
  await pushImage(reg.url, 'compl/paths', 'latest', buildImage({ layers: [base, top], config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } }));
  env = await makeEnv(t, { insecure: [reg.host] });
  IMAGE = `${reg.host}/compl/paths:latest`;
  const r = await env.tspod(['pull', '-q', IMAGE]);
  if (r.exitCode !== 0) throw new Error(`pull: ${r.stderr}`);
});

/** `tspod __completeNoDesc WORDS...`: the candidate lines, the protocol lines, and stderr. */
async function complete(words: string[]): Promise<{ cands: string[]; nospace: boolean; files: boolean; directive: string }> {
  const r = await env.tspod(['__completeNoDesc', ...words]);
  if (r.exitCode !== 0) throw new Error(`__completeNoDesc ${words.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  return {
    cands: lines.filter((l) => !l.startsWith(':')),
    nospace: lines.includes(':nospace'),
    files: lines.includes(':files'),
    directive: r.stderr.trim(),
  };
}

const TOP = ['bin/', 'dev/', 'etc/', 'home/', 'opt/', 'proc/', 'root/', 'sys/', 'tmp/', 'up', 'usr/', 'var/'];

t.test('paths inside the image: run and create', async (t) => {
  for (const cmd of ['run', 'create']) {
    let c = await complete([cmd, IMAGE, '']);
    t.same(c.cands, TOP.map((x) => `/${x}`), `${cmd} IMAGE "": the image's top level, directories with a slash`);
    t.ok(c.nospace, 'no space after a directory');
    t.equal(c.directive, 'Completion ended with directive: ShellCompDirectiveNoSpace');
    c = await complete([cmd, IMAGE, '/etc']);
    t.same(c.cands, ['/etc/group', '/etc/os-release', '/etc/passwd'], `${cmd} IMAGE /etc: its files; hostname is whited out by the top layer`);
    c = await complete([cmd, IMAGE, '/etc/os-']);
    t.same(c.cands, ['/etc/os-release'], `${cmd} IMAGE /etc/os-`);
    t.notOk(c.nospace, 'one file: the shell adds its space');
    t.equal(c.directive, 'Completion ended with directive: ShellCompDirectiveDefault');
    c = await complete([cmd, IMAGE, '../../']);
    t.same(c.cands, TOP.map((x) => `../../${x}`), `${cmd} IMAGE ../../: still the image's root, never the host's`);
    c = await complete([cmd, IMAGE, '/up/']);
    t.same(c.cands, TOP.map((x) => `/up/${x}`), 'a symlink climbing out of the image lands on its root');
  }
  let c = await complete(['run', '--rm', '-it', IMAGE, 'sh', '/opt/a']);
  t.same(c.cands, ['/opt/app.conf'], 'every argument after the image, flags before it skipped');
  c = await complete(['run', IMAGE, '/home/tester/private/']);
  t.ok(c.files && c.cands.length === 0, "a directory of a subordinate id the user cannot read: host paths, not an empty listing");
  c = await complete(['run', IMAGE, '/no/such/x']);
  t.ok(c.files, 'nothing inside: host paths (:files)');
  t.equal(c.directive, 'Completion ended with directive: ShellCompDirectiveDefault');
  c = await complete(['run', 'no-such-image:1', '/']);
  t.ok(c.files, 'an unknown image: host paths');
});

t.test('paths inside containers: cp', async (t) => {
  let r = await env.tspod(['run', '--name', 'cp-src', IMAGE, 'sh', '-c', 'touch /tmp/made /tmp/made2 && mkdir /emptydir && rm /etc/passwd']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '-d', '--name', 'cp-live', IMAGE, 'sh', '-c', 'touch /tmp/live-file; sleep 300']);
  t.equal(r.exitCode, 0, r.stderr);
  t.teardown(() => env.tspod(['rm', '-f', '-t', '0', 'cp-live', 'cp-src']));

  let c = await complete(['cp', '']);
  t.same(c.cands, ['cp-live:', 'cp-src:'], 'container names with a colon');
  t.ok(c.nospace, 'and no space after the colon');
  t.equal(c.directive, 'Completion ended with directive: ShellCompDirectiveNoSpace');
  c = await complete(['cp', 'cp-s']);
  t.same(c.cands, ['cp-src:']);
  c = await complete(['cp', 'cp-src:']);
  t.ok(c.cands.includes('cp-src:/etc/') && c.cands.includes('cp-src:/emptydir/'), `cp-src: -> its root (${c.cands.join(' ')})`);
  c = await complete(['cp', 'cp-src:/tmp']);
  t.same(c.cands, ['cp-src:/tmp/made', 'cp-src:/tmp/made2'], 'files the stopped container made (its upper directory)');
  c = await complete(['cp', 'cp-src:/tmp/made']);
  t.same(c.cands, ['cp-src:/tmp/made', 'cp-src:/tmp/made2']);
  c = await complete(['cp', 'cp-src:/emptydir']);
  t.same(c.cands, ['cp-src:/emptydir/'], 'an empty directory: itself with a slash');
  t.ok(c.nospace);
  t.equal(c.directive, 'Completion ended with directive: ShellCompDirectiveNoSpace');
  c = await complete(['cp', 'cp-src:/etc/']);
  // (and the mount points tspod made in the container for /etc/hosts, /etc/resolv.conf, ...)
  t.ok(c.cands.includes('cp-src:/etc/group') && c.cands.includes('cp-src:/etc/os-release'), `the image's files (${c.cands.join(' ')})`);
  t.notOk(c.cands.includes('cp-src:/etc/passwd'), "the container's deletion (fuse-overlayfs's whiteout) hides /etc/passwd");
  c = await complete(['cp', 'cp-live:/tmp/']);
  t.same(c.cands, ['cp-live:/tmp/live-file'], 'a running container');
  c = await complete(['cp', './some/host/file', 'cp-src:/o']);
  t.same(c.cands, ['cp-src:/opt/'], 'the destination too');
  c = await complete(['cp', './zzz']);
  t.ok(c.files, 'no container matches: host paths');

  await t.test('through the shipped bash script', async (t) => {
    const rbin = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-compl-bin-'));
    t.teardown(() => fs.rmSync(rbin, { recursive: true, force: true }));
    fs.symlinkSync(BIN, path.join(rbin, 'tspod'));
    // readline's words: split at blanks and at ':' (COMP_WORDBREAKS); replies replace what follows the last ':'
    const script = [
      `source ${JSON.stringify(path.join(REPO, 'completions', 'bash', 'tspod'))}`,
      `COMP_WORDS=(tspod cp cp-src : /tmp/m)`,
      'COMP_CWORD=4',
      `COMP_LINE='tspod cp cp-src:/tmp/m'`,
      'COMP_POINT=${#COMP_LINE}',
      '_tspod',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = await execa('env', [...UNSET, 'bash', '--norc', '--noprofile', '-c', script], { env: { ...env.env, PATH: `${rbin}:${env.env['PATH'] ?? '/usr/bin:/bin'}` }, extendEnv: false, reject: false });
    t.equal(r.exitCode, 0, r.stderr);
    t.same(r.stdout.split('\n').filter(Boolean), ['/tmp/made', '/tmp/made2'], 'bash offers the container\'s files');
  });

  await t.test('cost: a path inside a container next to a plain container list', async (t) => {
    // interleaved, best of 7 each: the machine's load hits all three alike
    const best = [Infinity, Infinity, Infinity];
    const lines: string[][] = [['stop', ''], ['cp', 'cp-src:/etc/'], ['run', IMAGE, '/usr/']];
    for (let i = 0; i < 7; i++) {
      for (const [k, words] of lines.entries()) {
        const s = process.hrtime.bigint();
        await env.tspod(['__complete', ...words]);
        best[k] = Math.min(best[k]!, Number(process.hrtime.bigint() - s) / 1e6);
      }
    }
    const [plain, inside, image] = best as [number, number, number];
    t.comment(`best of 7: __complete stop "" ${plain.toFixed(0)} ms; cp cp-src:/etc/ ${inside.toFixed(0)} ms; run IMAGE /usr/ ${image.toFixed(0)} ms`);
    t.ok(inside - plain < 50, `cp CONTAINER:path adds under 50 ms (${(inside - plain).toFixed(0)} ms)`);
    t.ok(image - plain < 50, `run IMAGE path adds under 50 ms (${(image - plain).toFixed(0)} ms)`);
  });
});
