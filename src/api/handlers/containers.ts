// /containers: create, list, inspect, start, stop, kill, restart, pause,
// unpause, rename, wait, delete, top, prune, resize.
import { ApiError, badRequest, noSuchContainer, noSuchImage } from '../errors.js';
import { parseFilters, truthy } from '../filters.js';
import { RAW, Reply, type ApiRequest, type ApiReply, type Router } from '../router.js';
import { parseJsonBody, translateCreate } from '../create-body.js';
import { NotFoundError, allContainers, engine, type ContainerConfig, type ContainerEntry } from '../engine-adapter.js';
import { takePendingAttaches } from './attach.js';

/** Resolve a container or answer Docker's 404. */
export async function resolve(name: string): Promise<{ entry: ContainerEntry; config: ContainerConfig }> {
  try { return await engine.containers.state({ container: name }); } catch (err) {
    if (err instanceof NotFoundError) throw noSuchContainer(name);
    throw err;
  }
}

/** Docker's states: created, running, paused, restarting, removing, exited, dead. */
export function dockerState(s: ContainerEntry['state']): string {
  return s === 'configured' ? 'created' : s === 'stopping' ? 'running' : s;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

function dockerPorts(c: ContainerConfig | undefined, e: ContainerEntry) {
  return (c?.ports ?? e.ports).map((p) => ({ IP: p.hostIP || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol }));
}

function portMap(c: ContainerConfig): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const p of c.ports) (out[`${p.containerPort}/${p.protocol}`] ??= [])!.push({ HostIp: p.hostIP || '0.0.0.0', HostPort: String(p.hostPort) });
  return out;
}

const networkMode = (c: ContainerConfig | undefined) => (!c ? 'default' : c.networks?.length ? c.networks[0]! : c.network === 'slirp4netns' ? 'default' : c.network);

async function list(req: ApiRequest) {
  const all = truthy(req.query.get('all'));
  const limit = Number(req.query.get('limit') ?? -1);
  const filters = parseFilters(req.query.get('filters'), ['name', 'id', 'status', 'label', 'ancestor', 'exited', 'health', 'volume', 'network', 'restart-policy'])
    // Docker names are shown with a leading slash, and a name filter may carry it
    .map((f) => (f.startsWith('name=/') ? `name=${f.slice(6)}` : f));
  const rows = await engine.containers.list({ all: all || limit > 0, filters, ago });
  const configs = new Map((await allContainers()).map((c) => [c.entry.id, c]));
  const out = rows.map((r) => {
    const c = configs.get(r.Id);
    const e = c?.entry;
    const cfg = c?.config;
    return {
      Id: r.Id, Names: r.NamesList.map((n) => `/${n}`), Image: r.Image, ImageID: `sha256:${r.ImageID}`, Command: r.Command, Created: r.Created,
      Ports: e ? dockerPorts(cfg, e) : [], Labels: r.Labels, State: dockerState(r.State as ContainerEntry['state']), Status: r.Status,
      HostConfig: { NetworkMode: networkMode(cfg) },
      NetworkSettings: { Networks: Object.fromEntries((cfg?.networks ?? [networkMode(cfg)]).map((n) => [n, { NetworkID: n, Aliases: cfg?.networkAliases ?? null }])) },
      Mounts: (cfg?.mounts ?? []).map((m) => ({ Type: m.type, Name: m.type === 'volume' ? m.source : undefined, Source: m.source, Destination: m.destination, Mode: '', RW: !m.readonly, Propagation: '' })),
    };
  });
  return limit > 0 ? out.slice(0, limit) : out;
}

/**
 * Docker lists a container's short ID among its aliases on each user network (it resolves there);
 * docker-compose 1.x looks for it, and without it disconnects and reconnects the container.
 */
function withShortIdAlias(networks: unknown, id: string): unknown {
  if (typeof networks !== 'object' || networks === null) return networks;
  return Object.fromEntries(Object.entries(networks as Record<string, { Aliases?: string[] }>).map(([n, v]) => [n, { ...v, Aliases: [...new Set([...(v.Aliases ?? []), id.slice(0, 12)])] }]));
}

/**
 * k8s-file logs are served by /containers/ID/logs as Docker serves json-file ones (the Docker SDKs read a
 * container's output after `run` only for the drivers they know can be read back): reported as json-file.
 */
