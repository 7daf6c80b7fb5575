// The API service: one HTTP(S) server on one endpoint, dispatching to the
// routes, with idle accounting. A request in flight or a hijacked/streaming
// connection (attach, exec, logs -f, wait, events) keeps the service alive; an
// idle keep-alive connection does not. After `idleSeconds` with nothing active
// the server closes and `done` resolves (0 = never).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { ApiError, toApiError } from './errors.js';
import { API_VERSION, RAW, Reply, Router, type ApiReply, type ApiRequest } from './router.js';
import { log } from '../util/log.js';
import { prepareUnixPath, type Endpoint, type TlsFiles } from './listen.js';

export interface ServiceOptions {
  endpoint: Endpoint;
  /** Seconds without activity before the service ends; 0 = never. */
  idleSeconds: number;
  tls?: TlsFiles | undefined;
  router: Router;
  log?: (msg: string) => void;
}

export interface RunningService {
  /** Where it listens (a path, host:port, or fd:3). */
  address: string;
  /** Resolves when the service has stopped (idle, or close()). */
  done: Promise<void>;
  close(): Promise<void>;
  /** Requests and hijacked connections in progress (tests). */
  active(): number;
}

export const COMMON_HEADERS: Record<string, string> = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  'Ostype': 'linux',
  'Server': 'tspod (linux)',
};

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const server: http.Server = o.tls
    ? https.createServer({
      ca: fs.readFileSync(o.tls.ca), cert: fs.readFileSync(o.tls.cert), key: fs.readFileSync(o.tls.key),
      // Docker's --tlsverify: only clients with a certificate signed by this CA get a request served
      requestCert: true, rejectUnauthorized: true,
    })
    : http.createServer();
  // keep-alive connections must not hold the process after idle exit
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let closing = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });
  const hijacked = new Set<Duplex>();

  const close = async () => {
    if (closing) return done;
    closing = true;
    if (idleTimer) clearTimeout(idleTimer);
    server.close(() => resolveDone());
    server.closeAllConnections();
    for (const s of hijacked) s.destroy();
    if (o.endpoint.kind === 'unix') fs.rmSync(o.endpoint.path, { force: true });
    return done;
  };
  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (active === 0 && o.idleSeconds > 0 && !closing) {
      idleTimer = setTimeout(() => { if (active === 0) { o.log?.(`idle for ${o.idleSeconds}s: exiting`); void close(); } }, o.idleSeconds * 1000);
    }
  };
  const begin = (what: string) => { active++; log.debug(`api: + ${what} (${active} active)`); if (idleTimer) { clearTimeout(idleTimer); idleTimer = undefined; } };
  const end = (what: string) => { active--; log.debug(`api: - ${what} (${active} active)`); armIdle(); };

  const dispatch = async (req: http.IncomingMessage, res: http.ServerResponse | undefined, socket: Duplex | undefined, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { version, path } = Router.splitVersion(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    const reply: ApiReply = { res, socket };
    try {
      const { route, params } = o.router.match(method, path);
      const streamBody = route.raw && !socket;
      const body = streamBody ? Buffer.alloc(0) : socket ? await readUpgradeBody(req, socket, head) : await readBody(req);
      const areq: ApiRequest = { method, path, params, query: url.searchParams, headers: req.headers, body, stream: streamBody ? req : undefined, version: version ?? API_VERSION };
      if (socket) {
        // a hijacked connection counts as activity until it closes
        hijacked.add(socket);
        begin(`hijack ${method} ${path}`);
        socket.once('close', () => { hijacked.delete(socket); end(`hijack ${method} ${path}`); });
      }
      const result = await route.handler(areq, reply);
      if (result === RAW) return;
      sendResult(reply, method, result);
    } catch (err) {
      const e = toApiError(err);
      if (e.status >= 500) o.log?.(`${method} ${url.pathname}: ${e.message}`);
      sendError(reply, e);
    }
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const what = `${req.method} ${req.url}`;
    begin(what);
    res.once('close', () => end(what));
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    void dispatch(req, res, undefined, Buffer.alloc(0));
  });
  // attach and exec start hijack the connection (Connection: Upgrade, Upgrade: tcp)
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void dispatch(req, undefined, socket, head);
  });
  server.on('clientError', (_err, socket: Duplex) => { try { socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); } catch { /* gone */ } });
  if (o.tls) server.on('tlsClientError', (err: Error) => o.log?.(`TLS client refused: ${err.message}`));

  const address = await listen(server, o.endpoint);
  armIdle();
  return { address, done, close, active: () => active };
}

