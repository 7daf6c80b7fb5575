// The per-service configuration hash (Docker Compose's com.docker.compose.config-hash label): a service is
// recreated when this changes. It covers the normalized service minus what does not change a container (as Compose):
// how its image is built or pulled, how many replicas run, its start order and its profiles.
import { createHash } from 'node:crypto';
import type { ServiceConfig } from './types.js';

const EXCLUDED = new Set(['build', 'pull_policy', 'scale', 'depends_on', 'profiles']);

/** JSON with object keys sorted at every level, undefined dropped: the same config gives the same text. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableStringify(x))).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** sha256 (hex) of the service's normalized config without build, scale (and deploy.replicas), depends_on, profiles. */
export function serviceConfigHash(service: ServiceConfig): string {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(service)) if (!EXCLUDED.has(k)) copy[k] = v;
  if (service.deploy) { const { replicas: _replicas, ...deploy } = service.deploy; copy['deploy'] = deploy; }
  return createHash('sha256').update(stableStringify(copy)).digest('hex');
}
