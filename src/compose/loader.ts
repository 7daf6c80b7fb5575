// Loading a Compose project: find the files, build the interpolation environment (.env, --env-file, the
// process environment), settle the project name, then per file parse -> interpolate -> validate against
// the schema -> resolve `extends` and `include`; merge the files in order; make host paths absolute;
// normalize; apply profiles; check references and cycles. Nothing here touches the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComposeError } from './errors.js';
import { readDotenv } from './dotenv.js';
import { interpolateTree, substitute, type Lookup } from './interpolate.js';
import { enforceUnique, mergeTrees } from './merge.js';
import { checkProjectName, normalizeProjectName, resourceName } from './names.js';
import { normalizeFileObject, normalizeNetwork, normalizeService, normalizeVolume, type NormalizeContext } from './normalize.js';
import { rebasePaths, rebaseService, resolveHostPath } from './paths.js';
import { validateSchema } from './schema.js';
import { addImplicitDependencies, checkProject } from './semantics.js';
import { isTree, parseComposeYaml, stripTags, type Tree } from './yaml.js';
import type { NetworkConfig, Project, ServiceConfig } from './types.js';

export interface LoadOptions {
  /** -f files in order; '-' reads standard input. Empty: COMPOSE_FILE, else discovery from cwd upwards. */
  files?: string[] | undefined;
  /** -p: must already be a valid name. */
  projectName?: string | undefined;
  /** --project-directory: base of relative paths and of the default .env. */
  projectDirectory?: string | undefined;
  /** --env-file, in order (later files win); default: <project directory>/.env when it exists. */
  envFiles?: string[] | undefined;
  /** --profile; default COMPOSE_PROFILES (comma-separated). '*' enables every profile. */
  profiles?: string[] | undefined;
  /** Default process.cwd(). */
  cwd?: string | undefined;
  /** Default process.env. */
  env?: Record<string, string | undefined> | undefined;
  /** Reads standard input for `-f -` (default: fd 0). */
  readStdin?: (() => string) | undefined;
  /**
   * false: keep ${VAR} as written and do not read env_file files. loadProject still normalizes, so a
   * variable where a number or port is expected fails: use loadComposeDocument to see such files as written.
   */
  interpolate?: boolean | undefined;
}

