// A client for the OCI distribution API (and Docker Registry HTTP API v2) over undici.
//
// One RegistryClient talks to one registry host. It is safe to use concurrently: the /v2/
// ping (which decides http vs https and the auth scheme) and bearer tokens (per scope and
// user) are shared promises.
//
// Transport, as Podman (containers/image) does it:
//   - https first, verifying certificates against the system roots plus any *.crt in
//     certs.d/<host>/ ($XDG_CONFIG_HOME/containers/certs.d, /etc/containers/certs.d,
//     /etc/docker/certs.d; the first directory that exists wins, or --cert-dir), with a
//     client certificate from a *.cert/*.key pair there.
//   - only when the registry is insecure (registries.conf `insecure = true`) or tlsVerify is
//     false: certificates are not verified, and if https fails at the connection/TLS level,
//     plain http is used.
//   - 127.0.0.1 and localhost are NOT implicitly insecure (unlike Docker): a plain-http
//     registry on loopback needs --tls-verify=false or an insecure entry, as with Podman.
// Auth: the /v2/ ping's WWW-Authenticate challenge decides. Bearer: a token is fetched from
// the realm (with Basic credentials when there are any) per scope and cached until it
// expires; Basic: the credentials go on every request.
// Retries: network errors, 5xx and 429 are retried with exponential backoff, a bounded
// number of times; other 4xx are not.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { caWith } from '../util/extra-ca.js';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { DigestMismatchError, InvalidArgumentError, RegistryError, TspodError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { apiHost } from '../image/reference.js';
import { MT, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from '../image/types.js';
import { getCredentials, type Credentials } from './auth.js';
import { isInsecure, loadRegistriesConf, type RegistriesConf } from './registries-conf.js';
import { VerifyDigest } from '../storage/digest.js';
import { defaultPlatform, parsePlatform, formatPlatform, selectPlatform, NoMatchingPlatformError } from '../image/platform.js';

// platform selection lives with the image shapes (a local manifest list selects the same way)
export { defaultPlatform, parsePlatform, formatPlatform, selectPlatform, NoMatchingPlatformError };

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

const SCHEMA1_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);
const INDEX_TYPES = new Set<string>([MT.ociIndex, MT.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MT.ociManifest, MT.dockerManifest]);
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerManifestList, MT.ociManifest, MT.dockerManifest, ...SCHEMA1_TYPES].join(', ');

/** Authentication failed or is required (HTTP 401 after trying what we have). */
export class RegistryAuthError extends RegistryError {
  constructor(message: string) { super(message, 401); }
}

export interface RegistryClientOptions {
  /** --tls-verify; undefined: verify unless registries.conf marks the registry insecure */
  tlsVerify?: boolean | undefined;
  /** --cert-dir: use this directory instead of certs.d/<host> */
  certDir?: string | undefined;
  /** --authfile */
  authfile?: string | undefined;
  /** --creds: use these instead of looking in auth files */
  credentials?: Credentials | undefined;
  /** registries.conf to consult (defaults to the loaded one) */
  registriesConf?: RegistriesConf | undefined;
  /** attempts per request for retryable failures (default 4) */
  attempts?: number | undefined;
  /** first backoff delay; doubles each attempt (default 250 ms) */
  retryDelayMs?: number | undefined;
  userAgent?: string | undefined;
  maxManifestBytes?: number | undefined;
  maxConfigBytes?: number | undefined;
}

export interface Challenge {
  scheme: 'bearer' | 'basic' | string;
  params: Record<string, string>;
}

export interface PingResult {
  /** https or http, as decided by the ping */
  scheme: 'https' | 'http';
  /** the auth challenge of /v2/ (undefined when /v2/ answered 200) */
  challenge: Challenge | undefined;
}

export interface RawManifest {
  /** parsed JSON */
  manifest: ImageManifest | ImageIndex;
  mediaType: string;
  /** sha256 of the exact bytes */
  digest: string;
  bytes: Buffer;
}

export interface ManifestResult {
  manifest: ImageManifest;
  mediaType: string;
  /** digest of the image manifest (the platform's, when the reference named an index) */
  digest: string;
  bytes: Buffer;
  /** digest of the index/list the reference pointed at, when it was one */
  indexDigest?: string;
  /** the index itself, when the reference pointed at one */
  index?: RawManifest;
}

export interface GetManifestOptions {
  /** os/arch[/variant]; default linux/<host arch> */
  platform?: string | Platform | undefined;
}

interface Token { value: string; expires: number }

interface SendRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** a path under the registry (/v2/...) or an absolute URL (upload Location) */
  target: string;
  headers?: Record<string, string>;
  /** produce the body afresh for each attempt */
  body?: () => Buffer | Readable;
  /** repository scopes the bearer token needs, e.g. repository:a/b:pull */
  scopes: string[];
  /** the repository the request is for (credential lookup) */
  repo?: string;
  /** what the request does, for messages: "manifest 127.0.0.1:5000/a/b:tag" */
  what: string;
  followRedirects?: boolean;
}

