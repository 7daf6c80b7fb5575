import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList, humanSizeCompact, since } from '../../cli/output.js';
import { fullDiskUsage } from '../../engine/df.js';

/** "SIZE (PCT%)" as Podman prints reclaimable space. */
function reclaimable(n: number, of: number): string {
  return `${humanSizeCompact(n)} (${of ? Math.round((100 * n) / of) : 0}%)`;
}

export default class SystemDf extends TspodCommand {
  static override summary = 'Show tspod disk usage (shared layers counted once)';
  static override description = 'Images, containers and local volumes: how many, how many in use, their size and what a prune would free.';
  static override examples = ['<%= config.bin %> system df', '<%= config.bin %> system df -v', "<%= config.bin %> system df --format '{{.Type}} {{.Size}}'"];
  static override flags = {
    verbose: Flags.boolean({ char: 'v', description: 'Show detailed information on disk usage' }),
    format: Flags.string({ description: "Pretty-print using a Go template, or 'json'" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(SystemDf);
    const du = await fullDiskUsage();
    // the rows of Podman's `system df -v`
    const su = {
      Containers: du.Containers.map((c) => ({
        ContainerID: c.Id, Image: c.Image, Command: c.Command, LocalVolumes: c.LocalVolumes, Size: c.SizeRw, Created: c.Created, Status: c.Status,
        Names: c.Names[0] ?? '', Running: c.State === 'running' || c.State === 'paused',
      })),
      Volumes: du.Volumes.map((v) => ({ VolumeName: v.Name, Links: v.RefCount, Size: v.Size })),
    };
    const t = du.Totals.Images;
    const cSize = su.Containers.reduce((a, c) => a + c.Size, 0);
    const cFree = su.Containers.filter((c) => !c.Running).reduce((a, c) => a + c.Size, 0);
    const vSize = su.Volumes.reduce((a, v) => a + v.Size, 0);
    const vFree = su.Volumes.filter((v) => v.Links === 0).reduce((a, v) => a + v.Size, 0);
    const rows = [
      { Type: 'Images', Total: t.Total, Active: t.Active, RawSize: t.Size, RawReclaimable: t.Reclaimable },
      { Type: 'Containers', Total: su.Containers.length, Active: su.Containers.filter((c) => c.Running).length, RawSize: cSize, RawReclaimable: cFree },
      { Type: 'Local Volumes', Total: su.Volumes.length, Active: su.Volumes.filter((v) => v.Links > 0).length, RawSize: vSize, RawReclaimable: vFree },
    ].map((r) => ({ ...r, Size: humanSizeCompact(r.RawSize), Reclaimable: reclaimable(r.RawReclaimable, r.RawSize) }));
    if (flags.format === 'json') {
      this.out(JSON.stringify(flags.verbose ? { Images: du.Images, Totals: du.Totals, Containers: su.Containers, Volumes: su.Volumes } : rows.map((s) => ({ Type: s.Type, Total: s.Total, Active: s.Active, RawSize: s.RawSize, RawReclaimable: s.RawReclaimable, Size: s.Size, Reclaimable: s.Reclaimable })), null, 4));
      return;
    }
    if (!flags.verbose) {
      this.out(renderList(rows, { format: flags.format, columns: [{ header: 'TYPE', field: 'Type' }, { header: 'TOTAL', field: 'Total' }, { header: 'ACTIVE', field: 'Active' }, { header: 'SIZE', field: 'Size' }, { header: 'RECLAIMABLE', field: 'Reclaimable' }] }));
      return;
    }
    this.out('Images space usage:\n');
    this.out(renderList(du.Images.map((i) => ({ ...i, ImageID: i.ImageID.slice(0, 12), Created: since(i.Created), Size: humanSizeCompact(i.Size), SharedSize: humanSizeCompact(i.SharedSize), UniqueSize: humanSizeCompact(i.UniqueSize) })), { columns: [
      { header: 'REPOSITORY', field: 'Repository' }, { header: 'TAG', field: 'Tag' }, { header: 'IMAGE ID', field: 'ImageID' }, { header: 'CREATED', field: 'Created' },
      { header: 'SIZE', field: 'Size' }, { header: 'SHARED SIZE', field: 'SharedSize' }, { header: 'UNIQUE SIZE', field: 'UniqueSize' }, { header: 'CONTAINERS', field: 'Containers' },
    ] }));
    this.out('\nContainers space usage:\n');
    this.out(renderList(su.Containers.map((c) => ({ ...c, ContainerID: c.ContainerID.slice(0, 12), Size: humanSizeCompact(c.Size), Created: since(c.Created) })), { columns: [
      { header: 'CONTAINER ID', field: 'ContainerID' }, { header: 'IMAGE', field: 'Image' }, { header: 'COMMAND', field: 'Command' }, { header: 'LOCAL VOLUMES', field: 'LocalVolumes' },
      { header: 'SIZE', field: 'Size' }, { header: 'CREATED', field: 'Created' }, { header: 'STATUS', field: 'Status' }, { header: 'NAMES', field: 'Names' },
    ] }));
    this.out('\nLocal Volumes space usage:\n');
    this.out(renderList(su.Volumes.map((v) => ({ ...v, Size: humanSizeCompact(v.Size) })), { columns: [
      { header: 'VOLUME NAME', field: 'VolumeName' }, { header: 'LINKS', field: 'Links' }, { header: 'SIZE', field: 'Size' },
    ] }));
    this.out(`\nLayers: ${du.Totals.Layers.Total} unpacked, ${humanSizeCompact(du.Totals.Layers.Size)} (each shared layer counted once); compressed blobs kept for push/save: ${humanSizeCompact(du.Totals.Layers.Blobs)}`);
  }
}
