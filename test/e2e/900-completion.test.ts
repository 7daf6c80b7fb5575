// Shell completion, driven through the real shells (bash, zsh, fish from
// Debian) with partial command lines, against index files seeded into a
// temporary XDG_DATA_HOME (a legitimate fixture: completion reads only those).
//
// How each shell is driven:
// - bash: source the script, set COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as
//   readline would (words split at blanks and at ':' and '='), call _tspod,
//   print COMPREPLY. Replies are relative to bash's own current word (text
//   after the last ':' or '='), as readline inserts them; the driver puts the
//   cut prefix back so all shells compare alike.
// - zsh: an interactive `zsh -f -i` on a pseudo-terminal (zsh/zpty) loads the
//   script through compinit and fpath; a wrapper around compadd records every
//   match that completion adds (queries with -O/-A/-D pass through), and Tab is
//   bound to a completion widget whose comppostfuncs writes an end marker. The
//   driver types the line and a Tab and waits for the marker. This is the same
//   machinery as an interactive <TAB>, with no screen scraping.
// - fish: `fish --no-config -c 'source SCRIPT; complete -C LINE'`.
//
// Part 1 uses a fixture manifest (container verbs included, whatever exists in
// the tree today) with scripts generated from it and `tspod __complete`
// answered by the compiled fast path. Part 2 uses the shipped scripts and the
// real bin/tspod. Part 3 measures `tspod __complete` with 300 containers and
// 300 images.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, BIN, UNSET, requireUnprivileged } from '../fixtures/tspod.js';

const FIXTURE = path.join(REPO, 'test', 'unit', 'completion', 'fixture-manifest.json');
const FAST = path.join(REPO, 'dist', 'completion', 'fast.js');
const LEVELS = ['debug', 'error', 'fatal', 'info', 'panic', 'trace', 'warn', 'warning'];
const IMAGE_NAMES = ['busybox:latest', 'docker.io/library/busybox:latest', 'localhost/web:1.0', 'quay.io/x/y:2', 'web:1.0'];

type Shell = 'bash' | 'zsh' | 'fish';

/** Run a program outside tap's instrumentation (its loader in NODE_OPTIONS would reach bin/tspod). */
function run(cmd: string, args: string[], opts: Parameters<typeof execa>[2] & object) {
  return execa('env', [...UNSET, cmd, ...args], { reject: false, ...opts });
}
const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

