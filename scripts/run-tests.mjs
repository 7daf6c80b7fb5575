// npm test: every test, as the unprivileged user that runs it (CI runs it as the
// user scripts/setup.sh prepares).
//  1. unit tests, inside a user namespace mapping the user's subordinate ids
//     (util-linux unshare, like tspod's own): some unpack, pack and copy layers
//     and must chown to container uids and create whiteout devices;
//  2. *.host.test.ts unit tests and test/e2e, as the user on the host: they build
//     their own user namespaces, and the e2e tests run the real bin/tspod.
// Extra arguments are passed to tap.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const fail = (msg) => { console.error(`npm test: ${msg}`); process.exit(1); };
if (process.getuid() === 0) fail('run the tests as an unprivileged user with /etc/subuid and /etc/subgid ranges (scripts/setup.sh prepares one: sudo -iu tspodtest sh -c "cd ~/tspod && npm test")');

const testFiles = (dir) => readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))).filter((f) => f.endsWith('.test.ts')).sort();
const unit = testFiles('test/unit');
const inNamespace = unit.filter((f) => !f.endsWith('.host.test.ts'));
const onHost = [...unit.filter((f) => f.endsWith('.host.test.ts')), ...testFiles('test/e2e')];

function range(file) {
  const { username } = userInfo();
  const uid = String(process.getuid());
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === username || who === uid) && start && count) return `${start},1,${count}`;
  }
  return fail(`no range for ${username} in ${file}: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${username}`);
}

const extra = process.argv.slice(2);
const tap = path.join(root, 'node_modules', '.bin', 'tap');
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
console.log('== unit tests (in a user namespace with your subordinate ids)');
const a = run('unshare', ['--map-root-user', `--map-users=${range('/etc/subuid')}`, `--map-groups=${range('/etc/subgid')}`, '--', tap, ...extra, ...inNamespace]);
console.log('== user-namespace and end-to-end tests (as you, on the host)');
const b = run(tap, [...extra, ...onHost]);
process.exit(a || b);
