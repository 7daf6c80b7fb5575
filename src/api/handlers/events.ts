// GET /events: the engine's events log as Docker's event stream (one JSON object per
// line), with Docker's action names and filters. `since` replays recorded events;
// without `until` the stream follows the log until the client goes away.
import type { ApiReply, ApiRequest, Router } from '../router.js';
import { RAW } from '../router.js';
import { ApiError } from '../errors.js';
import { engine, type TspodEvent } from '../engine-adapter.js';

/** tspod's (Podman's) statuses that Docker names otherwise. */
const TO_DOCKER: Record<string, Record<string, string>> = {
  container: { died: 'die', remove: 'destroy', exec: 'exec_start', exec_died: 'exec_die' },
  image: { remove: 'delete', loadfromarchive: 'load' },
  volume: { remove: 'destroy' },
  network: { remove: 'destroy' },
};

function dockerAction(e: TspodEvent): string {
  const a = TO_DOCKER[e.Type]?.[e.Status] ?? e.Status;
  return a === 'health_status' && e.HealthStatus ? `health_status: ${e.HealthStatus}` : a;
}

/** A Docker action name in an `event` filter -> tspod's status. */
function fromDocker(action: string): string[] {
  const ours = new Set<string>();
  for (const m of Object.values(TO_DOCKER)) for (const [mine, theirs] of Object.entries(m)) if (theirs === action) ours.add(mine);
  return ours.size ? [...ours] : [action.replace(/^health_status: .*/, 'health_status')];
}

const FILTER_KEYS = ['container', 'event', 'image', 'label', 'network', 'type', 'volume'];

/** Docker's `filters` query (JSON: {"key": ["v"]} or {"key": {"v": true}}) -> tspod's key=value list. */
export function eventFilters(raw: string | null): string[] {
  if (!raw) return [];
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { throw new ApiError(400, `invalid filters: ${raw}`); }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'invalid filters: expected a JSON object');
  const out: string[] = [];
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!FILTER_KEYS.includes(k)) throw new ApiError(400, `invalid filter '${k}'`);
    const values = Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v as object) : [String(v)];
    for (const x of values) for (const y of k === 'event' ? fromDocker(x) : [x]) out.push(`${k}=${y}`);
  }
  return out;
}

/** Docker's since/until: unix seconds (with a fraction) or an RFC 3339 time. */
function timeParam(v: string | null, what: string): string | undefined {
  if (v === null || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v) || !Number.isNaN(Date.parse(v))) return v;
  throw new ApiError(400, `invalid ${what}: "${v}"`);
}

export function dockerEvent(e: TspodEvent): Record<string, unknown> {
  const action = dockerAction(e);
  const id = e.Type === 'network' && e.Network ? (e.ID ?? e.Network) : e.ID ?? e.Name ?? '';
  const attrs: Record<string, string> = { ...e.Attributes };
  if (e.Name) attrs['name'] = e.Name;
  if (e.Image) attrs['image'] = e.Image;
  if (e.ContainerExitCode !== undefined) attrs['exitCode'] = String(e.ContainerExitCode);
  if (e.Type === 'network') { attrs['name'] = e.Network ?? e.Name ?? ''; if (e.ID) attrs['container'] = e.ID; }
  const timeNano = Number(e.timeNano);
  return {
    status: action, id, from: e.Image ?? '', Type: e.Type, Action: action,
    Actor: { ID: e.Type === 'network' ? (e.Network ?? id) : id, Attributes: attrs },
    scope: 'local', time: Math.floor(timeNano / 1e9), timeNano,
  };
}

async function events(req: ApiRequest, reply: ApiReply) {
  const filters = eventFilters(req.query.get('filters'));
  const since = timeParam(req.query.get('since'), 'since');
  const until = timeParam(req.query.get('until'), 'until');
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const write = (e: TspodEvent) => res.write(`${JSON.stringify(dockerEvent(e))}\n`);
  if (until !== undefined) {
    for (const e of await engine.events.read({ filters, since, until })) write(e);
  } else {
    // follow until the client hangs up (a streaming request keeps the service alive meanwhile)
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    res.flushHeaders();
    for await (const e of engine.events.watch({ filters, since, signal: ac.signal })) write(e);
  }
  res.end();
  return RAW;
}

export function eventRoutes(r: Router): void {
  r.add('GET', '/events', events);
}