interface Setup { scripts: Record<Shell, string>; zdir: string; env: NodeJS.ProcessEnv }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-compl-e2e-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeIndexes(root: string, opts: { containers?: unknown[]; images?: unknown[] } = {}): void {
  for (const d of ['storage', 'containers', 'volumes', 'networks']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const hex = (p: string) => (p + '0'.repeat(64)).slice(0, 64);
  // one unpacked layer, as tspod stores it: paths inside busybox and inside the container web
  const layer = 'sha256:' + 'e'.repeat(64);
  const diff = path.join(root, 'storage', 'layers', 'e'.repeat(64), 'diff');
  for (const d of ['etc', 'tmp', 'usr/bin']) fs.mkdirSync(path.join(diff, d), { recursive: true });
  for (const f of ['etc/os-release', 'etc/passwd']) fs.writeFileSync(path.join(diff, f), '');
  fs.writeFileSync(path.join(root, 'storage', 'storage.json'), JSON.stringify({
    version: 1,
    images: opts.images ?? [
      { id: hex('a1b2c3'), names: ['docker.io/library/busybox:latest', 'localhost/web:1.0'], layers: [layer] },
      { id: hex('ffee00'), names: ['quay.io/x/y:2'] },
    ],
    layers: [],
  }));
  fs.writeFileSync(path.join(root, 'containers', 'containers.json'), JSON.stringify({
    containers: opts.containers ?? [
      { id: hex('c0ffee'), names: ['web'], state: 'running', layers: [layer] },
      { id: hex('beef01'), names: ['api'], state: 'running' },
      { id: hex('abc123'), names: ['db'], state: 'exited' },
      { id: hex('abc456'), names: ['fresh'], state: 'created' },
      { id: hex('fed000'), names: ['sleepy'], state: 'paused' },
    ],
  }));
  fs.writeFileSync(path.join(root, 'volumes', 'volumes.json'), JSON.stringify({ volumes: [{ name: 'data' }] }));
  fs.writeFileSync(path.join(root, 'networks', 'networks.json'), JSON.stringify({ networks: [{ name: 'podman' }] }));
}

const ZSETUP = `
PS1='' RPS1='' PROMPT2=''
unsetopt beep
fpath=($ZDIR $fpath)
autoload -Uz compinit && compinit -u -d $ZTMP/zcompdump
zstyle ':completion:*' list-prompt ''
LISTMAX=100000
compadd() {
  local a
  for a in "$@"; do
    [[ $a == (-|--) ]] && break
    if [[ $a == -[OAD] ]]; then builtin compadd "$@"; return; fi
  done
  local -a __m
  builtin compadd -O __m "$@"
  (( \${#__m} )) && print -rl -- $__m >> $ZOUT
  builtin compadd "$@"
}
__t_done() { print -r -- '<<DONE>>' >> $ZOUT; }
__t_complete() { comppostfuncs=(__t_done); _main_complete; }
zle -C __t_complete complete-word __t_complete
bindkey '^I' __t_complete
print -r -- '<<READY>>' >> $ZOUT
`;

const ZDRIVE = `
zmodload zsh/zpty zsh/datetime
: >| $ZOUT
zpty z 'zsh -f -i'
zpty -w z "source \${(q)ZSETUP}"
wait_for() {
  local deadline=$(( EPOCHREALTIME + 30 )) chunk
  while (( EPOCHREALTIME < deadline )); do
    zpty -rt z chunk 2>/dev/null
    grep -qx -- "$1" $ZOUT && return 0
    sleep 0.05
  done
  print -u2 "zsh driver: timed out waiting for $1"; return 1
}
wait_for '<<READY>>' || exit 2
: >| $ZOUT
zpty -w -n z "$1"$'\\t'
wait_for '<<DONE>>' || exit 2
zpty -d z
grep -vx -- '<<DONE>>' $ZOUT
`;

/** Split a line as readline does for COMP_WORDS: at blanks, and ':' / '=' runs as words of their own. */
function compWords(line: string): string[] {
  const out: string[] = [];
  for (const w of line.split(/[ \t]+/)) {
    const parts = w.split(/([:=]+)/).filter((p) => p !== '');
    out.push(...(parts.length ? parts : ['']));
  }
  return out;
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function complete(shell: Shell, s: Setup, line: string): Promise<string[]> {
  let r;
  if (shell === 'bash') {
    const words = compWords(line);
    const script = [
      `source ${sq(s.scripts.bash)}`,
      `COMP_WORDS=(${words.map(sq).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE=${sq(line)}`,
      `COMP_POINT=${line.length}`,
      '_tspod',
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n');
    r = await run('bash', ['--norc', '--noprofile', '-c', script], { env: s.env, extendEnv: false, reject: false, timeout: 60_000 });
    // Readline inserts replies after the last ':' or '=' of the current word: put the cut part back.
    const cur = line.slice(line.lastIndexOf(' ') + 1);
    const tail = cur.split(/[:=]/).pop() ?? '';
    const cut = cur.slice(0, cur.length - tail.length);
    if (r.exitCode !== 0) throw new Error(`bash failed (${r.exitCode}): ${r.stderr}`);
    return lines(r.stdout).map((x) => cut + x);
  }
  if (shell === 'zsh') {
    const ztmp = fs.mkdtempSync(path.join(tmp, 'z-'));
    fs.writeFileSync(path.join(ztmp, 'setup.zsh'), ZSETUP);
    fs.writeFileSync(path.join(ztmp, 'drive.zsh'), ZDRIVE);
    r = await run('zsh', ['-f', path.join(ztmp, 'drive.zsh'), line], {
      env: { ...s.env, ZDIR: s.zdir, ZTMP: ztmp, ZOUT: path.join(ztmp, 'out'), ZSETUP: path.join(ztmp, 'setup.zsh') },
      extendEnv: false, reject: false, timeout: 90_000,
    });
    if (r.exitCode !== 0) throw new Error(`zsh driver failed (${r.exitCode}): ${r.stderr}`);
    return [...new Set(lines(r.stdout))];
  }
  r = await run('fish', ['--no-config', '-c', `source ${sq(s.scripts.fish)}; complete -C ${sq(line)}`], { env: s.env, extendEnv: false, reject: false, timeout: 60_000 });
  if (r.exitCode !== 0 || r.stderr.trim()) throw new Error(`fish failed (${r.exitCode}): ${r.stderr}`);
  return lines(r.stdout).map((l) => l.split('\t')[0]!);
}

function lines(s: string): string[] {
  return String(s).split('\n').filter((l) => l !== '');
}

/** Flag values come back as `--flag=value` (bash, fish) or `value` (zsh moves `--flag=` to IPREFIX). */
const value = (x: string) => x.replace(/^--[^=]+=/, '');
const sorted = (xs: string[]) => [...new Set(xs)].sort();

async function prerequisites(t: Test): Promise<boolean> {
  let ok = requireUnprivileged(t);
  for (const sh of ['bash', 'zsh', 'fish']) {
    const r = await execa('sh', ['-c', `command -v ${sh}`], { reject: false });
    if (r.exitCode !== 0) { t.fail(`${sh} is not installed: apt-get install -y bash-completion zsh fish`); ok = false; }
  }
  for (const f of [FAST, path.join(REPO, 'oclif.manifest.json'), path.join(REPO, 'completions', 'bash', 'tspod')]) {
    if (!fs.existsSync(f)) { t.fail(`${f} is missing: build first (npm run build)`); ok = false; }
  }
  return ok;
}

function baseEnv(dataHome: string, binDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: process.env['HOME'] ?? tmp,
    LANG: 'C.UTF-8',
    TERM: 'xterm',
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
    NO_COLOR: '1',
  };
  fs.mkdirSync(env['XDG_RUNTIME_DIR']!, { recursive: true, mode: 0o700 });
  return env;
}

t.test('completion through bash, zsh and fish', async (t) => {
  if (!(await prerequisites(t))) return;

  // ---- part 1: fixture manifest, scripts generated from it, __complete by the compiled fast path
  const pkg = path.join(tmp, 'pkg');
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(FIXTURE, path.join(pkg, 'oclif.manifest.json'));
  const gen = await run('node', [path.join(REPO, 'scripts', 'gen-completions.mjs'), '--manifest', FIXTURE, '--out', path.join(pkg, 'completions')], { reject: false });
  t.equal(gen.exitCode, 0, `gen-completions: ${gen.stderr}`);
  const fbin = path.join(tmp, 'fixture-bin');
  fs.mkdirSync(fbin);
  fs.writeFileSync(path.join(fbin, 'answer.mjs'), [
    `import { answer } from ${JSON.stringify(FAST)};`,
    `if (process.argv[2] !== '__complete') process.exit(125);`,
    `process.stdout.write(answer(process.argv.slice(3), ${JSON.stringify(pkg)}));`,
  ].join('\n'));
  fs.writeFileSync(path.join(fbin, 'tspod'), `#!/bin/sh\nexec node ${sq(path.join(fbin, 'answer.mjs'))} "$@"\n`, { mode: 0o755 });
  const data = path.join(tmp, 'data');
  writeIndexes(path.join(data, 'tspod'));
  const other = path.join(tmp, 'other-root');
  writeIndexes(other, { containers: [{ id: '1', names: ['elsewhere'], state: 'running' }], images: [] });
  const files = path.join(tmp, 'files');
  fs.mkdirSync(files);
  for (const f of ['fileA.tar', 'fileB.tar']) fs.writeFileSync(path.join(files, f), '');

  const fx: Setup = {
    scripts: { bash: path.join(pkg, 'completions', 'bash', 'tspod'), zsh: path.join(pkg, 'completions', 'zsh', '_tspod'), fish: path.join(pkg, 'completions', 'fish', 'tspod.fish') },
    zdir: path.join(pkg, 'completions', 'zsh'),
    env: baseEnv(data, fbin),
  };

  const cases: Array<{ line: string; want?: string[]; includes?: string[]; map?: (x: string) => string }> = [
    { line: 'tspod sto', want: ['stop'] },
    { line: 'tspod image ', want: ['build', 'list', 'load', 'ls', 'remove', 'rm', 'save'] },
    { line: 'tspod container l', want: ['list', 'ls'] },
    { line: 'tspod stop ', want: ['api', 'web'] },
    { line: 'tspod container stop -t 3 ', want: ['api', 'web'] },
    { line: 'tspod start ', want: ['db', 'fresh'] },
    { line: 'tspod unpause ', want: ['sleepy'] },
    { line: 'tspod exec -it ', want: ['api', 'web'] },
    { line: 'tspod rmi ', want: IMAGE_NAMES.filter((n) => n !== 'quay.io/x/y:2').concat('quay.io/x/y:2') },
    { line: 'tspod rmi busybox:', want: ['busybox:latest'] },
    { line: 'tspod rmi ff', want: ['ffee00000000'] },
    { line: 'tspod run --pull ', want: ['always', 'missing', 'never', 'newer'] },
    { line: 'tspod run --pull=n', want: ['never', 'newer'], map: value },
    { line: 'tspod --log-level ', want: LEVELS },
    { line: 'tspod images --sort=', want: ['created', 'id', 'repository', 'size', 'tag'], map: value },
    { line: 'tspod run --network ', want: ['podman'] },
    { line: 'tspod volume rm ', want: ['data'] },
    { line: 'tspod completion ', want: ['bash', 'fish', 'zsh'] },
    { line: `tspod --root ${other} stop `, want: ['elsewhere'] },
    { line: 'tspod stop --t', want: ['--time'] },
    { line: `tspod save -o ${files}/file`, want: ['fileA.tar', 'fileB.tar'], map: (x) => path.basename(x) },
    { line: `tspod load --input=${files}/f`, want: ['fileA.tar', 'fileB.tar'], map: (x) => path.basename(value(x)) },
    // paths inside the image and the container (read from the layer): never a :nospace line as a candidate
    { line: 'tspod run busybox /', want: ['/etc/', '/tmp/', '/usr/'] },
    { line: 'tspod run -it busybox sh /etc/p', want: ['/etc/passwd'] },
    { line: 'tspod cp we', want: ['web:'] },
    { line: 'tspod cp web:/etc/', want: ['web:/etc/os-release', 'web:/etc/passwd'] },
    { line: 'tspod cp web:/u', want: ['web:/usr/'] },
  ];
  for (const shell of SHELLS) {
    await t.test(`${shell}, fixture manifest`, async (t) => {
      for (const c of cases) {
        const got = sorted((await complete(shell, fx, c.line)).map(c.map ?? ((x) => x)));
        t.same(got, sorted(c.want!), `${shell}: ${c.line}`);
      }
    });
  }

  // ---- part 2: the shipped scripts and the real bin/tspod
  const rbin = path.join(tmp, 'real-bin');
  fs.mkdirSync(rbin);
  fs.symlinkSync(BIN, path.join(rbin, 'tspod'));
  const real: Setup = {
    scripts: { bash: path.join(REPO, 'completions', 'bash', 'tspod'), zsh: path.join(REPO, 'completions', 'zsh', '_tspod'), fish: path.join(REPO, 'completions', 'fish', 'tspod.fish') },
    zdir: path.join(REPO, 'completions', 'zsh'),
    env: baseEnv(data, rbin),
  };
  for (const shell of SHELLS) {
    await t.test(`${shell}, shipped scripts and bin/tspod`, async (t) => {
      const top = await complete(shell, real, 'tspod im');
      t.ok(top.includes('image') && top.includes('images'), `${shell}: tspod im -> image, images (${top.join(' ')})`);
      const sub = await complete(shell, real, 'tspod image ');
      for (const w of ['list', 'ls', 'rm']) t.ok(sub.includes(w), `${shell}: tspod image -> ${w}`);
      t.same(sorted(await complete(shell, real, 'tspod rmi ')), sorted(IMAGE_NAMES), `${shell}: tspod rmi -> image names from XDG_DATA_HOME`);
      t.same(sorted(await complete(shell, real, 'tspod --log-level ')), LEVELS, `${shell}: --log-level`);
      t.same(sorted(await complete(shell, real, 'tspod completion ')), ['bash', 'fish', 'zsh'], `${shell}: completion`);
    });
  }

  await t.test('every command of the real manifest that takes containers or images (bash)', async (t) => {
    const { buildModel } = await import(path.join(REPO, 'dist', 'completion', 'model.js'));
    const { argKind } = await import(path.join(REPO, 'dist', 'completion', 'kinds.js'));
    const model = buildModel(JSON.parse(fs.readFileSync(path.join(REPO, 'oclif.manifest.json'), 'utf8')));
    const expect: Record<string, string[]> = {
      'containers-running': ['api', 'web'],
      'containers-stopped': ['db', 'fresh'],
      'containers-paused': ['sleepy'],
      containers: ['api', 'db', 'fresh', 'sleepy', 'web'],
      images: sorted(IMAGE_NAMES),
    };
    let checked = 0;
    for (const cmd of model.commands as Array<{ ids: string[]; args: unknown; argChoices: unknown[] }>) {
      const kind = argKind(cmd.args, 0) as string;
      if (!expect[kind] || cmd.argChoices[0]) continue;
      for (const id of cmd.ids) {
        t.same(sorted(await complete('bash', real, `tspod ${id} `)), expect[kind], `tspod ${id} -> ${kind}`);
        checked++;
      }
    }
    t.ok(checked > 0, `${checked} command lines checked`);
  });

  await t.test('tspod completion SHELL prints the shipped script', async (t) => {
    for (const [shell, file] of Object.entries(real.scripts)) {
      const r = await run(BIN, ['completion', shell], { env: real.env, extendEnv: false, reject: false });
      t.equal(r.exitCode, 0, `completion ${shell}: ${r.stderr}`);
      t.equal(`${r.stdout}\n`, fs.readFileSync(file, 'utf8'), `completion ${shell} = ${path.relative(REPO, file)}`);
    }
    const bad = await run(BIN, ['completion', 'tcsh'], { env: real.env, extendEnv: false, reject: false });
    t.equal(bad.exitCode, 125, 'an unknown shell is a usage error');
  });
});

t.test('tspod __complete is fast with 300 containers and 300 images', async (t) => {
  if (!requireUnprivileged(t) || !fs.existsSync(FAST)) { if (!fs.existsSync(FAST)) t.fail(`${FAST} is missing: build first`); return; }
  const data = path.join(tmp, 'big');
  const hex = (n: number, p: string) => (p + n.toString(16)).padEnd(64, '0');
  const states = ['running', 'exited', 'created', 'paused'];
  writeIndexes(path.join(data, 'tspod'), {
    containers: Array.from({ length: 300 }, (_, i) => ({ id: hex(i, 'c'), names: [`ctr-${i}`], state: states[i % 4] })),
    images: Array.from({ length: 300 }, (_, i) => ({ id: hex(i, 'a'), names: [`registry.example:5000/team/app-${i}:v${i % 7}`, `localhost/app-${i}:latest`] })),
  });
  const env = baseEnv(data, path.dirname(BIN));
  const time = async (cmd: string, args: string[]): Promise<{ ms: number; out: string }> => {
    let best = Infinity;
    let out = '';
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      const r = await run(cmd, args, { env, extendEnv: false, reject: false });
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (r.exitCode !== 0) t.fail(`${cmd} ${args.join(' ')}: ${r.stderr}`);
      best = Math.min(best, ms);
      out = r.stdout;
    }
    return { ms: best, out };
  };
  const node = await time('node', ['-e', '0']);
  // The fast path as bin/tspod will call it, over the fixture manifest (it has `stop`, whatever the tree has today).
  const pkg = path.join(tmp, 'pkg-big');
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(FIXTURE, path.join(pkg, 'oclif.manifest.json'));
  const fastScript = path.join(tmp, 'fast.mjs');
  fs.writeFileSync(fastScript, `const { answer } = await import(${JSON.stringify(FAST)});\nprocess.stdout.write(answer(process.argv.slice(2), ${JSON.stringify(pkg)}));\n`);
  const fast = await time('node', [fastScript, 'stop', '']);
  const fastRmi = await time('node', [fastScript, 'rmi', '']);
  // bin/tspod as it is wired today (through oclif unless the fast-path line is in bin/tspod).
  const viaBin = await time(BIN, ['__complete', 'inspect', '']);
  const rmi = await time(BIN, ['__complete', 'rmi', '']);
  t.equal(lines(fast.out).length, 75, 'the fast path: 75 running containers of 300');
  t.equal(lines(fastRmi.out).length, 900, 'the fast path: 600 names + 300 short names of 300 images');
  t.equal(lines(viaBin.out).length, 300 + 900 + 2, 'bin/tspod inspect: every container, image name, volume and network');
  t.equal(lines(rmi.out).length, 900, 'bin/tspod rmi: 600 names + 300 short names of 300 images');
  t.comment(`best of 5: node -e 0 ${node.ms.toFixed(0)} ms; fast path: stop ${fast.ms.toFixed(0)} ms, rmi ${fastRmi.ms.toFixed(0)} ms; bin/tspod __complete: inspect ${viaBin.ms.toFixed(0)} ms, rmi ${rmi.ms.toFixed(0)} ms`);
  t.ok(fast.ms - node.ms < 100, `the fast path adds under 100 ms to node's own start-up (${(fast.ms - node.ms).toFixed(0)} ms)`);
});
