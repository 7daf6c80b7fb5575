// registries.conf (containers-registries.conf(5), version 2 and the old v1 tables):
// which registries short names are searched in, which registries are insecure or
// blocked, where a prefix is rewritten to (location) and which mirrors are tried
// first on pull.
//
// Where the file is found, first hit wins:
//   $TSPOD_REGISTRIES_CONF, $CONTAINERS_REGISTRIES_CONF (explicit override; drop-ins only from
//     $TSPOD_REGISTRIES_CONF_D when set)
//   $XDG_CONFIG_HOME/tspod/registries.conf           (tspod's own; drop-ins from .../tspod/registries.conf.d)
//   $XDG_CONFIG_HOME/containers/registries.conf      (per-user; drop-ins from the per-user registries.conf.d)
//   /etc/containers/registries.conf                  (drop-ins from /etc/containers/registries.conf.d, then
//                                                      the per-user registries.conf.d)
// As in containers/image, a per-user file replaces the system one rather than merging with it.
// Drop-ins (*.conf, in name order) are merged on top: top-level settings they set replace
// earlier ones, [[registry]] entries replace entries with the same prefix, aliases merge.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { TspodError, isErrno } from '../util/errors.js';
import { DEFAULT_REGISTRY, type Reference } from '../image/reference.js';

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface MirrorConfig {
  /** host[:port][/path] */
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

export interface RegistryConfig {
  /** what a reference is matched against: host[:port][/path] or *.domain */
  prefix: string;
  /** where matching references really live (defaults to prefix) */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorConfig[];
  /** the file this entry came from, for error messages */
  file: string;
}

export interface RegistriesConf {
  /** files read, in order (main file first, then drop-ins) */
  files: string[];
  /** undefined when no file sets it; searchRegistries() then gives ["docker.io"] */
  unqualifiedSearchRegistries: string[] | undefined;
  shortNameMode: string | undefined;
  registries: RegistryConfig[];
  aliases: Record<string, string>;
}

/** One place to try for a reference: a registry host and the repository path there. */
export interface Endpoint {
  /** host[:port] to talk to */
  registry: string;
  /** repository path in that registry (after prefix -> location rewriting) */
  repository: string;
  insecure: boolean;
  mirror: boolean;
}

function configHome(): string {
  return process.env['XDG_CONFIG_HOME'] || path.join(process.env['HOME'] || os.homedir(), '.config');
}

export interface ConfLocations { main: string | undefined; dropInDirs: string[]; explicit: boolean }

/** Which registries.conf file and drop-in directories apply (see the header comment). */
export function registriesConfLocations(): ConfLocations {
  const override = process.env['TSPOD_REGISTRIES_CONF'] || process.env['CONTAINERS_REGISTRIES_CONF'];
  if (override) {
    const d = process.env['TSPOD_REGISTRIES_CONF_D'];
    return { main: override, dropInDirs: d ? [d] : [], explicit: true };
  }
  const own = path.join(configHome(), 'tspod', 'registries.conf');
  if (exists(own)) return { main: own, dropInDirs: [`${own}.d`], explicit: false };
  const user = path.join(configHome(), 'containers', 'registries.conf');
  if (exists(user)) return { main: user, dropInDirs: [`${user}.d`], explicit: false };
  const sys = '/etc/containers/registries.conf';
  return { main: exists(sys) ? sys : undefined, dropInDirs: ['/etc/containers/registries.conf.d', `${user}.d`], explicit: false };
}

function exists(p: string): boolean {
  try { fs.statSync(p); return true; } catch { return false; }
}

let cached: RegistriesConf | undefined;

/** The effective configuration (read once per process; resetRegistriesConf() forgets it). */
export function loadRegistriesConf(): RegistriesConf {
  if (!cached) cached = readRegistriesConf(registriesConfLocations());
  return cached;
}

export function resetRegistriesConf(): void { cached = undefined; }

export function readRegistriesConf(loc: ConfLocations): RegistriesConf {
  const conf: RegistriesConf = { files: [], unqualifiedSearchRegistries: undefined, shortNameMode: undefined, registries: [], aliases: {} };
  if (loc.main) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(loc.main, 'utf8');
    } catch (err) {
      // An explicitly named file must exist; the implicit ones are optional.
      if (!isErrno(err, 'ENOENT') || loc.explicit) throw new TspodError(`cannot read registries configuration ${loc.main}: ${(err as Error).message}`, 'ECONFIG');
    }
    if (text !== undefined) merge(conf, parseRegistriesConf(text, loc.main));
  }
  for (const dir of loc.dropInDirs) {
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { continue; }
    for (const n of names.filter((x) => x.endsWith('.conf')).sort()) {
      const file = path.join(dir, n);
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch (err) {
        throw new TspodError(`cannot read registries configuration ${file}: ${(err as Error).message}`, 'ECONFIG');
      }
      merge(conf, parseRegistriesConf(text, file));
    }
  }
  return conf;
}

