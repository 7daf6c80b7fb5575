// Merging Compose files (and a service onto the one it `extends`), per the Specification's merge chapter:
// mappings merge key by key, sequences append, scalars are replaced; command, entrypoint and
// healthcheck.test are replaced whole; values with a short and a long form are merged in their expanded
// form (build, depends_on, networks, environment-like mappings); ports, volumes, secrets, configs and
// devices are unique by target (a later entry replaces an earlier one in place); `!reset` removes a value
// and `!override` replaces it without merging.
import { parsePortSpec } from './ports.js';
import { parseVolumeSpec } from './volumes.js';
import { OverrideTag, ResetTag, isTree, stripTags, type Tree } from './yaml.js';

type Path = readonly string[];

// Matchers on dotted paths where '*' is one user-defined key.
const rule = (pattern: string): RegExp => new RegExp(`^${pattern.split('.').map((p) => (p === '*' ? '[^.]+' : p.replace(/[-_]/g, (c) => `\\${c}`))).join('\\.')}$`);
const REPLACE = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test', 'services.*.ulimits.*'].map(rule);
/** Mappings that may be written as KEY=VALUE lists. */
const KEY_VALUES = [
  'services.*.environment', 'services.*.labels', 'services.*.annotations', 'services.*.sysctls', 'services.*.build.args',
  'services.*.build.labels', 'services.*.deploy.labels', 'networks.*.labels', 'volumes.*.labels', 'secrets.*.labels',
  'configs.*.labels', 'services.*.volumes.*.volume.labels', 'services.*.build.additional_contexts',
].map(rule);
/** Strings or lists of strings, appended. */
const STRING_OR_LIST = ['services.*.dns', 'services.*.dns_search', 'services.*.dns_opt', 'services.*.tmpfs', 'services.*.env_file', 'services.*.label_file', 'services.*.extra_hosts', 'services.*.build.extra_hosts'].map(rule);
/** Lists of names or mappings by name. */
const NAME_MAPS: [RegExp, unknown][] = [
  [rule('services.*.depends_on'), { condition: 'service_started', required: true }],
  [rule('services.*.networks'), null],
  [rule('services.*.models'), null],
];
const matches = (path: Path, rules: RegExp[]): boolean => { const s = path.join('.'); return rules.some((r) => r.test(s)); };

/** Merge `over` onto `base` (neither is modified). */
export function mergeTrees(base: Tree, over: Tree, path: Path = []): Tree {
  return mergeValue(base, over, path) as Tree;
}

function clone<T>(v: T): T { return stripTags(v) as T; }

function mergeValue(base: unknown, over: unknown, path: Path): unknown {
  if (over instanceof OverrideTag) return clone(over.value);
  if (over instanceof ResetTag) return undefined;
  if (base === undefined || base === null) return clone(over);
  if (over === undefined) return clone(base);
  if (matches(path, REPLACE)) return clone(over);
  if (matches(path, KEY_VALUES)) return mergeMaps(keyValueMap(base), keyValueMap(over), path);
  if (matches(path, STRING_OR_LIST)) return [...asList(base), ...(asList(over) as unknown[])];
  for (const [re, dflt] of NAME_MAPS) if (re.test(path.join('.'))) return mergeMaps(nameMap(base, dflt), nameMap(over, dflt), path);
  const p = path.join('.');
  if (/^services\.[^.]+\.build$/.test(p)) return mergeMaps(buildMap(base), buildMap(over), path);
  if (/^services\.[^.]+\.logging$/.test(p) && isTree(base) && isTree(over)) {
    // options only merge when both sides name the same driver (or one names none)
    if (base['driver'] !== undefined && over['driver'] !== undefined && base['driver'] !== over['driver']) return clone(over);
  }
  if (/^networks\.[^.]+\.ipam\.config$/.test(p) && Array.isArray(base) && Array.isArray(over)) return mergeBySubnet(base, over);
  if (isTree(base) && isTree(over)) return mergeMaps(base, over, path);
  if (Array.isArray(base) && Array.isArray(over)) return [...clone(base), ...over.filter((x) => !(x instanceof ResetTag)).map(clone)];
  return clone(over);
}

function mergeMaps(base: unknown, over: unknown, path: Path): Tree {
  const out: Tree = isTree(base) ? clone(base) : {};
  if (!isTree(over)) return out;
  for (const [k, v] of Object.entries(over)) {
    const merged = mergeValue(out[k], v, [...path, k]);
    if (merged === undefined) delete out[k]; else out[k] = merged;
  }
  return out;
}

