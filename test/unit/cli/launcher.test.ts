// bin/tspod, the shell launcher: it decides without node (and without forking) whether a command
// joins the user namespace, from dist/userns-commands.sh (scripts/gen-userns-list.mjs). Its decision
// must be node's (src/cli/dispatch.ts), or a command would run outside the namespace it needs.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { predispatch, needsUserNamespace } from '../../../src/cli/dispatch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const list = path.join(root, 'dist', 'userns-commands.sh');
const launcher = path.join(root, 'bin', 'tspod');
// the build's expansion of USERNS_COMMANDS (every id and alias), as the node entry reads it
const spellings = new Set(fs.readFileSync(path.join(root, 'dist', 'userns-commands.txt'), 'utf8').split('\n').filter(Boolean));

t.test('the generated case file decides as dispatch.ts does', async (t) => {
  t.ok(fs.existsSync(list), `${list} exists (npm run build writes it)`);
  const words = new Set<string>(['images', 'ps', 'inspect', 'logs', 'volume', 'network', 'image', 'container', 'system', 'x', 'busybox', '-d', '--rm', '-q', '']);
  for (const id of spellings) for (const w of id.split(' ')) words.add(w);
  const pairs: Array<[string, string]> = [];
  for (const a of words) if (a && !a.startsWith('-')) for (const b of words) pairs.push([a, b]);
  // one shell for every pair: print the decision per line
  const script = `. ${JSON.stringify(list)}\nwhile IFS='|' read -r a b; do cmd=''; tspod_userns_command "$a" "$b"; printf '%s\\n' "$cmd"; done\n`;
  const r = spawnSync('sh', ['-c', script], { input: pairs.map(([a, b]) => `${a}|${b}`).join('\n') + '\n', encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const got = r.stdout.split('\n').slice(0, pairs.length);
  const wrong: string[] = [];
  pairs.forEach(([a, b], i) => {
    const argv = b ? [a, b] : [a];
    const d = predispatch(argv);
    const want = needsUserNamespace(d.commandId, d.argv, spellings) ? d.commandId! : '';
    if (got[i] !== want) wrong.push(`${argv.join(' ')}: launcher "${got[i]}", node "${want}"`);
  });
  t.same(wrong, [], `${pairs.length} command lines, launcher and node agree`);
  t.ok(pairs.some(([a, b]) => a === 'container' && b === 'rm'), 'the vocabulary has two-word commands');
});

t.test('the launcher hands the command line to node unchanged, through a symlink too', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-launcher-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // a stand-in node that prints its arguments, one per line
  fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  fs.symlinkSync(launcher, path.join(dir, 'tspod-link'));
  const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, XDG_RUNTIME_DIR: dir };
  const args = ['images', '--format', '{{.ID}} *', 'a b', ''];
  for (const bin of [launcher, path.join(dir, 'tspod-link')]) {
    const r = spawnSync(bin, args, { env, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.split('\n').slice(0, -1), [path.join(root, 'bin', 'tspod.cjs'), ...args], `${path.basename(bin)}: entry point and arguments verbatim`);
  }
  // a user-namespace command with no pause process: node, not nsenter
  const r = spawnSync(launcher, ['rm', '-f', 'x'], { env, encoding: 'utf8' });
  t.same(r.stdout.split('\n').slice(0, -1), [path.join(root, 'bin', 'tspod.cjs'), 'rm', '-f', 'x'], 'no pause process: straight to node');
});

t.test('the launcher moves NODE_EXTRA_CA_CERTS out of node\'s way', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-launcher-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // a stand-in node that prints the two variables as it sees them
  fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\necho "node=${NODE_EXTRA_CA_CERTS-unset} tspod=${TSPOD_EXTRA_CA_CERTS-unset}"\n', { mode: 0o755 });
  const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, XDG_RUNTIME_DIR: dir };
  const withCa = spawnSync(launcher, ['version'], { env: { ...env, NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem' }, encoding: 'utf8' });
  t.equal(withCa.stdout.trim(), 'node=unset tspod=/etc/corp-ca.pem', 'node starts without it; tspod\'s TLS clients read it');
  const without = spawnSync(launcher, ['version'], { env, encoding: 'utf8' });
  t.equal(without.stdout.trim(), 'node=unset tspod=unset');
});