function merge(into: RegistriesConf, from: RegistriesConf): void {
  into.files.push(...from.files);
  if (from.unqualifiedSearchRegistries !== undefined) into.unqualifiedSearchRegistries = from.unqualifiedSearchRegistries;
  if (from.shortNameMode !== undefined) into.shortNameMode = from.shortNameMode;
  for (const r of from.registries) {
    const i = into.registries.findIndex((x) => x.prefix === r.prefix);
    if (i >= 0) into.registries[i] = r; else into.registries.push(r);
  }
  Object.assign(into.aliases, from.aliases);
}

function bad(file: string, detail: string): TspodError {
  return new TspodError(`invalid registries configuration ${file}: ${detail}`, 'ECONFIG');
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function str(file: string, where: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(file, `${where} must be a string`);
  return v;
}
function bool(file: string, where: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(file, `${where} must be true or false`);
  return v;
}
function strList(file: string, where: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(file, `${where} must be an array of strings`);
  return v as string[];
}

/** Parse one registries.conf text. Throws TspodError naming the file when it is not valid. */
export function parseRegistriesConf(text: string, file: string): RegistriesConf {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? String(err);
    throw bad(file, `not valid TOML: ${msg}`);
  }
  const conf: RegistriesConf = { files: [file], unqualifiedSearchRegistries: undefined, shortNameMode: undefined, registries: [], aliases: {} };
  const v1 = doc['registries'];
  const hasV2 = 'registry' in doc || 'unqualified-search-registries' in doc;
  if (v1 !== undefined) {
    if (hasV2) throw bad(file, 'mixes the version 1 [registries.*] tables with version 2 settings');
    parseV1(conf, v1, file);
  }
  conf.unqualifiedSearchRegistries = strList(file, 'unqualified-search-registries', doc['unqualified-search-registries']) ?? conf.unqualifiedSearchRegistries;
  conf.shortNameMode = str(file, 'short-name-mode', doc['short-name-mode']);
  if (conf.shortNameMode !== undefined && !['enforcing', 'permissive', 'disabled'].includes(conf.shortNameMode)) {
    throw bad(file, `short-name-mode "${conf.shortNameMode}" is not one of enforcing, permissive, disabled`);
  }
  const regs = doc['registry'];
  if (regs !== undefined) {
    if (!Array.isArray(regs)) throw bad(file, '[[registry]] must be an array of tables');
    regs.forEach((r, i) => conf.registries.push(parseRegistry(r, i, file)));
  }
  const aliases = doc['aliases'];
  if (aliases !== undefined) {
    if (!isTable(aliases)) throw bad(file, '[aliases] must be a table');
    for (const [k, v] of Object.entries(aliases)) {
      if (typeof v !== 'string') throw bad(file, `alias "${k}" must be a string`);
      conf.aliases[k] = v;
    }
  }
  const seen = new Set<string>();
  for (const r of conf.registries) {
    if (seen.has(r.prefix)) throw bad(file, `registry prefix "${r.prefix}" is defined more than once`);
    seen.add(r.prefix);
  }
  return conf;
}

