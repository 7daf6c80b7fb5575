// Kubernetes YAML text -> plain documents. Several `---` documents per file; empty ones are skipped; a
// `kind: List` is flattened into its items. Syntax errors name the source, line and column. Alias expansion
// is capped (a "billion laughs" document fails instead of exhausting memory).
import { parseAllDocuments } from 'yaml';
import { KubeError } from './errors.js';

export interface RawDocument {
  /** Where it came from: the file name (or `-`) and the document's 1-based position in it. */
  source: string;
  index: number;
  value: Record<string, unknown>;
}

const MAX_ALIAS_COUNT = 1000;
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse the documents of one file (`source` names it in errors). */
export function parseManifests(text: string, source: string): RawDocument[] {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) throw new KubeError(`${source}: the file is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB`);
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (!Array.isArray(docs)) return [];
  const out: RawDocument[] = [];
  let index = 0;
  for (const doc of docs) {
    index++;
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new KubeError(`${pos ? `${source}:${pos.line}:${pos.col}` : source}: YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try { value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }); } catch (e) { throw new KubeError(`${source}: document ${index}: ${(e as Error).message.split('\n')[0]}`); }
    if (value === null || value === undefined) continue;
    if (!isMap(value)) throw new KubeError(`${source}: document ${index}: a Kubernetes object must be a mapping with apiVersion and kind`);
    if (value['kind'] === 'List' && Array.isArray(value['items'])) {
      for (const it of value['items'] as unknown[]) {
        if (!isMap(it)) throw new KubeError(`${source}: document ${index}: every item of a List must be a Kubernetes object`);
        out.push({ source, index, value: it });
      }
      continue;
    }
    out.push({ source, index, value });
  }
  return out;
}
