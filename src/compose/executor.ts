// The executor: converges the engine to a Compose project (up), tears a project down by its labels (down),
// and lists and follows its containers (ps, logs). Every step is an in-process call of the engine library;
// what happened is reported line by line through `onEvent` (the command renders it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containers, images, networks, volumes } from '../engine/index.js';
import type { PsRow } from '../engine/index.js';
import { parseDevice, parseExpose } from '../container/options.js';
import { ComposeError } from './errors.js';
import { builtImageName, LABELS } from './names.js';
import { prefixes } from './prefix.js';
import { buildFileOptions, dependentStops, unsupportedKeys, fileObjectPath, planUp, selectServices, serviceImage, type ContainerAction, type ExistingContainer } from './plan.js';
import { dependencyOrder } from './semantics.js';
import type { Project, ServiceConfig } from './types.js';

export interface Reporter {
  /** A progress line (`Container shop-web-1  Started`). */
  onEvent(line: string): void;
  /** A non-fatal finding. */
  onWarning(line: string): void;
}

const projectFilter = (name: string) => `label=${LABELS.project}=${name}`;

/** The project's containers (all states), service and container number order. */
export async function projectContainers(project: string, all = true): Promise<PsRow[]> {
  const rows = await containers.list({ all, filters: [projectFilter(project)] });
  const key = (r: PsRow) => `${r.Labels[LABELS.service] ?? ''}\0${String(Number(r.Labels[LABELS.containerNumber] ?? 0)).padStart(6, '0')}\0${r.Names}`;
  return rows.sort((a, b) => key(a).localeCompare(key(b)));
}

const existing = (r: PsRow): ExistingContainer => ({ id: r.Id, name: r.Names, state: r.State, labels: r.Labels, imageId: r.ImageID || undefined });

/** The local image ID of each service's image (services whose image is not present are left out). */
async function imageIds(project: Project, order: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of order) {
    const image = serviceImage(project, n, project.services[n]!);
    if (await images.exists({ image })) out[n] = String((await images.inspect({ image }))['Id'] ?? '');
  }
  return out;
}

export interface UpOptions {
  services?: string[];
  noDeps?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
  noStart?: boolean;
  /** Build images before starting (--build); never build (--no-build). */
  build?: boolean;
  noBuild?: boolean;
  /** Stop timeout (seconds) when a container is replaced or removed. */
  timeout?: number;
  /** How long a service_healthy / service_completed_successfully dependency may take (ms). */
  dependencyTimeout?: number;
  /** Say what would be done; create, pull, build and start nothing. */
  dryRun?: boolean;
  /** At most this many containers created or started at once (--parallel; default: no limit). */
  parallel?: number | undefined;
}

/** A container `up` left in place (created, recreated, started or kept), for attaching to it. */
export interface UpContainer { id: string; name: string; service: string; number: number; fresh: boolean }

