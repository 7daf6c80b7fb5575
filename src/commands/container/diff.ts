import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList } from '../../cli/output.js';

export default class ContainerDiff extends TspodCommand {
  static override summary = 'Inspect changes to the container\'s file systems';
  static override description = 'Lists the paths added (A), changed (C) and deleted (D) in the container\'s writable layer, relative to its image. '
    + 'Files the engine provides (/etc/hosts, /etc/resolv.conf, ...) and mount points are left out. Given an image, lists its top layer\'s content.';
  static override aliases = ['diff'];
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container (or image) name or ID', required: true }) };
  static override flags = { format: Flags.string({ description: "Change the output format (json or a Go template)" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerDiff);
    const { diffContainer, diffImage } = await import('../../engine/files.js');
    const { containerExists } = await import('../../engine/container/inspect.js');
    const changes = containerExists(args.container) ? await diffContainer(args.container) : diffImage(args.container);
    if (flags.format === 'json') {
      const by = (k: string) => changes.filter((c) => c.Kind === k).map((c) => c.Path);
      const obj: Record<string, string[]> = {};
      for (const [k, n] of [['A', 'added'], ['C', 'changed'], ['D', 'deleted']] as const) if (by(k).length) obj[n] = by(k);
      this.out(JSON.stringify(obj, null, 4));
      return;
    }
    const fmt = flags.format ?? '{{.Kind}} {{.Path}}';
    this.out(renderList(changes, { format: fmt, columns: [{ header: 'KIND', field: 'Kind' }, { header: 'PATH', field: 'Path' }] }));
  }
}
