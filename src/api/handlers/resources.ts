// /networks and /volumes: list, inspect, create, delete, prune, and network connect/disconnect.
import { ApiError, badRequest, noSuchContainer } from '../errors.js';
import { parseFilters, truthy } from '../filters.js';
import { parseJsonBody } from '../create-body.js';
import { Reply, type ApiRequest, type Router } from '../router.js';
import { NotFoundError, allContainers, engine } from '../engine-adapter.js';
import { resolve } from './containers.js';

type NetworkRecord = Awaited<ReturnType<typeof engine.networks.inspect>>;

async function orNotFound<T>(what: string, name: string, fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (err) { if (err instanceof NotFoundError) throw new ApiError(404, `${what} ${name} not found`); throw err; }
}

async function dockerNetwork(n: NetworkRecord) {
  const members = (await allContainers()).filter((c) => c.config?.networks?.includes(n.name));
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'local', Driver: n.driver, EnableIPv6: n.ipv6_enabled,
    IPAM: { Driver: 'default', Options: n.ipam_options ?? {}, Config: n.subnets.map((s) => ({ Subnet: s.subnet, Gateway: s.gateway })) },
    Internal: n.internal, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: Object.fromEntries(members.map((c) => [c.entry.id, { Name: c.entry.names[0], EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' }])),
    Options: n.options, Labels: n.labels,
  };
}

async function orNotFoundVol<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (err) { if (err instanceof NotFoundError) throw new ApiError(404, `get ${name}: no such volume`); throw err; }
}

// Docker's default network is tspod's slirp4netns: listed as "bridge" so clients that look for it find it
const BUILTIN = ['bridge', 'host', 'none'];
const builtin = (name: string) => ({ Name: name, Id: name, Created: '0001-01-01T00:00:00Z', Scope: 'local', Driver: name === 'bridge' ? 'bridge' : name === 'host' ? 'host' : 'null', EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {} });

async function netList(req: ApiRequest) {
  const filters = parseFilters(req.query.get('filters'));
  const user = await Promise.all((await engine.networks.list({ filters })).map(dockerNetwork));
  const names = filters.filter((f) => f.startsWith('name=')).map((f) => f.slice(5));
  const others = filters.filter((f) => !f.startsWith('name='));
  const extra = others.length ? [] : BUILTIN.filter((b) => !names.length || names.some((n) => b.includes(n))).map(builtin);
  return [...extra, ...user];
}

async function netInspect(req: ApiRequest) {
  const id = req.params['id']!;
  if (BUILTIN.includes(id)) return builtin(id);
  return dockerNetwork(await orNotFound('network', id, () => engine.networks.inspect({ network: id })));
}

async function netCreate(req: ApiRequest) {
  const b = parseJsonBody(req.body);
  const name = b['Name'];
  if (typeof name !== 'string' || !name) throw badRequest('network name is required (Name)');
  if (await engine.networks.exists({ network: name })) {
    if (b['CheckDuplicate'] === false) return new Reply(201, { Id: (await engine.networks.inspect({ network: name })).id, Warning: '' });
    throw new ApiError(409, `network with name ${name} already exists`);
  }
  const driver = typeof b['Driver'] === 'string' && b['Driver'] ? b['Driver'] : 'bridge';
  if (driver !== 'bridge') throw badRequest(`network driver "${driver}" is not supported: use bridge`);
  const ipam = (b['IPAM'] ?? {}) as { Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> };
  const cfgs = Array.isArray(ipam.Config) ? ipam.Config : [];
  const labels = typeof b['Labels'] === 'object' && b['Labels'] ? Object.entries(b['Labels'] as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`) : undefined;
  const opts = typeof b['Options'] === 'object' && b['Options'] ? Object.entries(b['Options'] as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`) : undefined;
  const rec = await engine.networks.create({
    name, driver, internal: b['Internal'] === true, ipv6: b['EnableIPv6'] === true, labels, opts,
    subnets: cfgs.map((c) => c.Subnet).filter((x): x is string => !!x), gateways: cfgs.map((c) => c.Gateway).filter((x): x is string => !!x), ipRanges: cfgs.map((c) => c.IPRange).filter((x): x is string => !!x),
  });
  return new Reply(201, { Id: rec.id, Warning: '' });
}

async function netRemove(req: ApiRequest) {
  const id = req.params['id']!;
  if (BUILTIN.includes(id)) throw new ApiError(403, `${id} is a pre-defined network and cannot be removed`);
  await orNotFound('network', id, () => engine.networks.inspect({ network: id }));
  const [rep] = await engine.networks.remove({ networks: [id] });
  if (rep?.error) throw rep.error;
  return new Reply(204);
}

async function netPrune(req: ApiRequest) {
  const reps = await engine.networks.prune({ filters: parseFilters(req.query.get('filters')) });
  return { NetworksDeleted: reps.filter((r) => !r.error).map((r) => r.name) };
}

async function netConnect(req: ApiRequest, connect: boolean) {
  const id = req.params['id']!;
  await orNotFound('network', id, () => engine.networks.inspect({ network: id }));
  const b = parseJsonBody(req.body);
  const ctr = b['Container'];
  if (typeof ctr !== 'string' || !ctr) throw badRequest('Container is required');
  let cid: string;
  try { cid = (await resolve(ctr)).entry.id; } catch { throw noSuchContainer(ctr); }
  if (connect) {
    const ep = (b['EndpointConfig'] ?? {}) as { Aliases?: string[]; IPAMConfig?: { IPv4Address?: string } };
    await engine.networks.connect({ network: id, container: cid, aliases: Array.isArray(ep.Aliases) ? ep.Aliases : undefined, ip: ep.IPAMConfig?.IPv4Address || undefined });
  } else {
    await engine.networks.disconnect({ network: id, container: cid });
  }
  return new Reply(200, '');
}

// ---------------------------------------------------------------- volumes

function dockerVolume(v: Awaited<ReturnType<typeof engine.volumes.inspect>>) {
  return { Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: 'local', Options: v.Options };
}

async function volList(req: ApiRequest) {
  const filters = parseFilters(req.query.get('filters'));
  return { Volumes: (await engine.volumes.list({ filters })).map(dockerVolume), Warnings: [] };
}

async function volCreate(req: ApiRequest) {
  const b = parseJsonBody(req.body, false);
  const name = typeof b['Name'] === 'string' && b['Name'] ? b['Name'] : undefined;
  // Docker returns the existing volume for a create of a known name
  if (name && await engine.volumes.exists({ volume: name })) return new Reply(201, dockerVolume(await engine.volumes.inspect({ volume: name })));
  const labels = typeof b['Labels'] === 'object' && b['Labels'] ? Object.entries(b['Labels'] as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`) : undefined;
  const opts = typeof b['DriverOpts'] === 'object' && b['DriverOpts'] ? Object.entries(b['DriverOpts'] as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`) : undefined;
  const v = await engine.volumes.create({ name, driver: typeof b['Driver'] === 'string' && b['Driver'] ? b['Driver'] : undefined, labels, opts });
  return new Reply(201, dockerVolume(v));
}

async function volRemove(req: ApiRequest) {
  const name = req.params['name']!;
  await orNotFoundVol(name, () => engine.volumes.inspect({ volume: name }));
  const [rep] = await engine.volumes.remove({ volumes: [name], force: truthy(req.query.get('force')) });
  if (rep?.error) throw rep.error.code === 'EINUSE' ? new ApiError(409, `remove ${name}: volume is in use - ${rep.error.message}`) : rep.error;
  return new Reply(204);
}

async function volPrune(req: ApiRequest) {
  const filters = parseFilters(req.query.get('filters')).filter((f) => f !== 'all=true' && f !== 'all=1');
  const reps = await engine.volumes.prune({ filters });
  return { VolumesDeleted: reps.filter((r) => !r.error).map((r) => r.name), SpaceReclaimed: 0 };
}

export function networkRoutes(r: Router): void {
  r.add('GET', '/networks', netList);
  r.add('POST', '/networks/create', netCreate);
  r.add('POST', '/networks/prune', netPrune);
  r.add('GET', '/networks/:id', netInspect);
  r.add('DELETE', '/networks/:id', netRemove);
  r.add('POST', '/networks/:id/connect', (req) => netConnect(req, true));
  r.add('POST', '/networks/:id/disconnect', (req) => netConnect(req, false));
}

export function volumeRoutes(r: Router): void {
  r.add('GET', '/volumes', volList);
  r.add('POST', '/volumes/create', volCreate);
  r.add('POST', '/volumes/prune', volPrune);
  r.add('GET', '/volumes/:name', async (req) => dockerVolume(await orNotFoundVol(req.params['name']!, () => engine.volumes.inspect({ volume: req.params['name']! }))));
  r.add('DELETE', '/volumes/:name', volRemove);
}