/** `compose up -d`: everything is checked before the first network, volume or container is created. */
export async function up(project: Project, o: UpOptions, r: Reporter): Promise<UpContainer[]> {
  const order = selectServices(project, o.services ?? [], dependencyOrder(project.services), o.noDeps);
  const current = (await projectContainers(project.name)).map(existing);
  const planOpts = { forceRecreate: o.forceRecreate, noRecreate: o.noRecreate };
  let plan = planUp(project, order, current, { ...planOpts, imageIds: await imageIds(project, order) });
  if (plan.orphans.length && !o.removeOrphans) {
    r.onWarning(`Found orphan containers (${plan.orphans.map((c) => c.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const dry = o.dryRun ? (l: string) => r.onEvent(`DRY-RUN MODE - ${l}`) : undefined;

  // what the selected services use
  const { netKeys, volKeys } = usedResources(project, order);
  for (const k of netKeys) {
    const net = project.networks[k]!;
    if (net.external && !(await networks.exists({ network: net.name }))) throw new ComposeError(`network ${net.name} declared as external, but could not be found: create it first (tspod network create ${net.name})`);
  }
  for (const k of volKeys) {
    const vol = project.volumes[k]!;
    if (vol.external && !(await volumes.exists({ volume: vol.name }))) throw new ComposeError(`external volume "${vol.name}" not found: create it first (tspod volume create ${vol.name})`);
  }
  for (const n of order) for (const v of project.services[n]!.volumes) {
    if (v.type === 'bind' && v.source && !fs.existsSync(v.source) && v.bind?.create_host_path === false) throw new ComposeError(`service "${n}": bind source ${v.source} does not exist (create_host_path is false)`);
  }
  checkFileObjects(project, order);
  checkDevicesAndExpose(project, order);
  for (const n of order) {
    const keys = unsupportedKeys(project.services[n]!);
    if (keys.length) r.onWarning(`service "${n}": ${keys.join(', ')} ${keys.length > 1 ? 'are' : 'is'} not supported by tspod's engine and ${keys.length > 1 ? 'are' : 'is'} ignored`);
  }

  // images next: a missing image fails `up` before anything of the project exists
  let touched = false;
  for (const n of order) {
    const acts = plan.actions[n]!;
    const s = project.services[n]!;
    if (!acts.some((a) => a.kind === 'create' || a.kind === 'recreate') && !o.build && s.pull_policy !== 'always' && s.pull_policy !== 'build') continue;
    await ensureImage(project, n, s, o, r, dry);
    touched = true;
  }
  // a build or pull may have changed an image: its containers are recreated
  if (touched && !dry) plan = planUp(project, order, current, { ...planOpts, imageIds: await imageIds(project, order) });

  // dependents that restart with a recreated dependency are stopped before it, started after it
  const stops = dependentStops(project, plan, current, dependencyOrder(project.services));
  await createResources(project, netKeys, volKeys, r, dry);
  if (dry) {
    for (const c of o.removeOrphans ? plan.orphans : []) dry(`Container ${c.name}  Removed`);
    for (const n of order) {
      for (const { container: c, remove } of stops.before[n] ?? []) dry(`Container ${c.name}  ${remove ? 'Removed' : 'Stopped'}`);
      for (const a of plan.actions[n]!) dry(describe(a, o));
      for (const a of stops.after[n] ?? []) dry(describe(a, o));
    }
    return [];
  }
  for (const n of order) for (const v of project.services[n]!.volumes) {
    if (v.type === 'bind' && v.source && !fs.existsSync(v.source)) fs.mkdirSync(v.source, { recursive: true });
  }

  for (const n of order) writeFileObjects(project, project.services[n]!);
  if (o.removeOrphans) for (const c of plan.orphans) await removeContainer(c, o.timeout, r);

  // services start as soon as what they depend on is up: independent ones in parallel
  const out: UpContainer[] = [];
  const slot = limiter(o.parallel);
  const done = new Map<string, Promise<void>>();
  const converge = async (n: string): Promise<void> => {
    const deps = Object.keys(project.services[n]!.depends_on);
    await Promise.all(deps.map((d) => done.get(d)));
    if (!o.noStart) await waitForDependencies(project, n, o.dependencyTimeout ?? 300_000, r);
    for (const { container: c, remove } of stops.before[n] ?? []) {
      if (remove) { await removeContainer(c, o.timeout, r); continue; }
      const [rep] = await containers.stop({ containers: [c.id], timeout: o.timeout, ignore: true });
      if (rep?.error) throw rep.error;
      r.onEvent(`Container ${c.name}  Stopped`);
    }
    await Promise.all(plan.actions[n]!.map((a) => slot(async () => { const c = await apply(a, o, r); if (c) out.push(c); })));
    // the stopped (or removed) dependents that this `up` does not converge come back now
    for (const a of stops.after[n] ?? []) { const c = await apply(a, o, r); if (c) out.push(c); }
  };
  for (const n of order) done.set(n, converge(n));
  const results = await Promise.allSettled(done.values());
  const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  const rank = (c: UpContainer) => `${String(order.indexOf(c.service)).padStart(4, '0')}-${String(c.number).padStart(6, '0')}`;
  return out.sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** devices and expose as the engine's create checks them, but before anything of the project is created. */
export function checkDevicesAndExpose(project: Project, order: string[]): void {
  for (const n of order) {
    const s = project.services[n]!;
    try {
      for (const d of s.devices ?? []) parseDevice(d);
      for (const e of s.expose ?? []) parseExpose(String(e));
    } catch (err) { throw new ComposeError(`service "${n}": ${(err as Error).message}`); }
  }
}

/** Run tasks with at most `n` at once (no limit when n is absent or below 1). */
function limiter(n: number | undefined): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (n !== undefined && n >= 1 && active >= n) await new Promise<void>((res) => waiting.push(res));
    active++;
    try { return await task(); } finally { active--; waiting.shift()?.(); }
  };
}

