// `tspod images` / `image ls`: shared by the oclif command and the fast path.
import { renderList, humanSize, since } from '../output.js';
import { imageRows, listImages } from '../../engine/images.js';
import { writeLine } from '../../util/stdio.js';

export async function imagesAction(flags: Record<string, unknown>, argv: string[]): Promise<void> {
  // `images NAME` is `--filter reference=NAME`, and then only the matching names are rows (as Podman)
  const filters = [...((flags['filter'] as string[] | undefined) ?? []), ...argv.slice(0, 1).map((a) => `reference=${a}`)];
  const references = filters.filter((f) => f.startsWith('reference=')).map((f) => f.slice('reference='.length));
  const summaries = listImages({ all: !!flags['all'], filters });
  const out = writeLine;
  if (flags['format'] === 'json') { out(renderList(summaries, { format: 'json', columns: [] })); return; }
  const noTrunc = !!flags['no-trunc'];
  if (flags['quiet']) {
    const seen = new Set<string>();
    out(summaries.map((s) => (noTrunc ? `sha256:${s.ID}` : s.ID.slice(0, 12))).filter((id) => !seen.has(id) && !!seen.add(id)).join('\n'));
    return;
  }
  let rows = imageRows(summaries, references).map((r) => ({
    ...r,
    ID: noTrunc ? `sha256:${r.Id}` : r.ID,
    // Podman's template fields: .Size and .Created are human-readable.
    Created: since(r.Created),
    CreatedSince: since(r.Created),
    Size: humanSize(r.Size),
    RawSize: r.Size,
    // Podman's column: the names joined
    History: r.History.join(', '),
  }));
  const key = flags['sort'] as string | undefined;
  if (key === 'repository') rows = rows.sort((a, b) => a.Repository.localeCompare(b.Repository));
  else if (key === 'tag') rows = rows.sort((a, b) => a.Tag.localeCompare(b.Tag));
  else if (key === 'size') rows = rows.sort((a, b) => b.RawSize - a.RawSize);
  else if (key === 'id') rows = rows.sort((a, b) => a.Id.localeCompare(b.Id));
  const columns = [
    { header: 'REPOSITORY', field: 'Repository' },
    { header: 'TAG', field: 'Tag' },
    ...(flags['digests'] ? [{ header: 'DIGEST', field: 'Digest' }] : []),
    { header: 'IMAGE ID', field: 'ID' },
    { header: 'CREATED', field: 'CreatedSince' },
    { header: 'SIZE', field: 'Size' },
  ];
  out(renderList(rows, { format: flags['format'] as string | undefined, noHeading: !!flags['noheading'], columns, headers: { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' } }));
}