function dockerLogConfig(lc: unknown): unknown {
  const l = lc as { Type?: string; Config?: unknown } | undefined;
  return l?.Type === 'k8s-file' ? { Type: 'json-file', Config: l.Config ?? {} } : { Type: l?.Type ?? 'none', Config: l?.Config ?? {} };
}

/** The engine's inspect, in the shape Docker clients read. */
export async function inspectDocker(name: string): Promise<Record<string, unknown>> {
  const { entry, config } = await resolve(name);
  const i = await engine.containers.inspect({ container: entry.id }) as Record<string, unknown> & { State: Record<string, unknown>; Config: Record<string, unknown>; HostConfig: Record<string, unknown>; NetworkSettings: Record<string, unknown> };
  const ports = portMap(config);
  const exposed = { ...Object.fromEntries(Object.keys(ports).map((k) => [k, {}])), ...(i.Config['ExposedPorts'] as Record<string, object> | undefined) };
  const health = i.State['Health'] as { Status?: string } | undefined;
  return {
    ...i,
    Name: `/${config.name}`,
    Image: `sha256:${config.image}`,
    State: { ...i.State, Status: dockerState(entry.state), Running: entry.state === 'running' || entry.state === 'stopping', Health: health ? { ...health, Status: health.Status || 'starting' } : undefined, Healthcheck: undefined },
    Config: { ...i.Config, Image: config.imageName, ExposedPorts: exposed, Labels: config.labels ?? {}, Env: config.env },
    HostConfig: { ...i.HostConfig, LogConfig: dockerLogConfig(i.HostConfig['LogConfig']), NetworkMode: networkMode(config), PortBindings: ports, RestartPolicy: { Name: config.restart.name === 'no' ? '' : config.restart.name, MaximumRetryCount: config.restart.maxRetries } },
    NetworkSettings: { ...i.NetworkSettings, Ports: ports, Networks: withShortIdAlias(i.NetworkSettings['Networks'], entry.id) },
  };
}

async function create(req: ApiRequest) {
  const opts = translateCreate(parseJsonBody(req.body), req.query.get('name') ?? undefined);
  // Docker does not pull at create: the client pulls on 404 and retries
  if (!(await engine.images.exists({ image: opts.image }))) throw noSuchImage(opts.image);
  const rep = await engine.containers.create(opts);
  return new Reply(201, { Id: rep.id, Warnings: rep.warnings });
}

function firstError(reps: Array<{ error?: Error | undefined }>): void {
  const e = reps.find((r) => r.error)?.error;
  if (e) throw e;
}

async function start(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  if (entry.state === 'running' || entry.state === 'paused') return new Reply(304);
  const pending = takePendingAttaches(entry.id);
  const rep = await engine.containers.start({ container: entry.id, beforeStart: pending.length ? async () => { for (const c of pending) await c(); } : undefined });
  await rep.notified;
  return new Reply(204);
}

async function stop(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  if (!['running', 'paused', 'stopping'].includes(entry.state)) return new Reply(304);
  const t = req.query.get('t');
  firstError(await engine.containers.stop({ containers: [entry.id], timeout: t !== null && t !== '' ? Number(t) : undefined }));
  return new Reply(204);
}

async function kill(req: ApiRequest) {
  const { entry, config } = await resolve(req.params['id']!);
  if (!['running', 'paused', 'stopping'].includes(entry.state)) throw new ApiError(409, `Container ${entry.id} is not running`);
  firstError(await engine.containers.kill({ containers: [entry.id], signal: req.query.get('signal') || undefined }));
  void config;
  return new Reply(204);
}

async function restart(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const t = req.query.get('t');
  firstError(await engine.containers.stop({ containers: [entry.id], timeout: t !== null && t !== '' ? Number(t) : undefined }));
  await (await engine.containers.start({ container: entry.id })).notified;
  return new Reply(204);
}

async function pause(req: ApiRequest, on: boolean) {
  const { entry } = await resolve(req.params['id']!);
  firstError(await (on ? engine.containers.pause({ containers: [entry.id] }) : engine.containers.unpause({ containers: [entry.id] })));
  return new Reply(204);
}

/**
 * The exit code of a container that is gone, from its last `died` event: an auto-removed container
 * (`docker run --rm`) can exit and be removed before the client's wait request, sent alongside its
 * start, arrives.
 */
async function exitCodeOfRemoved(idOrName: string): Promise<number | undefined> {
  const died = await engine.events.read({ filters: ['type=container', 'event=died', `container=${idOrName}`] }).catch(() => []);
  return died.at(-1)?.ContainerExitCode;
}

