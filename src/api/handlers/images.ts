// /images: create (pull, progress as JSON lines), list, inspect, history, tag,
// push, delete, prune.
import { ApiError, badRequest, noSuchImage } from '../errors.js';
import { parseFilters, truthy } from '../filters.js';
import { RAW, Reply, type ApiRequest, type ApiReply, type Router } from '../router.js';
import { NotFoundError, engine, type PullEvent } from '../engine-adapter.js';

const sha = (id: string) => (id.startsWith('sha256:') ? id : `sha256:${id}`);
const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

async function notFoundAs<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (err) { if (err instanceof NotFoundError) throw noSuchImage(name); throw err; }
}

/** 404 unless NAME is a local image, or a manifest list (which has no inspect document without its platform's image). */
async function mustExist(name: string): Promise<void> {
  try { await engine.images.inspect({ image: name }); } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    if (!await engine.images.exists({ image: name })) throw noSuchImage(name);
  }
}

/** X-Registry-Auth: base64url JSON {username, password}; an empty object means none. */
export function registryCreds(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || !header) return undefined;
  let v: { username?: string; password?: string };
  try { v = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as typeof v; } catch { throw badRequest('invalid X-Registry-Auth header: expected base64url-encoded JSON'); }
  return v.username ? `${v.username}:${v.password ?? ''}` : undefined;
}

async function list(req: ApiRequest) {
  const filters = parseFilters(req.query.get('filters'));
  return (await engine.images.list({ all: truthy(req.query.get('all')), filters })).map((i) => ({
    Id: sha(i.Id), ParentId: i.ParentId, RepoTags: i.RepoTags.length ? i.RepoTags : ['<none>:<none>'], RepoDigests: i.RepoDigests, Created: i.Created,
    Size: i.Size, SharedSize: i.SharedSize, VirtualSize: i.VirtualSize, Labels: i.Labels, Containers: i.Containers,
  }));
}

async function inspect(req: ApiRequest) {
  const name = req.params['name']!;
  const i = await notFoundAs(name, () => engine.images.inspect({ image: name })) as Record<string, unknown> & { Id: string };
  return { ...i, Id: sha(i.Id), Container: '', ContainerConfig: i['Config'], DockerVersion: '', Metadata: { LastTagTime: '0001-01-01T00:00:00Z' } };
}

async function history(req: ApiRequest) {
  const name = req.params['name']!;
  return (await notFoundAs(name, () => engine.images.history({ image: name }))).map((h) => ({ Id: h.ID === '<missing>' ? '<missing>' : sha(h.ID), Created: h.Created, CreatedBy: h.CreatedBy, Tags: h.Tags, Size: h.Size, Comment: h.Comment }));
}

async function tag(req: ApiRequest) {
  const name = req.params['name']!;
  const repo = req.query.get('repo');
  if (!repo) throw badRequest('repository name is required: ?repo=NAME');
  const t = req.query.get('tag') || 'latest';
  await mustExist(name);
  await engine.images.tag({ image: name, names: [`${repo}:${t}`] });
  return new Reply(201, '');
}

async function remove(req: ApiRequest) {
  const name = req.params['name']!;
  await mustExist(name);
  const [rep] = await engine.images.remove({ images: [name], force: truthy(req.query.get('force')) });
  if (rep?.error) throw rep.error.code === 'EINUSE' ? new ApiError(409, `conflict: unable to remove repository reference "${name}": ${rep.error.message}`) : rep.error;
  return [...(rep?.untagged ?? []).map((u) => ({ Untagged: u })), ...(rep?.deleted ?? []).map((d) => ({ Deleted: sha(d) }))];
}

async function prune(req: ApiRequest) {
  const filters = parseFilters(req.query.get('filters'));
  const danglingOnly = !filters.includes('dangling=false') && !filters.includes('dangling=0');
  const reps = await engine.images.prune({ all: !danglingOnly, filters: filters.filter((f) => !f.startsWith('dangling=')) });
  return { ImagesDeleted: reps.map((r) => ({ Deleted: sha(r.id) })), SpaceReclaimed: reps.reduce((a, r) => a + r.size, 0) };
}

/** A JSON-lines progress stream, as `docker pull`/`push` render it; errors go inside the stream once it has begun. */
function progressStream(reply: ApiReply) {
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  return {
    send: (o: Record<string, unknown>) => { if (!res.destroyed) res.write(`${JSON.stringify(o)}\r\n`); },
    fail: (m: string) => { if (!res.destroyed) res.write(`${JSON.stringify({ errorDetail: { message: m }, error: m })}\r\n`); },
    end: () => res.end(),
  };
}

