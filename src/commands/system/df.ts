import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList, humanSize, since } from '../../cli/output.js';
import { diskUsage } from '../../engine/system.js';

export default class SystemDf extends TspodCommand {
  static override summary = 'Show tspod disk usage (shared layers counted once)';
  static override flags = {
    verbose: Flags.boolean({ char: 'v', description: 'Show detailed information on disk usage' }),
    format: Flags.string({ description: "Pretty-print using a Go template, or 'json'" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(SystemDf);
    const du = diskUsage();
    const t = du.Totals.Images;
    const summary = [{ Type: 'Images', Total: t.Total, Active: t.Active, Size: humanSize(t.Size), Reclaimable: `${humanSize(t.Reclaimable)} (${t.Size ? Math.round((100 * t.Reclaimable) / t.Size) : 0}%)`, RawSize: t.Size, RawReclaimable: t.Reclaimable }];
    if (flags.format === 'json') { this.out(JSON.stringify(flags.verbose ? du : summary.map((s) => ({ Type: s.Type, Total: s.Total, Active: s.Active, RawSize: s.RawSize, RawReclaimable: s.RawReclaimable, Size: s.Size, Reclaimable: s.Reclaimable })), null, 4)); return; }
    if (!flags.verbose) {
      this.out(renderList(summary, { format: flags.format, columns: [{ header: 'TYPE', field: 'Type' }, { header: 'TOTAL', field: 'Total' }, { header: 'ACTIVE', field: 'Active' }, { header: 'SIZE', field: 'Size' }, { header: 'RECLAIMABLE', field: 'Reclaimable' }] }));
      return;
    }
    this.out('Images space usage:\n');
    this.out(renderList(du.Images.map((i) => ({ ...i, ImageID: i.ImageID.slice(0, 12), Created: since(i.Created), Size: humanSize(i.Size), SharedSize: humanSize(i.SharedSize), UniqueSize: humanSize(i.UniqueSize) })), { columns: [
      { header: 'REPOSITORY', field: 'Repository' }, { header: 'TAG', field: 'Tag' }, { header: 'IMAGE ID', field: 'ImageID' }, { header: 'CREATED', field: 'Created' },
      { header: 'SIZE', field: 'Size' }, { header: 'SHARED SIZE', field: 'SharedSize' }, { header: 'UNIQUE SIZE', field: 'UniqueSize' }, { header: 'CONTAINERS', field: 'Containers' },
    ] }));
    this.out(`\nLayers: ${du.Totals.Layers.Total} unpacked, ${humanSize(du.Totals.Layers.Size)} (each shared layer counted once); compressed blobs kept for push/save: ${humanSize(du.Totals.Layers.Blobs)}`);
  }
}