async function listen(server: http.Server, ep: Endpoint): Promise<string> {
  const once = (fn: () => void) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    fn();
    server.once('listening', () => { server.off('error', reject); resolve(); });
  });
  if (ep.kind === 'fd') {
    await once(() => server.listen({ fd: ep.fd }));
    return `fd:${ep.fd}`;
  }
  if (ep.kind === 'tcp') {
    await once(() => server.listen(ep.port, ep.host));
    const a = server.address();
    return typeof a === 'object' && a ? `${a.address}:${a.port}` : `${ep.host}:${ep.port}`;
  }
  await prepareUnixPath(ep.path);
  // created 0600 from the first instant: no window in which another user could connect
  const old = process.umask(0o177);
  try { await once(() => server.listen(ep.path)); } finally { process.umask(old); }
  fs.chmodSync(ep.path, 0o600);
  return ep.path;
}

const MAX_BODY = 64 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; if (n > MAX_BODY) { reject(new ApiError(413, 'request body too large')); req.destroy(); return; } chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Node does not read the body of an upgraded request: take Content-Length bytes from `head` and the socket, leave the rest. */
function readUpgradeBody(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<Buffer> {
  const len = Number(req.headers['content-length'] ?? 0);
  if (!(len > 0)) { if (head.length) socket.unshift(head); return Promise.resolve(Buffer.alloc(0)); }
  if (len > MAX_BODY) return Promise.reject(new ApiError(413, 'request body too large'));
  return new Promise((resolve, reject) => {
    let buf = head;
    const check = () => {
      if (buf.length < len) return false;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      const rest = buf.subarray(len);
      if (rest.length) socket.unshift(rest);
      resolve(buf.subarray(0, len));
      return true;
    };
    const onData = (c: Buffer) => { buf = Buffer.concat([buf, c]); check(); };
    if (check()) return;
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function sendResult(reply: ApiReply, method: string, result: unknown): void {
  const r = result instanceof Reply ? result : new Reply(200, result);
  if (reply.socket) {
    // an upgraded request that did not hijack (e.g. a detached exec start): answer plainly and close
    writeRawResponse(reply.socket, r.status, r.body);
    return;
  }
  const res = reply.res!;
  if (res.headersSent) { res.end(); return; }
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  if (r.body === undefined || r.status === 204 || r.status === 304 || method === 'HEAD') {
    res.writeHead(r.status);
    res.end();
    return;
  }
  if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.writeHead(r.status);
    res.end(r.body);
    return;
  }
  res.writeHead(r.status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(r.body)}\n`);
}

function sendError(reply: ApiReply, e: ApiError): void {
  if (reply.socket) { writeRawResponse(reply.socket, e.status, { message: e.message }); return; }
  const res = reply.res!;
  if (res.headersSent) {
    // the stream had begun: nothing but ending it can tell the client
    res.end();
    return;
  }
  res.writeHead(e.status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify({ message: e.message })}\n`);
}

export function writeRawResponse(socket: Duplex, status: number, body: unknown): void {
  const text = body === undefined ? '' : `${JSON.stringify(body)}\n`;
  const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`, ...Object.entries(COMMON_HEADERS).map(([k, v]) => `${k}: ${v}`),
    'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(text)}`, 'Connection: close', '', ''].join('\r\n');
  socket.end(head + text);
}
