// conmon's exit command (cleanup-claim.ts): it ends at once while the process that claimed the
// cleanup lives, and runs tspod's cleanup otherwise: no claim, a dead claimant, or a pid that now
// belongs to another process (its start time differs). Run with the real /bin/sh.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CleanupClaim, EXIT_COMMAND_SH, claimFile } from '../../../../src/engine/container/cleanup-claim.js';
import { setPaths } from '../../../../src/util/paths.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
setPaths({ root: path.join(dir, 'root'), runroot: path.join(dir, 'run') });
const marker = path.join(dir, 'ran');

/** Run the exit command as conmon would, with a command that leaves a marker file; true if it ran. */
function exitCommandRuns(file: string): boolean {
  fs.rmSync(marker, { force: true });
  const r = spawnSync('/bin/sh', ['-c', EXIT_COMMAND_SH, file, '/bin/sh', '-c', 'echo "$@" > "$0"', marker, 'container', 'cleanup', 'ID'], { encoding: 'utf8' });
  t.equal(r.status, 0, `exit command ok: ${r.stderr}`);
  t.equal(r.stderr, '', 'nothing on stderr');
  if (!fs.existsSync(marker)) return false;
  t.equal(fs.readFileSync(marker, 'utf8'), 'container cleanup ID\n', 'the cleanup gets its arguments as they were');
  return true;
}

t.test('no claim: the cleanup runs', async (t) => {
  t.ok(exitCommandRuns(claimFile('nobody')));
});

t.test('claimed by this live process: the exit command ends at once; released: it runs', async (t) => {
  const c = CleanupClaim.take('c1');
  t.ok(fs.existsSync(claimFile('c1')));
  t.notOk(exitCommandRuns(claimFile('c1')), 'skipped while the claimant lives');
  await c.release();
  t.notOk(fs.existsSync(claimFile('c1')), 'release drops the claim');
  t.ok(exitCommandRuns(claimFile('c1')));
});

t.test('a claimant that died, or a pid reused by another process: the cleanup runs', async (t) => {
  const child = spawnSync(process.execPath, ['-e', "const s=require('fs').readFileSync('/proc/self/stat','utf8'); process.stdout.write(process.pid+' '+s.slice(s.lastIndexOf(')')+2).split(' ')[19])"], { encoding: 'utf8' });
  fs.writeFileSync(claimFile('dead'), `${child.stdout}\n`);
  t.ok(exitCommandRuns(claimFile('dead')), 'the claimant is gone');
  fs.writeFileSync(claimFile('reused'), `${process.pid} 1\n`);
  t.ok(exitCommandRuns(claimFile('reused')), 'same pid, another start time');
});

t.test('release waits for conmon (here a stand-in process) to be gone', async (t) => {
  const c = CleanupClaim.take('c2');
  const p = spawn('sleep', ['0.3']);
  c.watch(p.pid!);
  const t0 = Date.now();
  await c.release();
  t.ok(Date.now() - t0 >= 250, `waited ${Date.now() - t0} ms`);
  t.notOk(fs.existsSync(claimFile('c2')));
});

t.test('a claim another process took over is left to it: only the last claimant drops it', async (t) => {
  const c = CleanupClaim.take('c3');
  // a second claimant (another live process: here pid 1, whose start time is its own) writes its claim
  const other = `1 ${fs.readFileSync('/proc/1/stat', 'utf8').split(') ')[1]!.split(' ')[19]}\n`;
  fs.writeFileSync(claimFile('c3'), other);
  c.drop();
  t.equal(fs.readFileSync(claimFile('c3'), 'utf8'), other, 'the first claimant\'s drop leaves the second\'s claim');
  t.notOk(exitCommandRuns(claimFile('c3')), 'and the exit command still stands down for it');
  fs.rmSync(claimFile('c3'));
  const d = CleanupClaim.take('c4');
  d.drop();
  t.notOk(fs.existsSync(claimFile('c4')), 'its own claim: dropped');
});
