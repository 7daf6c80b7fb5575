import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';
import { renderList } from '../../cli/output.js';

export default class ContainerMount extends TspodCommand {
  static override summary = "Mount a working container's root filesystem";
  static override description = 'Mounts the containers\' root filesystems and prints where. Without arguments, lists the mounted containers. '
    + 'Rootless, the mount lives in tspod\'s own user and mount namespace: the printed path is only usable from inside it, through `tspod unshare` '
    + '(for example `tspod unshare ls $(tspod mount web)`, or run everything in `tspod unshare sh`).';
  static override aliases = ['mount'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Mount all containers' }),
    format: Flags.string({ description: 'Print the mounted containers in specified format (json)' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate output' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerMount);
    const names = argv as string[];
    const { mountContainers, mountedContainers } = await import('../../engine/files.js');
    if (!names.length && !flags.all) {
      const rows = mountedContainers().map((m) => ({ ID: flags['no-trunc'] ? m.id : m.id.slice(0, 12), Id: m.id, Names: [m.name], Mountpoint: m.path }));
      if (flags.format === 'json') { this.out(renderList(rows.map((r) => ({ id: r.Id, Names: r.Names, mountpoint: r.Mountpoint })), { format: 'json', columns: [] })); return; }
      this.out(renderList(rows, { format: flags.format ?? '{{.ID}} {{.Mountpoint}}', columns: [] }));
      return;
    }
    let targets = names;
    if (flags.all) {
      const { listContainers } = await import('../../engine/container/state.js');
      targets = (await listContainers({ all: true })).map((c) => c.Id);
    }
    const reps = await mountContainers(targets);
    reportTargets(reps, (r) => (r.error ? undefined : flags.all ? `${r.id} ${r.path}` : r.path));
  }
}
