// A container's files and usage: archive (GET/HEAD/PUT, docker cp), export,
// changes (docker diff), stats, and /commit. Paths are resolved inside the
// container by the engine (symlinks and ".." never leave its root or mounts),
// and tars are written by its layer unpacker (no entry lands outside the
// destination directory).
import { ApiError, badRequest } from '../errors.js';
import { truthy } from '../filters.js';
import { RAW, Reply, type ApiReply, type ApiRequest, type Router } from '../router.js';
import { engine, type StatsReport } from '../engine-adapter.js';
import { resolve } from './containers.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function archivePath(req: ApiRequest): string {
  const p = req.query.get('path');
  if (!p) throw badRequest('path is required: ?path=/PATH');
  return p;
}

async function pathStat(id: string, p: string): Promise<string> {
  try {
    return Buffer.from(JSON.stringify(await engine.containers.statPath({ container: id, path: p }))).toString('base64');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOTFOUND') throw new ApiError(404, `Could not find the file ${p} in container ${id}`);
    throw err;
  }
}

async function archiveHead(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  return new Reply(200, undefined, { [STAT_HEADER]: await pathStat(entry.id, archivePath(req)) });
}

async function archiveGet(req: ApiRequest, reply: ApiReply) {
  const { entry } = await resolve(req.params['id']!);
  const p = archivePath(req);
  const stat = await pathStat(entry.id, p);
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar', [STAT_HEADER]: stat });
  try { await engine.containers.copy({ source: `${entry.id}:${p}`, destination: '-', stdout: res }); } catch { res.destroy(); return RAW; }
  res.end();
  return RAW;
}

async function archivePut(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const p = archivePath(req);
  await pathStat(entry.id, p);
  // what lands in the container belongs to its user (rootless: the tar's host IDs mean nothing inside);
  // noOverwriteDirNonDir (the CLI sends it true) keeps a directory from being replaced by a file and back
  const overwrite = !truthy(req.query.get('noOverwriteDirNonDir'));
  await engine.containers.copy({ source: '-', destination: `${entry.id}:${p}`, stdin: req.stream, overwrite, archive: true });
  return new Reply(200, '');
}

async function exportCtr(req: ApiRequest, reply: ApiReply) {
  const { entry } = await resolve(req.params['id']!);
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try { await engine.containers.export({ container: entry.id, stream: res }); } catch { res.destroy(); return RAW; }
  res.end();
  return RAW;
}

const KIND = { C: 0, A: 1, D: 2 } as const;

async function changes(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const list = await engine.containers.diff({ container: entry.id });
  return list.map((c) => ({ Path: c.Path, Kind: KIND[c.Kind] }));
}