async function wait(req: ApiRequest, reply: ApiReply) {
  const condition = req.query.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
  let entry: ContainerEntry;
  try { ({ entry } = await resolve(req.params['id']!)); } catch (err) {
    // only by full ID (what a client that created it holds): a name may since belong to nothing, or to another
    const full = /^[0-9a-f]{64}$/.test(req.params['id']!);
    const code = err instanceof ApiError && err.status === 404 && condition !== 'next-exit' && full ? await exitCodeOfRemoved(req.params['id']!) : undefined;
    if (code === undefined) throw err;
    return new Reply(200, { StatusCode: code, Error: null });
  }
  // Docker sends the headers at once and the body at the exit: a client may start the container meanwhile
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let code: number;
  try {
    if (condition === 'not-running') {
      code = ['running', 'paused', 'stopping'].includes(entry.state) ? await engine.containers.wait({ container: entry.id, conditions: ['exited'] }) : entry.exitCode;
    } else {
      if (condition === 'next-exit' && entry.state === 'exited') await engine.containers.wait({ container: entry.id, conditions: ['running', 'stopping', 'paused'] }).catch(() => 0);
      code = await engine.containers.wait({ container: entry.id, conditions: ['exited'] });
      // removed: after the exit, until the entry is gone (no state matches this)
      if (condition === 'removed') await engine.containers.wait({ container: entry.id, conditions: ['(removed)'] });
    }
    res.end(`${JSON.stringify({ StatusCode: code, Error: null })}\n`);
  } catch (err) {
    // gone while we waited (removed as it exited): the exit code is still on record
    const gone = err instanceof NotFoundError ? await exitCodeOfRemoved(entry.id) : undefined;
    res.end(`${JSON.stringify(gone !== undefined ? { StatusCode: gone, Error: null } : { StatusCode: -1, Error: { Message: (err as Error).message } })}\n`);
  }
  return RAW;
}

async function remove(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const force = truthy(req.query.get('force'));
  if (!force && ['running', 'paused', 'stopping'].includes(entry.state)) {
    throw new ApiError(409, `You cannot remove a running container ${entry.id}. Stop the container before attempting removal or force remove`);
  }
  firstError(await engine.containers.remove({ containers: [entry.id], force, volumes: truthy(req.query.get('v')) }));
  return new Reply(204);
}

async function rename(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const name = req.query.get('name');
  if (!name) throw badRequest('a new name is required: ?name=NEW');
  await engine.containers.rename({ container: entry.id, name: name.replace(/^\//, '') });
  return new Reply(204);
}

async function top(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  if (entry.state !== 'running') throw new ApiError(409, `Container ${entry.id} is not running`);
  const rows = await engine.containers.top({ container: entry.id });
  return { Titles: rows[0] ?? [], Processes: rows.slice(1) };
}

async function prune() {
  const ids = await engine.containers.prune();
  return { ContainersDeleted: ids, SpaceReclaimed: 0 };
}

async function resize(req: ApiRequest) {
  const { entry, config } = await resolve(req.params['id']!);
  const h = Number(req.query.get('h')), w = Number(req.query.get('w'));
  if (!(h > 0 && w > 0)) throw badRequest('resize needs h and w greater than 0');
  if (config.tty && entry.state === 'running') await engine.containers.resize({ container: entry.id, rows: h, cols: w });
  return new Reply(200, '');
}

export function containerRoutes(r: Router): void {
  r.add('GET', '/containers/json', list);
  r.add('POST', '/containers/create', create);
  r.add('POST', '/containers/prune', prune);
  r.add('GET', '/containers/:id/json', (req) => inspectDocker(req.params['id']!));
  r.add('POST', '/containers/:id/start', start);
  r.add('POST', '/containers/:id/stop', stop);
  r.add('POST', '/containers/:id/kill', kill);
  r.add('POST', '/containers/:id/restart', restart);
  r.add('POST', '/containers/:id/pause', (req) => pause(req, true));
  r.add('POST', '/containers/:id/unpause', (req) => pause(req, false));
  r.add('POST', '/containers/:id/wait', wait);
  r.add('POST', '/containers/:id/rename', rename);
  r.add('POST', '/containers/:id/resize', resize);
  r.add('GET', '/containers/:id/top', top);
  r.add('DELETE', '/containers/:id', remove);
}
