// `compose logs -f`: follow the output of a project's containers as Docker Compose does: a container that
// stops and starts again (its restart policy, `compose restart`, `compose start`) is followed again from where
// its output left off, and a container the project gains while following (`up` creating, recreating or
// scaling) is followed from its first line. It ends when the caller aborts, or once every followed container
// has stopped and none started again for a moment (a restart policy restarts within that moment).
import { containers } from '../engine/index.js';
import type { PsRow } from '../engine/index.js';
import { projectContainers } from './executor.js';
import { prefixes } from './prefix.js';

export interface FollowOptions {
  project: string;
  /** Which of the project's containers to follow. */
  select: (row: PsRow) => boolean;
  tail?: number | undefined;
  timestamps?: boolean | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  noLogPrefix?: boolean | undefined;
  color?: boolean | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal | undefined;
  /** How often the project's containers are looked at (ms, default 500). */
  pollMs?: number | undefined;
  /** How long every container may stay stopped before following ends (ms, default 3000). */
  graceMs?: number | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((res) => {
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal?.removeEventListener('abort', done); res(); }
  signal?.addEventListener('abort', done, { once: true });
});

export async function followProject(o: FollowOptions): Promise<void> {
  const poll = o.pollMs ?? 500, grace = o.graceMs ?? 3000;
  const names: string[] = [];
  let pre = new Map<string, string>();
  const active = new Map<string, Promise<void>>();
  const ended = new Map<string, Date>();
  const seen = new Set<string>();
  const follow = (c: PsRow, from: { tail?: number | undefined; since?: Date | undefined }) => {
    ended.delete(c.Id);
    const p = containers.logs({
      container: c.Id, follow: true, tail: from.tail, since: from.since, until: o.until, timestamps: o.timestamps,
      prefix: o.noLogPrefix ? undefined : pre.get(c.Names), stdout: o.stdout, stderr: o.stderr, signal: o.signal,
    }).catch(() => undefined).then(() => { active.delete(c.Id); ended.set(c.Id, new Date()); });
    active.set(c.Id, p);
  };
  const list = async (): Promise<PsRow[]> => {
    try { return (await projectContainers(o.project)).filter(o.select); } catch { return []; }
  };
  let first = true, ran = false;
  let idleSince: number | undefined;
  for (;;) {
    const rows = await list();
    const fresh = rows.filter((c) => !seen.has(c.Id));
    if (fresh.length) {
      for (const c of fresh) if (!names.includes(c.Names)) names.push(c.Names);
      pre = prefixes(o.project, names, !!o.color);
    }
    for (const c of fresh) {
      seen.add(c.Id);
      // the containers there at the start as asked (--tail, --since); those that appear later from their first line
      follow(c, first ? { tail: o.tail, since: o.since } : { since: o.since });
    }
    // stopped and running again: followed from where its output ended
    for (const c of rows) {
      const end = ended.get(c.Id);
      if (end && c.State === 'running') follow(c, { since: end });
    }
    first = false;
    if (rows.some((c) => c.State === 'running')) ran = true;
    if (o.signal?.aborted || (o.until && Date.now() > o.until.getTime())) break;
    if (!active.size && !rows.some((c) => c.State === 'running')) {
      idleSince ??= Date.now();
      // nothing ran at all: the logs were printed, there is nothing to follow
      if (!ran || Date.now() - idleSince >= grace) break;
    } else idleSince = undefined;
    await sleep(poll, o.signal);
  }
  await Promise.all(active.values());
}