/** The line a dry run prints for a planned action. */
function describe(a: ContainerAction, o: UpOptions): string {
  switch (a.kind) {
    case 'running': return `Container ${a.container.name}  Running`;
    case 'remove': return `Container ${a.container.name}  Removed`;
    case 'start': return `Container ${a.container.name}  ${o.noStart ? 'Created' : 'Started'}`;
    case 'recreate': return `Container ${a.old.name}  Recreated${o.noStart ? '' : ' and Started'}`;
    case 'create': return `Container ${a.options.name ?? ''}  Created${o.noStart ? '' : ' and Started'}`;
  }
}

/** Secrets and configs a service mounts must be readable files (or come from the environment or inline). */
export function checkFileObjects(project: Project, order: string[]): void {
  for (const n of order) {
    for (const [kind, refs, top] of [['secret', project.services[n]!.secrets, project.secrets], ['config', project.services[n]!.configs, project.configs]] as const) {
      for (const ref of refs) {
        const def = top[ref.source];
        if (!def) throw new ComposeError(`service "${n}" uses ${kind} "${ref.source}", which is not defined in the top-level ${kind}s`);
        if (def.external) throw new ComposeError(`service "${n}": external ${kind} "${ref.source}" is not supported by tspod (no swarm): use file, environment or content`);
        if (def.file && !fs.existsSync(def.file)) throw new ComposeError(`${kind} "${ref.source}": file ${def.file} not found`);
        if (def.environment !== undefined && project.environment[def.environment] === undefined && process.env[def.environment] === undefined) {
          throw new ComposeError(`${kind} "${ref.source}": environment variable ${def.environment} is not set`);
        }
      }
    }
  }
}

/** The keys of the networks and volumes the services use. */
export function usedResources(project: Project, services: string[]): { netKeys: Set<string>; volKeys: Set<string> } {
  const netKeys = new Set<string>(), volKeys = new Set<string>();
  for (const n of services) {
    const s = project.services[n]!;
    for (const k of Object.keys(s.networks ?? {})) netKeys.add(k);
    for (const v of s.volumes) if (v.type === 'volume' && v.source) volKeys.add(v.source);
  }
  return { netKeys, volKeys };
}

/** Create the project's networks and volumes that do not exist yet (labelled as Compose labels them). */
export async function createResources(project: Project, netKeys: Set<string>, volKeys: Set<string>, r: Reporter, dry?: (l: string) => void): Promise<void> {
  for (const k of netKeys) {
    const net = project.networks[k]!;
    if (net.external || await networks.exists({ network: net.name })) continue;
    if (dry) { dry(`Network ${net.name}  Created`); continue; }
    const ipam = net.ipam?.config ?? [];
    await networks.create({
      name: net.name, driver: net.driver, internal: net.internal,
      subnets: ipam.flatMap((p) => (p.subnet ? [p.subnet] : [])), gateways: ipam.flatMap((p) => (p.gateway ? [p.gateway] : [])), ipRanges: ipam.flatMap((p) => (p.ip_range ? [p.ip_range] : [])),
      labels: kv({ ...net.labels, [LABELS.project]: project.name, [LABELS.network]: k, [LABELS.version]: '2.0.0' }),
      opts: net.driver_opts ? kv(net.driver_opts) : undefined,
    });
    r.onEvent(`Network ${net.name}  Created`);
  }
  for (const k of volKeys) {
    const vol = project.volumes[k]!;
    if (vol.external || await volumes.exists({ volume: vol.name })) continue;
    if (dry) { dry(`Volume ${vol.name}  Created`); continue; }
    await volumes.create({ name: vol.name, driver: vol.driver, labels: kv({ ...vol.labels, [LABELS.project]: project.name, [LABELS.volume]: k, [LABELS.version]: '2.0.0' }), opts: vol.driver_opts ? kv(vol.driver_opts) : undefined });
    r.onEvent(`Volume ${vol.name}  Created`);
  }
}

function kv(m: Record<string, string>): string[] { return Object.entries(m).map(([k, v]) => `${k}=${v}`); }

