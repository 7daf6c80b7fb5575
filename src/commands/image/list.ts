import { Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { renderList, humanSize, since } from '../../cli/output.js';
import { imageRows, listImages } from '../../engine/images.js';

export default class ImageList extends TspodCommand {
  static override summary = 'List images in local storage';
  static override aliases = ['images', 'image:ls'];
  static override args = {};
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all images (default hides intermediate images)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Display only image IDs' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output based on conditions provided (dangling, label, reference, id, digest, before, since, containers)' }),
    format: Flags.string({ description: "Pretty-print images using a Go template, or 'json'" }),
    digests: Flags.boolean({ description: 'Show digests' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate output' }),
    noheading: Flags.boolean({ char: 'n', description: 'Do not print column headings' }),
    sort: Flags.option({ options: ['created', 'id', 'repository', 'size', 'tag'] as const, default: 'created', description: 'Sort by created, id, repository, size or tag' })(),
  };
  static override examples = ['<%= config.bin %> images', '<%= config.bin %> images --format "{{.Repository}}:{{.Tag}} {{.ID}}"', '<%= config.bin %> images -q --filter dangling=true'];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ImageList);
    const summaries = listImages({ all: flags.all, filters: flags.filter });
    if (flags.format === 'json') {
      this.out(renderList(summaries, { format: 'json', columns: [] }));
      return;
    }
    if (flags.quiet) {
      const seen = new Set<string>();
      const ids = summaries.map((s) => (flags['no-trunc'] ? `sha256:${s.ID}` : s.ID.slice(0, 12))).filter((id) => !seen.has(id) && seen.add(id));
      this.out(ids.join('\n'));
      return;
    }
    let rows = imageRows(summaries).map((r) => ({
      ...r,
      ID: flags['no-trunc'] ? `sha256:${r.Id}` : r.ID,
      // Podman's template fields: .Size and .Created are human-readable.
      Created: since(r.Created),
      CreatedSince: since(r.Created),
      Size: humanSize(r.Size),
      RawSize: r.Size,
    }));
    const key = flags.sort;
    if (key === 'repository') rows = rows.sort((a, b) => a.Repository.localeCompare(b.Repository));
    else if (key === 'tag') rows = rows.sort((a, b) => a.Tag.localeCompare(b.Tag));
    else if (key === 'size') rows = rows.sort((a, b) => b.RawSize - a.RawSize);
    else if (key === 'id') rows = rows.sort((a, b) => a.Id.localeCompare(b.Id));
    const columns = [
      { header: 'REPOSITORY', field: 'Repository' },
      { header: 'TAG', field: 'Tag' },
      ...(flags.digests ? [{ header: 'DIGEST', field: 'Digest' }] : []),
      { header: 'IMAGE ID', field: 'ID' },
      { header: 'CREATED', field: 'CreatedSince' },
      { header: 'SIZE', field: 'Size' },
    ];
    this.out(renderList(rows, { format: flags.format, noHeading: flags.noheading, columns, headers: { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' } }));
  }
}
