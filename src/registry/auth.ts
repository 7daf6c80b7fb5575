// Registry credentials in the containers-auth.json(5) format, so a Podman/Skopeo/Docker
// login carries over.
//
// Read, in this order, until a credential is found (containers-auth.json(5)):
//   1. the explicit override (--authfile, else $REGISTRY_AUTH_FILE), or else the primary file:
//      $XDG_RUNTIME_DIR/containers/auth.json
//      (no XDG_RUNTIME_DIR: /run/containers/0/auth.json for root, as containers/image does;
//       $XDG_CONFIG_HOME/containers/auth.json for other users, whose /run/containers is not writable)
//   2. $XDG_CONFIG_HOME/containers/auth.json (default ~/.config/containers/auth.json)
//   3. $DOCKER_CONFIG/config.json, else ~/.docker/config.json
//   4. ~/.dockercfg (legacy format: the "auths" map at top level)
// Within one file the most specific key wins: host/ns/repo, then host/ns, then host.
// login/logout write only the override or the primary file, atomically, mode 0600.
// Not supported: credential helpers (credHelpers/credsStore) and identity tokens.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TspodError, InvalidArgumentError, isErrno } from '../util/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { withLock } from '../state/lock.js';

export interface Credentials { username: string; password: string }

export interface AuthOptions {
  /** --authfile; defaults to $REGISTRY_AUTH_FILE */
  authfile?: string | undefined;
}

export interface FoundCredentials extends Credentials {
  /** the file it came from */
  file: string;
  /** the key that matched (normalized) */
  key: string;
}

interface AuthFileShape {
  auths?: Record<string, { auth?: string; identitytoken?: string } | undefined>;
  [k: string]: unknown;
}

function home(): string { return process.env['HOME'] || os.homedir(); }
function configHome(): string { return process.env['XDG_CONFIG_HOME'] || path.join(home(), '.config'); }

function explicitAuthFile(opts: AuthOptions): string | undefined {
  return opts.authfile || process.env['REGISTRY_AUTH_FILE'] || undefined;
}

/** The primary (read/write) auth file, ignoring any override. */
export function primaryAuthFile(): string {
  const rt = process.env['XDG_RUNTIME_DIR'];
  if (rt) return path.join(rt, 'containers', 'auth.json');
  if (process.getuid?.() === 0) return '/run/containers/0/auth.json';
  return path.join(configHome(), 'containers', 'auth.json');
}

/** The file login/logout write: --authfile, $REGISTRY_AUTH_FILE, else the primary file. */
export function authFileForWrite(opts: AuthOptions = {}): string {
  return explicitAuthFile(opts) ?? primaryAuthFile();
}

/** Files credentials are looked up in, in order, with whether each is in the legacy .dockercfg format. */
export function authFilesForRead(opts: AuthOptions = {}): Array<{ file: string; legacy: boolean }> {
  const files = [explicitAuthFile(opts) ?? primaryAuthFile(), path.join(configHome(), 'containers', 'auth.json')];
  const dockerDir = process.env['DOCKER_CONFIG'] || path.join(home(), '.docker');
  files.push(path.join(dockerDir, 'config.json'));
  const out = [...new Set(files)].map((file) => ({ file, legacy: false }));
  out.push({ file: path.join(home(), '.dockercfg'), legacy: true });
  return out;
}

/**
 * Normalize what a user or a file names a registry by: strips http(s)://, a trailing slash, and
 * Docker's legacy index URL (https://index.docker.io/v1/ -> docker.io). Keeps a namespace path.
 */
export function normalizeAuthKey(input: string): string {
  let s = input.trim();
  const hadScheme = /^[a-z]+:\/\//i.test(s);
  s = s.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  // Docker writes URLs like https://host/v1/ and https://host/v2/: the path is not a namespace.
  if (hadScheme) s = s.split('/')[0] ?? s;
  if (s === 'index.docker.io' || s === 'registry-1.docker.io') s = 'docker.io';
  if (s.startsWith('index.docker.io/') || s.startsWith('registry-1.docker.io/')) s = `docker.io${s.slice(s.indexOf('/'))}`;
  return s;
}

/** Validate a login/logout key: host[:port][/namespace...], no tag or digest. */
export function validateAuthKey(input: string): string {
  const key = normalizeAuthKey(input);
  if (!key || /[@\s]/.test(key) || key.startsWith('/') || key.includes('//')) {
    throw new InvalidArgumentError(`invalid registry "${input}": expected host[:port][/namespace]`);
  }
  const slash = key.indexOf('/');
  const tail = slash < 0 ? '' : key.slice(slash + 1);
  if (tail.includes(':')) throw new InvalidArgumentError(`invalid registry "${input}": a tag or digest is not allowed here`);
  return key;
}

