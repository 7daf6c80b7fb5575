// End-to-end: `tspod build` as an unprivileged user. The base image is a
// busybox image made by the test and pushed to a loopback registry; every
// build runs its RUN steps in real rootless containers (runc, fuse-overlayfs,
// slirp4netns), and the built images are run with tspod.
import t from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { makeEnv, requireUnprivileged, processesMatching, tspodCommand, type TspodEnv } from '../fixtures/tspod.js';
import { startRegistry, type RegistryFixture } from '../fixtures/registry.js';
import { buildBusyboxLayer, buildImage, pushImage } from '../fixtures/image-builder.js';

if (!requireUnprivileged(t)) process.exit(1);

let reg: RegistryFixture;
let env: TspodEnv;
let BASE = '';

t.before(async () => {
  reg = await startRegistry();
  const img = buildImage({ layers: [await buildBusyboxLayer()], config: { Cmd: ['/bin/sh'] } });
  await pushImage(reg.url, 'e2e/busybox', 'latest', img);
  BASE = `${reg.host}/e2e/busybox:latest`;
  env = await makeEnv(t, { insecure: [reg.host] });
  const r = await env.tspod(['pull', '-q', BASE]);
  if (r.exitCode !== 0) throw new Error(`pulling the base image failed: ${r.stderr}`);
});
t.teardown(async () => { await reg?.stop(); });

let ctxN = 0;
/** A fresh build context with these files (a trailing "/" makes a directory). */
function context(files: Record<string, string>): string {
  const d = path.join(env.dir, `ctx${ctxN++}`);
  fs.mkdirSync(d, { recursive: true });
  for (const [p, c] of Object.entries(files)) {
    const full = path.join(d, p);
    if (p.endsWith('/')) { fs.mkdirSync(full, { recursive: true }); continue; }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, c);
  }
  return d;
}

const build = (args: string[], opts: Parameters<TspodEnv['tspod']>[1] = {}) => env.tspod(['build', ...args], opts);
const cacheHits = (out: string) => (out.match(/^--> Using cache [0-9a-f]{64}$/gm) ?? []).length;
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
const inspect = async (ref: string, fmt: string) => (await env.tspod(['image', 'inspect', '--format', fmt, ref])).stdout.trim();
const layerDirs = () => { try { return fs.readdirSync(path.join(env.dataDir, 'tspod', 'storage', 'layers')).sort(); } catch { return []; } };