/** Default Compose file names, in order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** The Compose file of `dir` or its nearest parent, plus its override file; undefined when none. */
export function discoverFiles(dir: string, warnings: string[] = []): string[] | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = COMPOSE_FILE_NAMES.filter((n) => isFile(path.join(d, n)));
    if (found.length) {
      const main = found[0]!;
      if (found.length > 1) warnings.push(`found multiple config files with supported names: ${found.map((f) => path.join(d, f)).join(', ')}; using ${main}`);
      const stem = main.replace(/\.ya?ml$/, '');
      const override = [`${stem}.override.yaml`, `${stem}.override.yml`].find((n) => isFile(path.join(d, n)));
      return [path.join(d, main), ...(override ? [path.join(d, override)] : [])];
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

function readText(file: string, readStdin: () => string): string {
  if (file === '-') return readStdin();
  try { return fs.readFileSync(file, 'utf8'); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ComposeError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}`);
  }
}

interface FileLoad {
  env: Record<string, string>;
  interpolate: boolean;
  unset: Set<string>;
  readStdin: () => string;
}

/** Parse, interpolate and schema-check one file (several YAML documents merge in order). */
function loadFileTree(file: string, ctx: FileLoad, text?: string, validate = true): Tree {
  const docs = parseComposeYaml(text ?? readText(file, ctx.readStdin), file === '-' ? '(stdin)' : file);
  const lookup: Lookup = (k) => ctx.env[k];
  let tree: Tree = {};
  for (const doc of docs) {
    const t = ctx.interpolate ? interpolateTree(doc, lookup, { onUnset: (n) => ctx.unset.add(n) }) as Tree : doc;
    if (validate) validateSchema(stripTags(t), file === '-' ? '(stdin)' : file);
    tree = docs.length === 1 ? t : mergeTrees(tree, t);
  }
  return tree;
}

// ---- extends

/** Resolve every `extends` in a file's services (same file or `file:`), recursively; cycles are errors. */
/** Returns whether a service extends one from another file (which then needs checking in this one). */
function resolveExtends(tree: Tree, file: string, ctx: FileLoad, stack: string[] = []): boolean {
  const services = tree['services'];
  if (!isTree(services)) return false;
  const fromFile = Object.values(services).some((s) => isTree(s) && isTree(s['extends']) && s['extends']['file'] !== undefined);
  for (const name of Object.keys(services)) services[name] = extendService(services, name, file, ctx, stack);
  return fromFile;
}

function extendService(services: Tree, name: string, file: string, ctx: FileLoad, stack: string[]): Tree {
  const svc = services[name];
  if (!isTree(svc)) return (svc ?? {}) as Tree;
  const ext = svc['extends'];
  if (ext === undefined || ext === null) return svc;
  const ref = typeof ext === 'string' ? { service: ext } : (ext as Tree);
  const baseName = String(ref['service']);
  const id = `${file}#${name}`;
  if (stack.includes(id)) throw new ComposeError(`circular extends: ${[...stack, id].map((s) => s.split('#')[1]).join(' -> ')}`);
  let base: Tree;
  if (ref['file'] !== undefined && ref['file'] !== null) {
    const other = resolveHostPath(String(ref['file']), path.dirname(file));
    // only the service taken from the other file must be valid (checked once merged into this file)
    const otherTree = loadFileTree(other, ctx, undefined, false);
    const otherServices = otherTree['services'];
    if (!isTree(otherServices) || !isTree(otherServices[baseName])) throw new ComposeError(`services.${name}.extends: service "${baseName}" not found in ${other}`);
    base = extendService(otherServices, baseName, other, ctx, [...stack, id]);
    // paths of the base service are relative to its own file
    base = rebaseService(stripTags(base) as Tree, path.dirname(other));
  } else {
    if (!isTree(services[baseName])) throw new ComposeError(`services.${name}.extends: service "${baseName}" not found in ${file}`);
    if (baseName === name) throw new ComposeError(`circular extends: ${name} -> ${name}`);
    base = extendService(services, baseName, file, ctx, [...stack, id]);
  }
  const local: Tree = { ...svc };
  delete local['extends'];
  const baseCopy = { ...(stripTags(base) as Tree) };
  delete baseCopy['extends'];
  const merged = mergeTrees({ services: { [name]: baseCopy } }, { services: { [name]: local } });
  return (merged['services'] as Tree)[name] as Tree;
}

// ---- include

const RESOURCE_KINDS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** Load each `include` of a file as its own project and copy its resources in; conflicts are errors. */
function resolveIncludes(tree: Tree, file: string, ctx: FileLoad, stack: string[]): void {
  const inc = tree['include'];
  delete tree['include'];
  if (!Array.isArray(inc)) return;
  const dir = file === '-' ? process.cwd() : path.dirname(file);
  for (const entry of inc) {
    const e = typeof entry === 'string' ? { path: entry } : (entry as Tree);
    const files = (Array.isArray(e['path']) ? e['path'] : [e['path']]).map((p) => resolveHostPath(String(p), dir));
    if (stack.includes(files[0]!)) throw new ComposeError(`include cycle: ${[...stack, files[0]].join(' -> ')}`);
    const projectDir = e['project_directory'] !== undefined ? resolveHostPath(String(e['project_directory']), dir) : path.dirname(files[0]!);
    const envFiles = e['env_file'] !== undefined
      ? (Array.isArray(e['env_file']) ? e['env_file'] : [e['env_file']]).map((p) => resolveHostPath(String(p), dir))
      : [path.join(projectDir, '.env')].filter(isFile);
    // the included project's .env gives defaults; the including project's environment wins
    let fileVars: Record<string, string> = {};
    for (const f of envFiles) fileVars = { ...fileVars, ...readDotenv(f, (k) => ctx.env[k] ?? fileVars[k]) };
    const sub: FileLoad = { ...ctx, env: { ...fileVars, ...ctx.env } };
    const included = loadMerged(files, sub, [...stack, files[0]!]);
    rebasePaths(included, projectDir);
    for (const kind of RESOURCE_KINDS) {
      const from = included[kind];
      if (!isTree(from)) continue;
      const into = (isTree(tree[kind]) ? tree[kind] : (tree[kind] = {})) as Tree;
      for (const [k, v] of Object.entries(from)) {
        if (Object.hasOwn(into, k) && JSON.stringify(stripTags(into[k])) !== JSON.stringify(v)) {
          throw new ComposeError(`${file}: ${kind}.${k} conflicts with the one included from ${files[0]}`);
        }
        into[k] = v;
      }
    }
  }
}

/** Files -> one merged raw tree (extends and includes resolved per file, then merged in order). */
function loadMerged(files: string[], ctx: FileLoad, stack: string[] = [], texts: Map<string, string> = new Map()): Tree {
  let merged: Tree = {};
  for (const f of files) {
    const tree = loadFileTree(f, ctx, texts.get(f));
    if (resolveExtends(tree, f, ctx)) validateSchema(stripTags(tree), f === '-' ? '(stdin)' : f);
    resolveIncludes(tree, f, ctx, [...stack, f]);
    merged = mergeTrees(merged, tree);
  }
  return enforceUnique(merged);
}

// ---- the project

function splitList(v: string | undefined, sep: string): string[] {
  return (v ?? '').split(sep).map((s) => s.trim()).filter(Boolean);
}

function readEnvFiles(files: string[], base: Record<string, string>): Record<string, string> {
  let vars: Record<string, string> = {};
  for (const f of files) vars = { ...vars, ...readDotenv(f, (k) => base[k] ?? vars[k]) };
  return vars;
}

/** The merged Compose document before normalization (what `config --no-interpolate` prints). */
export interface ComposeDocument {
  name: string;
  working_dir: string;
  config_files: string[];
  environment: Record<string, string>;
  /** The merged tree: extends and include resolved, host paths absolute, list entries unique. */
  tree: Record<string, unknown>;
  warnings: string[];
}

/** Find, read, interpolate, schema-check and merge the files of a project. Throws ComposeError on bad input. */
export function loadComposeDocument(opts: LoadOptions = {}): ComposeDocument {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const osEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env ?? process.env)) if (v !== undefined) osEnv[k] = v;
  const warnings: string[] = [];
  const interpolate = opts.interpolate !== false;
  const readStdin = opts.readStdin ?? (() => fs.readFileSync(0, 'utf8'));
  const explicit = (opts.files ?? []).map((f) => (f === '-' ? '-' : path.resolve(cwd, f)));
  const projectDirectory = opts.projectDirectory !== undefined ? path.resolve(cwd, opts.projectDirectory) : undefined;
  if (projectDirectory && !fs.existsSync(projectDirectory)) throw new ComposeError(`project directory ${projectDirectory} does not exist`);

  // .env first: it may set COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_PROJECT_NAME (the process environment wins)
  const envFiles = (opts.envFiles ?? []).map((f) => path.resolve(cwd, f));
  for (const f of envFiles) if (!isFile(f)) throw new ComposeError(`env file ${f} not found`);
  const firstDir = projectDirectory ?? (explicit[0] && explicit[0] !== '-' ? path.dirname(explicit[0]) : cwd);
  const dotenv = (dir: string): Record<string, string> => readEnvFiles(envFiles.length ? envFiles : [path.join(dir, '.env')].filter(isFile), osEnv);
  let env: Record<string, string> = { ...dotenv(firstDir), ...osEnv };

  let files = explicit;
  if (!files.length && env['COMPOSE_FILE']) {
    files = splitList(env['COMPOSE_FILE'], env['COMPOSE_PATH_SEPARATOR'] || ':').map((f) => path.resolve(projectDirectory ?? cwd, f));
  }
  if (!files.length) {
    const found = discoverFiles(projectDirectory ?? cwd, warnings);
    if (!found) throw new ComposeError(`no configuration file provided: no ${COMPOSE_FILE_NAMES.join(', ')} in ${projectDirectory ?? cwd} or its parents`);
    files = found;
  }
  const workingDir = projectDirectory ?? (files[0] === '-' ? cwd : path.dirname(files[0]!));
  if (workingDir !== firstDir && !envFiles.length) env = { ...dotenv(workingDir), ...osEnv };

  // the project name: -p > COMPOSE_PROJECT_NAME > name: (last file setting it, interpolated) > directory
  const texts = new Map<string, string>();
  for (const f of files) texts.set(f, readText(f, readStdin));
  let name: string | undefined;
  if (opts.projectName !== undefined) name = checkProjectName(opts.projectName, '-p');
  else if (env['COMPOSE_PROJECT_NAME']) name = checkProjectName(env['COMPOSE_PROJECT_NAME'], 'COMPOSE_PROJECT_NAME');
  else {
    for (const f of files) {
      for (const doc of parseComposeYaml(texts.get(f)!, f === '-' ? '(stdin)' : f)) {
        if (typeof doc['name'] === 'string') name = normalizeProjectName(interpolate ? substitute(doc['name'], (k) => env[k]) : doc['name']);
      }
    }
    if (!name) name = normalizeProjectName(path.basename(workingDir));
    if (!name) throw new ComposeError(`cannot derive a project name from "${path.basename(workingDir)}": set one with -p or name:`);
  }
  env['COMPOSE_PROJECT_NAME'] = name;

  const ctx: FileLoad = { env, interpolate, unset: new Set(), readStdin };
  const merged = loadMerged(files, ctx, [], texts);
  rebasePaths(merged, workingDir);
  for (const v of ctx.unset) warnings.push(`the "${v}" variable is not set: defaulting to a blank string`);
  if (merged['version'] !== undefined) warnings.push('the top-level "version" is obsolete and ignored');
  return { name, working_dir: workingDir, config_files: files, environment: env, tree: merged, warnings };
}

