import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { predispatch, needsUserNamespace, splitCommandArgs, normalizeBooleans, lastFlagWins, expandUsernsCommands, USERNS_COMMANDS } from '../../../src/cli/dispatch.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifestPath = path.resolve(here, '..', '..', '..', 'oclif.manifest.json');
const haveManifest = fs.existsSync(manifestPath);
const read = (p: string) => fs.readFileSync(p, 'utf8');

t.test('global flags before the command become environment', async (t) => {
  const d = predispatch(['--root', '/r', '--runroot=/rr', '--log-level', 'debug', 'images', '-q']);
  t.same(d.env, { TSPOD_ROOT: '/r', TSPOD_RUNROOT: '/rr', TSPOD_LOG_LEVEL: 'debug' });
  t.same(d.argv, ['images', '-q']);
  t.equal(d.commandId, 'images');
  t.equal(predispatch(['image', 'pull', 'x']).commandId, 'image pull');
  t.equal(predispatch(['container', 'run', 'x']).commandId, 'container run');
  // Docker's --debug / -D (resolved to --log-level=debug by the entry point)
  t.same(predispatch(['--debug', 'info']).env, { TSPOD_DEBUG: '1' });
  t.same(predispatch(['-D', 'info']), { env: { TSPOD_DEBUG: '1' }, argv: ['info'], commandId: 'info' });
  t.same(predispatch(['-D', '--log-level=panic', 'info']).env, { TSPOD_DEBUG: '1', TSPOD_LOG_LEVEL: 'panic' });
  t.same(predispatch(['run', '-D']).env, {}, 'after the command it is the command\'s');
});

t.test('which commands re-execute inside the user namespace', async (t) => {
  const manifest = JSON.parse(read(manifestPath)) as { commands: Record<string, { aliases?: string[] }> };
  const spellings = new Set(expandUsernsCommands(manifest));
  for (const c of ['pull', 'image pull', 'run', 'rm', 'system reset', 'load', 'container remove', 'image remove', 'volume remove', 'rmi', 'umount']) t.ok(needsUserNamespace(c, [c], spellings), c);
  for (const c of ['images', 'ps', 'inspect', 'version', 'logs', 'push']) t.notOk(needsUserNamespace(c, [c], spellings), c);
  t.notOk(needsUserNamespace('pull', ['pull', '--help'], spellings), 'help never needs it');
  for (const id of USERNS_COMMANDS) t.ok(manifest.commands[id], `${id} is a command`);
  t.throws(() => expandUsernsCommands({ commands: {} }), /not a command/, 'a stale entry fails the build');
});

t.test('the container command line is split off before oclif parses', async (t) => {
  if (!haveManifest) { t.fail('oclif.manifest.json missing: run npm run build'); return; }
  const s = splitCommandArgs(['run', '-d', '--name', 'web', '-p', '8080:80', '-it', 'IMG', 'httpd', '-f', '-h', '/etc'], 'run', manifestPath, read);
  t.same(s.argv, ['run', '-d', '--name', 'web', '-p', '8080:80', '-it', 'IMG']);
  t.same(s.passthrough, ['httpd', '-f', '-h', '/etc']);
  const e = splitCommandArgs(['exec', '-e', 'A=b', 'ctr', 'sh', '-c', 'x'], 'exec', manifestPath, read);
  t.same(e.argv, ['exec', '-e', 'A=b', 'ctr']);
  t.same(e.passthrough, ['sh', '-c', 'x']);
  const dd = splitCommandArgs(['run', 'IMG', '--', 'ls', '-l'], 'run', manifestPath, read);
  t.same(dd.passthrough, ['--', 'ls', '-l'], 'after the image everything belongs to the container');
  t.same(splitCommandArgs(['images', '-a'], 'images', manifestPath, read).passthrough, undefined);
});

t.test('--flag=false for booleans', async (t) => {
  if (!haveManifest) { t.fail('oclif.manifest.json missing'); return; }
  const text = read(manifestPath);
  t.same(normalizeBooleans(['pull', '--tls-verify=false', 'x'], 'pull', text), ['pull', '--no-tls-verify', 'x']);
  t.same(normalizeBooleans(['pull', '--tls-verify=true', 'x'], 'pull', text), ['pull', '--tls-verify', 'x']);
  t.same(normalizeBooleans(['images', '--all=true'], 'images', text), ['images', '--all']);
  t.same(normalizeBooleans(['images', '--all=false'], 'images', text), ['images'], 'a boolean without --no- form is just dropped');
  t.same(normalizeBooleans(['pull', '--creds=false', 'x'], 'pull', text), ['pull', '--creds=false', 'x'], 'string flags keep their value');
});

t.test('a flag of one value given twice: the last wins (as cobra)', async (t) => {
  if (!haveManifest) { t.fail('oclif.manifest.json missing'); return; }
  const text = () => read(manifestPath);
  t.same(lastFlagWins(['images', '--format', '{{.ID}}', '--format={{.Repository}}'], 'images', text), ['images', '--format={{.Repository}}']);
  t.same(lastFlagWins(['create', '--log-driver=none', '--log-driver', 'k8s-file', 'img'], 'create', text), ['create', '--log-driver', 'k8s-file', 'img']);
  t.same(lastFlagWins(['create', '-e', 'A=1', '-e', 'B=2', 'img'], 'create', text), ['create', '-e', 'A=1', '-e', 'B=2', 'img'], 'multiple flags are all kept');
  t.same(lastFlagWins(['stop', '-t', '1', '--time', '2', '-t', '3', 'c'], 'stop', text), ['stop', '-t', '3', 'c'], 'the short and long spellings are one flag');
  let read0 = 0;
  t.same(lastFlagWins(['images', '-a'], 'images', () => { read0++; return text(); }), ['images', '-a']);
  t.equal(read0, 0, 'the manifest is not read when nothing repeats');
});
