// POST /build: the body is the build context as a tar (optionally compressed),
// the query names the Dockerfile inside it and the build's options. The
// engine's build unpacks it as it arrives with the layer unpacker (no entry
// lands outside the context directory) and reads the Dockerfile from inside it only. Output is
// Docker's JSON-lines stream: {"stream": ...} for the build's output, then
// {"aux": {"ID": ...}} and "Successfully built/tagged"; a failure once the
// stream has begun is {"error": ..., "errorDetail": {"message": ...}}.
import { Writable } from 'node:stream';
import { badRequest, ApiError } from '../errors.js';
import { truthy } from '../filters.js';
import { RAW, type ApiReply, type ApiRequest, type Router } from '../router.js';
import { engine } from '../engine-adapter.js';

/** A JSON object of string values in a query parameter (buildargs, labels); null values are left out. */
export function jsonMap(q: string | null, what: string): Record<string, string> {
  if (!q) return {};
  let v: unknown;
  try { v = JSON.parse(q); } catch { throw badRequest(`invalid ${what}: expected a JSON object`); }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`invalid ${what}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null || x === undefined) continue;
    if (typeof x === 'object') throw badRequest(`invalid ${what}: the value of "${k}" must be a string`);
    out[k] = String(x);
  }
  return out;
}

/** The build's parameters, validated before anything is read or written. */
export function buildParams(q: URLSearchParams) {
  if (q.get('remote')) throw new ApiError(501, 'building from a remote context (remote=) is not supported: send the context as the request body');
  const dockerfile = q.get('dockerfile') || 'Dockerfile';
  if (dockerfile.startsWith('/') || dockerfile.split('/').includes('..')) throw badRequest(`the Dockerfile ${dockerfile} must be a path inside the build context`);
  const tags = q.getAll('t').filter(Boolean);
  const buildArgs = Object.entries(jsonMap(q.get('buildargs'), 'buildargs')).map(([k, v]) => `${k}=${v}`);
  const labels = Object.entries(jsonMap(q.get('labels'), 'labels')).map(([k, v]) => `${k}=${v}`);
  const platform = q.get('platform') || undefined;
  const network = q.get('networkmode') || undefined;
  return {
    dockerfile, tags, buildArgs, labels, platform, network: network === 'default' ? undefined : network,
    target: q.get('target') || undefined, noCache: truthy(q.get('nocache')), pull: truthy(q.get('pull')), quiet: truthy(q.get('q')),
  };
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

async function build(req: ApiRequest, reply: ApiReply) {
  const p = buildParams(req.query);
  const res = reply.res!;
  const ac = new AbortController();
  res.once('close', () => { if (!res.writableFinished) ac.abort(new Error('the client went away')); });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const send = (o: Record<string, unknown>) => { if (!res.destroyed) res.write(`${JSON.stringify(o)}\r\n`); };
  const out = new Writable({ write(chunk: Buffer, _e, cb) { if (!p.quiet) send({ stream: chunk.toString('utf8') }); cb(); } });
  try {
    const rep = await engine.images.build({
      contextArchive: req.stream, file: p.dockerfile, tags: p.tags, buildArgs: p.buildArgs, labels: p.labels, target: p.target,
      noCache: p.noCache, pull: p.pull ? 'always' : 'missing', quiet: p.quiet, platform: p.platform, network: p.network,
      format: 'docker', stdout: out, stderr: out, signal: ac.signal,
    });
    send({ aux: { ID: `sha256:${rep.id}` } });
    if (p.quiet) send({ stream: `sha256:${rep.id}\n` });
    else {
      send({ stream: `Successfully built ${short(rep.id)}\n` });
      for (const t of p.tags) send({ stream: `Successfully tagged ${(t.split('/').pop() ?? '').includes(':') ? t : `${t}:latest`}\n` });
    }
  } catch (err) {
    const m = (err as Error).message;
    send({ errorDetail: { message: m }, error: m });
  }
  res.end();
  return RAW;
}

export function buildRoutes(r: Router): void {
  r.add('POST', '/build', build, { raw: true });
  // BuildKit's cache: there is none to prune (the legacy builder's layers are images)
  r.add('POST', '/build/prune', () => ({ CachesDeleted: [], SpaceReclaimed: 0 }));
}