/** KEY=VALUE list or mapping -> mapping (a bare KEY maps to null: "take it from the environment"). */
export function keyValueMap(v: unknown): Tree {
  if (isTree(v)) return v;
  const out: Tree = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const i = s.indexOf('=');
      if (i < 0) out[s] = null; else out[s.slice(0, i)] = s.slice(i + 1);
    }
  }
  return out;
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isTree(v)) return Object.entries(v).map(([k, x]) => (x === null ? k : `${k}=${String(x)}`));
  return [v];
}

function nameMap(v: unknown, dflt: unknown): Tree {
  if (isTree(v)) return v;
  const out: Tree = {};
  if (Array.isArray(v)) for (const n of v) out[String(n)] = dflt === null ? null : { ...(dflt as Tree) };
  return out;
}

function buildMap(v: unknown): Tree {
  return typeof v === 'string' ? { context: v } : isTree(v) ? v : {};
}

function mergeBySubnet(base: unknown[], over: unknown[]): unknown[] {
  const out = clone(base) as unknown[];
  for (const o of over) {
    const sub = isTree(o) ? o['subnet'] : undefined;
    const i = sub === undefined ? -1 : out.findIndex((b) => isTree(b) && b['subnet'] === sub);
    if (i >= 0) out[i] = mergeMaps(out[i], o, []); else out.push(clone(o));
  }
  return out;
}

// ---- uniqueness of list entries after merging

type Indexer = (entry: unknown) => string | undefined;
const byValue: Indexer = (e) => (typeof e === 'string' || typeof e === 'number' ? String(e) : undefined);
const byTarget = (dflt: string): Indexer => (e) => {
  if (typeof e === 'string') return `${dflt}${e}`;
  if (isTree(e)) return typeof e['target'] === 'string' ? e['target'] : `${dflt}${String(e['source'])}`;
  return undefined;
};
const volumeTarget: Indexer = (e) => {
  if (isTree(e)) return typeof e['target'] === 'string' ? e['target'] : undefined;
  if (typeof e === 'string') { try { return parseVolumeSpec(e).target; } catch { return undefined; } }
  return undefined;
};
const portKey: Indexer = (e) => {
  try {
    return (typeof e === 'string' || typeof e === 'number' ? parsePortSpec(e) : isTree(e) ? parsePortSpec(e) : [])
      .map((p) => `${p.host_ip ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol}`).join(',') || undefined;
  } catch { return undefined; }
};
const deviceTarget: Indexer = (e) => {
  if (isTree(e)) return typeof e['target'] === 'string' ? e['target'] : undefined;
  if (typeof e !== 'string') return undefined;
  const parts = e.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
};
const envFilePath: Indexer = (e) => (typeof e === 'string' ? e : isTree(e) ? String(e['path']) : undefined);

const UNIQUE: [RegExp, Indexer][] = [
  [rule('services.*.ports'), portKey],
  [rule('services.*.volumes'), volumeTarget],
  [rule('services.*.secrets'), byTarget('/run/secrets/')],
  [rule('services.*.configs'), byTarget('/')],
  [rule('services.*.devices'), deviceTarget],
  [rule('services.*.env_file'), envFilePath],
  ...['cap_add', 'cap_drop', 'dns', 'dns_opt', 'dns_search', 'expose', 'links', 'external_links', 'profiles', 'security_opt', 'tmpfs', 'extra_hosts']
    .map((k): [RegExp, Indexer] => [rule(`services.*.${k}`), byValue]),
  [rule('services.*.networks.*.aliases'), byValue],
];

/** Drop redefinitions in lists whose entries are unique by a key: the later entry takes the earlier one's place. */
export function enforceUnique(tree: Tree, path: Path = []): Tree {
  for (const [k, v] of Object.entries(tree)) {
    const p = [...path, k];
    if (Array.isArray(v)) {
      const s = p.join('.');
      const ix = UNIQUE.find(([re]) => re.test(s))?.[1];
      if (!ix) continue;
      const out: unknown[] = [];
      const seen = new Map<string, number>();
      for (const e of v) {
        const key = ix(e);
        const at = key === undefined ? undefined : seen.get(key);
        if (at !== undefined) out[at] = e;
        else { if (key !== undefined) seen.set(key, out.length); out.push(e); }
      }
      tree[k] = out;
    } else if (isTree(v)) {
      enforceUnique(v, p);
    }
  }
  return tree;
}
