// The generator of the completion scripts: its output for the fixture manifest
// parses in each shell (bash -n, zsh -n, fish -n) and carries the tables the
// engines walk; completionScript() reads the shipped files and says what to do
// when they are missing.
import t from 'tap';
import { execa } from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { completionScript, SHELLS } from '../../../src/completion/scripts.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tspod-gencompl-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('generated scripts parse in their shells', async (t) => {
  if (!fs.existsSync(path.join(REPO, 'dist', 'completion', 'model.js'))) {
    t.fail('dist/completion/model.js is missing: build first (npx tsc -p tsconfig.json)');
    return;
  }
  const out = path.join(tmp, 'completions');
  const gen = await execa('node', [path.join(REPO, 'scripts', 'gen-completions.mjs'), '--manifest', path.join(here, 'fixture-manifest.json'), '--out', out], { reject: false });
  t.equal(gen.exitCode, 0, `gen-completions: ${gen.stderr}`);
  const files = { bash: path.join(out, 'bash', 'tspod'), zsh: path.join(out, 'zsh', '_tspod'), fish: path.join(out, 'fish', 'tspod.fish') };
  for (const [sh, file] of Object.entries(files)) {
    const have = await execa('sh', ['-c', `command -v ${sh}`], { reject: false });
    if (have.exitCode !== 0) { t.fail(`${sh} is not installed: apt-get install -y zsh fish`); continue; }
    const r = await execa(sh, ['-n', file], { reject: false });
    t.equal(r.exitCode, 0, `${sh} -n ${path.basename(file)}: ${r.stderr}`);
  }
  const bash = fs.readFileSync(files.bash, 'utf8');
  t.match(bash, `['container run|--pull']='always missing never newer'`, 'fixed choices are baked in');
  t.match(bash, `['container stop']='containers-running'`, 'argument kinds are baked in');
  t.match(bash, `['stop']='container stop'`, 'aliases map to the canonical id');
  t.match(bash, `['container run|--env-file']='files'`, 'file-valued flags are left to the shell');
  t.notMatch(bash, 'cleanup', 'hidden commands are left out');
  t.match(fs.readFileSync(files.zsh, 'utf8'), /^#compdef tspod$/m);
  t.match(fs.readFileSync(files.fish, 'utf8'), "complete -c tspod -f -a '(__tspod_complete)'");
});

t.test('completionScript', async (t) => {
  const pkg = path.join(tmp, 'pkg');
  for (const s of SHELLS) t.throws(() => completionScript(s, pkg), /completion script .* is missing: rebuild tspod/);
  fs.mkdirSync(path.join(pkg, 'completions', 'fish'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'completions', 'fish', 'tspod.fish'), 'complete -c tspod\n');
  t.equal(completionScript('fish', pkg), 'complete -c tspod\n');
});
