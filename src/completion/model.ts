// The command tree tspod completes against, built from oclif.manifest.json
// (never from loading commands): words -> topics/commands, each command's
// flags (long and short, whether they take a value, fixed choices, value
// kind) and argument kinds. Shared by `tspod __complete` and the generator of
// the static shell scripts, so both agree by construction.
//
// Only type imports and ./kinds.js: this runs on the completion fast path.
import { argSpec, flagKind, normalizeId, type ArgSpec, type Kind } from './kinds.js';

/** The parts of oclif's manifest we read (tolerant: everything optional). */
export interface ManifestFlag {
  name?: string;
  char?: string;
  type?: string;
  options?: string[];
  default?: unknown;
  multiple?: boolean;
  description?: string;
  summary?: string;
  helpGroup?: string;
  hidden?: boolean;
  allowNo?: boolean;
  helpValue?: string | string[];
}
export interface ManifestArg { name?: string; description?: string; required?: boolean; options?: string[]; default?: unknown }
export interface ManifestCommand {
  id: string;
  summary?: string;
  description?: string;
  aliases?: string[];
  hidden?: boolean;
  strict?: boolean;
  flags?: Record<string, ManifestFlag>;
  args?: Record<string, ManifestArg>;
  examples?: Array<string | { description?: string; command?: string }>;
  usage?: string | string[];
}
export interface Manifest { version?: string; commands: Record<string, ManifestCommand> }

export interface FlagInfo {
  name: string;             // long name without dashes
  char?: string | undefined;
  takesValue: boolean;
  choices?: string[] | undefined;
  kind: Kind;               // value kind when there are no fixed choices
  description: string;
  global: boolean;
}

export interface CommandInfo {
  id: string;               // canonical, space-separated
  ids: string[];            // canonical first, then aliases (space-separated)
  summary: string;
  flags: FlagInfo[];
  args: ArgSpec;
  /** Fixed choices of positional arguments, by index (oclif's `options`). */
  argChoices: Array<string[] | undefined>;
}

export interface Node {
  path: string;             // space-separated words from the root ('' for the root)
  word: string;
  children: Map<string, Node>;
  command?: CommandInfo | undefined;
  /** For a word that is only an alias: the canonical id it stands for. */
  aliasOf?: string | undefined;
}

export interface Model {
  root: Node;
  globalFlags: FlagInfo[];
  commands: CommandInfo[];
}

const HELP: FlagInfo = { name: 'help', takesValue: false, kind: 'none', description: 'Show help', global: false };
const VERSION: FlagInfo = { name: 'version', takesValue: false, kind: 'none', description: 'Show the version', global: false };

function oneLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.trim();
}

function toFlag(name: string, f: ManifestFlag, ids: string[]): FlagInfo {
  const takesValue = f.type === 'option';
  const choices = takesValue && Array.isArray(f.options) && f.options.length > 0 ? f.options.map(String) : undefined;
  return {
    name,
    char: f.char || undefined,
    takesValue,
    choices,
    kind: takesValue && !choices ? flagKind(ids, name) : 'none',
    description: oneLine(f.summary ?? f.description),
    global: f.helpGroup === 'GLOBAL',
  };
}

/** Visible flags of a command, `--help` included, and `--no-x` for negatable booleans. */
export function commandFlags(cmd: ManifestCommand, ids: string[]): FlagInfo[] {
  const out: FlagInfo[] = [];
  for (const [name, f] of Object.entries(cmd.flags ?? {})) {
    if (f.hidden) continue;
    out.push(toFlag(f.name ?? name, f, ids));
    if (f.allowNo && f.type === 'boolean') out.push({ name: `no-${f.name ?? name}`, takesValue: false, kind: 'none', description: oneLine(f.summary ?? f.description), global: false });
  }
  if (!out.some((f) => f.name === 'help')) out.push(HELP);
  return out;
}

function argChoices(cmd: ManifestCommand): Array<string[] | undefined> {
  return Object.values(cmd.args ?? {}).map((a) => (Array.isArray(a.options) && a.options.length ? a.options.map(String) : undefined));
}

function ensure(root: Node, words: string[]): Node {
  let node = root;
  for (const w of words) {
    let next = node.children.get(w);
    if (!next) {
      next = { path: node.path ? `${node.path} ${w}` : w, word: w, children: new Map() };
      node.children.set(w, next);
    }
    node = next;
  }
  return node;
}

export function buildModel(manifest: Manifest): Model {
  const root: Node = { path: '', word: '', children: new Map() };
  const commands: CommandInfo[] = [];
  const globals = new Map<string, FlagInfo>();
  const ids = Object.keys(manifest.commands ?? {}).sort();
  for (const key of ids) {
    const cmd = manifest.commands[key]!;
    if (cmd.hidden) continue;
    const id = normalizeId(cmd.id ?? key);
    const aliases = (cmd.aliases ?? []).map(normalizeId).filter((a) => a && a !== id);
    const all = [id, ...aliases];
    const info: CommandInfo = { id, ids: all, summary: oneLine(cmd.summary ?? cmd.description), flags: commandFlags(cmd, all), args: argSpec(all), argChoices: argChoices(cmd) };
    commands.push(info);
    for (const f of info.flags) if (f.global && !globals.has(f.name)) globals.set(f.name, f);
    ensure(root, id.split(' ')).command = info;
    for (const a of aliases) {
      const n = ensure(root, a.split(' '));
      if (!n.command) { n.command = info; n.aliasOf = id; }
    }
  }
  return { root, commands, globalFlags: [...globals.values(), HELP, VERSION] };
}

/** Flags accepted at a node: a command's own, or the global ones at the root and on bare topics. */
export function flagsAt(model: Model, node: Node): FlagInfo[] {
  if (node.command) return node.command.flags;
  return node === model.root ? model.globalFlags : [...model.globalFlags.filter((f) => f !== VERSION)];
}

/** A flag by how it was typed (`--name`, `--name=v`, `-c`, `-abc` ends with c). */
export function findFlag(flags: FlagInfo[], word: string): FlagInfo | undefined {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = word.slice(2, eq >= 0 ? eq : undefined);
    return flags.find((f) => f.name === name);
  }
  if (word.startsWith('-') && word.length >= 2) {
    // Combined short booleans: the value-taking one, if any, is the last letter without an attached value.
    for (let i = 1; i < word.length; i++) {
      const f = flags.find((x) => x.char === word[i]);
      if (!f) return undefined;
      if (f.takesValue) return i === word.length - 1 ? f : { ...f, takesValue: false };
    }
    return flags.find((x) => x.char === word[word.length - 1]);
  }
  return undefined;
}
