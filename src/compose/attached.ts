// Attached `compose up` and `up --wait`: after the project converged, either follow every container's output
// (multiplexed, each line prefixed with the container's name) until the containers stop, or wait until every
// container runs (or is healthy, when it has a healthcheck). Stopping on Ctrl-C is the caller's: it aborts
// `stop` (graceful) and `kill` (the second Ctrl-C); this module stops the containers then.
import { containers } from '../engine/index.js';
import type { PsRow } from '../engine/index.js';
import { ComposeError } from './errors.js';
import { projectContainers, type UpContainer } from './executor.js';
import { LABELS } from './names.js';
import { prefixes, shortName } from './prefix.js';
import type { Project } from './types.js';

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((res) => {
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal?.removeEventListener('abort', done); res(); }
  signal?.addEventListener('abort', done, { once: true });
});

export interface AttachedOptions {
  project: string;
  containers: UpContainer[];
  /** Only these services' output is shown (--attach / --no-attach); all are watched. */
  attach?: string[] | undefined;
  color?: boolean | undefined;
  noLogPrefix?: boolean | undefined;
  timestamps?: boolean | undefined;
  /** Stop everything when the first container exits (--abort-on-container-exit). */
  abortOnExit?: boolean | undefined;
  /** Exit with this service's exit code (implies abortOnExit). */
  exitCodeFrom?: string | undefined;
  /** Stop timeout in seconds. */
  timeout?: number | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Aborted on the first Ctrl-C: stop the containers gracefully. */
  stop: AbortSignal;
  /** Aborted on the second: kill them. */
  kill: AbortSignal;
  onEvent(line: string): void;
}

/**
 * Follow the containers' output until they all stopped, one exited (abortOnExit), or `stop` aborted; then
 * stop the others. Resolves to the exit code `compose up` ends with.
 */
export async function attachUp(o: AttachedOptions): Promise<number> {
  const names = o.containers.map((c) => c.name);
  const pre = prefixes(o.project, names, !!o.color);
  const shown = o.containers.filter((c) => !o.attach || o.attach.includes(c.service));
  o.stdout.write(`Attaching to ${shown.map((c) => shortName(o.project, c.name)).join(', ')}\n`);
  const logsAc = new AbortController();
  // one follower per shown container; a container restarted (its restart policy) is followed again from where
  // its previous follower ended
  const follows = new Map<string, Promise<void>>();
  const ended = new Map<string, Date>();
  const follow = (c: UpContainer, since?: Date) => {
    const p = containers.logs({
      container: c.id, follow: true, tail: c.fresh || since ? undefined : 0, since, timestamps: o.timestamps,
      prefix: o.noLogPrefix ? undefined : pre.get(c.name), stdout: o.stdout, stderr: o.stderr, signal: logsAc.signal,
    }).catch(() => undefined).then(() => { ended.set(c.id, new Date()); });
    ended.delete(c.id);
    follows.set(c.id, p);
  };
  for (const c of shown) follow(c);

  const abortOnExit = o.abortOnExit || o.exitCodeFrom !== undefined;
  const exited = new Map<string, number>();
  let code = 0;
  let reason: 'all' | 'abort' | 'signal' = 'all';
  const ids = new Set(o.containers.map((c) => c.id));
  for (;;) {
    if (o.stop.aborted) { reason = 'signal'; break; }
    let rows: PsRow[];
    try { rows = (await projectContainers(o.project)).filter((r) => ids.has(r.Id)); } catch { rows = []; }
    for (const c of o.containers) {
      const row = rows.find((r) => r.Id === c.id);
      const state = row?.State ?? 'removed';
      if (state === 'running' && !logsAc.signal.aborted) {
        // restarted by its restart policy: no longer exited, and its new output is shown
        if (!abortOnExit) exited.delete(c.id);
        const end = ended.get(c.id);
        if (end && shown.includes(c)) follow(c, end);
      }
      if ((state === 'exited' || state === 'removed') && !exited.has(c.id)) {
        const exit = row?.ExitCode ?? 0;
        exited.set(c.id, exit);
        // let the log follower print the last lines before the exit line
        await Promise.race([follows.get(c.id), sleep(1000)]);
        o.stdout.write(`${shortName(o.project, c.name)} exited with code ${exit}\n`);
        if (o.exitCodeFrom === c.service || (!o.exitCodeFrom && abortOnExit && reason === 'all')) code = exit;
        if (abortOnExit) reason = 'abort';
      }
    }
    if (reason === 'abort' || exited.size === o.containers.length) break;
    await sleep(500, o.stop);
  }

  if (reason !== 'all') {
    o.stdout.write(reason === 'signal' ? 'Gracefully stopping... (press Ctrl+C again to force)\n' : 'Aborting on container exit...\n');
    const running = o.containers.filter((c) => !exited.has(c.id)).reverse();
    const stopping = Promise.all(running.map(async (c) => {
      const [rep] = await containers.stop({ containers: [c.id], timeout: o.timeout, ignore: true });
      if (!rep?.error) o.onEvent(`Container ${c.name}  Stopped`);
    }));
    const killed = new Promise<void>((res) => o.kill.addEventListener('abort', () => res(), { once: true }));
    await Promise.race([stopping, killed]);
    if (o.kill.aborted) {
      await containers.kill({ containers: running.map((c) => c.id), signal: 'SIGKILL' }).catch(() => undefined);
      for (const c of running) o.onEvent(`Container ${c.name}  Killed`);
    }
    if (reason === 'signal') code = 130;
    if (o.exitCodeFrom) {
      const c = o.containers.find((x) => x.service === o.exitCodeFrom);
      if (c) code = exited.get(c.id) ?? (await containers.inspect({ container: c.id }).then((d) => (d as { State?: { ExitCode?: number } }).State?.ExitCode ?? code).catch(() => code));
    }
  }
  await Promise.race([Promise.all(follows.values()), sleep(2000)]);
  logsAc.abort();
  return code;
}

/**
 * `up --wait`: resolve once every container of `services` runs (and is healthy, when it has a healthcheck);
 * a container that exited (other than with 0 for a dependency others wait to complete), turned unhealthy, or
 * is not ready at the deadline fails, naming it.
 */
export async function waitReady(project: Project, services: string[], timeoutMs: number | undefined, signal?: AbortSignal): Promise<void> {
  const completing = new Set(Object.values(project.services).flatMap((s) => Object.entries(s.depends_on).filter(([, d]) => d.condition === 'service_completed_successfully').map(([n]) => n)));
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const rows = (await projectContainers(project.name)).filter((r) => services.includes(r.Labels[LABELS.service] ?? '') && r.Labels[LABELS.oneoff] !== 'True');
    const pending: string[] = [];
    for (const r of rows) {
      const svc = r.Labels[LABELS.service] ?? '';
      if (r.State === 'exited') {
        if (r.ExitCode === 0 && completing.has(svc)) continue;
        throw new ComposeError(`container ${r.Names} exited (${r.ExitCode})`);
      }
      if (r.State !== 'running') { pending.push(r.Names); continue; }
      if (/\(unhealthy\)/.test(r.Status)) throw new ComposeError(`container ${r.Names} is unhealthy`);
      if (/\((starting|health: starting)\)/.test(r.Status)) pending.push(r.Names);
    }
    if (!pending.length) return;
    if (Date.now() > deadline) throw new ComposeError(`timeout waiting for ${pending.join(', ')} to be running and healthy`);
    if (signal?.aborted) throw new ComposeError('interrupted');
    await sleep(500, signal);
  }
}
