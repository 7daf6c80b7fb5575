// `tspod ps` / `container ls`: shared by the oclif command and the fast path.
import { renderList, since } from '../output.js';
import { humanDuration, humanSize } from '../../format/units.js';
import type { PsRow } from '../../engine/container/state.js';
import { writeLine } from '../../util/stdio.js';

export async function psAction(flags: Record<string, unknown>, _argv: string[]): Promise<void> {
  const out = writeLine;
    const { listContainers } = await import('../../engine/container/state.js');
    const rows = await listContainers({ all: !!flags['all'], external: !!flags['external'], latest: !!flags['latest'], last: flags['last'] as number | undefined, filters: flags['filter'] as string[] | undefined }, humanDuration);
    if (flags['format'] as string | undefined === 'json') {
      out(renderList(rows.map((r) => ({ AutoRemove: r.AutoRemove, Command: r.Command.split(' '), Created: r.Created, CreatedAt: r.CreatedAt, Exited: r.Exited, ExitedAt: r.ExitedAt, ExitCode: r.ExitCode, Id: r.Id, Image: r.Image, ImageID: r.ImageID, IsInfra: r.IsInfra, Labels: r.Labels, Mounts: r.Mounts, Names: r.NamesList, Networks: r.Networks, Pid: r.Pid, Pod: r.Pod, PodName: r.PodName, Ports: r.Ports, RestartCount: r.RestartCount, StartedAt: r.StartedAt, State: r.State, Status: r.Status })), { format: 'json', columns: [] }));
      return;
    }
    if (flags['quiet']) { out(rows.map((r) => (flags['no-trunc'] ? r.Id : r.ID)).join('\n')); return; }
    let sizes: Map<string, number> | undefined;
    if (flags['size'] || flags['sort'] === 'size') {
      const { containerSizes } = await import('../../engine/container/size.js');
      sizes = await containerSizes(rows.map((r) => r.Id));
    }
    if (flags['sort']) sortRows(rows, flags['sort'] as string, sizes);
    const view = rows.map((r) => ({
      ...r,
      ID: flags['no-trunc'] ? r.Id : r.ID,
      Command: flags['no-trunc'] || r.Command.length <= 20 ? r.Command : `${r.Command.slice(0, 17)}...`,
      Created: since(r.Created),
      CreatedHuman: since(r.Created),
      RunningFor: since(r.Created),
      Size: sizes?.has(r.Id) ? humanSize(sizes.get(r.Id)!) : '',
      PodID: flags['no-trunc'] ? r.Pod : r.Pod.slice(0, 12),
    }));
    const columns = [
      { header: 'CONTAINER ID', field: 'ID' }, { header: 'IMAGE', field: 'Image' }, { header: 'COMMAND', field: 'Command' }, { header: 'CREATED', field: 'Created' },
      { header: 'STATUS', field: 'Status' }, { header: 'PORTS', field: 'Ports' }, { header: 'NAMES', field: 'Names' },
      ...(flags['size'] ? [{ header: 'SIZE', field: 'Size' }] : []),
      ...(flags['pod'] ? [{ header: 'POD ID', field: 'PodID' }, { header: 'PODNAME', field: 'PodName' }] : []),
    ];
    out(renderList(view, { format: flags['format'] as string | undefined, noHeading: !!flags['noheading'], columns, headers: { ID: 'CONTAINER ID', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', PodID: 'POD ID', PodName: 'PODNAME', Pod: 'POD ID' } }));
}

/** ps --sort, as Podman: oldest first for created, biggest first for size, else ascending. */
function sortRows(rows: PsRow[], key: string, sizes: Map<string, number> | undefined): void {
  const text: Record<string, (r: PsRow) => string> = {
    command: (r) => r.Command, id: (r) => r.Id, image: (r) => r.Image, names: (r) => r.Names, status: (r) => r.Status,
  };
  // an explicit --sort created is oldest first, as Podman's (without --sort: the listing's order, newest first)
  if (key === 'created') { rows.sort((a, b) => Date.parse(a.CreatedAt) - Date.parse(b.CreatedAt)); return; } // to the millisecond: Created is in seconds
  if (key === 'runningfor') return; // the listing's own order
  if (key === 'size') rows.sort((a, b) => (sizes?.get(b.Id) ?? 0) - (sizes?.get(a.Id) ?? 0));
  else if (text[key]) rows.sort((a, b) => text[key]!(a).localeCompare(text[key]!(b)));
}
