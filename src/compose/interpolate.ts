// Variable interpolation as the Compose Specification's interpolation chapter defines it:
// $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt},
// nesting inside the default/err/alt part, and $$ for a literal $. Unset and empty are different:
// the forms without `:` only test whether the variable is set. Defaults are expanded only when used.
// Applied to YAML values only, never to keys.
import { ComposeError } from './errors.js';
import { OverrideTag, ResetTag, isTree } from './yaml.js';

/** Looks a variable up: undefined means unset (an empty string is set). */
export type Lookup = (name: string) => string | undefined;

export interface InterpolateOptions {
  /** Called for each variable used without a value and without a default (Compose warns and uses ""). */
  onUnset?: ((name: string) => void) | undefined;
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** Interpolate one string. Throws ComposeError for a malformed template or a missing required variable. */
export function substitute(template: string, lookup: Lookup, opts: InterpolateOptions = {}): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c !== '$') { out += c; i++; continue; }
    const next = template[i + 1];
    if (next === '$') { out += '$'; i += 2; continue; }
    if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) throw invalid(template);
      out += braced(template.slice(i + 2, end), template, lookup, opts);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(template.slice(i + 1));
    if (!m) { out += '$'; i++; continue; } // not a variable: kept as it is
    const v = lookup(m[0]);
    if (v === undefined) opts.onUnset?.(m[0]);
    out += v ?? '';
    i += 1 + m[0].length;
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`, counting nested `${`; -1 when unterminated. */
function closingBrace(s: string, from: number): number {
  let depth = 0;
  for (let j = from; j < s.length; j++) {
    if (s[j] === '$' && s[j + 1] === '$') { j++; continue; }
    if (s[j] === '$' && s[j + 1] === '{') { depth++; j++; continue; }
    if (s[j] === '}') { if (depth === 0) return j; depth--; }
  }
  return -1;
}

function invalid(template: string): ComposeError {
  return new ComposeError(`invalid interpolation format "${template}": use $VAR, \${VAR}, \${VAR:-default}, \${VAR:?error} or $$ for a literal $`);
}

function braced(body: string, template: string, lookup: Lookup, opts: InterpolateOptions): string {
  const m = NAME.exec(body);
  if (!m) throw invalid(template);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) opts.onUnset?.(name);
    return value ?? '';
  }
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw invalid(template);
  const arg = rest.slice(op[1]!.length);
  const colon = op[1]!.startsWith(':');
  // with ':' an empty value counts as missing; without, only an unset one
  const missing = value === undefined || (colon && value === '');
  const sub = (): string => substitute(arg, lookup, opts);
  switch (op[1]!.slice(-1)) {
    case '-': return missing ? sub() : value!;
    case '+': return missing ? '' : sub();
    default: { // '?'
      if (!missing) return value!;
      const reason = sub();
      throw new ComposeError(`required variable ${name} is missing a value${reason ? `: ${reason}` : ''}`);
    }
  }
}

/** A dotted path with [i] for list items: services.web.ports[0]. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** Interpolate every string value of a parsed Compose file (keys stay as written). */
export function interpolateTree(value: unknown, lookup: Lookup, opts: InterpolateOptions = {}, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    try { return substitute(value, lookup, opts); } catch (err) {
      throw new ComposeError(`error while interpolating ${formatPath(path)}: ${(err as Error).message}`);
    }
  }
  if (value instanceof OverrideTag) return new OverrideTag(interpolateTree(value.value, lookup, opts, path));
  if (value instanceof ResetTag) return value;
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, lookup, opts, [...path, i]));
  if (isTree(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, lookup, opts, [...path, k]);
    return out;
  }
  return value;
}