/** Load, merge, validate and normalize a Compose project. Throws ComposeError (exit 125) on bad input. */
export function loadProject(opts: LoadOptions = {}): Project {
  const doc = loadComposeDocument(opts);
  const { name, environment: env, tree: merged, warnings } = doc;
  const interpolate = opts.interpolate !== false;

  const nctx: NormalizeContext = { lookup: (k) => env[k], resolveEnvFiles: interpolate, warnings };
  const all: Record<string, ServiceConfig> = {};
  for (const [svc, raw] of Object.entries(isTree(merged['services']) ? merged['services'] : {})) {
    if (!/^[a-zA-Z0-9._-]+$/.test(svc)) throw new ComposeError(`invalid service name "${svc}": use letters, digits, '.', '_' and '-'`);
    const s = normalizeService(svc, (raw ?? {}) as Tree, nctx);
    if (s.image === undefined && s.build === undefined && s['provider'] === undefined) throw new ComposeError(`service "${svc}" has neither an image nor a build context specified`);
    all[svc] = s;
  }
  const kinds = { networks: {}, volumes: {}, secrets: {}, configs: {} } as Pick<Project, 'networks' | 'volumes' | 'secrets' | 'configs'>;
  for (const [k, v] of Object.entries(isTree(merged['networks']) ? merged['networks'] : {})) kinds.networks[k] = normalizeNetwork(name, k, v as Tree | null);
  for (const [k, v] of Object.entries(isTree(merged['volumes']) ? merged['volumes'] : {})) kinds.volumes[k] = normalizeVolume(name, k, v as Tree | null);
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [k, v] of Object.entries(isTree(merged[kind]) ? merged[kind] : {})) {
      const o = normalizeFileObject(kind, name, k, v as Tree | null);
      if (o.environment !== undefined && interpolate && env[o.environment] === undefined) warnings.push(`${kind}.${k}: environment variable "${o.environment}" is not set`);
      kinds[kind][k] = o;
    }
  }
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(merged)) if (k.startsWith('x-')) extensions[k] = v;

  const activeProfiles = opts.profiles?.length ? opts.profiles : splitList(env['COMPOSE_PROFILES'], ',');
  const project: Project = {
    name, working_dir: doc.working_dir, config_files: doc.config_files, environment: env, profiles: activeProfiles,
    services: {}, disabled_services: {}, ...kinds, extensions, warnings,
  };
  addImplicitDependencies(all);
  return applyProfiles(project, all, activeProfiles);
}