t.test('every instruction; the image runs with its config', async (t) => {
  // a URL for ADD
  const srv = http.createServer((req, res) => { res.setHeader('last-modified', 'Mon, 01 Jan 2024 00:00:00 GMT'); res.end(`served ${req.url}\n`); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const dir = context({
    'app.sh': '#!/bin/sh\necho "app $GREETING from $(pwd) as $(id -u):$(id -g)"\n',
    'conf/a.conf': 'a\n',
    'conf/sub/b.conf': 'b\n',
    'data.txt': 'data\n',
  });
  await execa('tar', ['-czf', path.join(dir, 'bundle.tar.gz'), '-C', path.join(dir, 'conf'), '.']);
  fs.writeFileSync(path.join(dir, 'Containerfile'), [
    'ARG BASE_IMAGE=unset',
    'FROM ${BASE_IMAGE}',
    'LABEL org.example.name="demo app" org.example.version=1',
    'MAINTAINER someone@example.com',
    'ARG WHO=world',
    'ENV GREETING="hello ${WHO}" \\',
    '    APP_HOME=/srv/app',
    'RUN echo "shell form: $GREETING" && echo ${WHO} > /who',
    'RUN ["/bin/sh", "-c", "echo exec form > /exec"]',
    'SHELL ["/bin/sh", "-e", "-c"]',
    'RUN echo "with the new shell"',
    'WORKDIR $APP_HOME',
    'WORKDIR bin',
    'COPY --chown=tester --chmod=755 app.sh ./',
    'COPY conf /etc/app/',
    'ADD bundle.tar.gz /opt/bundle/',
    `ADD http://127.0.0.1:${port}/remote.txt /opt/`,
    'COPY <<EOF /etc/motd',
    'motd for ${WHO}',
    'EOF',
    'RUN <<EOF',
    'set -e',
    'echo heredoc line 1 > /heredoc',
    'echo heredoc line 2 >> /heredoc',
    'EOF',
    'USER tester',
    'RUN id -u > /tmp/uid-at-build && touch /home/tester/by-tester',
    'EXPOSE 8080 9000-9001/udp',
    'VOLUME /data /logs',
    'STOPSIGNAL SIGINT',
    'HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD ["true"]',
    'ONBUILD RUN echo triggered',
    'ENTRYPOINT ["/srv/app/bin/app.sh"]',
    'CMD ["ignored-arg"]',
  ].join('\n') + '\n');
  const r = await build(['-t', 'demo', '--build-arg', `BASE_IMAGE=${BASE}`, '--build-arg', 'WHO=tspod', '--build-arg', 'UNUSED=1', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^STEP 1\/26: FROM \$\{BASE_IMAGE\}$/m, 'Podman-style STEP headers');
  t.match(r.stdout, /^STEP 26\/26: CMD \["ignored-arg"\]$/m);
  t.match(r.stdout, /^shell form: hello tspod$/m, 'RUN output is streamed; ENV and ARG values reach RUN');
  t.match(r.stdout, /^with the new shell$/m);
  t.match(r.stdout, /^COMMIT demo$/m);
  t.match(r.stdout, /^Successfully tagged localhost\/demo:latest$/m);
  const id = lastLine(r.stdout);
  t.match(id, /^[0-9a-f]{64}$/, 'the last line is the full image ID');
  t.match(r.stderr, /one or more build args were not consumed: \[UNUSED\]/);

  const cfg = JSON.parse(await inspect('demo', '{{json .Config}}')) as Record<string, unknown>;
  t.same(cfg['Entrypoint'], ['/srv/app/bin/app.sh']);
  t.same(cfg['Cmd'], ['ignored-arg'], 'CMD after ENTRYPOINT is kept');
  t.match(cfg['Env'], ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hello tspod', 'APP_HOME=/srv/app']);
  t.equal(cfg['WorkingDir'], '/srv/app/bin', 'relative WORKDIR resolves against the previous one');
  t.equal(cfg['User'], 'tester');
  t.same(cfg['ExposedPorts'], { '8080/tcp': {}, '9000/udp': {}, '9001/udp': {} });
  t.same(cfg['Volumes'], { '/data': {}, '/logs': {} });
  t.same(cfg['Labels'], { 'org.example.name': 'demo app', 'org.example.version': '1' });
  t.equal(cfg['StopSignal'], 'SIGINT');
  t.same(cfg['Healthcheck'], { Test: ['CMD', 'true'], Interval: 30e9, Timeout: 5e9, Retries: 2 });
  t.same(cfg['OnBuild'], ['RUN echo triggered']);
  t.same(cfg['Shell'], ['/bin/sh', '-e', '-c']);
  t.equal(await inspect('demo', '{{.Author}}'), 'someone@example.com');
  t.notOk(JSON.stringify(cfg['Env']).includes('WHO='), 'ARG values are not stored in the image');
  const hist = await env.tspod(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'demo']);
  t.match(hist.stdout, /#\(nop\) EXPOSE 8080 9000-9001\/udp/, 'history records each step');

  let run = await env.tspod(['run', '--rm', 'demo']);
  t.equal(run.exitCode, 0, run.stderr);
  t.equal(run.stdout.trim(), 'app hello tspod from /srv/app/bin as 1000:1000', 'Entrypoint, Env, WorkingDir and User are applied by tspod run');
  run = await env.tspod(['run', '--rm', '--user', '0', '--entrypoint', '/bin/sh', 'demo', '-c',
    'cat /who /exec /etc/motd /heredoc /opt/remote.txt /opt/bundle/a.conf /opt/bundle/sub/b.conf /etc/app/sub/b.conf /tmp/uid-at-build; stat -c "%u:%g %a" /srv/app/bin/app.sh /home/tester/by-tester; ls /etc/app'],
  );
  t.equal(run.exitCode, 0, run.stderr);
  t.equal(run.stdout, [
    'tspod', 'exec form', 'motd for tspod', 'heredoc line 1', 'heredoc line 2', 'served /remote.txt', 'a', 'b', 'b', '1000',
    '1000:1000 755', '1000:1000 644', 'a.conf', 'sub',
  ].join('\n'), 'COPY/ADD results, --chown, --chmod, ADD extracts archives and downloads URLs, USER applies to RUN');

  // ONBUILD triggers run in a child build
  const child = context({ Containerfile: 'FROM demo\nRUN test -e /tmp/uid-at-build\n' });
  const rc = await build(['-t', 'child', child]);
  t.equal(rc.exitCode, 0, rc.stderr);
  t.match(rc.stdout, /^triggered$/m, 'the base image\'s ONBUILD trigger ran');
  t.same(JSON.parse(await inspect('child', '{{json .Config.OnBuild}}')), null, 'triggers are not inherited further');
});

t.test('layer cache: hits, misses, content not mtimes, reorder, --no-cache', async (t) => {
  const dir = context({ 'a.txt': 'A1\n', 'b.txt': 'B1\n' });
  const cf = (lines: string[]) => fs.writeFileSync(path.join(dir, 'Containerfile'), [`FROM ${BASE}`, ...lines].join('\n') + '\n');
  const steps = ['COPY a.txt /a', 'RUN cat /a > /a2', 'COPY b.txt /b', 'RUN cat /b > /b2'];
  cf(steps);
  let r = await build(['-t', 'cached', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(cacheHits(r.stdout), 0, 'first build: nothing cached');
  const id1 = lastLine(r.stdout);

  r = await build(['-t', 'cached', dir]);
  t.equal(cacheHits(r.stdout), 4, 'rebuild: every step from the cache');
  t.equal(lastLine(r.stdout), id1, 'a fully cached build gives the same image ID');

  fs.utimesSync(path.join(dir, 'a.txt'), new Date(2000, 1, 1), new Date(2000, 1, 1));
  r = await build(['-q', '-t', 'cached', dir]);
  t.equal(r.stdout.trim(), id1, 'touching a copied file (mtime only) keeps the cache; -q prints only the ID');

  fs.writeFileSync(path.join(dir, 'b.txt'), 'B2\n');
  r = await build(['-t', 'cached', dir]);
  t.equal(cacheHits(r.stdout), 2, 'editing the second copied file rebuilds from its COPY on');
  t.match(r.stdout, /STEP 3\/5: RUN cat \/a > \/a2\n--> Using cache/);
  t.match(r.stdout, /STEP 4\/5: COPY b.txt \/b\n--> [0-9a-f]{11}\n/, 'the COPY of the edited file ran');
  let out = await env.tspod(['run', '--rm', 'cached', 'cat', '/b2']);
  t.equal(out.stdout.trim(), 'B2');

  cf([...steps.slice(0, 3), 'RUN cat /b > /b2 && echo edited']);
  r = await build(['-t', 'cached', dir]);
  t.equal(cacheHits(r.stdout), 3, 'editing the last instruction rebuilds only it');
  t.match(r.stdout, /^edited$/m);

  cf([steps[2]!, steps[3]!, steps[0]!, steps[1]!]);
  r = await build(['-t', 'cached', dir]);
  t.equal(cacheHits(r.stdout), 0, 'reordered steps: nothing before them changed, everything after FROM is new');

  r = await build(['--no-cache', '-t', 'cached', dir]);
  t.equal(cacheHits(r.stdout), 0, '--no-cache runs every step');
  out = await env.tspod(['run', '--rm', 'cached', 'cat', '/a2', '/b2']);
  t.equal(out.stdout, 'A1\nB2');

  // build args are part of a RUN step's key
  cf(['ARG V=1', 'RUN echo "v=$V" > /v']);
  r = await build(['-t', 'args', dir]);
  t.equal(cacheHits(r.stdout), 0);
  r = await build(['-t', 'args', dir]);
  t.equal(cacheHits(r.stdout), 1, 'ARG step and RUN: the RUN is cached');
  r = await build(['-t', 'args', '--build-arg', 'V=2', dir]);
  t.equal(cacheHits(r.stdout), 0, 'a different build arg value misses');
  out = await env.tspod(['run', '--rm', 'args', 'cat', '/v']);
  t.equal(out.stdout.trim(), 'v=2');
});

t.test('multi-stage: COPY --from, small final image, --target, unneeded stages skipped', async (t) => {
  const dir = context({
    Containerfile: [
      `FROM ${BASE} AS builder`,
      'RUN mkdir /out && echo artifact > /out/artifact && dd if=/dev/zero of=/out/big bs=1024 count=2048 2>/dev/null',
      `FROM ${BASE} AS broken`,
      'RUN echo this stage must not be built && exit 3',
      'FROM scratch',
      'COPY --from=builder /out/artifact /artifact',
      'COPY --from=0 /bin/busybox /bin/busybox',
      `COPY --from=${BASE} /etc/passwd /etc/passwd`,
      'ENTRYPOINT ["/bin/busybox"]',
      'CMD ["cat", "/artifact"]',
    ].join('\n') + '\n',
  });
  let r = await build(['-t', 'small', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  t.notMatch(r.stdout, /must not be built/, 'a stage the target does not need is skipped');
  t.match(r.stdout, /^\[1\/2\] STEP 1\/2: FROM .* AS builder$/m);
  t.match(r.stdout, /^\[2\/2\] STEP 6\/6: CMD/m);
  const run = await env.tspod(['run', '--rm', 'small']);
  t.equal(run.stdout, 'artifact');
  t.equal(await inspect('small', '{{len .RootFS.Layers}}'), '3', 'only the final stage\'s layers');
  const size = Number(await inspect('small', '{{.Size}}'));

  r = await build(['--target', 'builder', '-t', 'builder-only', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  t.notMatch(r.stdout, /STEP \d+\/\d+: COPY/, '--target stops at that stage');
  t.equal((await env.tspod(['run', '--rm', 'builder-only', 'cat', '/out/artifact'])).stdout, 'artifact');
  const builderSize = Number(await inspect('builder-only', '{{.Size}}'));
  t.ok(size < builderSize - 2_000_000, `the final image (${size} bytes) does not carry the builder's 2 MiB file (${builderSize} bytes)`);
  r = await build(['--target', 'nope', dir]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /target "nope" was not found/);
});

t.test('.dockerignore excludes files; deleted files stay deleted', async (t) => {
  const dir = context({
    '.dockerignore': '*.secret\n!keep.secret\ncache/\n',
    'a.txt': 'a', 'x.secret': 's', 'keep.secret': 'k', 'cache/big': 'c', 'sub/y.secret': 'nested not matched by *.secret',
    Containerfile: [
      `FROM ${BASE}`,
      'COPY . /ctx/',
      'RUN rm /etc/group && rm -rf /var/www && mkdir /var/www && echo new > /var/www/index',
      'RUN test ! -e /etc/group && ls /var/www',
    ].join('\n') + '\n',
  });
  const r = await build(['-t', 'ignored', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  const run = await env.tspod(['run', '--rm', 'ignored', 'sh', '-c', 'cd /ctx && find . -type f | sort; ls /etc/group 2>&1; ls /var/www']);
  t.equal(run.stdout, [
    './.dockerignore', './Containerfile', './a.txt', './keep.secret', './sub/y.secret',
    'ls: /etc/group: No such file or directory', 'index',
  ].join('\n'), 'ignored files are not in the image; a deleted base file stays deleted; an emptied directory is opaque');
});

t.test('RUN --mount: cache reused across builds, secrets, bind; --network', async (t) => {
  const secret = path.join(env.dir, 'token.txt');
  fs.writeFileSync(secret, 's3cr3t\n');
  const dir = context({
    'bound.txt': 'bound\n',
    Containerfile: [
      `FROM ${BASE}`,
      'RUN --mount=type=cache,target=/var/cache/app echo run >> /var/cache/app/log && echo "runs: $(wc -l < /var/cache/app/log)"',
      'RUN --mount=type=secret,id=token cat /run/secrets/token',
      'RUN --mount=type=bind,source=bound.txt,target=/mnt/b cat /mnt/b',
      'RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch',
    ].join('\n') + '\n',
  });
  let r = await build(['--no-cache', '--secret', `id=token,src=${secret}`, '-t', 'mounts', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^runs: 1$/m);
  t.match(r.stdout, /^s3cr3t$/m, 'the secret is readable during RUN');
  t.match(r.stdout, /^bound$/m);
  r = await build(['--no-cache', '--secret', `id=token,src=${secret}`, '-t', 'mounts', dir]);
  t.match(r.stdout, /^runs: 2$/m, 'the cache mount keeps its content across builds');
  const run = await env.tspod(['run', '--rm', 'mounts', 'sh', '-c', 'ls -A /var/cache/app /run/secrets /mnt /scratch 2>&1; true']);
  t.notMatch(run.stdout, /log|token|\bb\b|\bx\b/, 'cache, secret, bind and tmpfs contents are not in the image');
  r = await build(['--no-cache', '-t', 'mounts', dir]);
  t.not(r.exitCode, 0, 'a missing secret fails the RUN that needs it');

  // outbound network: a server on a host address, reached through slirp4netns (default) and the host network
  const addr = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  const srv = http.createServer((_q, res) => res.end('from the host\n'));
  await new Promise<void>((res) => srv.listen(0, '0.0.0.0', res));
  t.teardown(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  if (!addr) t.fail('no non-loopback IPv4 address on this machine: cannot test RUN networking through slirp4netns');
  else {
    const net = context({ Containerfile: `FROM ${BASE}\nRUN wget -q -O - http://${addr}:${port}/\n` });
    r = await build(['--no-cache', net]);
    t.equal(r.exitCode, 0, r.stderr);
    t.match(r.stdout, /^from the host$/m, 'RUN has outbound network access by default (slirp4netns)');
    r = await build(['--no-cache', '--network', 'none', net]);
    t.not(r.exitCode, 0, '--network none: no access');
  }
  const hostNet = context({ Containerfile: `FROM ${BASE}\nRUN wget -q -O - http://127.0.0.1:${port}/\n` });
  r = await build(['--no-cache', '--network', 'host', hostNet]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^from the host$/m, '--network host');
});

t.test('bad Containerfiles: errors name the line', async (t) => {
  const cases: Array<[string, RegExp]> = [
    [`FROM ${BASE}\nRUN true\nFROB x\n`, /^Error: Containerfile:3: unknown instruction: FROB$/m],
    [`FROM ${BASE}\n\nCOPY onlyone\n`, /^Error: Containerfile:3: COPY requires at least two arguments/m],
    [`RUN true\nFROM ${BASE}\n`, /^Error: Containerfile:1: RUN instruction before the first FROM/m],
    [`FROM ${BASE}\nRUN <<EOF\necho never closed\n`, /^Error: Containerfile:2: unterminated heredoc/m],
    [`FROM ${BASE}\nRUN --bogus=1 true\n`, /^Error: Containerfile:2: unknown flag: --bogus/m],
    [`FROM ${BASE}\nENV A="x\n`, /^Error: Containerfile:2: unmatched double quote/m],
    [`FROM ${BASE}\nCOPY ../outside /x\n`, /^Error: building at STEP "COPY \.\.\/outside \/x": forbidden path outside the build context/m],
    [`FROM ${BASE}\nCOPY missing.txt /x\n`, /^Error: building at STEP "COPY missing.txt \/x": no such file or directory/m],
    [`FROM --platform=linux/arm64 ${BASE}\n`, /not supported: tspod builds for the native platform/],
  ];
  for (const [text, re] of cases) {
    const dir = context({ Containerfile: text });
    const r = await build([dir]);
    t.equal(r.exitCode, 125, text);
    t.match(r.stderr, re, text);
  }
  const r = await build(['--platform', 'linux/arm64', context({ Containerfile: `FROM ${BASE}\n` })]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /platform "linux\/arm64" is not supported/);
});

t.test('a failing RUN: its output and exit code, no image, no layer, nothing left behind', async (t) => {
  const before = layerDirs();
  const dir = context({ Containerfile: `FROM ${BASE}\nRUN echo to stdout; echo to stderr >&2; touch /new-file; exit 7\nRUN echo never\n` });
  const r = await build(['-t', 'failed', dir]);
  t.equal(r.exitCode, 7, 'the exit code is the RUN\'s (as Podman)');
  t.match(r.stdout, /^to stdout$/m);
  t.match(r.stderr, /^to stderr$/m);
  t.match(r.stderr, /^Error: building at STEP "RUN echo to stdout; echo to stderr >&2; touch \/new-file; exit 7": while running runtime: exit status 7$/m);
  t.notMatch(r.stdout, /never/);
  t.equal((await env.tspod(['image', 'exists', 'failed'])).exitCode, 1, 'no image tagged');
  t.same(layerDirs(), before, 'no layer stored');
  const tmp = path.join(env.dataDir, 'tspod', 'storage', 'tmp');
  t.same(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no work directory left');
  t.same(processesMatching(env.dataDir).filter((p) => { try { return /fuse-overlayfs|slirp4netns|runc/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8')); } catch { return false; } }), [], 'no mount, runc or network process left');
  const nf = await build([context({ Containerfile: `FROM ${BASE}\nRUN no-such-command\n` })]);
  t.equal(nf.exitCode, 127, 'a command that is not found: 127');
});

t.test('inputs and outputs: -f, stdin, --iidfile, --squash, --format, --label, --annotation, -q', async (t) => {
  const dir = context({ 'f.txt': 'f\n', 'Other.containerfile': `FROM ${BASE}\nCOPY f.txt /f\nRUN echo one > /1\nRUN echo two > /2\n` });
  const iid = path.join(env.dir, 'iid');
  let r = await build(['-f', path.join(dir, 'Other.containerfile'), '--iidfile', iid, '--squash', '--format', 'docker', '--label', 'x=y', '--annotation', 'a=b', '-t', 'squashed', '-t', 'second:v2', dir]);
  t.equal(r.exitCode, 0, r.stderr);
  const id = lastLine(r.stdout);
  t.equal(fs.readFileSync(iid, 'utf8'), `sha256:${id}`, '--iidfile');
  t.equal(await inspect('squashed', '{{len .RootFS.Layers}}'), '2', '--squash: base layer + one');
  t.equal(await inspect('squashed', '{{.ManifestType}}'), 'application/vnd.docker.distribution.manifest.v2+json', '--format docker');
  t.equal(await inspect('squashed', '{{.Labels.x}}'), 'y', '--label');
  t.equal(await inspect('localhost/second:v2', '{{.Id}}'), id, 'several -t');
  t.equal((await env.tspod(['run', '--rm', 'squashed', 'cat', '/f', '/1', '/2'])).stdout, 'f\none\ntwo');

  // Containerfile on stdin (-f -), context directory given
  r = await build(['-q', '-f', '-', dir], { input: `FROM ${BASE}\nCOPY f.txt /stdin-f\n` });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout.trim(), /^[0-9a-f]{64}$/, '-q: only the ID');
  // context as a tar archive on stdin
  fs.writeFileSync(path.join(dir, 'Containerfile'), `FROM ${BASE}\nCOPY f.txt /from-tar\n`);
  const tar2 = await execa('tar', ['-C', dir, '-c', '.'], { encoding: 'buffer' });
  const [cmd, args] = tspodCommand(['build', '-t', 'fromtar', '-']);
  const p = await execa(cmd, args, { env: env.env, extendEnv: false, input: tar2.stdout, reject: false });
  t.equal(p.exitCode, 0, String(p.stderr));
  t.equal((await env.tspod(['run', '--rm', 'fromtar', 'cat', '/from-tar'])).stdout, 'f', 'context from a tar on stdin');
});

t.test('a built image runs in podman (tspod save, podman load and run)', async (t) => {
  const dir = context({
    'hello.sh': '#!/bin/sh\necho "hello $NAME from $(pwd) as $(id -u)"\n',
    Containerfile: [
      `FROM ${BASE}`,
      'ENV NAME=podman',
      'WORKDIR /work',
      'COPY --chown=1000:1000 --chmod=755 hello.sh /usr/bin/hello',
      'USER 1000',
      'EXPOSE 8080',
      'LABEL built.by=tspod',
      'ENTRYPOINT ["/usr/bin/hello"]',
    ].join('\n') + '\n',
  });
  const ref = 'localhost/e2e/built:v1';
  let r = await build(['--format', 'docker', '-t', ref, dir]);
  t.equal(r.exitCode, 0, r.stderr);
  const archive = path.join(env.dir, 'built.tar');
  r = await env.tspod(['save', '-o', archive, ref]);
  t.equal(r.exitCode, 0, r.stderr);
  const pdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-e2e-podman-'));
  fs.mkdirSync(path.join(pdir, 'run'), { mode: 0o700 });
  const penv = { ...process.env, XDG_RUNTIME_DIR: path.join(pdir, 'run'), XDG_CONFIG_HOME: path.join(pdir, 'config'), XDG_DATA_HOME: path.join(pdir, 'data'), NODE_OPTIONS: '' };
  const base = ['--root', path.join(pdir, 'root'), '--runroot', path.join(pdir, 'runroot'), '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs'];
  const podman = async (args: string[]) => {
    const x = await execa('podman', [...base, ...args], { env: penv, reject: false, timeout: 300_000 });
    return { stdout: String(x.stdout ?? ''), stderr: String(x.stderr ?? ''), exitCode: x.exitCode ?? -1 };
  };
  t.teardown(async () => {
    await podman(['unshare', 'rm', '-rf', path.join(pdir, 'root'), path.join(pdir, 'runroot')]);
    const pidFile = path.join(pdir, 'run', 'libpod', 'tmp', 'pause.pid');
    if (fs.existsSync(pidFile)) { try { process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim())); } catch { /* gone */ } }
    fs.rmSync(pdir, { recursive: true, force: true });
  });
  let p = await podman(['load', '-i', archive]);
  t.equal(p.exitCode, 0, p.stderr);
  p = await podman(['run', '--rm', '--net', 'none', ref]);
  t.equal(p.exitCode, 0, p.stderr);
  t.equal(p.stdout.trim(), 'hello podman from /work as 1000', 'podman runs it with its Entrypoint, Env, WorkingDir and User');
  p = await podman(['image', 'inspect', '--format', '{{.Config.User}} {{.Config.WorkingDir}} {{.Config.ExposedPorts}} {{.Labels}}', ref]);
  t.equal(p.stdout.trim(), '1000 /work map[8080/tcp:{}] map[built.by:tspod]');
});