/** Docker's stats document from one engine sample and the one before it (precpu). */
export function statsDocument(s: StatsReport, prev: StatsReport | undefined): Record<string, unknown> {
  const cpu = (x: StatsReport | undefined) => ({
    cpu_usage: { total_usage: x?.cpuNanos ?? 0, percpu_usage: undefined, usage_in_kernelmode: 0, usage_in_usermode: x?.cpuNanos ?? 0 },
    system_cpu_usage: x?.systemCpuNanos ?? 0, online_cpus: x?.onlineCpus ?? s.onlineCpus, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    read: s.read, preread: prev?.read ?? '0001-01-01T00:00:00Z', name: `/${s.name}`, id: s.id,
    pids_stats: { current: s.pids },
    blkio_stats: { io_service_bytes_recursive: [{ major: 0, minor: 0, op: 'read', value: s.blockReadBytes }, { major: 0, minor: 0, op: 'write', value: s.blockWriteBytes }] },
    num_procs: 0, storage_stats: {},
    cpu_stats: cpu(s), precpu_stats: cpu(prev),
    memory_stats: { usage: s.memoryBytes, limit: s.memoryLimit, stats: { rss: s.memoryBytes } },
    networks: Object.fromEntries(Object.entries(s.networks).map(([n, v]) => [n, { rx_bytes: v.rxBytes, rx_packets: v.rxPackets, rx_errors: 0, rx_dropped: 0, tx_bytes: v.txBytes, tx_packets: v.txPackets, tx_errors: 0, tx_dropped: 0 }])),
  };
}

async function stats(req: ApiRequest, reply: ApiReply) {
  const { entry } = await resolve(req.params['id']!);
  if (!['running', 'paused', 'stopping'].includes(entry.state)) {
    // as Docker: a container that does not run uses nothing; one document, zeros
    const zero: StatsReport = { id: entry.id, name: entry.names[0] ?? entry.id, read: new Date().toISOString(), cpuNanos: 0, systemCpuNanos: 0, onlineCpus: 0, memoryBytes: 0, memoryLimit: 0, pids: 0, networks: {}, blockReadBytes: 0, blockWriteBytes: 0, source: 'procfs' };
    return statsDocument(zero, undefined);
  }
  const stream = req.query.get('stream') === null || truthy(req.query.get('stream'));
  const oneShot = truthy(req.query.get('one-shot'));
  const sample = () => engine.containers.stats({ container: entry.id });
  let prev = await sample();
  if (!stream) {
    // as Docker: two samples a second apart, so that a CPU percentage can be computed (one-shot: one)
    if (oneShot) return statsDocument(prev, undefined);
    await new Promise((r) => setTimeout(r, 1000));
    return statsDocument(await sample(), prev);
  }
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(`${JSON.stringify(statsDocument(prev, undefined))}\n`);
  while (!res.destroyed) {
    await new Promise((r) => setTimeout(r, 1000));
    if (res.destroyed) break;
    let s: StatsReport;
    try { s = await sample(); } catch { break; }
    res.write(`${JSON.stringify(statsDocument(s, prev))}\n`);
    prev = s;
  }
  res.end();
  return RAW;
}

/** The config body of /commit, as Dockerfile-style changes the engine applies. */
export function commitChanges(body: Buffer, q: URLSearchParams): string[] {
  const out = q.getAll('changes').flatMap((c) => c.split('\n')).map((c) => c.trim()).filter(Boolean);
  if (!body.length) return out;
  let c: Record<string, unknown>;
  try { c = JSON.parse(body.toString('utf8')) as Record<string, unknown>; } catch { throw badRequest('invalid JSON in the request body'); }
  if (typeof c !== 'object' || c === null) return out;
  const arr = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
  const cmd = arr(c['Cmd']), ep = arr(c['Entrypoint']);
  if (cmd) out.push(`CMD ${JSON.stringify(cmd)}`);
  if (ep) out.push(`ENTRYPOINT ${JSON.stringify(ep)}`);
  for (const e of arr(c['Env']) ?? []) { const i = e.indexOf('='); if (i > 0) out.push(`ENV ${e.slice(0, i)}=${JSON.stringify(e.slice(i + 1))}`); }
  for (const [k, v] of Object.entries((c['Labels'] as Record<string, string> | null) ?? {})) out.push(`LABEL ${JSON.stringify(k)}=${JSON.stringify(String(v))}`);
  for (const p of Object.keys((c['ExposedPorts'] as Record<string, unknown> | null) ?? {})) out.push(`EXPOSE ${p}`);
  if (typeof c['WorkingDir'] === 'string' && c['WorkingDir']) out.push(`WORKDIR ${c['WorkingDir']}`);
  if (typeof c['User'] === 'string' && c['User']) out.push(`USER ${c['User']}`);
  return out;
}

async function commit(req: ApiRequest) {
  const name = req.query.get('container');
  if (!name) throw badRequest('container is required: ?container=NAME');
  const { entry } = await resolve(name);
  const repo = req.query.get('repo') || '';
  const t = req.query.get('tag') || '';
  const image = repo ? `${repo}${t ? `:${t}` : ''}` : undefined;
  const changes = commitChanges(req.body, req.query);
  const pause = req.query.get('pause');
  const rep = await engine.containers.commit({
    container: entry.id, image, changes, message: req.query.get('comment') || undefined, author: req.query.get('author') || undefined,
    pause: pause === null ? true : truthy(pause), format: 'docker',
  });
  return new Reply(201, { Id: `sha256:${rep.id}` });
}

export function fileRoutes(r: Router): void {
  r.add('HEAD', '/containers/:id/archive', archiveHead);
  r.add('GET', '/containers/:id/archive', archiveGet);
  r.add('PUT', '/containers/:id/archive', archivePut, { raw: true });
  r.add('GET', '/containers/:id/export', exportCtr);
  r.add('GET', '/containers/:id/changes', changes);
  r.add('GET', '/containers/:id/stats', stats);
  r.add('POST', '/commit', commit);
}
