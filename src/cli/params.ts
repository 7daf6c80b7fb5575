// Flag and argument definitions for tspod's commands, without loading oclif.
// oclif's own Flags and Args builders live in a module that pulls in its help
// system (~100 ms); a command that only describes its flags should not pay
// that. These builders produce the same plain definition objects oclif's do
// (the oclif parser, manifest and help read them unchanged), and carry oclif's
// types, so commands keep their inferred flag types.
import type { Args as OclifArgs, Flags as OclifFlags } from '@oclif/core';

type Def = Record<string, unknown>;

const identity = async (input: unknown): Promise<unknown> => input;

function integerParser(make: (msg: string) => Error) {
  return async (input: string, _ctx: unknown, opts: { min?: number; max?: number }): Promise<number> => {
    if (!/^-?\d+$/.test(input)) throw make(`Expected an integer but received: ${input}`);
    const n = Number.parseInt(input, 10);
    if (opts.min !== undefined && n < opts.min) throw make(`Expected an integer greater than or equal to ${opts.min} but received: ${input}`);
    if (opts.max !== undefined && n > opts.max) throw make(`Expected an integer less than or equal to ${opts.max} but received: ${input}`);
    return n;
  };
}

/**
 * A builder of option-taking flags: a value flag, single unless `multiple`. A repeatable flag takes
 * one value each time it is given, as Podman's and Docker's do (`-f a.yml up web`: web is a service,
 * not a second file); oclif's own default would take every following word as another value.
 */
function flagBuilder(base: Def = {}) {
  return (options: Def = {}): Def => {
    const multiple = Boolean(options['multiple'] ?? base['multiple'] ?? false);
    return {
      parse: identity,
      ...base,
      ...options,
      input: [],
      multiple,
      ...(multiple ? { multipleNonGreedy: options['multipleNonGreedy'] ?? true } : {}),
      type: 'option',
    };
  };
}

function argBuilder(base: Def = {}) {
  return (options: Def = {}): Def => ({ parse: identity, ...base, ...options, input: [], type: 'option' });
}

const flagError = (msg: string): Error => Object.assign(new Error(msg), { exitCode: 125 });

/** Flags.string, boolean, integer, option and custom, as oclif defines them. */
export const Flags = {
  string: flagBuilder(),
  integer: flagBuilder({ parse: integerParser(flagError) }),
  boolean: (options: Def = {}): Def => ({ parse: identity, ...options, allowNo: Boolean(options['allowNo']), type: 'boolean' }),
  option: (base: Def) => flagBuilder(base),
  custom: (base?: Def) => flagBuilder(base),
} as unknown as Pick<typeof OclifFlags, 'string' | 'integer' | 'boolean' | 'option' | 'custom'>;

/** Args.string, integer and custom, as oclif defines them. */
export const Args = {
  string: argBuilder(),
  integer: argBuilder({ parse: integerParser((m) => new Error(m)) }),
  custom: (base?: Def) => argBuilder(base),
} as unknown as Pick<typeof OclifArgs, 'string' | 'integer' | 'custom'>;
