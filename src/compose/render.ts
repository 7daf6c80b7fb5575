// The project as a Compose document again (`tspod compose config`): canonical long forms, interpolated
// values, absolute paths, durations printed as Go durations ("1m30s"), empty defaults left out.
import { stringify } from 'yaml';
import { ComposeError } from './errors.js';
import { builtImageName } from './names.js';
import { serviceConfigHash } from './hash.js';
import { dependencyOrder } from './semantics.js';
import { formatDuration } from './units.js';
import type { Project, ServiceConfig } from './types.js';

const sorted = <T>(m: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function isEmpty(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function serviceDocument(s: ServiceConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'scale' && v === 1) continue;
    if (isEmpty(v) && k !== 'command' && k !== 'entrypoint') continue;
    out[k] = v;
  }
  const h = s.healthcheck;
  if (h) {
    const hc: Record<string, unknown> = { ...h };
    for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) if (h[k] !== undefined) hc[k] = formatDuration(h[k]);
    out['healthcheck'] = hc;
  }
  if (s.stop_grace_period !== undefined) out['stop_grace_period'] = formatDuration(s.stop_grace_period);
  const rp = s.deploy?.restart_policy;
  if (rp) {
    out['deploy'] = { ...s.deploy, restart_policy: { ...rp, ...(rp.delay !== undefined ? { delay: formatDuration(rp.delay) } : {}), ...(rp.window !== undefined ? { window: formatDuration(rp.window) } : {}) } };
  }
  return out;
}

/** The project as a plain Compose document. */
export function projectDocument(p: Project): Record<string, unknown> {
  const doc: Record<string, unknown> = { name: p.name };
  doc['services'] = Object.fromEntries(Object.entries(sorted(p.services)).map(([n, s]) => [n, serviceDocument(s)]));
  for (const kind of ['networks', 'volumes', 'secrets', 'configs'] as const) if (!isEmpty(p[kind])) doc[kind] = sorted(p[kind]);
  Object.assign(doc, p.extensions);
  return doc;
}

export function renderProject(p: Project, format: 'yaml' | 'json' = 'yaml'): string {
  const doc = projectDocument(p);
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** A merged but not normalized document (`config --no-interpolate`): name first, include gone. */
export function renderDocument(doc: { name: string; tree: Record<string, unknown> }, format: 'yaml' | 'json' = 'yaml'): string {
  const out: Record<string, unknown> = { name: doc.name };
  for (const [k, v] of Object.entries(doc.tree)) if (k !== 'name' && k !== 'include' && k !== 'version') out[k] = v;
  if (format === 'json') return `${JSON.stringify(out, null, 2)}\n`;
  return stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Enabled services, dependencies first. */
export const serviceNames = (p: Project): string[] => dependencyOrder(p.services);

/** The image of each enabled service: image:, else the name `build:` gives it. */
export function serviceImages(p: Project): Record<string, string> {
  return Object.fromEntries(serviceNames(p).map((n) => [n, p.services[n]!.image ?? builtImageName(p.name, n)]));
}

/** Every profile any service declares (enabled or not), sorted. */
export function definedProfiles(p: Project): string[] {
  const all = new Set<string>();
  for (const s of [...Object.values(p.services), ...Object.values(p.disabled_services)]) for (const x of s.profiles ?? []) all.add(x);
  return [...all].sort();
}

/** Config hashes of the named services ('*' or none: all enabled ones). */
export function serviceHashes(p: Project, names: string[] = ['*']): Record<string, string> {
  const want = names.includes('*') ? serviceNames(p) : names;
  const out: Record<string, string> = {};
  for (const n of want) {
    const s = p.services[n];
    if (!s) throw new ComposeError(`no such service: ${n}`);
    out[n] = serviceConfigHash(s);
  }
  return out;
}
