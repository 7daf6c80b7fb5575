// One-off commands on a service: `compose run` (a new container from the service's configuration, named
// <project>-<service>-run-<id>, labelled oneoff=True, without the service's ports unless asked) and
// `compose exec` (a process in one of the service's running containers).
import { randomBytes } from 'node:crypto';
import { containers } from '../engine/index.js';
import type { AttachIO, ContainerCreateOptions } from '../engine/index.js';
import { ComposeError } from './errors.js';
import { checkDevicesAndExpose, checkFileObjects, createResources, ensureImage, up, usedResources, writeFileObjects, type Reporter } from './executor.js';
import { serviceContainers } from './lifecycle.js';
import { LABELS, oneOffContainerName } from './names.js';
import { createOptions } from './plan.js';
import type { Project } from './types.js';

export interface RunServiceOptions {
  service: string;
  /** The command (default: the service's). */
  command?: string[] | undefined;
  entrypoint?: string | undefined;
  name?: string | undefined;
  rm?: boolean | undefined;
  detach?: boolean | undefined;
  tty?: boolean | undefined;
  interactive?: boolean | undefined;
  env?: string[] | undefined;
  volume?: string[] | undefined;
  publish?: string[] | undefined;
  servicePorts?: boolean | undefined;
  user?: string | undefined;
  workdir?: string | undefined;
  labels?: string[] | undefined;
  noDeps?: boolean | undefined;
  build?: boolean | undefined;
  io?: AttachIO | undefined;
}

/** The engine's create options of a one-off container of a service. */
export function runOptions(project: Project, o: RunServiceOptions): ContainerCreateOptions {
  const s = project.services[o.service];
  if (!s) throw new ComposeError(`no such service: ${o.service}`);
  const id = randomBytes(6).toString('hex');
  const base = createOptions(project, o.service, { ...s, container_name: undefined }, 1);
  const labels = (base.label ?? []).filter((l) => !l.startsWith(`${LABELS.oneoff}=`) && !l.startsWith(`${LABELS.containerNumber}=`));
  return {
    ...base,
    name: o.name ?? oneOffContainerName(project.name, o.service, id),
    // no container number: that numbers a service's replicas, which a one-off is not (as Compose)
    label: [...labels, `${LABELS.oneoff}=True`, `com.docker.compose.slug=${id}`, ...(o.labels ?? [])],
    command: o.command?.length ? o.command : base.command,
    entrypoint: o.entrypoint ?? base.entrypoint,
    env: [...(base.env ?? []), ...(o.env ?? [])],
    volume: [...(base.volume ?? []), ...(o.volume ?? [])],
    publish: [...(o.servicePorts ? base.publish ?? [] : []), ...(o.publish ?? [])],
    user: o.user ?? base.user,
    workdir: o.workdir ?? base.workdir,
    tty: o.tty, interactive: o.interactive,
    // a one-off is not restarted; with --rm it goes when it exits
    restart: undefined, rm: o.rm,
  };
}

/** `compose run`: dependencies up (unless noDeps), then the one-off container; resolves to its exit code (0 detached). */
export async function runService(project: Project, o: RunServiceOptions, r: Reporter): Promise<{ name: string; exitCode: number }> {
  const s = project.services[o.service];
  if (!s) throw new ComposeError(`no such service: ${o.service}`);
  const opts = runOptions(project, o);
  checkDevicesAndExpose(project, [o.service]);
  const deps = Object.keys(s.depends_on).filter((d) => project.services[d]);
  if (!o.noDeps && deps.length) await up(project, { services: deps }, r);
  checkFileObjects(project, [o.service]);
  await ensureImage(project, o.service, s, { build: o.build }, r);
  writeFileObjects(project, s);
  const { netKeys, volKeys } = usedResources(project, [o.service]);
  await createResources(project, netKeys, volKeys, r);
  const rep = await containers.run({ ...opts, detach: o.detach, io: o.io });
  return { name: rep.name, exitCode: rep.exitCode };
}

export interface ExecServiceOptions {
  service: string;
  index?: number | undefined;
  command: string[];
  tty?: boolean | undefined;
  interactive?: boolean | undefined;
  detach?: boolean | undefined;
  env?: string[] | undefined;
  user?: string | undefined;
  workdir?: string | undefined;
  privileged?: boolean | undefined;
  io?: { stdin?: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } | undefined;
}

/** `compose exec`: the command in container number `index` (default 1) of the service; resolves to its exit code. */
export async function execService(name: string, project: Project | undefined, o: ExecServiceOptions): Promise<number> {
  const rows = await serviceContainers(name, project, { services: [o.service], index: o.index ?? 1 });
  const c = rows.find((x) => x.State === 'running');
  if (!c) throw new ComposeError(`service "${o.service}" is not running${o.index && o.index > 1 ? ` (container number ${o.index})` : ''}`);
  if (!o.command.length) throw new ComposeError('exec needs a command');
  const rep = await containers.exec({
    container: c.Id, command: o.command, tty: o.tty, interactive: o.interactive, detach: o.detach, env: o.env, user: o.user, workdir: o.workdir, privileged: o.privileged, io: o.io,
  });
  return rep.exitCode;
}
