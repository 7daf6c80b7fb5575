// Template functions: Go text/template's builtins, plus the ones Podman adds
// for --format (json, lower, upper, title, join, split, pad, truncate).
// A function throws a plain Error for bad input; the evaluator turns it into
// `error calling NAME: MESSAGE`, as Go does.

import { sprintf } from './printf.js';
import { Header, formatValue, isPlainObject, isStruct, truth, typeName } from './value.js';

export type TemplateFunc = (...args: unknown[]) => unknown;

export interface FuncDef {
  fn: TemplateFunc;
  /** Fixed or minimum number of arguments; max undefined means variadic from min. */
  min: number;
  max?: number;
  /** Operates on text: in a header row, header placeholders are passed through as text. */
  text?: boolean;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Header) return v.text;
  throw new Error(`wrong type for value; expected string; got ${typeName(v)}`);
}

function int(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`cannot index slice/array with type ${typeName(v)}`);
}

/** fmt.Sprint: spaces are added between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  }
  return out;
}

function kindOf(v: unknown): 'nil' | 'bool' | 'number' | 'string' | 'other' {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function eqOne(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'other' || kb === 'other') {
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    throw new Error('non-comparable type ' + formatValue(ka === 'other' ? a : b) + ': ' + typeName(ka === 'other' ? a : b));
  }
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new Error('incompatible types for comparison');
  // eslint-disable-next-line eqeqeq
  return a == b;
}

function compare(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if ((ka !== 'number' && ka !== 'string') || (kb !== 'number' && kb !== 'string')) throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  if (Array.isArray(item) || typeof item === 'string') {
    const i = int(key);
    if (i < 0 || i >= item.length) throw new Error(`index out of range: ${i}`);
    return typeof item === 'string' ? item.charCodeAt(i) : item[i];
  }
  if (item instanceof Map) return item.get(key);
  if (isPlainObject(item) && !isStruct(item)) {
    const k = typeof key === 'string' ? key : formatValue(key);
    if (Object.hasOwn(item, k)) return item[k];
    // Go returns the map's zero value. Podman's labels and annotations are
    // map[string]string, so a missing label prints as an empty string.
    const vals = Object.values(item);
    return vals.every((v) => typeof v === 'string') ? '' : undefined;
  }
  throw new Error(`can't index item of type ${typeName(item)}`);
}

function length(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (isPlainObject(v) && !isStruct(v)) return Object.keys(v).length;
  throw new Error(`len of type ${typeName(v)}`);
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${typeName(item)}`);
  if (idx.length > 3) throw new Error(`too many slice indexes: ${idx.length}`);
  if (idx.length === 3 && typeof item === 'string') throw new Error('cannot 3-index slice a string');
  const n = item.length;
  const ix = idx.map(int);
  for (const k of ix) if (k < 0 || k > n) throw new Error(`index out of range: ${k}`);
  const i = ix[0] ?? 0;
  const j = ix[1] ?? n;
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  return item.slice(i, j);
}

/** strings.Title: upper-case the first letter of each word. */
function title(s: string): string {
  let out = '';
  let prev = ' ';
  for (const ch of s) {
    out += /[\p{L}\p{N}_]/u.test(prev) ? ch : ch.toUpperCase();
    prev = ch;
  }
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case "'": out += "\\'"; break;
      case '"': out += '\\"'; break;
      case '<': out += '\\u003C'; break;
      case '>': out += '\\u003E'; break;
      case '&': out += '\\u0026'; break;
      case '=': out += '\\u003D'; break;
      default:
        out += c < 0x20 ? '\\u' + c.toString(16).toUpperCase().padStart(4, '0') : ch;
    }
  }
  return out;
}

/** Compact JSON as Podman's json function writes it (no HTML escaping). */
export function toJSON(v: unknown): string {
  if (v instanceof Header) return v.text;
  const s = JSON.stringify(v === undefined ? null : v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  return s ?? 'null';
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : formatValue(x)));
  if (v === undefined || v === null) return [];
  throw new Error(`wrong type for value; expected []string; got ${typeName(v)}`);
}

export const builtinFuncs: Record<string, FuncDef> = {
  // The evaluator short-circuits and/or itself (Go 1.18+); these bodies serve `call`.
  and: { min: 1, fn: (...a) => { for (const x of a.slice(0, -1)) if (!truth(x)) return x; return a[a.length - 1]; } },
  or: { min: 1, fn: (...a) => { for (const x of a.slice(0, -1)) if (truth(x)) return x; return a[a.length - 1]; } },
  not: { min: 1, max: 1, fn: (v) => !truth(v) },
  len: { min: 1, max: 1, fn: (v) => length(v) },
  index: { min: 1, fn: (item, ...keys) => keys.reduce((acc, k) => indexOne(acc, k), item) },
  slice: { min: 1, fn: slice },
  print: { min: 0, text: true, fn: (...a) => sprint(a) },
  printf: { min: 1, text: true, fn: (f, ...a) => sprintf(str(f), a) },
  println: { min: 0, text: true, fn: (...a) => a.map((x) => formatValue(x)).join(' ') + '\n' },
  eq: { min: 1, fn: (a, ...bs) => { if (bs.length === 0) throw new Error('missing argument for comparison'); return bs.some((b) => eqOne(a, b)); } },
  ne: { min: 2, max: 2, fn: (a, b) => !eqOne(a, b) },
  lt: { min: 2, max: 2, fn: (a, b) => compare(a, b) < 0 },
  le: { min: 2, max: 2, fn: (a, b) => compare(a, b) <= 0 },
  gt: { min: 2, max: 2, fn: (a, b) => compare(a, b) > 0 },
  ge: { min: 2, max: 2, fn: (a, b) => compare(a, b) >= 0 },
  html: { min: 0, text: true, fn: (...a) => htmlEscape(a.length === 1 && typeof a[0] === 'string' ? a[0] : sprint(a)) },
  js: { min: 0, text: true, fn: (...a) => jsEscape(a.length === 1 && typeof a[0] === 'string' ? a[0] : sprint(a)) },
  urlquery: { min: 0, text: true, fn: (...a) => encodeURIComponent(a.length === 1 && typeof a[0] === 'string' ? a[0] : sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()) },
  call: {
    min: 1,
    fn: (f, ...a) => {
      if (typeof f !== 'function') throw new Error(`non-function of type ${typeName(f)}`);
      return (f as TemplateFunc)(...a);
    },
  },
  // Podman's additions (containers/common pkg/report).
  json: { min: 1, max: 1, fn: toJSON },
  lower: { min: 1, max: 1, text: true, fn: (s) => str(s).toLowerCase() },
  upper: { min: 1, max: 1, text: true, fn: (s) => str(s).toUpperCase() },
  title: { min: 1, max: 1, text: true, fn: (s) => title(str(s)) },
  join: { min: 2, max: 2, fn: (a, sep) => strings(a).join(str(sep)) },
  split: { min: 2, max: 2, fn: (s, sep) => str(s).split(str(sep)) },
  pad: {
    min: 3, max: 3, text: true,
    fn: (s, pre, post) => {
      const t = str(s);
      return t === '' ? t : ' '.repeat(Math.max(0, Number(pre))) + t + ' '.repeat(Math.max(0, Number(post)));
    },
  },
  truncate: {
    min: 2, max: 2,
    fn: (s, n) => { const t = str(s); const k = int(n); return t.length < k ? t : t.slice(0, k); },
  },
};
