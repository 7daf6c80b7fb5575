// The one renderer for tspod's output: default tables, --format json,
// --format 'table {{...}}' and plain Go templates, --quiet and --noheading,
// following Podman's rules (containers/common pkg/report):
//   - no format, or "table": the command's default columns, with a header row;
//   - "json": the items as a JSON array (or the object, for a single object), 4-space indent;
//   - "table <template>": a header row derived from the fields, then one row per item,
//     aligned like Go's tabwriter (minwidth 12, padding 2); spaces between actions
//     separate columns, as in Podman;
//   - any other template: one line per item, output verbatim (no alignment);
//     a template that contains its own {{range .}}...{{end}} runs once over all items.
// In every template the literal two-character sequences \t and \n (as typed on a
// command line) mean tab and newline, and a missing final newline is added.

import { tabwrite } from './tabwriter.js';
import { executeTemplate, parseTemplate, type Template } from './template.js';
import type { TemplateFunc } from './funcs.js';
import { formatValue } from './value.js';

export { TemplateError, parseTemplate, executeTemplate, type Template } from './template.js';
export { markMap, markStruct } from './value.js';

export interface Column<T = any> {
  /** Header text, as printed (Podman style: upper case, words separated by spaces). */
  header: string;
  /** A property path ("Names", "State.Status") or a function of the item. */
  field: string | ((item: T) => unknown);
}

export interface RenderOptions<T = any> {
  /** The --format value: undefined/"" / "table" / "json" / "table {{...}}" / "{{...}}". */
  format?: string;
  /** --quiet: print only quietField (default "ID") of each item. Takes precedence over format. */
  quiet?: boolean;
  quietField?: string | ((item: T) => unknown);
  /** --noheading: omit the header row of tables. */
  noHeading?: boolean;
  /** The default table. */
  columns: Array<Column<T>>;
  /** Header text for fields in `table` templates, e.g. { ID: 'CONTAINER ID' }. Columns with a string field contribute theirs. */
  headers?: Record<string, string>;
  /** Template name for error messages; Podman uses the command name ("ps", "images"). */
  name?: string;
  /** Extra template functions. */
  funcs?: Record<string, TemplateFunc>;
}

const RANGE_ALL = /\{\{-?\s*range\s*\.\s*-?\}\}[\s\S]*\{\{-?\s*end\s*-?\s*\}\}/;

export function isJSONFormat(format: string | undefined): boolean {
  return format !== undefined && format.trim().toLowerCase() === 'json';
}

/**
 * Literal \t and \n typed on a command line become tab and newline. Only text
 * outside actions is touched: inside an action, Go's own string escapes already
 * mean the same, and raw strings stay raw.
 */
export function normalizeFormat(format: string): string {
  return mapText(format, (t) => t.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
}

/** Apply fn to the text between actions, leaving {{...}} (including quoted "}}") untouched. */
function mapText(src: string, fn: (text: string) => string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    out += fn(src.slice(i, open < 0 ? src.length : open));
    if (open < 0) break;
    const close = findActionEnd(src, open + 2);
    out += src.slice(open, close);
    i = close;
  }
  return out;
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

function findActionEnd(s: string, from: number): number {
  let i = from;
  const comment = /^(?:- )?\/\*/.exec(s.slice(i, i + 4));
  if (comment) {
    const end = s.indexOf('*/', i);
    if (end >= 0) i = end + 2;
  }
  while (i < s.length) {
    const c = s[i];
    if (c === '}' && s[i + 1] === '}') return i + 2;
    if (c === '"' || c === "'") {
      i++;
      while (i < s.length && s[i] !== c) i += s[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      const e = s.indexOf('`', i + 1);
      i = e < 0 ? s.length : e;
    }
    i++;
  }
  return s.length;
}

function getPath(item: unknown, path: string): unknown {
  let v: unknown = item;
  for (const part of path.split('.')) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    const parent = v as Record<string, unknown>;
    v = parent[part];
    if (typeof v === 'function') v = (v as () => unknown).call(parent);
  }
  return v;
}

function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : formatValue(v);
  return s.replace(/[\t\n]/g, ' ');
}

function fieldValue<T>(item: T, field: string | ((item: T) => unknown)): unknown {
  return typeof field === 'function' ? field(item) : getPath(item, field);
}

function parse(src: string, opts: { name?: string; funcs?: Record<string, TemplateFunc> }): Template {
  return parseTemplate(src, { name: opts.name, funcs: opts.funcs });
}

/** Render a listing (or a single object) for the terminal. The result ends with a newline unless empty. */
export function render<T extends object>(items: T[] | T, opts: RenderOptions<T>): string {
  const list: T[] = Array.isArray(items) ? items : [items];
  const format = opts.format ?? '';

  if (opts.quiet) {
    const field = opts.quietField ?? 'ID';
    return list.map((x) => cellText(fieldValue(x, field)) + '\n').join('');
  }

  if (isJSONFormat(format)) return JSON.stringify(items, jsonReplacer, 4) + '\n';

  if (format.trim() === '' || format.trim() === 'table') {
    const lines: string[] = [];
    if (!opts.noHeading) lines.push(opts.columns.map((c) => c.header).join('\t'));
    for (const item of list) lines.push(opts.columns.map((c) => cellText(fieldValue(item, c.field))).join('\t'));
    return tabwrite(lines.map((l) => l + '\n').join(''));
  }

  if (format.startsWith('table ')) {
    // Outside actions, spaces separate columns, as in Podman.
    const body = withNewline(mapText(normalizeFormat(format.slice('table '.length)), (t) => t.replace(/ /g, '\t')));
    const tpl = parse(body, opts);
    let out = '';
    if (!opts.noHeading) {
      const headers: Record<string, string> = {};
      for (const c of opts.columns) if (typeof c.field === 'string') headers[c.field] = c.header;
      Object.assign(headers, opts.headers);
      out += executeTemplate(tpl, undefined, { header: headers });
    }
    for (const item of list) out += executeTemplate(tpl, item);
    return tabwrite(out);
  }

  const src = withNewline(normalizeFormat(format));
  const tpl = parse(src, opts);
  if (Array.isArray(items) && RANGE_ALL.test(src)) return executeTemplate(tpl, items);
  return list.map((item) => executeTemplate(tpl, item)).join('');
}

/**
 * Render inspect-style output: a JSON array (4-space indent) by default or with
 * --format json; otherwise the template once per object, one line each.
 */
export function renderInspect(objects: unknown[], format?: string, opts: { name?: string; funcs?: Record<string, TemplateFunc> } = {}): string {
  if (format === undefined || format.trim() === '' || isJSONFormat(format)) return JSON.stringify(objects, jsonReplacer, 4) + '\n';
  const src = withNewline(normalizeFormat(format));
  const tpl = parse(src, opts);
  if (RANGE_ALL.test(src)) return executeTemplate(tpl, objects);
  return objects.map((o) => executeTemplate(tpl, o)).join('');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
