// Routes of the Docker Engine API: a method, a path pattern with :params, and a
// handler. Any /v1.NN/ prefix is accepted and stripped (clients pin a version).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './errors.js';

export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw body (read before the handler runs; empty for GET/HEAD). */
  body: Buffer;
  /** The request stream, for handlers that consume a large body themselves (load, build); undefined when hijacked. */
  stream: IncomingMessage | undefined;
  /** The request's API version (from the prefix), or the server's. */
  version: string;
}

/** Where a handler writes: a normal HTTP response, or a hijacked connection. */
export interface ApiReply {
  res: ServerResponse | undefined;
  /** Set for an upgraded (hijacked) request: the raw connection, 101 not yet sent. */
  socket: Duplex | undefined;
}

export type Handler = (req: ApiRequest, reply: ApiReply) => Promise<unknown> | unknown;

interface Route { method: string; parts: string[]; handler: Handler; raw: boolean }

/**
 * A handler returns a value: it is sent as JSON with 200 (or `status` of a
 * Reply), or it writes itself (returns RAW after using reply.res/socket).
 */
export const RAW = Symbol('raw');
export class Reply {
  constructor(readonly status: number, readonly body?: unknown, readonly headers: Record<string, string> = {}) {}
}

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, opts: { raw?: boolean } = {}): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, raw: !!opts.raw });
    return this;
  }

  /** Split an incoming path into its version and the route path. */
  static splitVersion(p: string): { version: string | undefined; path: string } {
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(p);
    return m ? { version: m[1], path: m[2]! } : { version: undefined, path: p };
  }

  /** Find the route; HEAD falls back to GET. A known path with another method is 405, otherwise 404. */
  match(method: string, p: string): { route: Route; params: Record<string, string> } {
    const segs = p.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    let pathKnown = false;
    for (const m of method === 'HEAD' ? ['HEAD', 'GET'] : [method]) {
      for (const r of this.routes) {
        const params = matchParts(r.parts, segs);
        if (!params) continue;
        pathKnown = true;
        if (r.method === m) return { route: r, params };
      }
    }
    if (!pathKnown) for (const r of this.routes) if (matchParts(r.parts, segs)) pathKnown = true;
    if (pathKnown) throw new ApiError(405, `method ${method} not allowed on ${p}`);
    throw new ApiError(404, `page not found`);
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  // a :name+ part takes one or more segments (image names contain slashes: /images/reg:5000/a/b/json)
  const multi = parts.findIndex((p) => p.endsWith('+'));
  if (multi < 0 ? parts.length !== segs.length : segs.length < parts.length) return undefined;
  const tail = multi < 0 ? 0 : parts.length - multi - 1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === multi) { params[p.slice(1, -1)] = segs.slice(i, segs.length - tail).join('/'); continue; }
    const s = multi >= 0 && i > multi ? segs[segs.length - (parts.length - i)]! : segs[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}