export async function ensureImage(project: Project, name: string, s: ServiceConfig, o: { build?: boolean | undefined; noBuild?: boolean | undefined }, r: Reporter, dry?: (l: string) => void): Promise<void> {
  const image = serviceImage(project, name, s);
  const policy = s.pull_policy ?? 'missing';
  const present = await images.exists({ image });
  if (s.build && !o.noBuild && (o.build || policy === 'build' || (!present && policy !== 'always'))) {
    if (dry) { dry(`Image ${image}  Built`); return; }
    const b = s.build;
    await images.build({
      context: b.context, tags: [image],
      ...buildFileOptions(s), target: b.target, noCache: b.no_cache, pull: b.pull,
      buildArgs: Object.entries(b.args ?? {}).filter((e): e is [string, string] => e[1] !== null).map(([k, v]) => `${k}=${v}`),
      labels: b.labels ? kv(b.labels) : undefined, quiet: true,
    });
    r.onEvent(`Image ${image}  Built`);
    return;
  }
  if (policy === 'never' || policy === 'build') {
    if (!present) throw new ComposeError(`service "${name}": image ${image} is not present locally and its pull_policy is ${policy}`);
    return;
  }
  if (policy === 'always' || !present) {
    if (dry) { dry(`Image ${image}  Pulled`); return; }
    await images.pull({ reference: image, policy: policy === 'always' ? 'always' : 'missing' });
    r.onEvent(`Image ${image}  Pulled`);
  }
}

