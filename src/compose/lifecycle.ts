// The verbs on a project's existing containers (start, stop, restart, kill, pause, unpause, rm), found by
// their labels and ordered by depends_on when the Compose file is at hand: dependencies start first and stop
// last. Each container's outcome is reported as Docker Compose prints it (`Container shop-web-1  Stopped`).
import { containers } from '../engine/index.js';
import type { PsRow } from '../engine/index.js';
import { ComposeError } from './errors.js';
import { projectContainers, type Reporter } from './executor.js';
import { LABELS } from './names.js';
import { dependencyOrder } from './semantics.js';
import type { Project } from './types.js';

export interface SelectOptions {
  /** Only these services (default: all). */
  services?: string[] | undefined;
  /** Container number (--index). */
  index?: number | undefined;
  /** One-off (`run`) containers too. */
  oneoff?: boolean | undefined;
}

/** The project's containers of the named services (every state), dependency order when the project is known. */
export async function serviceContainers(name: string, project: Project | undefined, o: SelectOptions = {}): Promise<PsRow[]> {
  const wanted = o.services?.length ? o.services : undefined;
  if (project && wanted) for (const s of wanted) if (!project.services[s] && !project.disabled_services[s]) throw new ComposeError(`no such service: ${s}`);
  let rows = (await projectContainers(name)).filter((r) => (o.oneoff || r.Labels[LABELS.oneoff] !== 'True') && (!wanted || wanted.includes(r.Labels[LABELS.service] ?? '')));
  if (o.index !== undefined) rows = rows.filter((r) => Number(r.Labels[LABELS.containerNumber]) === o.index);
  if (!project) return rows;
  const order = dependencyOrder({ ...project.disabled_services, ...project.services });
  const rank = (r: PsRow) => order.indexOf(r.Labels[LABELS.service] ?? '');
  return rows.sort((a, b) => rank(a) - rank(b));
}

export type Verb = 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause';

const PAST: Record<Verb, string> = { start: 'Started', stop: 'Stopped', restart: 'Restarted', kill: 'Killed', pause: 'Paused', unpause: 'Unpaused' };

/** Which containers a verb applies to, by state. */
const APPLIES: Record<Verb, (state: string) => boolean> = {
  start: (s) => s === 'created' || s === 'exited' || s === 'stopped',
  stop: (s) => s === 'running' || s === 'paused',
  restart: () => true,
  kill: (s) => s === 'running',
  pause: (s) => s === 'running',
  unpause: (s) => s === 'paused',
};

export interface VerbOptions extends SelectOptions { timeout?: number | undefined; signal?: string | undefined }

/**
 * Apply a verb to the selected containers: start in dependency order, stop (and kill) dependents first, the
 * others container by container. Resolves to the number that failed (each reported as a warning).
 */
export async function serviceVerb(name: string, project: Project | undefined, verb: Verb, o: VerbOptions, r: Reporter): Promise<number> {
  let rows = (await serviceContainers(name, project, o)).filter((c) => APPLIES[verb](c.State));
  if (verb === 'stop' || verb === 'kill') rows = rows.reverse();
  let failed = 0;
  for (const c of rows) {
    try {
      switch (verb) {
        case 'start': await containers.start({ container: c.Id }); break;
        case 'stop': await report(containers.stop({ containers: [c.Id], timeout: o.timeout })); break;
        case 'restart': await report(containers.restart({ containers: [c.Id], timeout: o.timeout })); break;
        case 'kill': await report(containers.kill({ containers: [c.Id], signal: o.signal })); break;
        case 'pause': await report(containers.pause({ containers: [c.Id] })); break;
        case 'unpause': await report(containers.unpause({ containers: [c.Id] })); break;
      }
      r.onEvent(`Container ${c.Names}  ${PAST[verb]}`);
    } catch (err) {
      failed++;
      r.onWarning(`${c.Names}: ${(err as Error).message}`);
    }
  }
  return failed;
}

async function report(p: Promise<{ error?: Error | undefined }[]>): Promise<void> {
  const [rep] = await p;
  if (rep?.error) throw rep.error;
}

export interface RmOptions extends SelectOptions {
  /** Stop running containers first (-s). */
  stop?: boolean | undefined;
  /** Remove anonymous volumes too (-v). */
  volumes?: boolean | undefined;
  timeout?: number | undefined;
}

/** The containers `rm` would remove: stopped ones (running ones too with `stop`). */
export async function rmCandidates(name: string, project: Project | undefined, o: RmOptions): Promise<PsRow[]> {
  return (await serviceContainers(name, project, o)).filter((c) => o.stop || !['running', 'paused', 'stopping'].includes(c.State)).reverse();
}

/** Remove the given containers (stopping them first); resolves to the number that failed. */
export async function removeContainers(rows: PsRow[], o: RmOptions, r: Reporter): Promise<number> {
  let failed = 0;
  for (const c of rows) {
    if (c.State === 'running' || c.State === 'paused') {
      const [st] = await containers.stop({ containers: [c.Id], timeout: o.timeout, ignore: true });
      if (st?.error) { failed++; r.onWarning(`${c.Names}: ${st.error.message}`); continue; }
      r.onEvent(`Container ${c.Names}  Stopped`);
    }
    const [rep] = await containers.remove({ containers: [c.Id], volumes: o.volumes, force: true, ignore: true });
    if (rep?.error) { failed++; r.onWarning(`${c.Names}: ${rep.error.message}`); continue; }
    r.onEvent(`Container ${c.Names}  Removed`);
  }
  return failed;
}
