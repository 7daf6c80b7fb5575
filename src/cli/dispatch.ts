// Pre-dispatch, before oclif loads: lift Podman-style global flags written
// before the command (`tspod --root X images`) into the environment, and, for
// rootless commands that touch layers, mounts or containers, re-exec tspod
// inside the user namespace held by the pause process. Kept free of heavy
// imports: this runs on every invocation.

/**
 * Commands that must run inside the rootless user namespace (they touch layers, mounts
 * or containers), by canonical oclif id. Their aliases are added from the manifest at
 * build time (scripts/gen-userns-list.mjs writes dist/userns-commands.txt, one spelling
 * per line, which the entry point and the shell launcher read); a unit test checks that
 * every id here is a command.
 */
export const USERNS_COMMANDS: readonly string[] = [
  'compose:up', 'compose:down', 'compose:create', 'compose:run', 'compose:exec', 'compose:start', 'compose:stop', 'compose:restart',
  'compose:rm', 'compose:kill', 'compose:pause', 'compose:unpause', 'compose:build', 'compose:pull', 'compose:push', 'compose:top', 'compose:cp',
  'compose:wait',
  'image:pull', 'image:rm', 'image:prune', 'image:load', 'image:import', 'image:save', 'image:build',
  'container:commit', 'container:run', 'container:create', 'container:start', 'container:stop', 'container:restart', 'container:kill',
  'container:rm', 'container:exec', 'container:attach', 'container:pause', 'container:unpause', 'container:cleanup', 'container:prune',
  'container:mount', 'container:unmount', 'container:cp', 'container:diff', 'container:export', 'container:top',
  'volume:create', 'volume:rm', 'volume:prune', 'volume:import', 'volume:export',
  'network:rm', 'network:prune', 'network:connect', 'network:disconnect',
  'healthcheck:run', 'system:reset', 'system:prune', 'system:df', 'unshare',
  'pod:create', 'pod:start', 'pod:stop', 'pod:restart', 'pod:kill', 'pod:pause', 'pod:unpause', 'pod:rm', 'pod:prune', 'pod:top', 'pod:logs',
  'kube:play', 'kube:down',
  'manifest:create', 'manifest:add', 'manifest:annotate', 'manifest:remove', 'manifest:rm', 'manifest:push',
  // the API service runs the engine in-process: inside the namespace like the commands it replaces
  'system:service',
];

const TOPICS = new Set(['image', 'container', 'system', 'volume', 'network', 'generate', 'healthcheck', 'pod', 'manifest', 'compose', 'kube', 'play']);

const GLOBAL_WITH_VALUE: Record<string, string> = {
  '--root': 'TSPOD_ROOT',
  '--runroot': 'TSPOD_RUNROOT',
  '--log-level': 'TSPOD_LOG_LEVEL',
  '--storage-driver': 'TSPOD_STORAGE_DRIVER',
  // the OCI runtime (a name on PATH or a path) and flags for it (`--runtime-flag log-format=json`
  // -> runc --log-format=json), as Podman's global flags
  '--runtime': 'TSPOD_RUNTIME',
  '--runtime-flag': 'TSPOD_RUNTIME_FLAGS',
};

/**
 * Global boolean flags: `--noout` (stdout to /dev/null, as Podman's); `--debug`/`-D` (Docker's
 * spelling of --log-level=debug, which Podman takes too; the entry point resolves it).
 */
const GLOBAL_BOOLEAN: Record<string, string> = { '--noout': 'TSPOD_NOOUT', '--debug': 'TSPOD_DEBUG', '-D': 'TSPOD_DEBUG' };

/** Global flags that may be given more than once (their values are joined with newlines). */
const GLOBAL_REPEATED = new Set(['--runtime-flag']);

export interface Dispatch { argv: string[]; env: Record<string, string>; commandId: string | undefined }

/** Strip leading global flags into env vars; find the command id (1 or 2 words). */
export function predispatch(argv: string[]): Dispatch {
  const env: Record<string, string> = {};
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const boolEnv = GLOBAL_BOOLEAN[name];
    if (boolEnv) {
      const v = eq > 0 ? a.slice(eq + 1).toLowerCase() : 'true';
      if (v !== 'true' && v !== 'false') break;
      if (v === 'true') env[boolEnv] = '1'; else delete env[boolEnv];
      i += 1;
      continue;
    }
    const envName = GLOBAL_WITH_VALUE[name];
    if (!envName) break;
    let value: string | undefined;
    if (eq > 0) { value = a.slice(eq + 1); i += 1; } else { value = argv[i + 1]; i += 2; }
    if (value === undefined) break;
    env[envName] = GLOBAL_REPEATED.has(name) && env[envName] !== undefined ? `${env[envName]}\n${value}` : value;
  }
  const rest = argv.slice(i);
  let commandId: string | undefined;
  const w0 = rest[0];
  if (w0 && !w0.startsWith('-')) {
    const w1 = rest[1];
    commandId = w1 && !w1.startsWith('-') && (TOPICS.has(w0)) ? `${w0} ${w1}` : w0;
  }
  return { argv: rest, env, commandId };
}

