// Checks that need the whole project (after normalization, on the enabled services): references to
// services, networks, volumes, secrets and configs exist; dependencies form no cycle. Also adds the
// implicit dependencies Compose derives (network_mode/ipc/pid service:X, volumes_from X, links).
import { ComposeError } from './errors.js';
import type { Project, ServiceConfig } from './types.js';

const fail = (msg: string): never => { throw new ComposeError(msg); };

/**
 * Services a service needs started first, besides depends_on, and whether it restarts when one is recreated
 * (as Compose derives them: sharing a namespace (network_mode/ipc/pid/uts/cgroup service:X) or a link restarts
 * it, volumes_from does not).
 */
function implicitDependencies(s: ServiceConfig): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  for (const l of (s['links'] as string[] | undefined) ?? []) out.push([l.split(':')[0]!, true]);
  for (const k of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const v = s[k];
    if (typeof v === 'string' && v.startsWith('service:')) out.push([v.slice('service:'.length), true]);
  }
  for (const v of s.volumes_from ?? []) if (!v.startsWith('container:')) out.push([v.replace(/^service:/, '').split(':')[0]!, false]);
  return out;
}

export function addImplicitDependencies(services: Record<string, ServiceConfig>): void {
  for (const s of Object.values(services)) {
    for (const [d, restart] of implicitDependencies(s)) s.depends_on[d] ??= { condition: 'service_started', required: true, restart };
  }
}

/** Validate references among the enabled services; drop optional dependencies that are not there (warned). */
export function checkProject(p: Project): void {
  const known = (name: string): boolean => Object.hasOwn(p.services, name);
  for (const [name, s] of Object.entries(p.services)) {
    for (const [dep, d] of Object.entries(s.depends_on)) {
      if (known(dep)) continue;
      const why = Object.hasOwn(p.disabled_services, dep) ? `service "${dep}" is not enabled by the active profiles` : `service "${dep}" is not defined`;
      if (!d.required) { p.warnings.push(`service "${name}" depends on ${why.replace(/^service /, '')}; ignored (required: false)`); delete s.depends_on[dep]; continue; }
      fail(`service "${name}" depends on undefined service "${dep}": ${why}`);
    }
    for (const net of Object.keys(s.networks ?? {})) {
      if (net !== 'default' && !Object.hasOwn(p.networks, net)) fail(`service "${name}" refers to undefined network "${net}"`);
    }
    for (const v of s.volumes) {
      if (v.type === 'volume' && v.source && !Object.hasOwn(p.volumes, v.source)) fail(`service "${name}" refers to undefined volume "${v.source}"`);
    }
    for (const kind of ['secrets', 'configs'] as const) {
      for (const ref of s[kind]) if (!Object.hasOwn(p[kind], ref.source)) fail(`service "${name}" refers to undefined ${kind === 'secrets' ? 'secret' : 'config'} "${ref.source}"`);
    }
    for (const ref of s.build?.secrets ?? []) if (!Object.hasOwn(p.secrets, ref.source)) fail(`service "${name}" build refers to undefined secret "${ref.source}"`);
  }
  const cycle = findCycle(p.services);
  if (cycle) fail(`dependency cycle detected: ${cycle.join(' -> ')}`);
}

/** A dependency cycle as [a, b, ..., a], or undefined. */
export function findCycle(services: Record<string, ServiceConfig>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of Object.keys(services[n]?.depends_on ?? {}).sort()) {
      if (!Object.hasOwn(services, d)) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(services).sort()) { const c = visit(n); if (c) return c; }
  return undefined;
}

/** Service names in dependency order (dependencies first); ties by name. */
export function dependencyOrder(services: Record<string, ServiceConfig>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n) || !Object.hasOwn(services, n)) return;
    seen.add(n);
    for (const d of Object.keys(services[n]!.depends_on).sort()) visit(d);
    out.push(n);
  };
  for (const n of Object.keys(services).sort()) visit(n);
  return out;
}
