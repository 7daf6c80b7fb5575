// The light command base: every tspod command runs without loading oclif.
//
// Loading @oclif/core costs ~100-140 ms, several times Podman's whole run of
// `inspect`, `stop` or `logs`. On the fast path (src/cli/fast.ts) TspodCommand
// extends this class instead of oclif's Command (src/cli/base.ts chooses, once,
// before any command module loads), and flags and arguments are parsed here
// from the command's own static definitions: the same definition objects, the
// same parse functions and defaults oclif's parser would apply. Anything this
// parser is not sure about (help, an unknown or misspelt flag, a missing value,
// a value outside `options`, a failing parse function, too many arguments)
// raises NeedsOclif before the command has done anything; the entry then runs
// the command again through oclif, which gives its usual answer or error.
// test/unit/cli/lite.test.ts checks this parser against oclif's own, command by
// command.

type Def = {
  name?: string; char?: string; aliases?: string[]; type?: 'option' | 'boolean'; multiple?: boolean; multipleNonGreedy?: boolean;
  allowNo?: boolean; options?: readonly string[]; default?: unknown; required?: boolean; exclusive?: string[]; dependsOn?: string[];
  relationships?: unknown; exactlyOne?: unknown; atLeastOne?: unknown; env?: string; delimiter?: string;
  parse?: (input: unknown, ctx: unknown, opts: unknown) => Promise<unknown>;
};

/** The command needs oclif's full parser (or help): nothing has been done yet. */
export class NeedsOclif extends Error {
  constructor(reason: string) { super(`needs oclif: ${reason}`); this.name = 'NeedsOclif'; }
}

export interface LiteConfig { root: string; version: string; bin: string; name: string }

export interface LiteCommandClass {
  new (argv: string[], config: LiteConfig): LiteCommand;
  flags?: Record<string, Def>;
  baseFlags?: Record<string, Def>;
  args?: Record<string, Def>;
  strict?: boolean;
}

export interface Parsed { flags: Record<string, unknown>; args: Record<string, unknown>; argv: string[] }

