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
