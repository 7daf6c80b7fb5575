// What scripts written for Podman expect of tspod's command line itself (Podman 4.3's system tests
// check the same): --log-level's values, refusal and log lines.
import t from 'tap';
import { makeEnv, requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
t.before(async () => { env = await makeEnv(t); });

t.test('--log-level: Podman\'s values and refusal; logrus lines off a terminal', async (t) => {
  let r = await env.tspod(['--log-level=telepathic', 'info']);
  t.equal(r.exitCode, 1, 'exit 1, as Podman');
  t.equal(r.stdout, '', 'nothing ran');
  t.equal(r.stderr.trim(), 'Log Level "telepathic" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic');

  const levels = (stderr: string) => [...new Set([...stderr.matchAll(/^time="[^"]+" level=(\w+) msg=/gm)].map((m) => m[1]))].sort();
  r = await env.tspod(['--log-level=trace', 'info']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(levels(r.stderr), ['debug', 'info', 'trace'], 'trace shows trace, debug and info lines');
  t.match(r.stdout, /host:/, 'and the command ran');
  t.match(r.stderr, /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" level=info msg="tspod filtering at log level trace"( elapsed=\d+ms)?$/m);
  r = await env.tspod(['--log-level', 'debug', 'info']);
  t.same(levels(r.stderr), ['debug', 'info']);
  r = await env.tspod(['--log-level=info', 'info']);
  t.same(levels(r.stderr), ['info']);
  for (const l of ['warn', 'warning', 'error']) {
    r = await env.tspod([`--log-level=${l}`, 'info']);
    t.equal(r.exitCode, 0, r.stderr);
    t.notMatch(r.stderr, / level=/, `--log-level=${l}: no log lines`);
  }
  r = await env.tspod(['info', '--log-level', 'warning', '--format', '{{.Host.Arch}}']);
  t.equal(r.exitCode, 0, r.stderr);
  t.ok(r.stdout.trim().length > 0, 'after the command too, with Podman\'s alias warning');

  // Docker's spellings of --log-level=debug, and both at once refused
  for (const f of ['--debug', '-D']) {
    r = await env.tspod([f, 'info']);
    t.equal(r.exitCode, 0, r.stderr);
    t.same(levels(r.stderr), ['debug', 'info'], `${f}: debug lines`);
  }
  r = await env.tspod(['--debug', '--log-level=panic', 'info']);
  t.equal(r.exitCode, 1);
  t.equal(r.stderr.trim(), 'Setting --log-level and --debug is not allowed');
  t.equal(r.stdout, '');
});
