// End-to-end: ps (filters, formats), inspect (Podman's JSON shape, templates)
// and logs (-f, --tail, --since, -t) as an unprivileged user.
import t from 'tap';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BB = '';
let OTHER = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  reg = await startRegistry();
  const base = await buildBusyboxLayer();
  await pushImage(reg.url, 'e2e/bb', 'latest', buildImage({ layers: [base], config: { Cmd: ['/bin/sh'], Entrypoint: [], Env: ['PATH=/bin', 'IMG=1'] } }));
  await pushImage(reg.url, 'e2e/other', 'v1', buildImage({ layers: [base], config: { Cmd: ['sleep', '1000'] }, created: '2024-02-02T00:00:00Z' }));
  BB = `${reg.host}/e2e/bb:latest`;
  OTHER = `${reg.host}/e2e/other:v1`;
  env = await makeEnv(t, { insecure: [reg.host] });
});
t.teardown(async () => { await reg?.stop(); });

t.test('ps: -a -q -l -n, filters, --format json, --no-trunc, --size', async (t) => {
  const run = async (args: string[]) => { const r = await env.tspod(args); t.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`); return r.stdout; };
  const idA = await run(['run', '-d', '--name', 'alpha', '-l', 'tier=web', '-l', 'x=1', '-p', '127.0.0.1::80', BB, 'sleep', '1000']);
  const idB = await run(['run', '-d', '--name', 'beta', '-l', 'tier=db', BB, 'sh', '-c', 'exit 3']);
  t.equal(await run(['wait', 'beta']), '3');
  const idC = await run(['create', '--name', 'gamma', OTHER]);
  await sleep(20);
  let out = await run(['ps']);
  const lines = out.split('\n');
  t.match(lines[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
  t.equal(lines.length, 2, 'ps shows running containers only');
  t.match(lines[1], new RegExp(`^${idA.slice(0, 12)}\\s+${BB.replace(/[.]/g, '\\.')}\\s+sleep 1000\\s+.*Up .*127\\.0\\.0\\.1:\\d+->80/tcp\\s+alpha$`));
  out = await run(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
  t.match(out, /^gamma Created\nbeta Exited \(3\) .* ago\nalpha Up /, 'newest first, with statuses');
  t.equal(await run(['ps', '-a', '-q']), [idC, idB, idA].map((i) => i.slice(0, 12)).join('\n'));
  t.equal(await run(['ps', '-a', '-q', '--no-trunc']), [idC, idB, idA].join('\n'));
  t.equal(await run(['ps', '-l', '-q']), idC.slice(0, 12), '-l: the latest, whatever its state');
  t.equal(await run(['ps', '-n', '2', '--format', '{{.Names}}']), 'gamma\nbeta');
  t.equal(await run(['ps', '-a', '--filter', 'name=alp', '--format', '{{.Names}}']), 'alpha');
  t.equal(await run(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}']), 'beta');
  t.equal(await run(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}']), 'gamma');
  t.equal(await run(['ps', '-a', '--filter', 'label=tier=db', '--format', '{{.Names}}']), 'beta');
  t.equal(await run(['ps', '-a', '--filter', 'label=x', '--format', '{{.Names}}']), 'alpha');
  t.equal(await run(['ps', '-a', '--filter', `ancestor=${OTHER}`, '--format', '{{.Names}}']), 'gamma');
  t.equal(await run(['ps', '-a', '--filter', `id=${idB.slice(0, 8)}`, '--format', '{{.Names}}']), 'beta');
  t.equal(await run(['ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}}']), 'beta');
  t.equal(await run(['ps', '-a', '--filter', 'label=tier', '--filter', 'status=running', '--format', '{{.Names}}']), 'alpha', 'filters combine');
  const bad = await env.tspod(['ps', '--filter', 'bogus=1']);
  t.equal(bad.exitCode, 125);
  const js = JSON.parse(await run(['ps', '-a', '--format', 'json'])) as Array<Record<string, unknown>>;
  t.equal(js.length, 3);
  const a = js.find((x) => (x['Names'] as string[] | string).includes('alpha'))!;
  t.equal(a['Id'], idA);
  t.equal(a['State'], 'running');
  t.same(a['Labels'], { tier: 'web', x: '1' });
  t.equal(typeof a['Created'], 'number');
  const b = js.find((x) => x['Id'] === idB)!;
  t.equal(b['ExitCode'], 3);
  t.equal(b['Exited'], true);
  out = await run(['ps', '--size', '--format', '{{.Names}} {{.Size}}']);
  t.match(out, /^alpha \d+(\.\d+)?\s?[kMG]?B/, '--size shows the writable layer size');
  await run(['rm', '-f', 'alpha', 'beta', 'gamma']);
});

t.test('inspect: Podman-shaped JSON and templates', async (t) => {
  let r = await env.tspod(['run', '-d', '--name', 'insp', '-e', 'FOO=bar', '-p', '18123:80', '-v', 'insp-vol:/data', '--label', 'k=v', '--restart', 'on-failure:3',
    '--entrypoint', '/bin/sh', BB, '-c', 'sleep 1000']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['inspect', 'insp']);
  t.equal(r.exitCode, 0, r.stderr);
  const [x] = JSON.parse(r.stdout) as Array<Record<string, any>>;
  t.match(x!['Id'], /^[0-9a-f]{64}$/);
  t.equal(x!['Name'], 'insp');
  t.equal(x!['State'].Status, 'running');
  t.equal(x!['State'].Running, true);
  t.ok(x!['State'].Pid > 0, 'State.Pid');
  t.equal(x!['State'].ExitCode, 0);
  t.equal(x!['Path'], '/bin/sh');
  t.same(x!['Args'], ['-c', 'sleep 1000']);
  t.same(x!['Config'].Entrypoint, ['/bin/sh']);
  t.same(x!['Config'].Cmd, ['-c', 'sleep 1000']);
  t.ok((x!['Config'].Env as string[]).includes('FOO=bar'));
  t.ok((x!['Config'].Env as string[]).includes('IMG=1'));
  t.same(x!['Config'].Labels, { k: 'v' });
  t.same(x!['HostConfig'].PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '18123' }] });
  t.same(x!['HostConfig'].RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  t.same(x!['NetworkSettings'].Ports, { '80/tcp': [{ HostIp: '', HostPort: '18123' }] });
  const m = (x!['Mounts'] as Array<Record<string, unknown>>)[0]!;
  t.equal(m['Type'], 'volume');
  t.equal(m['Name'], 'insp-vol');
  t.equal(m['Destination'], '/data');
  t.equal(m['RW'], true);
  r = await env.tspod(['inspect', '--format', '{{.State.Status}} {{.Config.Entrypoint}} {{index .Config.Labels "k"}} {{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{(index $b 0).HostPort}}{{end}}', 'insp']);
  t.equal(r.stdout, 'running [/bin/sh] v 80/tcp=18123');
  r = await env.tspod(['container', 'inspect', '--format', '{{json .Config.Cmd}}', 'insp']);
  t.equal(r.stdout, '["-c","sleep 1000"]');
  r = await env.tspod(['stop', '-t', '0', 'insp']);
  r = await env.tspod(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}', 'insp']);
  t.equal(r.stdout, 'exited 137 0');
  r = await env.tspod(['inspect', 'nosuch']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /no such object|no container/i);
  await env.tspod(['rm', '-f', 'insp']);
});

t.test('logs: --tail, -t, --since, -f until exit, stderr', async (t) => {
  // 'late' comes only once the test says so (exec touches /tmp/go): no race with a loaded machine
  let r = await env.tspod(['run', '-d', '--name', 'lg', BB, 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo late']);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 100; i++) { r = await env.tspod(['logs', 'lg']); if (r.stderr === 'oops' && r.stdout.endsWith('line5')) break; await sleep(200); }
  r = await env.tspod(['logs', 'lg']);
  t.equal(r.stdout, 'line1\nline2\nline3\nline4\nline5');
  t.equal(r.stderr, 'oops', 'stderr stays stderr');
  r = await env.tspod(['logs', '--tail', '2', 'lg']);
  t.equal(`${r.stdout}|${r.stderr}`, 'line5|oops');
  r = await env.tspod(['logs', '--tail', '0', 'lg']);
  t.equal(r.stdout, '');
  r = await env.tspod(['logs', '-t', '--tail', '1', 'lg']);
  t.match(r.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) oops$/, '-t prefixes RFC 3339 timestamps');
  const f = execa(...tspodCommand(['logs', '-f', 'lg']), { env: env.env, extendEnv: false, reject: false, timeout: 60_000 });
  await sleep(1000);
  r = await env.tspod(['exec', 'lg', 'touch', '/tmp/go']);
  t.equal(r.exitCode, 0, r.stderr);
  const fr = await f;
  t.equal(fr.exitCode, 0);
  t.equal(String(fr.stdout), 'line1\nline2\nline3\nline4\nline5\nlate', 'logs -f follows until the container exits');
  r = await env.tspod(['run', '-d', '--name', 'lg2', BB, 'sh', '-c', 'echo early; sleep 2; echo after']);
  await env.tspod(['wait', 'lg2']);
  r = await env.tspod(['logs', '-t', 'lg2']);
  const early = Date.parse(r.stdout.split('\n')[0]!.split(' ')[0]!);
  t.ok(Number.isFinite(early), `a timestamp: ${r.stdout}`);
  const mid = new Date(early + 1000).toISOString();
  r = await env.tspod(['logs', '--since', mid, 'lg2']);
  t.equal(r.stdout, 'after', '--since an RFC 3339 time');
  r = await env.tspod(['logs', '--since', '1h', 'lg2']);
  t.equal(r.stdout, 'early\nafter', '--since a duration');
  r = await env.tspod(['logs', '--until', mid, 'lg2']);
  t.equal(r.stdout, 'early', '--until');
  // --log-driver none: nothing is logged, but a foreground run still prints the output (through attach, as Podman)
  r = await env.tspod(['run', '--name', 'nolog', '--log-driver', 'none', BB, 'sh', '-c', 'echo out; echo err >&2']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same([r.stdout, r.stderr], ['out', 'err']);
  r = await env.tspod(['logs', 'nolog']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, "Error: this container is using the 'none' log driver, cannot read logs: this container is not logging output");
  await env.tspod(['rm', '-a', '-f']);
});
