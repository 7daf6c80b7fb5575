// The project a compose command acts on. Commands that find their resources by label (down, ps, logs) work
// without the Compose file: then the name comes from -p or COMPOSE_PROJECT_NAME.
import type { LoadOptions, Project } from '../compose/index.js';

export async function composeProjectName(opts: LoadOptions, warn: (w: string) => void): Promise<{ project: Project | undefined; name: string }> {
  const c = await import('../compose/index.js');
  try {
    const project = c.loadProject(opts);
    for (const w of project.warnings) warn(w);
    return { project, name: project.name };
  } catch (err) {
    const explicit = opts.projectName ?? process.env['COMPOSE_PROJECT_NAME'];
    if (!(err instanceof c.ComposeError) || !explicit || opts.files?.length) throw err;
    return { project: undefined, name: c.checkProjectName(explicit, opts.projectName ? '-p' : 'COMPOSE_PROJECT_NAME') };
  }
}

/** Progress lines (` Container x  Started`) on stderr, warnings as tspod prints them. */
export function composeReporter(cmd: unknown): { onEvent: (l: string) => void; onWarning: (l: string) => void } {
  return {
    onEvent: (l) => { process.stderr.write(` ${l}\n`); },
    onWarning: (l) => { (cmd as { warn2(m: string): void }).warn2(l); },
  };
}

/**
 * Ctrl-C and SIGTERM as Docker Compose takes them in the foreground: the first aborts `stop` (stop gracefully),
 * the next aborts `kill`.
 */
export function interruptSignals(): { stop: AbortSignal; kill: AbortSignal; dispose(): void } {
  const stop = new AbortController(), kill = new AbortController();
  const on = () => { if (stop.signal.aborted) kill.abort(); else stop.abort(); };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { stop: stop.signal, kill: kill.signal, dispose: () => { process.off('SIGINT', on); process.off('SIGTERM', on); } };
}