function readAuthFile(file: string, legacy: boolean): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return new Map();
    throw new TspodError(`cannot read auth file ${file}: ${(err as Error).message}`, 'EAUTHFILE');
  }
  if (!text.trim()) return new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TspodError(`auth file ${file} is not valid JSON: ${(err as Error).message}`, 'EAUTHFILE');
  }
  const auths = legacy ? doc : (doc as AuthFileShape | null)?.auths;
  const out = new Map<string, string>();
  if (typeof auths !== 'object' || auths === null) return out;
  for (const [k, v] of Object.entries(auths as Record<string, unknown>)) {
    const auth = (v as { auth?: unknown } | null)?.auth;
    if (typeof auth === 'string' && auth) out.set(normalizeAuthKey(k), auth);
  }
  return out;
}

function decodeAuth(auth: string, file: string, key: string): Credentials {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i <= 0) throw new TspodError(`auth file ${file}: the entry for "${key}" is not base64 of "username:password"`, 'EAUTHFILE');
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

/** Keys to try for host/ns/repo, most specific first. */
function candidateKeys(name: string): string[] {
  const key = normalizeAuthKey(name);
  const parts = key.split('/');
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) out.push(parts.slice(0, n).join('/'));
  return out;
}

/** Credentials for a registry (host[:port]) or a repository in it (host/ns/repo), or undefined. */
export function getCredentials(name: string, opts: AuthOptions = {}): FoundCredentials | undefined {
  const keys = candidateKeys(name);
  for (const { file, legacy } of authFilesForRead(opts)) {
    const entries = readAuthFile(file, legacy);
    for (const k of keys) {
      const auth = entries.get(k);
      if (auth) return { ...decodeAuth(auth, file, k), file, key: k };
    }
  }
  return undefined;
}

function readForUpdate(file: string): AuthFileShape {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return {};
    throw new TspodError(`cannot read auth file ${file}: ${(err as Error).message}`, 'EAUTHFILE');
  }
  if (!text.trim()) return {};
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as AuthFileShape;
  } catch (err) {
    throw new TspodError(`auth file ${file} is not valid JSON (${(err as Error).message}): fix or remove it`, 'EAUTHFILE');
  }
}

async function update(file: string, fn: (doc: AuthFileShape) => boolean): Promise<boolean> {
  return withLock(`authfile:${path.resolve(file)}`, () => {
    const doc = readForUpdate(file);
    const changed = fn(doc);
    if (changed) writeFileAtomic(file, JSON.stringify(doc, null, '\t') + '\n', 0o600);
    return changed;
  });
}

/** Store credentials for a registry or namespace (what `login` does after verifying them). Returns the file written. */
export async function saveCredentials(registry: string, creds: Credentials, opts: AuthOptions = {}): Promise<string> {
  const key = validateAuthKey(registry);
  if (!creds.username) throw new InvalidArgumentError('username must not be empty');
  if (creds.username.includes(':')) throw new InvalidArgumentError('username must not contain ":"');
  const file = authFileForWrite(opts);
  await update(file, (doc) => {
    const auths = (doc.auths && typeof doc.auths === 'object') ? doc.auths : {};
    // Drop entries that normalize to the same key (e.g. "https://host/v1/") so there is one answer.
    for (const k of Object.keys(auths)) if (k !== key && normalizeAuthKey(k) === key) delete auths[k];
    auths[key] = { ...(auths[key] ?? {}), auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
    doc.auths = auths;
    return true;
  });
  return file;
}

export interface LogoutResult {
  removed: boolean;
  /** the file looked at / written */
  file: string;
  /** when not in the writable file but credentials exist elsewhere (e.g. Docker's config.json) */
  foundIn?: string;
}

/** Remove the credentials for one registry/namespace key from the writable auth file. */
export async function removeCredentials(registry: string, opts: AuthOptions = {}): Promise<LogoutResult> {
  const key = validateAuthKey(registry);
  const file = authFileForWrite(opts);
  const removed = await update(file, (doc) => {
    if (!doc.auths || typeof doc.auths !== 'object') return false;
    let hit = false;
    for (const k of Object.keys(doc.auths)) {
      if (normalizeAuthKey(k) === key) { delete doc.auths[k]; hit = true; }
    }
    return hit;
  });
  if (removed) return { removed, file };
  for (const { file: f, legacy } of authFilesForRead(opts)) {
    if (f === file) continue;
    if (readAuthFile(f, legacy).has(key)) return { removed, file, foundIn: f };
  }
  return { removed, file };
}

/** Remove every entry from the writable auth file (`logout --all`). Returns how many were removed. */
export async function removeAllCredentials(opts: AuthOptions = {}): Promise<{ file: string; count: number }> {
  const file = authFileForWrite(opts);
  let count = 0;
  await update(file, (doc) => {
    if (!doc.auths || typeof doc.auths !== 'object') return false;
    count = Object.keys(doc.auths).length;
    doc.auths = {};
    return count > 0;
  });
  return { file, count };
}