/**
 * Whether a command runs inside the user namespace. `spellings` is the build-time
 * expansion of USERNS_COMMANDS (every id and alias, space-separated words).
 */
export function needsUserNamespace(commandId: string | undefined, argv: string[], spellings: ReadonlySet<string>): boolean {
  if (!commandId || !spellings.has(commandId)) return false;
  if (argv.includes('--help') || argv.includes('-h')) return false;
  return true;
}

/** USERNS_COMMANDS with their aliases, as space-separated spellings (`image pull`, `pull`). */
export function expandUsernsCommands(manifest: { commands: Record<string, { aliases?: string[] }> }): string[] {
  const out = new Set<string>();
  for (const id of USERNS_COMMANDS) {
    const c = manifest.commands[id];
    if (!c) throw new Error(`USERNS_COMMANDS names ${id}, which is not a command`);
    for (const name of [id, ...(c.aliases ?? [])]) out.add(name.replace(/:/g, ' '));
  }
  return [...out].sort();
}

/** Commands whose arguments after the first positional (image or container) belong to the container's command. */
const PASSTHROUGH = new Map<string, string>([
  ['run', 'container:run'], ['container run', 'container:run'], ['create', 'container:create'], ['container create', 'container:create'],
  ['exec', 'container:exec'], ['container exec', 'container:exec'],
  ['compose run', 'compose:run'], ['compose exec', 'compose:exec'],
]);

/** The canonical id of a command whose container command line is split off (run, create, exec ...). */
export function passthroughCommand(commandId: string | undefined): string | undefined {
  return commandId ? PASSTHROUGH.get(commandId) : undefined;
}

/** Every such command (their flags go into dist/fast-manifest.json: the split needs them). */
export const PASSTHROUGH_IDS = [...new Set(PASSTHROUGH.values())];

interface ManifestFlag { type: 'boolean' | 'option'; char?: string; name: string; aliases?: string[]; allowNo?: boolean; multiple?: boolean }
interface ManifestCommand { id: string; aliases?: string[]; flags: Record<string, ManifestFlag> }

let parsedText: string | undefined;
let parsed: unknown;
/**
 * A manifest's JSON, parsed once per text: `run`, `create` and `exec` read the fast manifest to split
 * their command line and again to run (three parses of 20 KB each, 90 KB of objects every time).
 * The callers only read what it returns.
 */
export function parseManifest<T>(text: string): T {
  if (text !== parsedText) { parsed = JSON.parse(text); parsedText = text; }
  return parsed as T;
}

function findCommand(manifest: { commands: Record<string, ManifestCommand> }, commandId: string): ManifestCommand | undefined {
  const colon = commandId.replace(/ /g, ':');
  if (manifest.commands[colon]) return manifest.commands[colon];
  return Object.values(manifest.commands).find((c) => (c.aliases ?? []).includes(colon));
}

/**
 * Podman users write boolean flags as `--tls-verify=false`; oclif booleans take
 * no value. Rewrite `--flag=true` to `--flag` and `--flag=false` to
 * `--no-flag` (or drop it), for the boolean flags of the command.
 */
export function normalizeBooleans(argv: string[], commandId: string | undefined, manifestText: string | undefined): string[] {
  if (!commandId || !manifestText || !argv.some((a) => /^--?[\w-]+=(true|false)$/i.test(a))) return argv;
  let cmd: ManifestCommand | undefined;
  try { cmd = findCommand(parseManifest<{ commands: Record<string, ManifestCommand> }>(manifestText), commandId); } catch { return argv; }
  if (!cmd) return argv;
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') { out.push(...argv.slice(argv.indexOf(a))); return out; }
    // --name=true|false, and -c=true|false for a one-letter flag (cobra takes both)
    const m = /^--([\w-]+)=(true|false)$/i.exec(a) ?? /^-(\w)=(true|false)$/i.exec(a);
    const short = !!m && !a.startsWith('--');
    const f = m ? Object.values(cmd.flags).find((x) => (short ? x.char === m[1] : x.name === m[1] || (x.aliases ?? []).includes(m[1]!))) : undefined;
    if (!m || !f || f.type !== 'boolean') { out.push(a); continue; }
    if (m[2]!.toLowerCase() === 'true') out.push(`--${f.name}`);
    else if (f.allowNo) out.push(`--no-${f.name}`);
  }
  return out;
}

/** The flag words of argv (before `--`), normalized to `--name` or `-c`, for a cheap duplicate check. */
function flagWords(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).filter((a) => /^--?[\w]/.test(a)).map((a) => (a.startsWith('--') ? a.replace(/=.*$/, '') : a.slice(0, 2)));
}

