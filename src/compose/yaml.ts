// YAML text -> plain JS tree, as the Compose loaders read it: anchors, aliases and `<<` merge keys resolved,
// keys turned into strings, the merge tags `!reset` and `!override` kept as markers for the merge step,
// and YAML 1.1-style octal integers (`mode: 0440`, which the Specification's examples use) read as octal.
// Syntax errors name the file, line and column.
import { parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import { ComposeError } from './errors.js';

/** `!reset`: the override file removes the value it is set on (the value given is ignored). */
export class ResetTag { readonly reset = true; }
/** `!override VALUE`: the override file replaces the value instead of merging into it. */
export class OverrideTag { constructor(readonly value: unknown) {} }

export type Tree = Record<string, unknown>;

export function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ResetTag) && !(v instanceof OverrideTag);
}

/** Parse a Compose file's text; several `---` documents merge in order, as Compose does. */
export function parseComposeYaml(text: string, file: string): Tree[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  const out: Tree[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      throw new ComposeError(`${where}: YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    if (doc.contents === null) continue;
    const value = toPlain(doc.contents, doc, file, new Set(), { aliases: 0 });
    if (value === null || value === undefined) continue;
    if (!isTree(value)) throw new ComposeError(`${file}: a Compose file must be a mapping at the top level`);
    out.push(value);
  }
  return out;
}

// Aliases are expanded into copies; a document of nested aliases ("billion laughs") would grow
// exponentially, so expansions are capped far above what a real Compose file uses.
const MAX_ALIAS_EXPANSIONS = 10_000;

function toPlain(node: unknown, doc: Document, file: string, seen: Set<unknown>, count: { aliases: number }): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    if (++count.aliases > MAX_ALIAS_EXPANSIONS) throw new ComposeError(`${file}: too many YAML alias expansions (more than ${MAX_ALIAS_EXPANSIONS})`);
    const target = node.resolve(doc);
    if (!target) throw new ComposeError(`${file}: unknown YAML alias *${node.source}`);
    if (seen.has(target)) throw new ComposeError(`${file}: YAML alias *${node.source} refers to itself`);
    seen.add(target);
    try { return toPlain(target, doc, file, seen, count); } finally { seen.delete(target); }
  }
  let value: unknown;
  if (isScalar(node)) {
    value = node.value;
    // go-yaml (the reference loader's parser) reads a plain 0-prefixed integer as octal
    if (node.type === 'PLAIN' && typeof node.source === 'string' && /^[-+]?0[0-7]+$/.test(node.source)) value = parseInt(node.source, 8);
    if (typeof value === 'bigint') value = Number(value);
  } else if (isSeq(node)) {
    value = node.items.map((i) => toPlain(i, doc, file, seen, count));
  } else if (isMap(node)) {
    const obj: Tree = {};
    const merged: Tree[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : toPlain(pair.key, doc, file, seen, count);
      if (k === '<<' && isScalar(pair.key) && pair.key.type === 'PLAIN') {
        // YAML merge key: explicit keys win, and earlier sources win over later ones
        const src = toPlain(pair.value, doc, file, seen, count);
        for (const m of Array.isArray(src) ? src : [src]) {
          if (!isTree(m)) throw new ComposeError(`${file}: the YAML merge key << takes a mapping or a list of mappings`);
          merged.push(m);
        }
        continue;
      }
      obj[keyString(k)] = toPlain(pair.value, doc, file, seen, count);
    }
    for (const m of merged) for (const [k, v] of Object.entries(m)) if (!(k in obj)) obj[k] = v;
    value = obj;
  } else {
    throw new ComposeError(`${file}: unsupported YAML node`);
  }
  const tag = (node as { tag?: string }).tag;
  if (tag === '!reset') return new ResetTag();
  if (tag === '!override') return new OverrideTag(value);
  return value;
}

function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null || k === undefined) return 'null';
  return String(k);
}

/** A copy without merge markers: `!reset` entries dropped, `!override` values unwrapped (for a lone file). */
export function stripTags(v: unknown): unknown {
  if (v instanceof OverrideTag) return stripTags(v.value);
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof ResetTag)).map(stripTags);
  if (isTree(v)) {
    const out: Tree = {};
    for (const [k, x] of Object.entries(v)) if (!(x instanceof ResetTag)) out[k] = stripTags(x);
    return out;
  }
  return v;
}
