// Containerfile word processing: quote removal, escapes and variable
// substitution the way Docker's shell lexer does it ($VAR, ${VAR},
// ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt}, ${VAR:?err},
// ${VAR?err}). Values that come from a variable are split into words when the
// caller asks for words (COPY $FILES /dst); literal quoted text is not.
import { InvalidArgumentError } from '../util/errors.js';

export type Env = Map<string, string>;

export class SubstitutionError extends InvalidArgumentError {}

interface Word { text: string; started: boolean }

class Lexer {
  private i = 0;
  readonly words: string[] = [];
  private cur: Word = { text: '', started: false };

  constructor(private readonly s: string, private readonly env: Env, private readonly escape: string, private readonly splitWords: boolean) {}

  private addChar(c: string): void {
    if (this.splitWords && /\s/.test(c)) { this.flush(); return; }
    this.cur.text += c;
    this.cur.started = true;
  }

  private addRaw(s: string): void {
    this.cur.text += s;
    this.cur.started = true;
  }

  /** Text from a variable: split on whitespace when making words. */
  private addExpanded(s: string): void {
    if (!this.splitWords) { this.addRaw(s); return; }
    for (const c of s) {
      if (/\s/.test(c)) this.flush();
      else { this.cur.text += c; this.cur.started = true; }
    }
  }

  private flush(): void {
    if (this.cur.started) this.words.push(this.cur.text);
    this.cur = { text: '', started: false };
  }

  run(): string[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === this.escape) {
        this.i++;
        if (this.i < s.length) { this.addRaw(s[this.i]!); this.i++; } else this.addRaw(c);
        continue;
      }
      if (c === "'") { this.i++; this.addRaw(this.single()); continue; }
      if (c === '"') { this.i++; this.addRaw(this.double()); continue; }
      if (c === '$') { this.i++; this.addExpanded(this.dollar()); continue; }
      this.addChar(c);
      this.i++;
    }
    this.flush();
    return this.words;
  }

  private single(): string {
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new SubstitutionError(`unexpected end of statement while looking for matching single-quote in: ${this.s}`);
    const out = this.s.slice(this.i, end);
    this.i = end + 1;
    return out;
  }

  private double(): string {
    let out = '';
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '"') { this.i++; return out; }
      if (c === '$') { this.i++; out += this.dollar(); continue; }
      if (c === this.escape && this.i + 1 < s.length) {
        const n = s[this.i + 1]!;
        if (n === '"' || n === '$' || n === this.escape) { out += n; this.i += 2; continue; }
      }
      out += c;
      this.i++;
    }
    throw new SubstitutionError(`unexpected end of statement while looking for matching double-quote in: ${this.s}`);
  }

  private name(): string {
    const m = /^[A-Za-z0-9_]+/.exec(this.s.slice(this.i));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }

  private dollar(): string {
    const s = this.s;
    if (s[this.i] !== '{') {
      const n = this.name();
      if (!n) return '$';
      return this.env.get(n) ?? '';
    }
    this.i++;
    const n = this.name();
    if (!n) throw new SubstitutionError(`bad substitution in: ${s}`);
    const c = s[this.i];
    if (c === '}') { this.i++; return this.env.get(n) ?? ''; }
    if (c === undefined) throw new SubstitutionError(`missing '}' in substitution: ${s}`);
    let op = '';
    if (c === ':' && /[-+?]/.test(s[this.i + 1] ?? '')) { op = `:${s[this.i + 1]}`; this.i += 2; }
    else if (c === '-' || c === '+' || c === '?') { op = c; this.i++; }
    else throw new SubstitutionError(`unsupported modifier (${c ?? 'end of line'}) in substitution: ${s}`);
    const word = this.nested();
    const set = this.env.has(n);
    const value = this.env.get(n) ?? '';
    const nonEmpty = set && value !== '';
    switch (op) {
      case ':-': return nonEmpty ? value : word;
      case '-': return set ? value : word;
      case ':+': return nonEmpty ? word : '';
      case '+': return set ? word : '';
      case ':?': if (!nonEmpty) throw new SubstitutionError(`${n}: ${word || 'is not allowed to be empty'}`); return value;
      default: if (!set) throw new SubstitutionError(`${n}: ${word || 'is not allowed to be unset'}`); return value;
    }
  }

  /** The word of a ${VAR:-word} modifier, up to the matching brace (itself expanded). */
  private nested(): string {
    let out = '';
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '}') { this.i++; return out; }
      if (c === this.escape && this.i + 1 < s.length) { out += s[this.i + 1]; this.i += 2; continue; }
      if (c === '$') { this.i++; out += this.dollar(); continue; }
      if (c === "'") { this.i++; out += this.single(); continue; }
      if (c === '"') { this.i++; out += this.double(); continue; }
      out += c;
      this.i++;
    }
    throw new SubstitutionError(`missing '}' in substitution: ${s}`);
  }
}

