// How `tspod events` shows an event, as `podman events` does: the default
// human line (Podman's Event.ToHumanReadable), the JSON line of --format json,
// and the object Go templates see (Podman's field names, Time printed like
// Go's time.Time). Pure functions; the command does the printing.
import { markMap, markStruct } from './value.js';
import type { TspodEvent } from '../events/types.js';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Go's time.Time.String() in the local zone: 2026-12-07 00:21:07.123456789 +0000 UTC (trailing zeros of the fraction dropped). */
export function goTimeString(ns: bigint, tz?: string): string {
  const ms = Number(ns / 1_000_000n);
  const d = new Date(ms);
  const offMin = tz === 'UTC' ? 0 : -d.getTimezoneOffset();
  const local = new Date(ms + offMin * 60_000);
  const frac = String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '');
  const sign = offMin < 0 ? '-' : '+';
  const off = `${sign}${pad(Math.floor(Math.abs(offMin) / 60))}${pad(Math.abs(offMin) % 60)}`;
  let zone = 'UTC';
  if (offMin !== 0 || (tz !== 'UTC' && process.env['TZ'] && !/^(UTC|Etc\/UTC|UTC0|:?UTC)$/.test(process.env['TZ']))) {
    // Go prints the zone's abbreviation (CET, EST); Intl knows it for most zones, else Go's numeric fallback
    const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
    zone = name && !/^GMT/.test(name) ? name : offMin === 0 ? 'UTC' : `${sign}${pad(Math.floor(Math.abs(offMin) / 60))}${Math.abs(offMin) % 60 ? pad(Math.abs(offMin) % 60) : ''}`;
  }
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date} ${time}${frac ? '.' + frac : ''} ${off} ${zone}`;
}

const short = (id: string | undefined, trunc: boolean): string => (id === undefined ? '' : trunc ? id.slice(0, 12) : id);

/** Podman's default line for an event; `trunc` shortens IDs to 12 characters (--no-trunc=false). */
export function humanLine(e: TspodEvent, trunc = false): string {
  const time = goTimeString(e.timeNano);
  const id = short(e.ID, trunc);
  const head = `${time} ${e.Type} ${e.Status}`;
  switch (e.Type) {
    case 'container': case 'pod': {
      let s = `${head} ${id} (image=${e.Image ?? ''}, name=${e.Name ?? ''}`;
      if (e.PodID) s += `, pod_id=${e.PodID}`;
      if (e.Status === 'health_status') s += `, health_status=${e.HealthStatus ?? ''}`;
      for (const k of Object.keys(e.Attributes).sort()) s += `, ${k}=${e.Attributes[k]}`;
      return `${s})`;
    }
    case 'network':
      if (e.Status === 'create' || e.Status === 'remove') return `${head} ${e.ID ?? ''} (name=${e.Network ?? e.Name ?? ''}${e.Attributes['driver'] ? `, type=${e.Attributes['driver']}` : ''})`;
      return `${head} ${id} (container=${id}, name=${e.Network ?? ''})`;
    case 'image':
      return `${head} ${id} ${e.Name ?? ''}${e.Error ? ` ${e.Error}` : ''}`;
    case 'system':
      return e.Name ? `${head} ${e.Name}` : head;
    case 'volume':
      return `${head} ${e.Name ?? ''}`;
  }
}

/** The --format json line: the event as the log stores it, plus timeNano (exact digits). */
export function jsonLine(e: TspodEvent): string {
  const o: Record<string, unknown> = {};
  if (e.ContainerExitCode !== undefined) o['ContainerExitCode'] = e.ContainerExitCode;
  for (const k of ['ID', 'Image', 'Name', 'Network'] as const) if (e[k] !== undefined) o[k] = e[k];
  o['Status'] = e.Status;
  o['Time'] = e.Time;
  o['timeNano'] = '\0timeNano\0';
  o['Type'] = e.Type;
  for (const k of ['HealthStatus', 'Error', 'PodID'] as const) if (e[k] !== undefined) o[k] = e[k];
  o['Attributes'] = Object.keys(e.Attributes).length ? e.Attributes : null;
  // a bigint has no JSON form: splice the digits in where the placeholder string is
  return JSON.stringify(o).replace('"\\u0000timeNano\\u0000"', e.timeNano.toString());
}

/** The object a --format template sees: every Podman field present (Go struct semantics), Time as Go prints it. */
export function templateView(e: TspodEvent): Record<string, unknown> {
  return markStruct({
    ID: e.ID ?? '',
    Image: e.Image ?? '',
    Name: e.Name ?? '',
    Network: e.Network ?? '',
    Status: e.Status,
    Time: goTimeString(e.timeNano),
    TimeNano: e.timeNano,
    Type: e.Type,
    ContainerExitCode: e.ContainerExitCode ?? 0,
    PodID: e.PodID ?? '',
    HealthStatus: e.HealthStatus ?? '',
    Error: e.Error ?? '',
    Attributes: markMap({ ...e.Attributes }),
  });
}
