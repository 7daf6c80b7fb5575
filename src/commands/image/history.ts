import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList, humanSize, since } from '../../cli/output.js';
import { imageHistory } from '../../engine/images.js';

export default class ImageHistory extends TspodCommand {
  static override summary = 'Show the history of an image';
  static override aliases = ['history'];
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }) };
  static override flags = {
    format: Flags.string({ description: "Format the output using a Go template, or 'json'" }),
    human: Flags.boolean({ char: 'H', default: true, allowNo: true, description: 'Display sizes and dates in human readable format' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate the output' }),
    quiet: Flags.boolean({ char: 'q', description: 'Display the numeric IDs only' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ImageHistory);
    const rows = imageHistory(args.image);
    if (flags.format === 'json') { this.out(renderList(rows.map((r) => ({ id: r.ID, created: r.CreatedAt, CreatedBy: r.CreatedBy, size: r.Size, comment: r.Comment, tags: r.Tags })), { format: 'json', columns: [] })); return; }
    if (flags.quiet) { this.out(rows.map((r) => (flags['no-trunc'] || r.ID === '<missing>' ? r.ID : r.ID.slice(0, 12))).join('\n')); return; }
    const view = rows.map((r) => ({
      ID: flags['no-trunc'] || r.ID === '<missing>' ? r.ID : r.ID.slice(0, 12),
      Created: flags.human ? since(r.Created) : r.CreatedAt,
      CreatedBy: flags['no-trunc'] || r.CreatedBy.length <= 45 ? r.CreatedBy : `${r.CreatedBy.slice(0, 42)}...`,
      Size: flags.human ? humanSize(r.Size) : String(r.Size),
      Comment: r.Comment,
    }));
    this.out(renderList(view, { format: flags.format, columns: [
      { header: 'ID', field: 'ID' }, { header: 'CREATED', field: 'Created' }, { header: 'CREATED BY', field: 'CreatedBy' }, { header: 'SIZE', field: 'Size' }, { header: 'COMMENT', field: 'Comment' },
    ] }));
  }
}
