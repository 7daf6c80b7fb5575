// systemd unit file syntax (systemd.syntax(7), systemd.service(5) "Command
// lines"): a parser that keeps line numbers (so errors can name file and line),
// the word splitting systemd applies to command lines and list values, and the
// quoting that makes any argument survive that splitting.

export interface UnitEntry { key: string; value: string; line: number }
export interface UnitSection { name: string; line: number; entries: UnitEntry[] }

export class UnitSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'UnitSyntaxError';
    this.line = line;
  }
}

/**
 * Parse unit file text into sections, in order. Comments (# and ;) and blank
 * lines are dropped; a line ending in a backslash continues on the next line
 * (the backslash becomes a space, comment lines inside the continuation are
 * skipped). A section may appear more than once: its entries are merged.
 */
export function parseUnitFile(text: string): UnitSection[] {
  const sections: UnitSection[] = [];
  let cur: UnitSection | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && !line.endsWith('\\\\')) {
      line = line.slice(0, -1) + ' ';
      i++;
      if (i >= lines.length) break;
      const next = lines[i]!.replace(/\r$/, '').trim();
      if (next.startsWith('#') || next.startsWith(';')) { line = line.trimEnd() + '\\'; continue; }
      line += next;
    }
    line = line.trim();
    if (line.startsWith('[')) {
      if (!line.endsWith(']') || line.length < 3) throw new UnitSyntaxError(`invalid section header "${line}"`, lineNo);
      const name = line.slice(1, -1);
      cur = sections.find((s) => s.name === name);
      if (!cur) { cur = { name, line: lineNo, entries: [] }; sections.push(cur); }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new UnitSyntaxError(`expected KEY=VALUE or a [Section] header, got "${line.length > 60 ? line.slice(0, 60) + '...' : line}"`, lineNo);
    if (!cur) throw new UnitSyntaxError(`assignment "${line.slice(0, eq).trim()}" outside of any section`, lineNo);
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new UnitSyntaxError(`invalid key name "${key}"`, lineNo);
    cur.entries.push({ key, value: line.slice(eq + 1).trim(), line: lineNo });
  }
  return sections;
}

/** Render sections back to text (one blank line between sections). */
export function formatUnitFile(sections: Array<{ name: string; entries: Array<{ key: string; value: string }> }>): string {
  return sections.map((s) => [`[${s.name}]`, ...s.entries.map((e) => `${e.key}=${e.value}`)].join('\n')).join('\n\n') + '\n';
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/**
 * Split a value into words the way systemd does for command lines and list
 * settings: whitespace separates words, "..." and '...' quote, C escapes
 * (\n, \t, \s, \\, \", \xNN, ...) are unescaped. Specifiers (%) and variables
 * ($) are left alone: they are the caller's business.
 */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const n = value[i + 1];
      if (n === undefined) throw new Error('a trailing backslash has nothing to escape');
      if (n === 'x') {
        const hex = value.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`invalid escape "\\x${hex}"`);
        cur += String.fromCharCode(parseInt(hex, 16));
        i += 3;
      } else if (/[0-7]/.test(n)) {
        const oct = value.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(oct)) throw new Error(`invalid escape "\\${oct}"`);
        cur += String.fromCharCode(parseInt(oct, 8));
        i += 3;
      } else {
        const e = ESCAPES[n];
        if (e === undefined) throw new Error(`invalid escape "\\${n}"`);
        cur += e;
        i += 1;
      }
      inWord = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined; else cur += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
    if (/\s/.test(c)) {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
      continue;
    }
    cur += c;
    inWord = true;
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(cur);
  return words;
}

/** Escape % and $ so systemd takes them literally (specifiers and variables). */
export function escapeLiteral(s: string): string {
  return s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
}

/**
 * Quote one word for a systemd command line so splitWords gives it back
 * unchanged. With literal=true, % and $ are escaped too (for values that come
 * from a container's configuration, not from a template of ours).
 */
export function quoteWord(word: string, literal = false): string {
  const w = literal ? escapeLiteral(word) : word;
  if (w !== '' && w !== ';' && !/[\s"'\\]/.test(w)) return w;
  const body = w.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
  return `"${body}"`;
}

/**
 * Lay out a long command over several lines the way Podman does: the program
 * and its subcommand first, then one option (with its value) per line.
 * `groups` are already-quoted words grouped per line.
 */
export function layoutCommand(groups: string[][]): string {
  const lines = groups.filter((g) => g.length).map((g) => g.join(' '));
  return lines.join(' \\\n\t');
}

const TRUE = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const FALSE = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

/** systemd's boolean values; undefined when the value is not one. */
export function parseBoolean(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (TRUE.has(l)) return true;
  if (FALSE.has(l)) return false;
  return undefined;
}

/**
 * Expand the specifiers of systemd.unit(5) this project relies on (%n %N %p %i
 * %I %t %h %u %U %%); any other specifier is an error so a test harness never
 * runs a half-expanded command.
 */
export function expandSpecifiers(s: string, v: Record<string, string>): string {
  return s.replace(/%(.)/g, (_m, c: string) => {
    if (c === '%') return '%';
    const r = v[c];
    if (r === undefined) throw new Error(`unsupported specifier %${c}`);
    return r;
  });
}
