// Docker's `filters` query parameter: JSON, either {"key": ["v1", "v2"]} or the
// older {"key": {"v1": true}}. Returned as the engine's "key=value" strings.
import { badRequest } from './errors.js';

export function parseFilters(q: string | null, allowed?: string[]): string[] {
  if (!q) return [];
  let v: unknown;
  try { v = JSON.parse(q); } catch { throw badRequest(`invalid filters: ${q}`); }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('invalid filters: expected a JSON object');
  const out: string[] = [];
  for (const [k, vals] of Object.entries(v as Record<string, unknown>)) {
    if (allowed && !allowed.includes(k)) throw badRequest(`invalid filter '${k}'`);
    const list = Array.isArray(vals) ? vals : typeof vals === 'object' && vals !== null ? Object.keys(vals).filter((x) => (vals as Record<string, unknown>)[x]) : [vals];
    for (const x of list) out.push(`${k}=${String(x)}`);
  }
  return out;
}

export const truthy = (v: string | null): boolean => v === '1' || v === 'true' || v === 'True';
