// `compose build`, `pull` and `push`: the services' images, service by service, each outcome reported.
import { images } from '../engine/index.js';
import type { Reporter } from './executor.js';
import { buildFileOptions, serviceImage } from './plan.js';
import type { Project } from './types.js';
import { ComposeError } from './errors.js';

function pick(project: Project, services: string[] | undefined): string[] {
  for (const s of services ?? []) if (!project.services[s]) throw new ComposeError(`no such service: ${s}`);
  return services?.length ? services : Object.keys(project.services).sort();
}

export interface BuildServicesOptions {
  services?: string[] | undefined;
  noCache?: boolean | undefined;
  pull?: boolean | undefined;
  buildArgs?: string[] | undefined;
  quiet?: boolean | undefined;
  stdout?: NodeJS.WritableStream | undefined;
  stderr?: NodeJS.WritableStream | undefined;
  signal?: AbortSignal | undefined;
}

/** Build the images of the services that have `build:`; the others are skipped. */
export async function buildServices(project: Project, o: BuildServicesOptions, r: Reporter): Promise<void> {
  for (const n of pick(project, o.services)) {
    const s = project.services[n]!;
    if (!s.build) continue;
    const b = s.build;
    const image = serviceImage(project, n, s);
    await images.build({
      context: b.context, ...buildFileOptions(s), tags: [image, ...(b.tags ?? [])], target: b.target, noCache: o.noCache || b.no_cache, pull: o.pull || b.pull,
      buildArgs: [...Object.entries(b.args ?? {}).filter((e): e is [string, string] => e[1] !== null).map(([k, v]) => `${k}=${v}`), ...(o.buildArgs ?? [])],
      labels: b.labels ? Object.entries(b.labels).map(([k, v]) => `${k}=${v}`) : undefined,
      quiet: o.quiet, stdout: o.quiet ? undefined : o.stdout as never, stderr: o.quiet ? undefined : o.stderr as never, signal: o.signal,
    });
    r.onEvent(`Image ${image}  Built`);
  }
}

export interface PullServicesOptions { services?: string[] | undefined; ignoreBuildable?: boolean | undefined; ignoreFailures?: boolean | undefined; quiet?: boolean | undefined }

/** Pull the services' images (a service with `build:` and no `image:` has nothing to pull). Resolves to the failures. */
export async function pullServices(project: Project, o: PullServicesOptions, r: Reporter): Promise<number> {
  let failed = 0;
  for (const n of pick(project, o.services)) {
    const s = project.services[n]!;
    if (!s.image || (s.build && (o.ignoreBuildable || s.pull_policy === 'build'))) { if (!o.quiet) r.onEvent(`${n} Skipped`); continue; }
    try {
      await images.pull({ reference: s.image, policy: 'always' });
      if (!o.quiet) r.onEvent(`${n} Pulled`);
    } catch (err) {
      // a service that can be built may have an image not pushed yet: a warning, as Compose
      if (!o.ignoreFailures && !s.build) throw err;
      failed++;
      r.onWarning(`${n}: ${(err as Error).message}`);
    }
  }
  return failed;
}

/** Push the images of the services that name one. */
export async function pushServices(project: Project, o: { services?: string[] | undefined; ignoreFailures?: boolean | undefined; quiet?: boolean | undefined }, r: Reporter): Promise<number> {
  let failed = 0;
  for (const n of pick(project, o.services)) {
    const s = project.services[n]!;
    if (!s.image) continue;
    try {
      await images.push({ source: s.image });
      if (!o.quiet) r.onEvent(`${n} Pushed`);
    } catch (err) {
      if (!o.ignoreFailures) throw err;
      failed++;
      r.onWarning(`${n}: ${(err as Error).message}`);
    }
  }
  return failed;
}