function profileEnabled(s: ServiceConfig, active: string[]): boolean {
  return !s.profiles?.length || active.includes('*') || s.profiles.some((p) => active.includes(p));
}

/** Split services by profile, add the implicit default network when used, and check references. */
function applyProfiles(project: Project, all: Record<string, ServiceConfig>, active: string[]): Project {
  project.profiles = [...new Set(active)];
  project.services = {};
  project.disabled_services = {};
  for (const [n, s] of Object.entries(all)) (profileEnabled(s, active) ? project.services : project.disabled_services)[n] = s;
  const usesDefault = Object.values(project.services).some((s) => s.networks && 'default' in s.networks);
  if (usesDefault && !project.networks['default']) {
    project.networks['default'] = { name: resourceName(project.name, 'default'), external: false } as NetworkConfig;
  }
  checkProject(project);
  return project;
}

/**
 * The project with the named services enabled even when their profiles are not active (a command that
 * names a service enables it, and its profiles, as the Specification's profiles chapter says).
 */
export function enableServices(project: Project, names: string[]): Project {
  const all = { ...project.services, ...project.disabled_services };
  const extra: string[] = [];
  for (const n of names) {
    const s = all[n];
    if (!s) throw new ComposeError(`no such service: ${n}`);
    if (project.disabled_services[n]) extra.push(...(s.profiles ?? []));
  }
  if (!extra.length) return project;
  return applyProfiles({ ...project, warnings: [...project.warnings] }, all, [...project.profiles, ...extra]);
}