/** Parse `argv` for a command class the way oclif would, or throw NeedsOclif. */
export async function liteParse(cmd: LiteCommandClass, argv: string[], ctx: unknown = undefined): Promise<Parsed> {
  const defs: Record<string, Def> = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) };
  const long = new Map<string, string>();
  const short = new Map<string, string>();
  for (const [name, d] of Object.entries(defs)) {
    if (d.relationships || d.exactlyOne || d.atLeastOne || d.env || d.delimiter) throw new NeedsOclif(`flag --${name} has rules only oclif checks`);
    long.set(name, name);
    for (const a of d.aliases ?? []) long.set(a, name);
    if (d.char) short.set(d.char, name);
  }
  if (!short.has('h') && argv.includes('-h')) throw new NeedsOclif('help');

  const given = new Map<string, unknown[]>();
  const positionals: string[] = [];
  const add = (name: string, v: unknown): void => { const l = given.get(name) ?? []; l.push(v); given.set(name, l); };
  const takesValue = (name: string): boolean => defs[name]!.type !== 'boolean';
  const greedy = (name: string): boolean => Boolean(defs[name]!.multiple && !defs[name]!.multipleNonGreedy);

  let i = 0;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new NeedsOclif(`flag ${flag} needs a value`);
    if (v.startsWith('-') && v !== '-') throw new NeedsOclif(`flag ${flag} followed by ${v}`);
    return v;
  };
  // a greedy multiple flag (oclif's default for `multiple`) takes every following word up to the next flag
  const drainGreedy = (name: string): void => {
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) add(name, argv[++i]!);
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a === '--help') throw new NeedsOclif('help');
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const inline = eq > 0 ? a.slice(eq + 1) : undefined;
      let name = long.get(key);
      if (name !== undefined) {
        if (takesValue(name)) { add(name, value(`--${key}`, inline)); if (inline === undefined && greedy(name)) drainGreedy(name); }
        else if (inline !== undefined) throw new NeedsOclif(`boolean --${key} with a value`);
        else add(name, true);
        continue;
      }
      name = key.startsWith('no-') ? long.get(key.slice(3)) : undefined;
      if (name !== undefined && defs[name]!.type === 'boolean' && defs[name]!.allowNo && inline === undefined) { add(name, false); continue; }
      throw new NeedsOclif(`unknown flag --${key}`);
    }
    if (a.startsWith('-') && a.length > 1) {
      // -x, -xVALUE, -x VALUE, and a group of booleans -abc (the last may take a value)
      for (let j = 1; j < a.length; j++) {
        const name = short.get(a[j]!);
        if (name === undefined) throw new NeedsOclif(`unknown flag -${a[j]}`);
        if (!takesValue(name)) { add(name, true); continue; }
        const rest = a.slice(j + 1);
        const inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
        add(name, value(`-${a[j]}`, inline));
        if (inline === undefined && greedy(name)) drainGreedy(name);
        break;
      }
      continue;
    }
    positionals.push(a);
  }

  const flags: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(defs)) {
    const values = given.get(name);
    if (values === undefined) continue;
    if (!d.multiple && values.length > 1 && d.type !== 'boolean') throw new NeedsOclif(`--${name} given twice`);
    const parsed: unknown[] = [];
    for (const v of values) {
      if (d.type === 'boolean') { parsed.push(d.parse ? await d.parse(v, ctx, d) : v); continue; }
      if (d.options && !d.options.includes(String(v))) throw new NeedsOclif(`--${name} outside its options`);
      try { parsed.push(d.parse ? await d.parse(v, ctx, d) : v); } catch { throw new NeedsOclif(`--${name} does not parse`); }
    }
    flags[name] = d.multiple ? parsed : parsed[parsed.length - 1];
  }
  for (const [name, d] of Object.entries(defs)) {
    if (name in flags) {
      for (const other of d.exclusive ?? []) if (other in flags) throw new NeedsOclif(`--${name} excludes --${other}`);
      for (const other of d.dependsOn ?? []) if (!(other in flags)) throw new NeedsOclif(`--${name} needs --${other}`);
      continue;
    }
    if (d.required) throw new NeedsOclif(`--${name} is required`);
    if (d.default === undefined) continue;
    const dv = typeof d.default === 'function' ? await (d.default as (c: unknown) => unknown)({ options: d, flags }) : d.default;
    if (dv !== undefined) flags[name] = dv;
  }

  const args: Record<string, unknown> = {};
  const argDefs = Object.entries(cmd.args ?? {});
  if (cmd.strict !== false && positionals.length > argDefs.length) throw new NeedsOclif('unexpected arguments');
  for (const [k, [name, d]] of argDefs.entries()) {
    const input = positionals[k];
    if (input === undefined) {
      if (d.required) throw new NeedsOclif(`argument ${name} is required`);
      if (d.default !== undefined) args[name] = typeof d.default === 'function' ? await (d.default as () => unknown)() : d.default;
      continue;
    }
    if (d.options && !d.options.includes(input)) throw new NeedsOclif(`argument ${name} outside its options`);
    try { args[name] = d.parse ? await d.parse(input, ctx, d) : input; } catch { throw new NeedsOclif(`argument ${name} does not parse`); }
  }
  return { flags, args, argv: positionals };
}

/** The stand-in for oclif's Command that TspodCommand extends on the fast path. */
export abstract class LiteCommand {
  static flags: Record<string, Def> = {};
  static baseFlags: Record<string, Def> = {};
  static args: Record<string, Def> = {};
  static strict = true;

  constructor(public argv: string[], public config: LiteConfig) {}

  abstract run(): Promise<unknown>;

  protected async parse(cmd: LiteCommandClass): Promise<Parsed> {
    return await liteParse(cmd, this.argv, this);
  }

  protected async catch(err: Error): Promise<unknown> { throw err; }

  protected async finally(_err: Error | undefined): Promise<unknown> { return undefined; }

  /** Run the command as oclif's Command._run would: run, then catch, then finally. NeedsOclif passes through. */
  async runLite(): Promise<void> {
    let failure: Error | undefined;
    try {
      await this.run();
    } catch (err) {
      if (err instanceof NeedsOclif) throw err;
      failure = err as Error;
      await this.catch(failure);
    } finally {
      await this.finally(failure);
    }
  }
}
