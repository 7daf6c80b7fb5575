// What a project has, read from the engine by label: the projects themselves (`compose ls`), the images its
// containers run (`compose images`), the ports they publish (`compose port`).
import { containers, images } from '../engine/index.js';
import type { PsRow } from '../engine/index.js';
import { ComposeError } from './errors.js';
import { LABELS } from './names.js';

export interface ProjectSummary { Name: string; Status: string; ConfigFiles: string }

/** Every project with containers, by the com.docker.compose.project label (running ones only unless `all`). */
export async function listProjects(all: boolean): Promise<ProjectSummary[]> {
  const rows = await containers.list({ all: true, filters: [`label=${LABELS.project}`] });
  const by = new Map<string, PsRow[]>();
  for (const r of rows) {
    const p = r.Labels[LABELS.project];
    if (p) by.set(p, [...(by.get(p) ?? []), r]);
  }
  const out: ProjectSummary[] = [];
  for (const [name, list] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const counts = new Map<string, number>();
    for (const r of list) counts.set(r.State, (counts.get(r.State) ?? 0) + 1);
    if (!all && !counts.has('running')) continue;
    const files = [...new Set(list.map((r) => r.Labels[LABELS.configFiles] ?? '').filter(Boolean))];
    out.push({ Name: name, Status: [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}(${n})`).join(', '), ConfigFiles: files.join(',') });
  }
  return out;
}

export interface ContainerImage { ContainerName: string; Repository: string; Tag: string; ID: string; Size: number }

/** The image of each container. */
export async function containerImages(rows: PsRow[]): Promise<ContainerImage[]> {
  const all = await images.list({});
  return rows.map((r) => {
    const img = all.find((i) => i.Id === r.ImageID || i.ID === r.ImageID || i.Names?.includes(r.Image));
    const ref = r.Image;
    const at = ref.lastIndexOf(':');
    const slash = ref.lastIndexOf('/');
    const [repo, tag] = at > slash ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
    return { ContainerName: r.Names, Repository: repo, Tag: tag, ID: (img?.Id ?? r.ImageID ?? '').replace(/^sha256:/, ''), Size: img?.Size ?? 0 };
  });
}

/** The host address a container publishes `port/protocol` on (`0.0.0.0:8080`). */
export async function publishedPort(row: PsRow, port: number, protocol: string): Promise<string> {
  const m = (await containers.port({ container: row.Id })).find((p) => p.containerPort === port && p.protocol === protocol);
  if (!m) throw new ComposeError(`no port ${port}/${protocol} published by ${row.Names}`);
  return `${m.hostIP || '0.0.0.0'}:${m.hostPort}`;
}
