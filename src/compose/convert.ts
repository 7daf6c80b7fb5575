// Value conversions shared by the normalizers. The schema lets most booleans and numbers also be strings
// (they may come from a variable), so each is converted here, naming the path when it cannot be.
import { ComposeError } from './errors.js';
import { formatPath } from './interpolate.js';
import { keyValueMap } from './merge.js';
import { isTree } from './yaml.js';

export type Path = (string | number)[];

const fail = (path: Path, why: string): never => { throw new ComposeError(`${formatPath(path)}: ${why}`); };

export function toBool(v: unknown, path: Path): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  // the spellings YAML 1.1 and Go's strconv accept, as the reference loader does for interpolated values
  if (['true', 'yes', 'y', 'on', '1'].includes(s)) return true;
  if (['false', 'no', 'n', 'off', '0'].includes(s)) return false;
  return fail(path, `"${String(v)}" is not a boolean`);
}

export function toInt(v: unknown, path: Path): number {
  const n = typeof v === 'number' ? v : /^[-+]?\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
  if (!Number.isInteger(n)) fail(path, `"${String(v)}" is not an integer`);
  return n;
}

export function toNumber(v: unknown, path: Path): number {
  const n = typeof v === 'number' ? v : String(v).trim() === '' ? NaN : Number(String(v).trim());
  if (!Number.isFinite(n)) fail(path, `"${String(v)}" is not a number`);
  return n;
}

/** A scalar as a string (numbers and booleans as YAML wrote them). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** string_or_list -> list of strings. */
export function toList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(str);
}

/** list_or_dict -> mapping; values become strings, null stays null (declared without a value). */
export function toMap(v: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(keyValueMap(v))) out[k] = x === null || x === undefined ? null : str(x);
  return out;
}

/** list_or_dict where a missing value means the empty string (labels, sysctls, driver_opts). */
export function toStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(toMap(v))) out[k] = x ?? '';
  return out;
}

/**
 * Split a shell-form command into words the POSIX way (go-shellwords, as Compose does): whitespace separates,
 * '...' is literal, "..." keeps \" \\ \$ escapes, a backslash outside quotes escapes the next character; no
 * variable is expanded (a `$` that survived interpolation is for the container's shell). The systemd and
 * Containerfile splitters elsewhere in tspod follow other rules on purpose.
 */
export function shellSplit(s: string, path: Path): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q === "'") { if (c === "'") q = undefined; else cur += c; continue; }
    if (q === '"') {
      if (c === '"') q = undefined;
      else if (c === '\\' && /["\\$`]/.test(s[i + 1] ?? '')) { cur += s[i + 1]; i++; }
      else cur += c;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) { cur += s[i + 1]; i++; inWord = true; continue; }
    if (c === '"' || c === "'") { q = c; inWord = true; continue; }
    if (/\s/.test(c)) { if (inWord) words.push(cur); cur = ''; inWord = false; continue; }
    cur += c;
    inWord = true;
  }
  if (q) fail(path, `unterminated ${q === '"' ? 'double' : 'single'} quote in "${s}"`);
  if (inWord) words.push(cur);
  return words;
}

/** command/entrypoint: string (shell form, split into words) or list; null kept (the image's default). */
export function toCommand(v: unknown, path: Path): string[] | null {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(str);
  return shellSplit(str(v), path);
}

export { isTree };
