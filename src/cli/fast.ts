// The fast path: every command runs without loading oclif. Loading @oclif/core
// alone costs ~100 ms, more than Podman's whole `podman images`.
// - A few hot commands (images, ps, version, pull, run) have their own action
//   modules: flags are parsed with node's util.parseArgs from the slice of the
//   oclif manifest those commands need (dist/fast-manifest.json).
// - Every other command loads its own module (found in dist/command-index.json)
//   with TspodCommand built on the light base of src/cli/lite.ts, which parses
//   the command's own flag definitions as oclif would.
// Anything unusual (help, an unknown flag, a bad value) goes to oclif, which
// then produces its normal output or error: before a command module loads,
// by returning false; after, by running the command line again with the fast
// path off (nothing has been done by then).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setLogLevel, LOG_LEVELS } from '../util/log.js';
import { setPaths } from '../util/paths.js';
import { parseManifest, passthroughArgs } from './dispatch.js';
import { packageRoot, distFile } from '../util/root.js';

interface MFlag { name: string; type: 'boolean' | 'option'; char?: string; multiple?: boolean; options?: string[]; default?: unknown; allowNo?: boolean; aliases?: string[] }
interface MCommand { id: string; aliases?: string[]; flags: Record<string, MFlag>; args?: Record<string, unknown> }

export type Action = (flags: Record<string, unknown>, argv: string[]) => Promise<void>;

/** Commands with a fast path: canonical oclif id -> loader of its action. */
const ACTIONS: Record<string, () => Promise<Action>> = {
  'image:list': async () => (await import('./actions/images.js')).imagesAction,
  version: async () => (await import('./actions/version.js')).versionAction,
  'image:pull': async () => (await import('./actions/pull.js')).pullAction,
  'container:list': async () => (await import('./actions/ps.js')).psAction,
  'container:run': async () => (await import('./actions/run.js')).runAction,
  'container:cleanup': async () => async (_f, argv) => { const { cleanupContainer } = await import('../engine/container/cleanup.js'); if (argv[0]) await cleanupContainer(argv[0]); },
};

/** Flags that oclif parses as numbers (Flags.integer / custom): the manifest does not say so. */
const NUMERIC = new Set(['preserve-fds', 'stop-timeout', 'health-retries', 'pids-limit', 'timeout', 'cpus', 'last', 'time']);

function findCommand(commands: Record<string, MCommand>, words: string[]): { cmd: MCommand; used: number } | undefined {
  for (const n of [2, 1]) {
    if (words.length < n) continue;
    const id = words.slice(0, n).join(':');
    const cmd = commands[id] ?? Object.values(commands).find((c) => (c.aliases ?? []).includes(id));
    if (cmd) return { cmd, used: n };
  }
  return undefined;
}

/** The commands with a fast path (scripts/gen-userns-list.mjs writes their slice of the manifest). */
export const FAST_IDS = Object.keys(ACTIONS);

