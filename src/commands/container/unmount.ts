import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets } from '../../cli/report.js';

export default class ContainerUnmount extends TspodCommand {
  static override summary = "Unmount working container's root filesystem";
  static override description = 'Unmounts the root filesystem of stopped containers mounted with `tspod mount`. A running container keeps its root filesystem mounted.';
  static override aliases = ['unmount', 'umount', 'container:umount'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Unmount all of the currently mounted containers' }),
    force: Flags.boolean({ char: 'f', description: 'Force the complete unmount of the specified mounted containers' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerUnmount);
    const names = argv as string[];
    if (!names.length && !flags.all) this.fail('when not running with --all, specify at least one container');
    const { unmountContainers } = await import('../../engine/files.js');
    const reps = await unmountContainers(names, { all: flags.all, force: flags.force });
    reportTargets(reps, (r) => (r.error ? undefined : r.id));
  }
}
