// What scripts written for Podman expect of kill, wait and the networking
// commands (the behaviour Podman's 130-kill and 500-networking system tests
// rely on), checked against bin/tspod as an unprivileged user.
import t from 'tap';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'compat/net')); });

t.test('kill -s: bad signals are refused before any container or pod is looked up, in Podman\'s words', async (t) => {
  for (const [sig, shown] of [['0', '0'], ['SIGBADSIG', 'SIGBADSIG'], ['-SIG', 'SIG'], ['-0', '0'], ['-', '']] as const) {
    let r = await env.tspod(['kill', '-s', sig, 'nosuchcontainer']);
    t.equal(r.exitCode, 125, `kill -s ${sig}`);
    t.equal(r.stderr, `Error: invalid signal: ${shown}`, `kill -s ${sig}: the dash is not shown, the message is kept whole`);
    r = await env.tspod(['pod', 'kill', '-s', sig, 'nosuchpod']);
    t.equal(r.exitCode, 125, `pod kill -s ${sig}`);
    t.equal(r.stderr, `Error: invalid signal: ${shown}`, 'pod kill checks the signal before the pod');
  }
  for (const sig of ['65', '-65', '999', '99999999']) {
    const r = await env.tspod(['kill', '-s', sig, 'nosuchcontainer']);
    t.equal(r.exitCode, 125);
    t.equal(r.stderr, 'Error: valid signals are 1 through 64', `kill -s ${sig}: out of range`);
  }
  const r = await env.tspod(['create', '--stop-signal=99', IMAGE]);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: valid signals are 1 through 64', 'create --stop-signal is parsed the same way');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'nothing was created');
});

t.test('wait on a container that never ran returns at once; a failed start is 125', async (t) => {
  let r = await env.tspod(['create', '--name', 'never-ran', IMAGE, '/no/such/command']);
  t.equal(r.exitCode, 0, r.stderr);
  const t0 = Date.now();
  r = await env.tspod(['wait', 'never-ran']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '0', 'a container that never ran: exit code 0');
  t.ok(Date.now() - t0 < 20_000, 'wait did not block');
  r = await env.tspod(['start', 'never-ran']);
  t.equal(r.exitCode, 125, 'start of a command that does not exist: 125 (run\'s 127 is for run)');
  t.match(r.stderr, /no such file or directory/);
  r = await env.tspod(['wait', 'never-ran']);
  t.equal(r.exitCode, 0, 'wait after the failed start returns too');
  r = await env.tspod(['run', '--rm', IMAGE, '/no/such/command']);
  t.equal(r.exitCode, 127, 'run keeps 127');
  // --condition exited still waits for a created container to run and exit
  r = await env.tspod(['create', '--name', 'later', IMAGE, 'sh', '-c', 'exit 4']);
  t.equal(r.exitCode, 0, r.stderr);
  const waiting = env.tspod(['wait', '--condition', 'exited', 'later']);
  await new Promise((res) => setTimeout(res, 1000));
  t.equal((await env.tspod(['start', 'later'])).exitCode, 0);
  r = await waiting;
  t.equal(r.stdout, '4', '--condition exited waited through created');
  t.equal((await env.tspod(['rm', 'never-ran', 'later'])).exitCode, 0);
});

t.test('Podman\'s default network "podman": listed, sorted by name, usable, never removed; rm -f of a missing network is quiet', async (t) => {
  let r = await env.tspod(['network', 'ls']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^NETWORK ID\s+NAME\s+DRIVER\n2f259bab93aa\s+podman\s+bridge$/m, 'there before any network is created');
  for (const n of ['zz-net', 'aa-net']) t.equal((await env.tspod(['network', 'create', n])).exitCode, 0);
  r = await env.tspod(['network', 'ls', '--quiet']);
  t.same(r.stdout.split('\n'), ['aa-net', 'podman', 'zz-net'], 'sorted by name');
  r = await env.tspod(['network', 'inspect', '--format', '{{.name}} {{.network_interface}} {{(index .subnets 0).subnet}} {{.dns_enabled}}', 'podman']);
  t.equal(r.stdout, 'podman podman0 10.88.0.0/16 false');
  r = await env.tspod(['run', '--rm', '--network', 'podman', IMAGE, 'ip', '-4', 'addr', 'show', 'eth0']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /inet 10\.88\.\d+\.\d+\/16 /, 'a container on it gets an address of 10.88.0.0/16');
  r = await env.tspod(['network', 'create', 'podman']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: network name podman already used: network already exists');
  for (const args of [['network', 'rm', 'podman'], ['network', 'rm', '-t', '0', '-f', 'podman']]) {
    r = await env.tspod(args);
    t.equal(r.exitCode, 125, args.join(' '));
    t.equal(r.stderr, 'Error: default network podman cannot be removed');
  }
  r = await env.tspod(['network', 'prune', '-f']);
  t.same(r.stdout.split('\n'), ['aa-net', 'zz-net'], 'prune leaves it');
  t.equal((await env.tspod(['network', 'exists', 'podman'])).exitCode, 0);
  r = await env.tspod(['network', 'rm', 'bogus']);
  t.equal(r.exitCode, 1);
  t.equal(r.stderr, 'Error: unable to find network with name or ID bogus: network not found');
  r = await env.tspod(['network', 'rm', '--force', 'bogus']);
  t.equal(r.exitCode, 0, '--force: a missing network is not an error');
  t.equal(r.stdout + r.stderr, '', 'and nothing is printed');
});

t.test('-w above a mount point: the runtime makes it, as Podman', async (t) => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-wd-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  const r = await env.tspod(['run', '--rm', '-w', '/var/www', '-v', `${path.join(dir, 'hello.txt')}:/var/www/index.txt:Z`, IMAGE, 'sh', '-c', 'pwd; cat index.txt']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '/var/www\nhello');
});
