// --filter key=value lists, as Podman reads them: values of the same key OR
// together, different keys AND. Grouped and validated here, matched by each
// listing that supports them.
import { InvalidArgumentError } from './errors.js';

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