/** Expand variables and remove quotes; whitespace is kept (WORKDIR, USER, one ENV value). */
export function expandWord(s: string, env: Env, escape = '\\'): string {
  const words = new Lexer(s, env, escape, false).run();
  return words.join('');
}

/** Expand variables, remove quotes, split on unquoted whitespace (COPY, EXPOSE, VOLUME). */
export function expandWords(s: string, env: Env, escape = '\\'): string[] {
  return new Lexer(s, env, escape, true).run();
}

/**
 * Split on unquoted whitespace WITHOUT removing quotes or expanding (used to
 * find the key=value pairs of ENV/LABEL/ARG before each value is expanded).
 */
export function splitRaw(s: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let started = false;
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === escape && i + 1 < s.length) { cur += c + s[i + 1]; i++; started = true; continue; }
    if (q) { cur += c; if (c === q) q = undefined; continue; }
    if (c === '"' || c === "'") { q = c; cur += c; started = true; continue; }
    if (/\s/.test(c)) { if (started) out.push(cur); cur = ''; started = false; continue; }
    cur += c;
    started = true;
  }
  if (q) throw new SubstitutionError(`unmatched ${q === '"' ? 'double' : 'single'} quote in: ${s}`);
  if (started) out.push(cur);
  return out;
}

/**
 * key=value pairs (ENV, LABEL, ARG). The legacy one-pair form `ENV KEY value
 * with spaces` is accepted when allowLegacy and the first word has no "=".
 * Values are expanded with env when given (LABEL/ENV), keys too.
 */
export function parseKeyValues(s: string, env: Env | undefined, opts: { allowLegacy: boolean; requireValue: boolean; what: string; escape?: string }): Array<[string, string | undefined]> {
  const esc = opts.escape ?? '\\';
  const words = splitRaw(s, esc);
  if (!words.length) throw new InvalidArgumentError(`${opts.what} requires at least one argument`);
  const exp = (x: string) => (env ? expandWord(x, env, esc) : expandWord(x, new Map(), esc));
  if (!words[0]!.includes('=') && opts.allowLegacy && opts.requireValue) {
    if (words.length < 2) throw new InvalidArgumentError(`${opts.what} must have two arguments`);
    const rest = s.trim().slice(words[0]!.length).trim();
    return [[exp(words[0]!), exp(rest)]];
  }
  const out: Array<[string, string | undefined]> = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) {
      if (opts.requireValue) throw new InvalidArgumentError(`${opts.what} expects KEY=VALUE pairs, got "${w}"`);
      out.push([exp(w), undefined]);
      continue;
    }
    const k = exp(w.slice(0, eq));
    if (!k) throw new InvalidArgumentError(`${opts.what} names can not be blank`);
    out.push([k, exp(w.slice(eq + 1))]);
  }
  return out;
}

/** Env as a map from KEY=VALUE strings (later entries win). */
export function envMap(list: string[] | undefined | null): Env {
  const m: Env = new Map();
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i < 0) m.set(e, '');
    else m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

/** Set KEY=VALUE in an env list, replacing an existing KEY in place. */
export function setEnv(list: string[], key: string, value: string): string[] {
  const out = list.slice();
  const i = out.findIndex((e) => e === key || e.startsWith(`${key}=`));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Expand $VAR and ${VAR...} only; quotes and backslashes stay as they are (COPY heredoc bodies). */
export function expandVarsOnly(s: string, env: Env): string {
  return s.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, (tok) => expandWord(tok, env));
}