/** Returns true when the command was handled here; false to let oclif handle it. */
export async function fastRun(argv: string[], manifestText: string): Promise<boolean> {
  if (argv.includes('--help') || argv.includes('-h')) return false;
  let commands: Record<string, MCommand>;
  try { commands = parseManifest<{ commands: Record<string, MCommand> }>(manifestText).commands; } catch { return false; }
  if (process.env['TSPOD_NO_FAST'] === '1') return false;
  const first = argv.findIndex((a) => !a.startsWith('-'));
  if (first !== 0) return false; // flags before the command words: let oclif sort it out
  const found = findCommand(commands, argv.filter((a) => !a.startsWith('-')).slice(0, 2));
  if (!found || !ACTIONS[found.cmd.id]) return await liteRun(argv);
  const rest = argv.slice(found.used);
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const f of Object.values(found.cmd.flags)) {
    options[f.name] = { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.char ? { short: f.char } : {}), ...(f.multiple ? { multiple: true } : {}) };
    if (f.type === 'boolean' && f.allowNo) options[`no-${f.name}`] = { type: 'boolean' };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch {
    return false;
  }
  const flags: Record<string, unknown> = {};
  for (const f of Object.values(found.cmd.flags)) {
    let v = parsed.values[f.name];
    if (f.type === 'boolean' && f.allowNo && parsed.values[`no-${f.name}`]) v = false;
    if (v === undefined && f.default !== undefined) v = f.default;
    if (f.options && v !== undefined && !(Array.isArray(v) ? v : [v]).every((x) => f.options!.includes(String(x)))) return false;
    if (v !== undefined && NUMERIC.has(f.name) && !Array.isArray(v)) {
      const num = Number(v);
      if (!Number.isFinite(num) || (f.name !== 'cpus' && !Number.isInteger(num))) return false;
      v = num;
    }
    if (v !== undefined) flags[f.name] = v;
  }
  const level = flags['log-level'] as string | undefined;
  if (level && !LOG_LEVELS.includes(level)) return false;
  setPaths({ root: flags['root'] as string | undefined, runroot: flags['runroot'] as string | undefined });
  if (level) setLogLevel(level);
  const { log } = await import('../util/log.js');
  log.debug(`fast path: ${found.cmd.id}`);
  const action = await ACTIONS[found.cmd.id]!();
  log.debug('fast path: action loaded');
  try {
    await action(flags, [...parsed.positionals, ...(passthroughArgs() ?? [])]);
  } catch (err) {
    (await import('./errors.js')).printError(err);
  }
  return true;
}

const ROOT = packageRoot();

/** Any other command: its own module on the light base, or false for oclif. */
async function liteRun(argv: string[]): Promise<boolean> {
  let index: Record<string, [string, string]>;
  try { index = JSON.parse(readFileSync(distFile('cli', 'command-index.json'), 'utf8')) as typeof index; } catch { return false; }
  const words = argv.slice(0, 2).filter((a) => !a.startsWith('-'));
  let entry: [string, string] | undefined;
  let used = 0;
  for (const n of [2, 1]) {
    if (words.length < n) continue;
    entry = Object.hasOwn(index, words.slice(0, n).join(':')) ? index[words.slice(0, n).join(':')] : undefined;
    if (entry) { used = n; break; }
  }
  if (!entry || entry[0] === '__complete') return false;
  (globalThis as { TSPOD_LITE?: boolean }).TSPOD_LITE = true;
  // the start-up bundle (scripts/bundle.mjs) holds every command module and lists them here by path
  const bundled = (globalThis as { TSPOD_COMMAND_MODULES?: Record<string, () => Promise<unknown>> }).TSPOD_COMMAND_MODULES?.[entry[1]];
  const [{ LiteCommand, NeedsOclif }, mod] = await Promise.all([import('./lite.js'),
    (bundled ? bundled() : import(pathToFileURL(path.join(ROOT, entry[1])).href)) as Promise<{ default: unknown }>]);
  const Cmd = mod.default as (new (argv: string[], config: unknown) => InstanceType<typeof LiteCommand>) & { prototype: unknown };
  if (!(Cmd.prototype instanceof LiteCommand)) throw new Error(`internal error: ${entry[0]} does not extend TspodCommand`);
  const { log } = await import('../util/log.js');
  log.debug(`fast path: ${entry[0]}`);
  log.debug(`start-up bundle: ${bundled ? 'yes' : 'no'}, code cache ${(globalThis as { TSPOD_CODE_CACHE?: string }).TSPOD_CODE_CACHE ?? 'none'}`);
  const config = { root: ROOT, bin: 'tspod', name: 'tspod', get version(): string { return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version; } };
  try {
    await new Cmd(argv.slice(used), config).runLite();
  } catch (err) {
    if (!(err instanceof NeedsOclif)) throw err;
    log.debug(`fast path: ${err.message}`);
    // the command did nothing yet: run the same command line through oclif
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, TSPOD_NO_FAST: '1' } });
    process.exitCode = r.status ?? 125;
  }
  return true;
}