type Response = Dispatcher.ResponseData;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RegistryClient {
  /** the registry name as in references (docker.io, host:port) */
  readonly registry: string;
  /** the host actually contacted (docker.io -> registry-1.docker.io) */
  readonly host: string;
  readonly tlsVerify: boolean;
  private readonly opts: RegistryClientOptions;
  private readonly agent: Agent;
  private pingPromise: Promise<PingResult> | undefined;
  private readonly tokens = new Map<string, Promise<Token>>();
  private readonly creds = new Map<string, Credentials | undefined>();
  private readonly attempts: number;
  private readonly retryDelay: number;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    if (!registry || registry.includes('/') || /\s/.test(registry)) throw new InvalidArgumentError(`invalid registry host "${registry}"`);
    this.registry = registry;
    this.host = apiHost(registry);
    this.opts = opts;
    const conf = opts.registriesConf ?? loadRegistriesConf();
    this.tlsVerify = opts.tlsVerify ?? !(isInsecure(registry, conf) || isInsecure(this.host, conf));
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.retryDelay = opts.retryDelayMs ?? 250;
    this.agent = new Agent({ connect: { ...this.tlsOptions(), timeout: 30_000 }, keepAliveTimeout: 10_000 });
  }

  /** Release sockets. The client must not be used afterwards. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---------- TLS ----------

  private tlsOptions(): { rejectUnauthorized: boolean; ca?: string[]; cert?: string; key?: string } {
    const out: { rejectUnauthorized: boolean; ca?: string[]; cert?: string; key?: string } = { rejectUnauthorized: this.tlsVerify };
    const dir = this.opts.certDir ?? certsDirFor(this.registry, this.host);
    const extra = caWith();
    if (extra) out.ca = extra;
    if (!dir) return out;
    let names: string[];
    try { names = fs.readdirSync(dir).sort(); } catch (err) {
      if (this.opts.certDir) throw new TspodError(`cannot read certificate directory ${dir}: ${errorMessage(err)}`, 'ECERTDIR');
      return out;
    }
    const cas = names.filter((n) => n.endsWith('.crt')).map((n) => fs.readFileSync(path.join(dir, n), 'utf8'));
    if (cas.length) out.ca = caWith(cas);
    for (const c of names.filter((n) => n.endsWith('.cert'))) {
      const keyName = `${c.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName)) throw new TspodError(`client certificate ${path.join(dir, c)} has no matching key ${keyName}`, 'ECERTDIR');
      out.cert = fs.readFileSync(path.join(dir, c), 'utf8');
      out.key = fs.readFileSync(path.join(dir, keyName), 'utf8');
      break;
    }
    for (const k of names.filter((n) => n.endsWith('.key'))) {
      if (!names.includes(`${k.slice(0, -'.key'.length)}.cert`)) throw new TspodError(`client key ${path.join(dir, k)} has no matching certificate`, 'ECERTDIR');
    }
    log.debug(`registry ${this.registry}: certificates from ${dir} (${cas.length} CA, client cert: ${out.cert ? 'yes' : 'no'})`);
    return out;
  }

  // ---------- ping and auth ----------

  /** GET /v2/: decides http vs https and the auth challenge. Shared by concurrent callers. */
  ping(): Promise<PingResult> {
    if (!this.pingPromise) {
      this.pingPromise = this.doPing();
      this.pingPromise.catch(() => { this.pingPromise = undefined; });
    }
    return this.pingPromise;
  }

  private async doPing(): Promise<PingResult> {
    const tryScheme = async (scheme: 'https' | 'http'): Promise<PingResult> => {
      const res = await this.withRetries(`ping ${this.registry}`, () => this.raw('GET', `${scheme}://${this.host}/v2/`, {}));
      const text = await readText(res);
      if (res.statusCode === 200) return { scheme, challenge: undefined };
      if (res.statusCode === 401) {
        const challenge = parseChallenge(headerValues(res, 'www-authenticate'));
        if (!challenge) throw new RegistryError(`registry ${this.registry} answered 401 to /v2/ without a usable WWW-Authenticate challenge`, 401);
        return { scheme, challenge };
      }
      throw new RegistryError(`${this.registry} does not look like a container registry: GET ${scheme}://${this.host}/v2/ answered ${res.statusCode}${text ? ` (${oneLine(text)})` : ''}`, res.statusCode);
    };
    try {
      return await tryScheme('https');
    } catch (err) {
      if (this.tlsVerify || !isNetworkError(err)) throw this.mapError(err, `ping ${this.registry}`);
      log.debug(`registry ${this.registry}: https failed (${errorMessage(err)}); trying http (registry is insecure)`);
      try {
        return await tryScheme('http');
      } catch (err2) {
        throw this.mapError(err2, `ping ${this.registry}`);
      }
    }
  }

  /** Credentials for a repository (explicit ones, else the auth files), cached. */
  private credentialsFor(repo: string | undefined): Credentials | undefined {
    if (this.opts.credentials) return this.opts.credentials;
    const key = repo ?? '';
    if (!this.creds.has(key)) {
      const found = getCredentials(repo ? `${this.registry}/${repo}` : this.registry, { authfile: this.opts.authfile });
      this.creds.set(key, found ? { username: found.username, password: found.password } : undefined);
    }
    return this.creds.get(key);
  }

  private async authHeader(ping: PingResult, scopes: string[], repo: string | undefined, refresh: boolean): Promise<string | undefined> {
    const ch = ping.challenge;
    if (!ch) return undefined;
    const creds = this.credentialsFor(repo);
    if (ch.scheme === 'basic') return creds ? basicAuth(creds) : undefined;
    if (ch.scheme !== 'bearer') throw new RegistryError(`registry ${this.registry} asks for unsupported authentication scheme "${ch.scheme}"`, 401);
    const token = await this.token(ch, scopes, creds, refresh);
    return `Bearer ${token}`;
  }

  private async token(ch: Challenge, scopes: string[], creds: Credentials | undefined, refresh: boolean): Promise<string> {
    const sorted = [...new Set(scopes)].sort();
    const key = `${creds?.username ?? ''}\0${sorted.join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && !refresh) {
      try {
        const t = await cached;
        if (t.expires > Date.now()) return t.value;
      } catch { /* fetch again */ }
    }
    const p = this.fetchToken(ch, sorted, creds);
    this.tokens.set(key, p);
    p.catch(() => { if (this.tokens.get(key) === p) this.tokens.delete(key); });
    return (await p).value;
  }

  private async fetchToken(ch: Challenge, scopes: string[], creds: Credentials | undefined): Promise<Token> {
    const realm = ch.params['realm'];
    if (!realm) throw new RegistryError(`registry ${this.registry} sent a Bearer challenge without a realm`, 401);
    let url: URL;
    try { url = new URL(realm); } catch { throw new RegistryError(`registry ${this.registry} sent an invalid token realm "${realm}"`, 401); }
    if (ch.params['service']) url.searchParams.set('service', ch.params['service']);
    for (const s of scopes) url.searchParams.append('scope', s);
    if (creds) url.searchParams.set('account', creds.username);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds) headers['authorization'] = basicAuth(creds);
    const res = await this.withRetries(`token from ${url.host}`, () => this.raw('GET', url.toString(), headers));
    const text = await readText(res, 1024 * 1024);
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new RegistryAuthError(creds
        ? `authentication to ${this.registry} failed: invalid username/password (token server ${url.host} answered ${res.statusCode})`
        : `authentication required: ${this.registry} refused anonymous access (run "tspod login ${this.registry}")`);
    }
    if (res.statusCode !== 200) throw new RegistryError(`getting a token for ${this.registry} from ${url.host} failed: HTTP ${res.statusCode}${text ? ` (${oneLine(text)})` : ''}`, res.statusCode);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try { body = JSON.parse(text) as typeof body; } catch { throw new RegistryError(`token server ${url.host} for ${this.registry} did not answer JSON`); }
    const value = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (!value) throw new RegistryError(`token server ${url.host} for ${this.registry} answered without a token`);
    // Default lifetime 60 s (token spec); refresh a little before the server's expiry.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { value, expires: Date.now() + (lifetime - Math.min(10, lifetime / 2)) * 1000 };
  }

  /**
   * Check credentials the way `login` does: against the /v2/ challenge (Basic) or the token
   * server (Bearer). Throws RegistryAuthError on bad credentials.
   */
  async verifyCredentials(creds: Credentials): Promise<void> {
    const ping = await this.ping();
    const ch = ping.challenge;
    let authorization: string | undefined;
    if (!ch) return; // the registry does not ask for credentials: nothing to check
    if (ch.scheme === 'basic') authorization = basicAuth(creds);
    else if (ch.scheme === 'bearer') authorization = `Bearer ${(await this.fetchToken(ch, [], creds)).value}`;
    else throw new RegistryError(`registry ${this.registry} asks for unsupported authentication scheme "${ch.scheme}"`, 401);
    const res = await this.withRetries(`login to ${this.registry}`, () => this.raw('GET', `${ping.scheme}://${this.host}/v2/`, { authorization }));
    await res.body.dump();
    if (res.statusCode === 401) throw new RegistryAuthError(`authentication to ${this.registry} failed: invalid username/password`);
    if (res.statusCode !== 200) throw new RegistryError(`login to ${this.registry}: GET /v2/ answered ${res.statusCode}`, res.statusCode);
  }

  // ---------- HTTP core ----------

  private async raw(method: SendRequest['method'], url: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<Response> {
    const u = new URL(url);
    return this.agent.request({
      origin: u.origin,
      path: u.pathname + u.search,
      method,
      headers: { 'user-agent': this.opts.userAgent ?? 'tspod/0.1', ...headers },
      body: body ?? null,
    });
  }

  private async withRetries(what: string, fn: () => Promise<Response>): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fn();
      } catch (err) {
        if (attempt < this.attempts && isRetryableNetworkError(err)) {
          const d = this.backoff(attempt);
          log.debug(`${what}: ${errorMessage(err)}; retrying in ${d} ms`);
          await sleep(d);
          continue;
        }
        throw err;
      }
      if ((res.statusCode >= 500 || res.statusCode === 429) && attempt < this.attempts) {
        await res.body.dump().catch(() => undefined);
        let d = this.backoff(attempt);
        const ra = Number(headerValues(res, 'retry-after')[0]);
        if (Number.isFinite(ra) && ra > 0) d = Math.min(ra * 1000, 10_000);
        log.debug(`${what}: HTTP ${res.statusCode}; retrying in ${d} ms`);
        await sleep(d);
        continue;
      }
      return res;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retryDelay * 2 ** (attempt - 1), 10_000);
  }

  /**
   * Send a request to the registry with auth, retries and (optionally) redirects. Returns the
   * response whatever its status, except 401 after re-authenticating, which throws.
   */
  private async send(req: SendRequest): Promise<Response> {
    try {
      return await this.sendInner(req);
    } catch (err) {
      throw this.mapError(err, req.what);
    }
  }

  private async sendInner(req: SendRequest): Promise<Response> {
    const ping = await this.ping();
    const base = `${ping.scheme}://${this.host}`;
    let scopes = req.scopes;
    for (let authTry = 0; ; authTry++) {
      const authorization = await this.authHeader(ping, scopes, req.repo, authTry > 0);
      const headers: Record<string, string> = { ...req.headers };
      if (authorization) headers['authorization'] = authorization;
      let url = req.target.startsWith('http://') || req.target.startsWith('https://') ? req.target : base + req.target;
      let res = await this.withRetries(req.what, () => this.raw(req.method, url, headers, req.body?.()));
      // Redirects (blob downloads go to object storage): no Authorization to another origin.
      for (let hops = 0; req.followRedirects && [301, 302, 303, 307, 308].includes(res.statusCode); hops++) {
        const loc = headerValues(res, 'location')[0];
        await res.body.dump().catch(() => undefined);
        if (!loc) throw new RegistryError(`${req.what}: redirect without a Location`, res.statusCode);
        if (hops >= 5) throw new RegistryError(`${req.what}: too many redirects`, res.statusCode);
        const next = new URL(loc, url);
        const h = { ...req.headers };
        if (next.origin === new URL(base).origin && authorization) h['authorization'] = authorization;
        url = next.toString();
        res = await this.withRetries(req.what, () => this.raw(req.method === 'HEAD' ? 'HEAD' : 'GET', url, h));
      }
      if (res.statusCode !== 401) return res;
      const text = await readText(res);
      const challenge = parseChallenge(headerValues(res, 'www-authenticate'));
      const creds = this.credentialsFor(req.repo);
      if (authTry === 0 && ping.challenge?.scheme === 'bearer' && challenge?.scheme === 'bearer') {
        // The token may have expired or lack a scope this request needs: ask again with the
        // scopes the registry names.
        const more = challenge.params['scope']?.split(' ').filter(Boolean) ?? [];
        scopes = [...new Set([...scopes, ...more])];
        continue;
      }
      const detail = registryErrorDetail(text);
      if (creds) throw new RegistryAuthError(`authentication to ${this.registry} failed for ${req.what}: invalid username/password${detail ? ` (${detail})` : ''}`);
      throw new RegistryAuthError(`authentication required for ${req.what}: run "tspod login ${this.registry}"${detail ? ` (${detail})` : ''}`);
    }
  }

  /** Turn transport errors into clear TspodErrors naming the registry; TspodErrors pass through. */
  private mapError(err: unknown, what: string): TspodError {
    if (err instanceof TspodError) return err;
    const code = errCode(err);
    const msg = errorMessage(err);
    const host = this.host;
    if (code === 'ECONNREFUSED') return new RegistryError(`${what}: connection refused to ${host}`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RegistryError(`${what}: cannot resolve registry host ${host.replace(/:\d+$/, '')}`);
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new RegistryError(`${what}: timed out connecting to ${host}`);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new RegistryError(`${what}: ${host} stopped responding`);
    if (isPlainHttpAnswer(err)) {
      return new RegistryError(`${what}: ${host} answered plain HTTP to an HTTPS request; if this registry really is served over http, use --tls-verify=false or mark it insecure in registries.conf`);
    }
    if (isTlsError(err)) {
      return new RegistryError(`${what}: TLS certificate of ${host} is not trusted (${code ?? msg}: ${msg}); add its CA as certs.d/${this.registry}/ca.crt (in /etc/containers or $XDG_CONFIG_HOME/containers), or use --tls-verify=false`);
    }
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new RegistryError(`${what}: connection to ${host} was closed unexpectedly (${msg})`);
    return new RegistryError(`${what}: ${msg}${code ? ` (${code})` : ''}`);
  }

  private fail(res: Response, text: string, what: string, notFound?: string): RegistryError {
    const detail = registryErrorDetail(text);
    const codes = registryErrorCodes(text);
    if (res.statusCode === 404 || codes.includes('MANIFEST_UNKNOWN') || codes.includes('BLOB_UNKNOWN') || codes.includes('NAME_UNKNOWN')) {
      if (codes.includes('NAME_UNKNOWN')) return new RegistryError(`${what}: repository not found${detail ? ` (${detail})` : ''}`, res.statusCode);
      if (notFound) return new RegistryError(notFound, res.statusCode);
    }
    if (res.statusCode === 403) return new RegistryError(`${what}: access denied by ${this.registry}${detail ? ` (${detail})` : ''}`, 403);
    return new RegistryError(`${what}: ${this.registry} answered HTTP ${res.statusCode}${detail ? ` (${detail})` : ''}`, res.statusCode);
  }

  // ---------- manifests ----------

  /** Fetch one manifest or index as it is, verifying its digest when `reference` is one. */
  async fetchManifest(repo: string, reference: string): Promise<RawManifest> {
    checkRepo(repo);
    const byDigest = reference.includes(':');
    if (byDigest) checkDigest(reference);
    else if (!/^[\w][\w.-]{0,127}$/.test(reference)) throw new InvalidArgumentError(`invalid tag "${reference}"`);
    const name = `${this.registry}/${repo}${byDigest ? '@' : ':'}${reference}`;
    const what = `reading manifest ${name}`;
    const res = await this.send({
      method: 'GET', target: `/v2/${repo}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT },
      scopes: [`repository:${repo}:pull`], repo, what,
    });
    const max = this.opts.maxManifestBytes ?? MAX_MANIFEST_BYTES;
    if (res.statusCode !== 200) {
      const text = await readText(res);
      throw this.fail(res, text, what, `manifest unknown: ${name} not found`);
    }
    const bytes = await readCapped(res, max, `manifest ${name}`);
    const digest = byDigest ? digestBytes(bytes, algorithmOf(reference)) : digestBytes(bytes);
    if (byDigest && digest !== reference) {
      throw new DigestMismatchError(`manifest ${name}: the registry sent content with digest ${digest}`);
    }
    const sha256 = byDigest && !reference.startsWith('sha256:') ? digestBytes(bytes) : digest;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    } catch (err) {
      throw new RegistryError(`manifest ${name} is not valid JSON: ${errorMessage(err)}`);
    }
    const mediaType = manifestMediaType(headerValues(res, 'content-type')[0], doc);
    if (SCHEMA1_TYPES.has(mediaType) || doc['schemaVersion'] === 1) {
      throw new RegistryError(`${name} is a Docker schema 1 image, which tspod does not support: rebuild or re-push it with a current tool (schema 2 / OCI)`);
    }
    if (doc['schemaVersion'] !== 2) throw new RegistryError(`manifest ${name}: unsupported schemaVersion ${JSON.stringify(doc['schemaVersion'])}`);
    if (INDEX_TYPES.has(mediaType)) validateIndex(doc, name);
    else if (MANIFEST_TYPES.has(mediaType)) validateManifest(doc, name);
    else throw new RegistryError(`manifest ${name} has unsupported media type "${mediaType}"`);
    return { manifest: doc as unknown as ImageManifest | ImageIndex, mediaType, digest: sha256, bytes };
  }

  /**
   * The image manifest for repo:reference; an index/list is resolved to the platform's
   * manifest (default linux/<host arch>). Digests of both are verified.
   */
  async getManifest(repo: string, reference: string, opts: GetManifestOptions = {}): Promise<ManifestResult> {
    const top = await this.fetchManifest(repo, reference);
    if (!INDEX_TYPES.has(top.mediaType)) {
      return { manifest: top.manifest as ImageManifest, mediaType: top.mediaType, digest: top.digest, bytes: top.bytes };
    }
    const want = opts.platform === undefined ? defaultPlatform() : typeof opts.platform === 'string' ? parsePlatform(opts.platform) : opts.platform;
    const desc = selectPlatform(top.manifest as ImageIndex, want, `${this.registry}/${repo}:${reference}`);
    const child = await this.fetchManifest(repo, desc.digest);
    if (child.bytes.length !== desc.size) {
      throw new DigestMismatchError(`manifest ${this.registry}/${repo}@${desc.digest}: size ${child.bytes.length} differs from the ${desc.size} bytes the index declares`);
    }
    if (!MANIFEST_TYPES.has(child.mediaType)) {
      throw new RegistryError(`manifest list ${this.registry}/${repo}:${reference} points to ${desc.digest} of type ${child.mediaType}, not an image manifest`);
    }
    return { manifest: child.manifest as ImageManifest, mediaType: child.mediaType, digest: child.digest, bytes: child.bytes, indexDigest: top.digest, index: top };
  }

  /** PUT a manifest (or index) under a tag or digest. Returns the manifest's digest. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    checkRepo(repo);
    const max = this.opts.maxManifestBytes ?? MAX_MANIFEST_BYTES;
    if (bytes.length > max) throw new RegistryError(`manifest for ${this.registry}/${repo} is ${bytes.length} bytes, more than the ${max} byte limit`);
    const digest = digestBytes(bytes);
    const name = `${this.registry}/${repo}${reference.includes(':') ? '@' : ':'}${reference}`;
    const what = `writing manifest ${name}`;
    if (reference.includes(':') && reference !== digest) throw new InvalidArgumentError(`${what}: the manifest's digest is ${digest}`);
    const res = await this.send({
      method: 'PUT', target: `/v2/${repo}/manifests/${reference}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes, scopes: [`repository:${repo}:pull,push`], repo, what,
    });
    const text = await readText(res);
    if (res.statusCode !== 201 && res.statusCode !== 200) throw this.fail(res, text, what);
    const got = headerValues(res, 'docker-content-digest')[0];
    if (got && got !== digest) throw new DigestMismatchError(`${what}: the registry stored it as ${got}, not ${digest}`);
    return digest;
  }

  /** Tags of a repository (GET /v2/<repo>/tags/list, following pagination). */
  async listTags(repo: string): Promise<string[]> {
    checkRepo(repo);
    const tags: string[] = [];
    let target: string | undefined = `/v2/${repo}/tags/list`;
    const what = `listing tags of ${this.registry}/${repo}`;
    for (let pages = 0; target && pages < 1000; pages++) {
      const res = await this.send({ method: 'GET', target, headers: { accept: 'application/json' }, scopes: [`repository:${repo}:pull`], repo, what });
      const text = await readText(res, MAX_MANIFEST_BYTES);
      if (res.statusCode !== 200) throw this.fail(res, text, what, `repository ${this.registry}/${repo} not found`);
      const body = JSON.parse(text) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = headerValues(res, 'link')[0];
      const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      target = m?.[1];
    }
    return tags;
  }

  // ---------- blobs ----------

  /**
   * Stream a blob. By default the stream verifies digest and size as it goes and errors with
   * DigestMismatchError at the end (or as soon as it is too long); pass verify: false for the
   * raw stream (then wrap it in verifyingStream yourself).
   */
  async getBlob(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, opts: { verify?: boolean } = {}): Promise<Readable> {
    checkRepo(repo);
    checkDigest(desc.digest);
    const name = `${this.registry}/${repo}@${desc.digest}`;
    const what = `reading blob ${name}`;
    const res = await this.send({ method: 'GET', target: `/v2/${repo}/blobs/${desc.digest}`, scopes: [`repository:${repo}:pull`], repo, what, followRedirects: true });
    if (res.statusCode !== 200) {
      const text = await readText(res);
      throw this.fail(res, text, what, `blob unknown: ${name} not found`);
    }
    const len = headerValues(res, 'content-length')[0];
    if (len !== undefined && Number(len) !== desc.size && opts.verify !== false) {
      res.body.destroy();
      throw new DigestMismatchError(`blob ${name}: the registry sends ${len} bytes, the manifest says ${desc.size}`);
    }
    if (opts.verify === false) return res.body;
    const v = verifyingStream(desc, `blob ${name}`);
    // A transport failure mid-stream reaches the consumer as a clear RegistryError; a consumer
    // that gives up (destroys v) closes the download.
    res.body.once('error', (err) => v.destroy(this.mapError(err, what)));
    v.once('close', () => { if (!res.body.destroyed) res.body.destroy(); });
    res.body.pipe(v);
    return v;
  }

  /** A config blob, verified, as bytes (capped at maxConfigBytes). */
  async getConfig(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const max = this.opts.maxConfigBytes ?? MAX_CONFIG_BYTES;
    if (desc.size > max) throw new RegistryError(`config ${this.registry}/${repo}@${desc.digest} is ${desc.size} bytes, more than the ${max} byte limit`);
    const s = await this.getBlob(repo, desc);
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** HEAD a blob: true when the repository has it. */
  async blobExists(repo: string, digest: string): Promise<boolean> {
    checkRepo(repo);
    checkDigest(digest);
    const what = `checking blob ${this.registry}/${repo}@${digest}`;
    const res = await this.send({ method: 'HEAD', target: `/v2/${repo}/blobs/${digest}`, scopes: [`repository:${repo}:pull`], repo, what, followRedirects: true });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw this.fail(res, '', what);
  }

  /**
   * Cross-repository mount: true when the registry mounted the blob from `fromRepo` (201);
   * false when it did not (202: it opened an upload instead, which is cancelled here) and the
   * caller should upload.
   */
  async mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    checkRepo(repo);
    checkRepo(fromRepo);
    checkDigest(digest);
    const what = `mounting blob ${digest} from ${this.registry}/${fromRepo} into ${this.registry}/${repo}`;
    const q = new URLSearchParams({ mount: digest, from: fromRepo });
    const res = await this.send({
      method: 'POST', target: `/v2/${repo}/blobs/uploads/?${q.toString()}`, headers: { 'content-length': '0' },
      scopes: [`repository:${repo}:pull,push`, `repository:${fromRepo}:pull`], repo, what,
    });
    const text = await readText(res);
    if (res.statusCode === 201) return true;
    if (res.statusCode === 202) {
      const loc = headerValues(res, 'location')[0];
      if (loc) {
        const ping = await this.ping();
        const url = new URL(loc, `${ping.scheme}://${this.host}/v2/${repo}/blobs/uploads/`).toString();
        await this.send({ method: 'DELETE', target: url, scopes: [`repository:${repo}:pull,push`], repo, what: `cancelling upload to ${this.registry}/${repo}` })
          .then((r) => r.body.dump()).catch(() => undefined);
      }
      return false;
    }
    throw this.fail(res, text, what);
  }

  /**
   * Upload a blob monolithically (POST, then PUT ?digest= with the whole body). `open` is called
   * for each attempt and must give the blob's bytes from the start.
   */
  async uploadBlob(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, open: () => Readable | Buffer): Promise<void> {
    checkRepo(repo);
    checkDigest(desc.digest);
    const name = `${this.registry}/${repo}@${desc.digest}`;
    const what = `uploading blob ${name}`;
    const scopes = [`repository:${repo}:pull,push`];
    const ping = await this.ping();
    const start = await this.send({ method: 'POST', target: `/v2/${repo}/blobs/uploads/`, headers: { 'content-length': '0' }, scopes, repo, what });
    const startText = await readText(start);
    if (start.statusCode !== 202) throw this.fail(start, startText, `${what} (starting the upload)`);
    const loc = headerValues(start, 'location')[0];
    if (!loc) throw new RegistryError(`${what}: the registry started an upload without a Location`);
    const url = new URL(loc, `${ping.scheme}://${this.host}/v2/${repo}/blobs/uploads/`);
    url.searchParams.set('digest', desc.digest);
    const res = await this.send({
      method: 'PUT', target: url.toString(),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: open, scopes, repo, what,
    });
    const text = await readText(res);
    if (res.statusCode !== 201) {
      const codes = registryErrorCodes(text);
      if (codes.includes('DIGEST_INVALID') || codes.includes('SIZE_INVALID')) {
        throw new DigestMismatchError(`${what}: the registry rejected the content (${registryErrorDetail(text)})`);
      }
      throw this.fail(res, text, what);
    }
    const got = headerValues(res, 'docker-content-digest')[0];
    if (got && got !== desc.digest) throw new DigestMismatchError(`${what}: the registry stored it as ${got}`);
  }
}

// ---------- helpers (exported where callers need them) ----------

function certsDirFor(registry: string, host: string): string | undefined {
  const cfg = process.env['XDG_CONFIG_HOME'] || path.join(process.env['HOME'] || os.homedir(), '.config');
  const bases = [path.join(cfg, 'containers', 'certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d'];
  for (const b of bases) {
    for (const name of new Set([registry, host])) {
      const d = path.join(b, name);
      try { if (fs.statSync(d).isDirectory()) return d; } catch { /* next */ }
    }
  }
  return undefined;
}

function checkRepo(repo: string): void {
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repo)) {
    throw new InvalidArgumentError(`invalid repository name "${repo}"`);
  }
}

const HASHES: Record<string, string> = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

function algorithmOf(digest: string): string {
  const alg = digest.slice(0, digest.indexOf(':'));
  const h = HASHES[alg];
  if (!h) throw new InvalidArgumentError(`unsupported digest algorithm in "${digest}"`);
  return h;
}

function checkDigest(digest: string): void {
  const alg = algorithmOf(digest);
  const hexLen = alg === 'sha256' ? 64 : alg === 'sha384' ? 96 : 128;
  if (!new RegExp(`^${alg}:[a-f0-9]{${hexLen}}$`).test(digest)) throw new InvalidArgumentError(`invalid digest "${digest}"`);
}

/** sha256 (or another algorithm) digest string of bytes: "sha256:<hex>". */
export function digestBytes(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Wrap a blob stream so it verifies digest and size while it flows (storage/digest.ts VerifyDigest). */
export function verifyingStream(desc: { digest: string; size: number }, label?: string): VerifyDigest {
  checkDigest(desc.digest);
  return new VerifyDigest(desc, label);
}

function manifestMediaType(contentType: string | undefined, doc: Record<string, unknown>): string {
  const ct = contentType?.split(';')[0]?.trim().toLowerCase();
  if (ct && (INDEX_TYPES.has(ct) || MANIFEST_TYPES.has(ct) || SCHEMA1_TYPES.has(ct))) return ct;
  if (typeof doc['mediaType'] === 'string' && doc['mediaType']) return doc['mediaType'];
  if (doc['schemaVersion'] === 1) return 'application/vnd.docker.distribution.manifest.v1+json';
  if (Array.isArray(doc['manifests'])) return MT.ociIndex;
  if (doc['config'] !== undefined) return MT.ociManifest;
  return ct ?? 'unknown';
}

function validDescriptor(d: unknown): d is Descriptor {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as Record<string, unknown>;
  if (typeof x['mediaType'] !== 'string' || typeof x['digest'] !== 'string') return false;
  if (typeof x['size'] !== 'number' || !Number.isSafeInteger(x['size']) || x['size'] < 0) return false;
  try { checkDigest(x['digest']); } catch { return false; }
  return true;
}

function validateManifest(doc: Record<string, unknown>, name: string): void {
  if (!validDescriptor(doc['config'])) throw new RegistryError(`manifest ${name} has a missing or invalid config descriptor`);
  const layers = doc['layers'];
  if (!Array.isArray(layers)) throw new RegistryError(`manifest ${name} has no layers array`);
  layers.forEach((l, i) => { if (!validDescriptor(l)) throw new RegistryError(`manifest ${name}: layer ${i} has an invalid descriptor`); });
}

function validateIndex(doc: Record<string, unknown>, name: string): void {
  const ms = doc['manifests'];
  if (!Array.isArray(ms)) throw new RegistryError(`manifest list ${name} has no manifests array`);
  ms.forEach((m, i) => { if (!validDescriptor(m)) throw new RegistryError(`manifest list ${name}: entry ${i} has an invalid descriptor`); });
}

function basicAuth(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

function headerValues(res: Response, name: string): string[] {
  const v = res.headers[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Parse a WWW-Authenticate header: scheme and its auth-params (quoted strings may hold commas). */
export function parseChallenge(values: string[]): Challenge | undefined {
  for (const raw of values) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(raw);
    if (!m) continue;
    const scheme = m[1]!.toLowerCase();
    const params: Record<string, string> = {};
    const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
    let p: RegExpExecArray | null;
    while ((p = re.exec(m[2] ?? '')) !== null) {
      params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    }
    if (scheme === 'bearer' || scheme === 'basic') return { scheme, params };
  }
  return undefined;
}

async function readText(res: Response, cap = 64 * 1024): Promise<string> {
  try {
    return (await readCapped(res, cap, 'response', true)).toString('utf8');
  } catch {
    return '';
  }
}

/** Read a body into memory, failing as soon as it exceeds `cap` (or truncating, for error bodies). */
async function readCapped(res: Response, cap: number, what: string, truncate = false): Promise<Buffer> {
  const len = Number(headerValues(res, 'content-length')[0]);
  if (!truncate && Number.isFinite(len) && len > cap) {
    res.body.destroy();
    throw new RegistryError(`${what} is ${len} bytes, more than the ${cap} byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of res.body) {
    const b = c as Buffer;
    total += b.length;
    if (total > cap) {
      res.body.destroy();
      if (truncate) { chunks.push(b.subarray(0, b.length - (total - cap))); break; }
      throw new RegistryError(`${what} is more than the ${cap} byte limit`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function registryErrors(text: string): Array<{ code?: string; message?: string; detail?: unknown }> {
  try {
    const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string; detail?: unknown }> };
    return Array.isArray(j.errors) ? j.errors : [];
  } catch {
    return [];
  }
}

function registryErrorCodes(text: string): string[] {
  return registryErrors(text).map((e) => String(e.code ?? ''));
}

function registryErrorDetail(text: string): string {
  const errs = registryErrors(text);
  if (errs.length) return errs.map((e) => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ');
  return oneLine(text);
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

function errCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && c && c !== 'UND_ERR' ) return c;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'INVALID_CA',
]);

function isTlsError(err: unknown): boolean {
  const c = errCode(err);
  return (c !== undefined && (TLS_CODES.has(c) || c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS') || c === 'EPROTO'));
}

function isPlainHttpAnswer(err: unknown): boolean {
  const c = errCode(err);
  const m = errorMessage(err);
  return c === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(m);
}

const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CLOSED', 'ENOTFOUND']);

/** A transport-level failure (no HTTP answer): what makes an insecure registry fall back to http. */
function isNetworkError(err: unknown): boolean {
  if (err instanceof TspodError) return false;
  const c = errCode(err);
  return isTlsError(err) || isPlainHttpAnswer(err) || (c !== undefined && NET_CODES.has(c));
}

/** Transient transport failures worth retrying (not TLS or name-resolution failures). */
function isRetryableNetworkError(err: unknown): boolean {
  if (err instanceof TspodError) return false;
  const c = errCode(err);
  return c !== undefined && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'].includes(c);
}
