// Every command runs without oclif (src/cli/lite.ts): the commands people run in loops take the
// fast path, give the same answers, and anything the light parser is unsure of (help, a flag
// it does not know, a bad value) is answered by oclif as before.
import t from 'tap';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'fast/bb')); });

/** Runs a command with debug logging; returns its result and the id the fast path reported, if any. */
async function fast(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string; id: string | undefined }> {
  const r = await env.tspod(args, { env: { ...env.env, TSPOD_LOG_LEVEL: 'debug' } });
  const id = /fast path: ([\w:-]+)["\n]/.exec(r.stderr + '\n')?.[1];
  return { ...r, id };
}

t.test('the everyday commands take the fast path and work', async (t) => {
  const steps: Array<[string[], string, (r: { stdout: string }) => void]> = [
    [['create', '--name', 'fp', '-p', '127.0.0.1::8080', IMAGE, 'sh', '-c', 'echo hello; sleep 300'], 'container:create', (r) => t.match(r.stdout, /^[0-9a-f]{64}$/)],
    [['start', 'fp'], 'container:start', (r) => t.equal(r.stdout, 'fp')],
    [['inspect', '--format', '{{.State.Status}}', 'fp'], 'inspect', (r) => t.equal(r.stdout, 'running')],
    [['container', 'inspect', '-f', '{{.Name}}', 'fp'], 'container:inspect', (r) => t.equal(r.stdout, 'fp')],
    [['port', 'fp'], 'container:port', (r) => t.match(r.stdout, /^8080\/tcp -> 127\.0\.0\.1:\d+$/)],
    [['exec', 'fp', 'echo', 'in'], 'container:exec', (r) => t.equal(r.stdout, 'in')],
    [['top', 'fp'], 'container:top', (r) => t.match(r.stdout, /sleep 300/)],
    [['container', 'exists', 'fp'], 'container:exists', (r) => t.equal(r.stdout, '')],
    [['stop', '-t', '0', 'fp'], 'container:stop', (r) => t.equal(r.stdout, 'fp')],
    [['logs', 'fp'], 'container:logs', (r) => t.equal(r.stdout, 'hello')],
    [['volume', 'create', 'fpv'], 'volume:create', (r) => t.equal(r.stdout, 'fpv')],
    [['volume', 'ls', '-q'], 'volume:ls', (r) => t.equal(r.stdout, 'fpv')],
    [['network', 'create', 'fpn'], 'network:create', (r) => t.equal(r.stdout, 'fpn')],
    [['network', 'ls', '--format', '{{.Name}}'], 'network:ls', (r) => t.match(r.stdout, /^fpn$/m)],
    [['network', 'rm', 'fpn'], 'network:rm', (r) => t.equal(r.stdout, 'fpn')],
    [['rm', 'fp'], 'container:rm', (r) => t.equal(r.stdout, 'fp')],
    [['volume', 'rm', 'fpv'], 'volume:rm', (r) => t.equal(r.stdout, 'fpv')],
  ];
  for (const [args, id, check] of steps) {
    const r = await fast(args);
    t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr.split('\n').filter((l) => !l.startsWith('DEBUG')).join(' ')}`);
    t.equal(r.id, id, `${args.join(' ')} took the fast path`);
    t.match(r.stderr, /start-up bundle: yes, code cache accepted/, `${args.join(' ')} ran from the start-up bundle, compiled from its code cache`);
    check(r);
  }
});

t.test('help, unknown flags and bad values are answered by oclif, as before', async (t) => {
  let r = await fast(['inspect', '--help']);
  t.equal(r.exitCode, 0);
  t.match(r.stdout, /USAGE/);
  t.equal(r.id, undefined, 'help does not take the fast path');

  r = await fast(['volume', 'ls', '--bogus']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /Nonexistent flag: --bogus/);

  r = await fast(['stop', '--time', 'soon', 'x']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /Expected an integer but received: soon/, 'a value that does not parse gets oclif\'s message');

  r = await fast(['logs']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /Missing 1 required arg/);

  // a missing container is the command's own error, on the fast path
  r = await fast(['inspect', 'nope']);
  t.equal(r.exitCode, 125);
  t.equal(r.id, 'inspect');
  t.match(r.stderr, /no such object/);
});

t.test('without the start-up bundle (TSPOD_NO_BUNDLE=1) tsc\'s modules give the same answers', async (t) => {
  const run = (noBundle: boolean) => env.tspod(['volume', 'ls', '--format', '{{.Name}}'], { env: { ...env.env, TSPOD_LOG_LEVEL: 'debug', ...(noBundle ? { TSPOD_NO_BUNDLE: '1' } : {}) } });
  await env.tspod(['volume', 'create', 'nb1']);
  const [a, b] = [await run(false), await run(true)];
  t.equal(a.exitCode, 0, a.stderr);
  t.equal(b.exitCode, 0, b.stderr);
  t.match(a.stderr, /start-up bundle: yes/);
  t.match(b.stderr, /start-up bundle: no, code cache none/);
  t.equal(a.stdout, 'nb1');
  t.equal(b.stdout, a.stdout, 'the same output either way');
  await env.tspod(['volume', 'rm', 'nb1']);
});