/**
 * A flag that takes one value given twice: the last one wins, as with Podman (cobra),
 * where oclif would refuse (`--format can only be specified once`). Earlier occurrences
 * (and their values) are dropped. `manifestText` is read only when some spelling repeats
 * (so `-t 1 --time 2`, two spellings once each, is left to oclif).
 */
export function lastFlagWins(argv: string[], commandId: string | undefined, manifestText: () => string | undefined): string[] {
  const words = flagWords(argv);
  if (!commandId || new Set(words).size === words.length) return argv;
  let cmd: ManifestCommand | undefined;
  try { const t = manifestText(); cmd = t ? findCommand(parseManifest<{ commands: Record<string, ManifestCommand> }>(t), commandId) : undefined; } catch { return argv; }
  if (!cmd) return argv;
  const flags = Object.values(cmd.flags);
  const byWord = (w: string): ManifestFlag | undefined => (w.startsWith('--')
    ? flags.find((f) => `--${f.name}` === w || (f.aliases ?? []).some((a) => `--${a}` === w) || (f.allowNo && `--no-${f.name}` === w))
    : flags.find((f) => f.char && `-${f.char}` === w));
  // occurrences: [start, length, flag name]
  const occ: Array<[number, number, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!/^--?[\w]/.test(a)) continue;
    const w = a.startsWith('--') ? a.replace(/=.*$/, '') : a.slice(0, 2);
    const f = byWord(w);
    if (!f || f.multiple) continue;
    // a bundle of short booleans (-it) or a value stuck to the flag (-fVALUE, --x=v) is one word
    const inline = a.startsWith('--') ? a.includes('=') : a.length > 2;
    const len = f.type === 'option' && !inline ? 2 : 1;
    if (a.startsWith('-') && !a.startsWith('--') && a.length > 2 && f.type === 'boolean') continue;
    occ.push([i, len, f.name]);
    i += len - 1;
  }
  const last = new Map<string, number>();
  for (const [i, , n] of occ) last.set(n, i);
  const drop = new Set<number>();
  for (const [i, len, n] of occ) if (last.get(n) !== i) for (let k = 0; k < len; k++) drop.add(i + k);
  return drop.size ? argv.filter((_, i) => !drop.has(i)) : argv;
}

/**
 * Podman stops parsing its own flags at the image (or container) argument:
 * `tspod run IMAGE sh -c 'x'` passes `-c` to sh. oclif parses flags anywhere,
 * so insert `--` after that first positional argument. Which flags take a
 * value comes from the shipped oclif manifest.
 */
export function insertCommandSeparator(argv: string[], commandId: string | undefined, manifestPath: string, readFile: (p: string) => string): string[] {
  return splitCommandArgs(argv, commandId, manifestPath, readFile).argv;
}

/**
 * Split `run IMAGE cmd args...` into what oclif parses (up to and including
 * the first positional) and the container's own command line, which oclif
 * never sees (it would parse flags even after `--`).
 */
export function splitCommandArgs(argv: string[], commandId: string | undefined, manifestPath: string, readFile: (p: string) => string): { argv: string[]; passthrough: string[] | undefined } {
  const none = { argv, passthrough: undefined };
  if (!commandId) return none;
  const canonical = PASSTHROUGH.get(commandId);
  if (!canonical) return none;
  let flags: Record<string, ManifestFlag>;
  try {
    const m = parseManifest<{ commands: Record<string, { flags: Record<string, ManifestFlag> }> }>(readFile(manifestPath));
    flags = m.commands[canonical]?.flags ?? {};
  } catch {
    return none;
  }
  const takesValue = new Set<string>();
  for (const f of Object.values(flags)) {
    if (f.type !== 'option') continue;
    takesValue.add(`--${f.name}`);
    if (f.char) takesValue.add(`-${f.char}`);
    for (const a of f.aliases ?? []) takesValue.add(`--${a}`);
  }
  const words = commandId.split(' ').length;
  for (let i = words; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return { argv: argv.slice(0, i), passthrough: argv.slice(i + 1) };
    if (a.startsWith('--')) { if (!a.includes('=') && takesValue.has(a)) i++; continue; }
    if (a.startsWith('-') && a.length > 1) {
      // a cluster like -it or -p8080:80: a value-taking short flag consumes the rest or the next word
      for (let j = 1; j < a.length; j++) {
        if (takesValue.has(`-${a[j]}`)) { if (j === a.length - 1) i++; break; }
      }
      continue;
    }
    return { argv: argv.slice(0, i + 1), passthrough: argv.slice(i + 1) };
  }
  return none;
}

/** The container command split off by bin/tspod (see splitCommandArgs). */
export function passthroughArgs(): string[] | undefined {
  return (globalThis as { TSPOD_PASSTHROUGH?: string[] }).TSPOD_PASSTHROUGH;
}