function parseRegistry(r: unknown, i: number, file: string): RegistryConfig {
  const where = `[[registry]] #${i + 1}`;
  if (!isTable(r)) throw bad(file, `${where} must be a table`);
  const location = stripScheme(str(file, `${where} location`, r['location']) ?? '');
  let prefix = stripScheme(str(file, `${where} prefix`, r['prefix']) ?? '');
  if (!prefix) prefix = location;
  if (!prefix) throw bad(file, `${where} needs a prefix or a location`);
  if (prefix.startsWith('*.') && location && location !== prefix) {
    throw bad(file, `${where}: a wildcarded prefix "${prefix}" cannot have a location`);
  }
  const mirrorsRaw = r['mirror'];
  const mirrors: MirrorConfig[] = [];
  if (mirrorsRaw !== undefined) {
    if (!Array.isArray(mirrorsRaw)) throw bad(file, `${where} [[registry.mirror]] must be an array of tables`);
    mirrorsRaw.forEach((m, j) => {
      const mw = `${where} mirror #${j + 1}`;
      if (!isTable(m)) throw bad(file, `${mw} must be a table`);
      const loc = stripScheme(str(file, `${mw} location`, m['location']) ?? '');
      if (!loc) throw bad(file, `${mw} needs a location`);
      const pfm = str(file, `${mw} pull-from-mirror`, m['pull-from-mirror']) ?? 'all';
      if (!['all', 'digest-only', 'tag-only'].includes(pfm)) throw bad(file, `${mw} pull-from-mirror "${pfm}" is not one of all, digest-only, tag-only`);
      mirrors.push({ location: loc, insecure: bool(file, `${mw} insecure`, m['insecure']), pullFromMirror: pfm as PullFromMirror });
    });
  }
  return {
    prefix,
    location: location || prefix,
    insecure: bool(file, `${where} insecure`, r['insecure']),
    blocked: bool(file, `${where} blocked`, r['blocked']),
    mirrorByDigestOnly: bool(file, `${where} mirror-by-digest-only`, r['mirror-by-digest-only']),
    mirrors,
    file,
  };
}

// Version 1: [registries.search] registries = [...], [registries.insecure], [registries.block].
function parseV1(conf: RegistriesConf, v1: unknown, file: string): void {
  if (!isTable(v1)) throw bad(file, '[registries] must be a table');
  const list = (name: string): string[] => {
    const t = v1[name];
    if (t === undefined) return [];
    if (!isTable(t)) throw bad(file, `[registries.${name}] must be a table`);
    return strList(file, `registries.${name}.registries`, t['registries']) ?? [];
  };
  const search = list('search');
  if (search.length) conf.unqualifiedSearchRegistries = search;
  const entry = (loc: string): RegistryConfig => {
    let e = conf.registries.find((r) => r.prefix === loc);
    if (!e) {
      e = { prefix: loc, location: loc, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [], file };
      conf.registries.push(e);
    }
    return e;
  };
  for (const h of list('insecure')) entry(stripScheme(h)).insecure = true;
  for (const h of list('block')) entry(stripScheme(h)).blocked = true;
}

