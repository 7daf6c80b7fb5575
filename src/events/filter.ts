// `--filter` for events, with Podman's keys and rules: values of the same key
// OR together, different keys AND. container/image/pod/volume/network match the
// name exactly or an ID prefix, and only events of that type; event (alias
// status) matches the status; type the type; label=KEY=VALUE (or KEY alone)
// the event's attributes (a container's labels).
import { groupFilters } from '../util/filters.js';
import { InvalidArgumentError } from '../util/errors.js';
import { EVENT_STATUSES, EVENT_TYPES, type TspodEvent } from './types.js';

export const EVENT_FILTERS = ['container', 'event', 'image', 'label', 'network', 'pod', 'type', 'volume'] as const;

export type EventPredicate = (e: TspodEvent) => boolean;

const byNameOrId = (type: TspodEvent['Type'], v: string): EventPredicate =>
  (e) => e.Type === type && (e.Name === v || (e.ID !== undefined && e.ID.startsWith(v)));

function one(key: string, v: string): EventPredicate {
  switch (key) {
    case 'container': return byNameOrId('container', v);
    case 'image': return byNameOrId('image', v);
    case 'pod': return byNameOrId('pod', v);
    case 'volume': return byNameOrId('volume', v);
    case 'network': return (e) => e.Type === 'network' && (e.Network === v || e.Name === v || (e.ID !== undefined && e.ID.startsWith(v)));
    case 'type':
      if (!(EVENT_TYPES as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid type filter "${v}": event types are ${EVENT_TYPES.join(', ')}`);
      return (e) => e.Type === v;
    case 'event':
      if (!(EVENT_STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid event filter "${v}": unknown event status (e.g. create, start, died, remove, pull)`);
      return (e) => e.Status === v;
    default: { // label
      const i = v.indexOf('=');
      const k = i < 0 ? v : v.slice(0, i), val = i < 0 ? undefined : v.slice(i + 1);
      return (e) => Object.hasOwn(e.Attributes, k) && (val === undefined || e.Attributes[k] === val);
    }
  }
}

/** Compile `key=value` filters into one predicate; throws InvalidArgumentError (exit 125) on a bad key or value. */
export function eventFilter(filters: readonly string[] | undefined): EventPredicate {
  // Podman accepts status= as another spelling of event=
  const norm = (filters ?? []).map((f) => (/^status=/i.test(f) ? `event=${f.slice(7)}` : f));
  const groups = groupFilters(norm, EVENT_FILTERS, 'events');
  const all: EventPredicate[] = [];
  for (const [k, vals] of groups) {
    const any = vals.map((v) => one(k, v));
    all.push((e) => any.some((p) => p(e)));
  }
  return (e) => all.every((p) => p(e));
}