async function waitForDependencies(project: Project, name: string, timeoutMs: number, r: Reporter): Promise<void> {
  for (const [dep, d] of Object.entries(project.services[name]!.depends_on)) {
    if (d.condition === 'service_started' || !project.services[dep]) continue;
    try {
      await waitForCondition(project.name, dep, d.condition, timeoutMs);
    } catch (err) {
      if (d.required) throw err;
      r.onWarning(`optional dependency "${dep}" of "${name}": ${(err as Error).message}`);
    }
  }
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Wait until every container of `service` meets the depends_on condition (healthy, or exited 0). */
async function waitForCondition(project: string, service: string, condition: string, timeoutMs: number): Promise<void> {
  const rows = (await projectContainers(project)).filter((c) => c.Labels[LABELS.service] === service && c.Labels[LABELS.oneoff] !== 'True');
  const deadline = Date.now() + timeoutMs;
  for (const c of rows) {
    for (;;) {
      const doc = await containers.inspect({ container: c.ID }) as { State?: { Status?: string; ExitCode?: number; Health?: { Status?: string } } };
      const st = doc.State ?? {};
      if (condition === 'service_completed_successfully') {
        if (st.Status === 'exited') {
          if (st.ExitCode !== 0) throw new ComposeError(`service "${service}" didn't complete successfully: exit ${st.ExitCode ?? '?'}`);
          break;
        }
      } else {
        if (!st.Health) throw new ComposeError(`service "${service}" has no healthcheck: cannot wait for it to be healthy`);
        if (st.Health.Status === 'healthy') break;
        if (st.Status !== 'running') throw new ComposeError(`dependency failed to start: container ${c.Names} exited (${st.ExitCode ?? '?'})`);
        if (st.Health.Status === 'unhealthy') throw new ComposeError(`dependency failed to start: container ${c.Names} is unhealthy`);
      }
      if (Date.now() > deadline) throw new ComposeError(`dependency ${service} did not become ${condition === 'service_healthy' ? 'healthy' : 'complete'} in ${Math.round(timeoutMs / 1000)}s`);
      await sleep(500);
    }
  }
}

async function removeContainer(c: { id: string; name: string }, timeout: number | undefined, r: Reporter): Promise<void> {
  const [rep] = await containers.remove({ containers: [c.id], force: true, timeout, ignore: true });
  if (rep?.error) throw rep.error;
  r.onEvent(`Container ${c.name}  Removed`);
}

/** Write the secrets and configs given by environment or inline content to the files their bind mounts use. */
export function writeFileObjects(project: Project, s: ServiceConfig): void {
  for (const kind of ['secrets', 'configs'] as const) {
    for (const ref of s[kind]) {
      const def = project[kind][ref.source];
      if (!def || def.file) continue;
      const file = fileObjectPath(project, kind, ref.source);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const text = def.content ?? project.environment[def.environment ?? ''] ?? process.env[def.environment ?? ''] ?? '';
      fs.writeFileSync(file, text, { mode: ref.mode ?? 0o444 });
      fs.chmodSync(file, ref.mode ?? 0o444);
    }
  }
}

async function apply(a: ContainerAction, o: UpOptions, r: Reporter): Promise<UpContainer | undefined> {
  const out = (id: string, name: string, fresh: boolean): UpContainer => ({ id, name, service: a.service, number: a.number, fresh });
  switch (a.kind) {
    case 'running': {
      r.onEvent(`Container ${a.container.name}  Running`);
      return out(a.container.id, a.container.name, false);
    }
    case 'remove': await removeContainer(a.container, o.timeout, r); return undefined;
    case 'start': {
      if (o.noStart) return undefined;
      await containers.start({ container: a.container.id });
      r.onEvent(`Container ${a.container.name}  Started`);
      return out(a.container.id, a.container.name, true);
    }
    case 'recreate':
    case 'create': {
      if (a.kind === 'recreate') {
        await containers.stop({ containers: [a.old.id], timeout: o.timeout, ignore: true });
        const [rm] = await containers.remove({ containers: [a.old.id], force: true, timeout: o.timeout, ignore: true });
        if (rm?.error) throw rm.error;
      }
      const c = await containers.create(a.options);
      for (const w of c.warnings) r.onWarning(`${c.name}: ${w}`);
      r.onEvent(`Container ${c.name}  ${a.kind === 'recreate' ? 'Recreated' : 'Created'}`);
      if (o.noStart) return undefined;
      await containers.start({ container: c.id });
      r.onEvent(`Container ${c.name}  Started`);
      return out(c.id, c.name, true);
    }
  }
}

export interface DownOptions {
  /** The loaded project (absent when the files are gone: everything labelled with the project goes). */
  project?: Project | undefined;
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  /** Say what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Remove images too: those built for services without image: (local), or every service's (all). */
  rmi?: 'local' | 'all' | undefined;
}

/** The images `down --rmi` removes, from the project when known, else from the containers' labels. */
function rmiTargets(name: string, rows: PsRow[], o: DownOptions): string[] {
  if (!o.rmi) return [];
  const out = new Set<string>();
  if (o.project) {
    for (const [n, s] of Object.entries(o.project.services)) if (o.rmi === 'all' || (s.build && !s.image)) out.add(serviceImage(o.project, n, s));
  }
  for (const c of rows) {
    const img = c.Labels[LABELS.image];
    if (img && (o.rmi === 'all' || img === builtImageName(name, c.Labels[LABELS.service] ?? ''))) out.add(img);
  }
  return [...out].sort();
}

/** `compose down`: the project's containers, then its networks, and with `volumes` its named volumes, by label. */
export async function down(name: string, o: DownOptions, r: Reporter): Promise<void> {
  const rows = await projectContainers(name);
  const known = o.project ? new Set([...Object.keys(o.project.services), ...Object.keys(o.project.disabled_services)]) : undefined;
  const orphans = known ? rows.filter((c) => !known.has(c.Labels[LABELS.service] ?? '')) : [];
  const targets = o.removeOrphans || !known ? rows : rows.filter((c) => known.has(c.Labels[LABELS.service] ?? ''));
  if (orphans.length && !o.removeOrphans) r.onWarning(`Found orphan containers (${orphans.map((c) => c.Names).join(', ')}) for this project. Run down with --remove-orphans to remove them.`);
  // dependents first: reverse dependency order when the project is known
  const order = o.project ? dependencyOrder(o.project.services).reverse() : [];
  const rank = (c: PsRow) => { const i = order.indexOf(c.Labels[LABELS.service] ?? ''); return i < 0 ? -1 : i; };
  const sorted = [...targets].sort((a, b) => rank(a) - rank(b));
  const running = sorted.filter((c) => c.State === 'running' || c.State === 'paused');
  const rmi = rmiTargets(name, rows, o);
  if (o.dryRun) {
    const say = (l: string) => r.onEvent(`DRY-RUN MODE - ${l}`);
    for (const c of running) say(`Container ${c.Names}  Stopped`);
    for (const c of sorted) say(`Container ${c.Names}  Removed`);
    for (const net of await networks.list({ filters: [projectFilter(name)] })) say(`Network ${net.name}  Removed`);
    if (o.volumes) for (const vol of await volumes.list({ filters: [projectFilter(name)] })) say(`Volume ${vol.Name}  Removed`);
    for (const img of rmi) if (await images.exists({ image: img })) say(`Image ${img}  Removed`);
    return;
  }
  // Containers stop in parallel, each once the containers of the services that depend on its service
  // have stopped (dependents first, as Compose); then they are removed in parallel.
  const serviceOf = (c: PsRow) => c.Labels[LABELS.service] ?? '';
  // from the project, else (the files are gone) from the containers' depends_on labels
  const dependents = (svc: string): string[] => (o.project
    ? Object.entries(o.project.services).filter(([, s]) => Object.hasOwn(s.depends_on, svc)).map(([n]) => n)
    : [...new Set(rows.filter((c) => (c.Labels[LABELS.dependsOn] ?? '').split(',').some((d) => d.split(':')[0] === svc)).map(serviceOf))].filter((n) => n !== svc));
  const stopped = new Map<string, Promise<void>>();
  const stopService = (svc: string): Promise<void> => {
    let p = stopped.get(svc);
    if (!p) {
      p = (async () => {
        await Promise.all(dependents(svc).map(stopService));
        await Promise.all(running.filter((c) => serviceOf(c) === svc).map(async (c) => {
          const [rep] = await containers.stop({ containers: [c.ID], timeout: o.timeout, ignore: true });
          if (rep?.error) throw rep.error;
          r.onEvent(`Container ${c.Names}  Stopped`);
        }));
      })();
      stopped.set(svc, p);
    }
    return p;
  };
  await Promise.all([...new Set(running.map(serviceOf))].map(stopService));
  // removed in parallel too, a service's containers after those of the services that depend on it (a container
  // that joins another's namespaces must go first: the engine does not remove one that others join)
  const removed = new Map<string, Promise<void>>();
  const removeService = (svc: string): Promise<void> => {
    let p = removed.get(svc);
    if (!p) {
      p = (async () => {
        await Promise.all(dependents(svc).map(removeService));
        await Promise.all(sorted.filter((c) => serviceOf(c) === svc).map(async (c) => {
          const [rep] = await containers.remove({ containers: [c.ID], force: true, volumes: true, timeout: o.timeout, ignore: true });
          if (rep?.error) throw rep.error;
          r.onEvent(`Container ${c.Names}  Removed`);
        }));
      })();
      removed.set(svc, p);
    }
    return p;
  };
  await Promise.all([...new Set(sorted.map(serviceOf))].map(removeService));
  for (const net of await networks.list({ filters: [projectFilter(name)] })) {
    const [rep] = await networks.remove({ networks: [net.name] });
    if (rep?.error) { r.onWarning(`network ${net.name}: ${rep.error.message}`); continue; }
    r.onEvent(`Network ${net.name}  Removed`);
  }
  if (o.volumes) for (const vol of await volumes.list({ filters: [projectFilter(name)] })) {
    const [rep] = await volumes.remove({ volumes: [vol.Name] });
    if (rep?.error) { r.onWarning(`volume ${vol.Name}: ${rep.error.message}`); continue; }
    r.onEvent(`Volume ${vol.Name}  Removed`);
  }
  for (const img of rmi) {
    if (!(await images.exists({ image: img }))) continue;
    const [rep] = await images.remove({ images: [img] });
    if (rep?.error) { r.onWarning(`image ${img}: ${rep.error.message}`); continue; }
    r.onEvent(`Image ${img}  Removed`);
  }
}

export interface LogsOptions {
  services?: string[];
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only container number `index` of each service. */
  index?: number | undefined;
  noLogPrefix?: boolean;
  /** Colour the prefixes (a terminal). */
  color?: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** `compose logs`: every container of the project (or of the named services), each line prefixed `web-1 | `. */
export async function logs(name: string, o: LogsOptions): Promise<void> {
  // a one-off's output is its `run`'s, not the project's (as Compose)
  let rows = (await projectContainers(name)).filter((c) => c.Labels[LABELS.oneoff] !== 'True');
  if (o.services?.length) rows = rows.filter((c) => o.services!.includes(c.Labels[LABELS.service] ?? ''));
  if (o.index !== undefined) rows = rows.filter((c) => Number(c.Labels[LABELS.containerNumber]) === o.index);
  if (o.follow) {
    const { followProject } = await import('./follow.js');
    const keep = (c: PsRow) => c.Labels[LABELS.oneoff] !== 'True' && (!o.services?.length || o.services.includes(c.Labels[LABELS.service] ?? ''))
      && (o.index === undefined || Number(c.Labels[LABELS.containerNumber]) === o.index);
    await followProject({ project: name, select: keep, tail: o.tail, timestamps: o.timestamps, since: o.since, until: o.until, noLogPrefix: o.noLogPrefix, color: o.color, stdout: o.stdout, stderr: o.stderr, signal: o.signal });
    return;
  }
  const pre = prefixes(name, rows.map((c) => c.Names), !!o.color);
  const one = (c: PsRow) => containers.logs({
    container: c.ID, tail: o.tail, timestamps: o.timestamps, since: o.since, until: o.until, stdout: o.stdout, stderr: o.stderr, signal: o.signal,
    prefix: o.noLogPrefix ? undefined : pre.get(c.Names),
  });
  for (const c of rows) await one(c);
}