function stripScheme(s: string): string {
  return s.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** Registries a short name is tried in, in order (["docker.io"] when nothing is configured). */
export function searchRegistries(conf: RegistriesConf = loadRegistriesConf()): string[] {
  return conf.unqualifiedSearchRegistries ?? [DEFAULT_REGISTRY];
}

/** The short-name alias target for a name ("busybox" -> "docker.io/library/busybox"), if any. */
export function aliasFor(shortName: string, conf: RegistriesConf = loadRegistriesConf()): string | undefined {
  return conf.aliases[shortName];
}

function hostOf(hostAndPath: string): string {
  const i = hostAndPath.indexOf('/');
  return i < 0 ? hostAndPath : hostAndPath.slice(0, i);
}

/** Does `prefix` match `name` (host[:port][/path][:tag][@digest])? Returns the match length rank or -1. */
function matchLength(prefix: string, name: string): number {
  if (prefix.startsWith('*.')) {
    const host = hostOf(name);
    // *.example.com matches sub.example.com (and deeper), not example.com itself
    return host.endsWith(prefix.slice(1)) && host.length > prefix.length - 1 ? prefix.length : -1;
  }
  if (!name.startsWith(prefix)) return -1;
  if (name.length === prefix.length) return prefix.length;
  const next = name[prefix.length];
  return next === '/' || next === ':' || next === '@' ? prefix.length : -1;
}

/** The [[registry]] entry whose prefix is the longest match for host[/path], if any. */
export function registryConfigFor(hostAndPath: string, conf: RegistriesConf = loadRegistriesConf()): RegistryConfig | undefined {
  let best: RegistryConfig | undefined;
  let bestLen = -1;
  for (const r of conf.registries) {
    const l = matchLength(r.prefix, hostAndPath);
    if (l > bestLen) { best = r; bestLen = l; }
  }
  return best;
}

/** True when host[:port] is marked insecure: its own [[registry]] entry (or a location/mirror naming it). */
export function isInsecure(host: string, conf: RegistriesConf = loadRegistriesConf()): boolean {
  const r = registryConfigFor(host, conf);
  if (r?.insecure) return true;
  for (const e of conf.registries) {
    if (e.insecure && hostOf(e.location) === host && !e.prefix.startsWith('*.')) return true;
    if (e.mirrors.some((m) => m.insecure && hostOf(m.location) === host)) return true;
  }
  return false;
}

/** True when host[/path] is blocked. */
export function isBlocked(hostAndPath: string, conf: RegistriesConf = loadRegistriesConf()): boolean {
  return registryConfigFor(hostAndPath, conf)?.blocked ?? false;
}

function splitLocation(loc: string, rest: string): { registry: string; repository: string } {
  const full = rest ? `${loc}/${rest}` : loc;
  const i = full.indexOf('/');
  if (i < 0) throw new TspodError(`registries.conf location "${loc}" leaves no repository path for "${rest}"`, 'ECONFIG');
  return { registry: full.slice(0, i), repository: full.slice(i + 1) };
}

export interface EndpointOptions {
  /** push goes to the primary location only; mirrors are for pulling */
  push?: boolean;
}

/**
 * Where to pull (or push) a fully qualified reference: mirrors first (when allowed for this reference),
 * then the (possibly rewritten) location. Throws when the registry is blocked.
 */
export function endpointsFor(ref: Reference & { registry: string }, opts: EndpointOptions = {}, conf: RegistriesConf = loadRegistriesConf()): Endpoint[] {
  const name = `${ref.registry}/${ref.path}`;
  const r = registryConfigFor(name, conf);
  if (!r) return [{ registry: ref.registry, repository: ref.path, insecure: false, mirror: false }];
  if (r.blocked) throw new TspodError(`registry ${ref.registry} is blocked in ${r.file} ([[registry]] prefix "${r.prefix}")`, 'EBLOCKED');
  let prefixLen = r.prefix.length;
  let location = r.location;
  if (r.prefix.startsWith('*.')) { prefixLen = ref.registry.length; location = ref.registry; }
  const rest = name.slice(prefixLen).replace(/^\//, '');
  const out: Endpoint[] = [];
  if (!opts.push) {
    const byDigest = ref.digest !== undefined;
    for (const m of r.mirrors) {
      if (r.mirrorByDigestOnly && !byDigest) continue;
      if (m.pullFromMirror === 'digest-only' && !byDigest) continue;
      if (m.pullFromMirror === 'tag-only' && byDigest) continue;
      out.push({ ...splitLocation(m.location, rest), insecure: m.insecure, mirror: true });
    }
  }
  out.push({ ...splitLocation(location, rest), insecure: r.insecure, mirror: false });
  return out;
}
