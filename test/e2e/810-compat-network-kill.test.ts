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
