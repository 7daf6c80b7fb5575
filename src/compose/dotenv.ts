// `.env` and `env_file` files in the Compose Specification's format: `VAR=VAL` lines, `#` comments,
// optional `export `, unquoted values (trimmed, ` #` starts a comment, interpolated), double-quoted values
// (escapes \n \r \t \\ \" \$, interpolated, may span lines), single-quoted values (literal, may span lines),
// and a bare `VAR` that takes its value from the environment (unset when the environment has none).
// Interpolation looks in the environment first, then at the variables defined earlier in the same file.
import * as fs from 'node:fs';
import { ComposeError } from './errors.js';
import { substitute, type Lookup } from './interpolate.js';

const KEY = /^[A-Za-z0-9_.\-[\]]+$/;

/** Parse env-file text. `raw` (env_file `format: raw`) takes values as written, without quotes or interpolation. */
export function parseDotenv(text: string, file: string, lookup: Lookup = () => undefined, raw = false): Record<string, string> {
  const out: Record<string, string> = {};
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const look: Lookup = (k) => lookup(k) ?? (Object.hasOwn(out, k) ? out[k] : undefined);
  const fail = (line: number, why: string): never => { throw new ComposeError(`${file}:${line}: ${why}`); };
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const eol = src.indexOf('\n', i);
    const end = eol < 0 ? src.length : eol;
    let stmt = src.slice(i, end).trim();
    const startLine = line;
    i = end + 1;
    line++;
    if (!stmt || stmt.startsWith('#')) continue;
    if (/^export\s+/.test(stmt)) stmt = stmt.replace(/^export\s+/, '');
    const sep = stmt.search(/[=:]/);
    const key = (sep < 0 ? stmt : stmt.slice(0, sep)).trim();
    if (!KEY.test(key)) fail(startLine, `invalid variable name "${key}"`);
    if (sep < 0) { const v = lookup(key); if (v !== undefined) out[key] = v; continue; }
    let rest = stmt.slice(sep + 1).trimStart();
    if (raw) { out[key] = rest; continue; }
    const q = rest[0];
    if (q === '"' || q === "'") {
      // a quoted value may continue on the following lines until its closing quote
      let body = rest.slice(1);
      let close = findClose(body, q);
      while (close < 0 && i < src.length) {
        const e2 = src.indexOf('\n', i);
        const stop = e2 < 0 ? src.length : e2;
        body += `\n${src.slice(i, stop)}`;
        i = stop + 1;
        line++;
        close = findClose(body, q);
      }
      if (close < 0) fail(startLine, `unterminated quoted value for ${key}`);
      const after = body.slice(close + 1).trim();
      if (after && !after.startsWith('#')) fail(startLine, `unexpected text after the quoted value of ${key}`);
      const inner = body.slice(0, close);
      out[key] = q === "'" ? inner.replace(/\\'/g, "'") : interp(unescapeDouble(inner), look, file, startLine);
      continue;
    }
    const hash = rest.search(/\s#/);
    if (hash >= 0) rest = rest.slice(0, hash);
    out[key] = interp(rest.trim(), look, file, startLine);
  }
  return out;
}

function findClose(s: string, q: string): number {
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '\\') { j++; continue; }
    if (s[j] === q) return j;
  }
  return -1;
}

function unescapeDouble(s: string): string {
  return s.replace(/\\([nrt"\\$]|.)/g, (m, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[c] ?? (c === '$' ? '$$' : m));
}

function interp(v: string, lookup: Lookup, file: string, line: number): string {
  try { return substitute(v, lookup); } catch (err) { throw new ComposeError(`${file}:${line}: ${(err as Error).message}`); }
}

/** Read and parse an env file; a missing file is an error naming it. */
export function readDotenv(file: string, lookup?: Lookup, raw = false): Record<string, string> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ComposeError(code === 'ENOENT' ? `env file ${file} not found` : `cannot read env file ${file}: ${(err as Error).message}`);
  }
  return parseDotenv(text, file, lookup, raw);
}