/** fromSrc: import a root filesystem tar (the request body, `-`, or an http(s) URL) as a one-layer image. */
async function importImage(req: ApiRequest, reply: ApiReply) {
  const src = req.query.get('fromSrc')!;
  if (src !== '-' && !/^https?:\/\//.test(src)) throw badRequest(`fromSrc must be "-" (the request body) or an http(s) URL, not "${src}"`);
  const repo = req.query.get('repo') || undefined;
  const t = req.query.get('tag') || undefined;
  const reference = repo ? (t ? `${repo}:${t}` : repo) : undefined;
  const changes = req.query.getAll('changes').filter(Boolean);
  const rep = await engine.images.import({ source: src, stdin: req.stream, reference, changes, message: req.query.get('message') || undefined });
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify({ status: `sha256:${rep.id}` })}\r\n`);
  return RAW;
}

async function create(req: ApiRequest, reply: ApiReply) {
  const from = req.query.get('fromImage');
  if (req.query.get('fromSrc')) return importImage(req, reply);
  if (!from) throw badRequest('fromImage is required');
  const t = req.query.get('tag');
  const ref = t ? (t.startsWith('sha256:') ? `${from}@${t}` : `${from}:${t}`) : from;
  const creds = registryCreds(req.headers['x-registry-auth']);
  const p = progressStream(reply);
  const tagName = ref.includes('@') ? ref.split('@')[1]! : (/:([^/:]+)$/.exec(ref)?.[1] ?? 'latest');
  p.send({ status: `Pulling from ${from.replace(/:[^/:]+$/, '')}`, id: tagName });
  const onEvent = (e: PullEvent) => {
    switch (e.type) {
      case 'layer-start': p.send({ status: 'Pulling fs layer', progressDetail: {}, id: short(e.digest) }); break;
      case 'layer-progress': p.send({ status: 'Downloading', progressDetail: { current: e.bytes, total: e.size }, id: short(e.digest) }); break;
      case 'layer-done': p.send({ status: 'Pull complete', progressDetail: {}, id: short(e.digest) }); break;
      case 'layer-skip': p.send({ status: 'Already exists', progressDetail: {}, id: short(e.digest) }); break;
      case 'resolved': p.send({ status: `Digest: ${e.digest}` }); break;
      default: break;
    }
  };
  try {
    const rep = await engine.images.pull({ reference: ref, policy: 'always', onEvent, creds });
    p.send({ status: rep.pulled ? `Status: Downloaded newer image for ${ref}` : `Status: Image is up to date for ${ref}` });
  } catch (err) {
    p.fail((err as Error).message);
  }
  p.end();
  return RAW;
}

async function pushImage(req: ApiRequest, reply: ApiReply) {
  const name = req.params['name']!;
  const t = req.query.get('tag');
  const ref = t ? `${name}:${t}` : name;
  await mustExist(ref);
  const creds = registryCreds(req.headers['x-registry-auth']);
  const p = progressStream(reply);
  p.send({ status: `The push refers to repository [${name}]` });
  const onEvent = (e: { type: string; digest?: string; bytes?: number; size?: number }) => {
    if (e.type === 'blob-skip') p.send({ status: 'Layer already exists', progressDetail: {}, id: short(e.digest ?? '') });
    else if (e.type === 'blob-start') p.send({ status: 'Preparing', progressDetail: {}, id: short(e.digest ?? '') });
    else if (e.type === 'blob-progress') p.send({ status: 'Pushing', progressDetail: { current: e.bytes, total: e.size }, id: short(e.digest ?? '') });
    else if (e.type === 'blob-done') p.send({ status: 'Pushed', progressDetail: {}, id: short(e.digest ?? '') });
  };
  try {
    const rep = await engine.images.push({ source: ref, onEvent: onEvent as never, creds });
    p.send({ status: `${t ?? 'latest'}: digest: ${rep.digest}` });
    p.send({ progressDetail: {}, aux: { Tag: t ?? 'latest', Digest: rep.digest } });
  } catch (err) {
    p.fail((err as Error).message);
  }
  p.end();
  return RAW;
}

/** docker save: a docker-archive of one image (/images/NAME/get) or several (/images/get?names=). */
async function save(req: ApiRequest, reply: ApiReply, names: string[]) {
  if (!names.length) throw badRequest('at least one image name is required: ?names=NAME');
  for (const n of names) if (!(await engine.images.exists({ image: n }))) throw noSuchImage(n);
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await engine.images.save({ names, format: 'docker-archive', multiImageArchive: names.length > 1, stdout: res });
  } catch {
    // the archive had begun: only cutting it short can tell the client
    res.destroy();
    return RAW;
  }
  res.end();
  return RAW;
}

/** docker load: a docker-archive (or OCI archive) as the body; the names it loaded, as JSON lines. */
async function load(req: ApiRequest, reply: ApiReply) {
  const rep = await engine.images.load({ stdin: req.stream });
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const lines = rep.images.flatMap((i) => (i.names.length ? i.names.map((n) => `Loaded image: ${n}`) : [`Loaded image ID: sha256:${i.id}`]));
  res.end(lines.map((l) => `${JSON.stringify({ stream: `${l}\n` })}\r\n`).join(''));
  return RAW;
}

function search(): never {
  throw new ApiError(501, 'image search is not supported by tspod: registries are queried by name (tspod pull), and no search index is configured');
}

export function imageRoutes(r: Router): void {
  r.add('GET', '/images/get', (req, reply) => save(req, reply, req.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)));
  r.add('POST', '/images/load', load, { raw: true });
  r.add('GET', '/images/search', search);
  r.add('GET', '/images/:name+/get', (req, reply) => save(req, reply, [req.params['name']!]));
  r.add('GET', '/images/json', list);
  r.add('POST', '/images/create', create, { raw: true });
  r.add('POST', '/images/prune', prune);
  r.add('GET', '/images/:name+/json', inspect);
  r.add('GET', '/images/:name+/history', history);
  r.add('POST', '/images/:name+/tag', tag);
  r.add('POST', '/images/:name+/push', pushImage);
  r.add('DELETE', '/images/:name+', remove);
}
