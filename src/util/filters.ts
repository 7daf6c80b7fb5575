// --filter key=value lists, as Podman reads them: values of the same key OR
// together (except label: every label given must match), different keys AND. Grouped and validated here, matched by each
// listing that supports them.
import { InvalidArgumentError } from './errors.js';
import { parseTimeFilterMs } from './time-filter.js';

export function groupFilters(filters: string[] | undefined, supported: readonly string[], what: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const f of filters ?? []) {
    const i = f.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid filter "${f}": expected key=value`);
    const k = f.slice(0, i).toLowerCase(), v = f.slice(i + 1);
    if (!supported.includes(k)) throw new InvalidArgumentError(`invalid filter "${k}": supported ${what} filters are ${supported.join(', ')}`);
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  return groups;
}

/** What a prune filter looks at: the object's labels and creation time. */
export interface PruneTarget { labels: Record<string, string>; created: string }

/**
 * The filters every prune takes (Podman's `label=K[=V]`, `label!=K[=V]`, `until=TIME`); `until` keeps
 * what was created at or after TIME. Validated before anything is removed.
 */
export function pruneFilter(filters: string[] | undefined, what: string): (t: PruneTarget) => boolean {
  const groups = groupFilters(filters, ['label', 'label!', 'until'], `${what} prune`);
  const labelMatch = (val: string) => {
    const j = val.indexOf('=');
    const lk = j < 0 ? val : val.slice(0, j), lv = j < 0 ? undefined : val.slice(j + 1);
    return (t: PruneTarget) => lk in t.labels && (lv === undefined || t.labels[lk] === lv);
  };
  const tests: Array<(t: PruneTarget) => boolean> = [];
  for (const [k, vals] of groups) {
    if (k === 'label') { const ms = vals.map(labelMatch); tests.push((t) => ms.every((m) => m(t))); }
    else if (k === 'label!') { const ms = vals.map(labelMatch); tests.push((t) => !ms.some((m) => m(t))); }
    else { const limits = vals.map((v) => parseTimeFilterMs(v, 'until filter')); tests.push((t) => limits.every((u) => Date.parse(t.created) < u)); }
  }
  return (t) => tests.every((f) => f(t));
}
