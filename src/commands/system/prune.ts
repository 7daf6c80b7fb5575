import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { confirm } from '../../cli/confirm.js';
import { humanSizeCompact } from '../../cli/output.js';

export default class SystemPrune extends TspodCommand {
  static override summary = 'Remove unused containers, images, networks and (with --volumes) volumes';
  static override description = 'Removes every stopped container, every network no container uses, dangling images (every image no container uses with --all) and, with --volumes, every volume no container uses; repeated until nothing more is unused. Asks first unless --force.';
  static override examples = [
    '<%= config.bin %> system prune',
    '<%= config.bin %> system prune --all --volumes --force',
    '<%= config.bin %> system prune -f --filter label=env=test --filter until=24h',
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all unused images, not just dangling ones' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    volumes: Flags.boolean({ description: 'Prune volumes too' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'Provide filter values (label=<key>[=<value>], label!=<key>[=<value>], until=<timestamp>)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(SystemPrune);
    const { pruneSystem } = await import('../../engine/system-prune.js');
    if (!flags.force) {
      const lines = ['WARNING! This command removes:', '\t- all stopped containers', '\t- all networks not used by at least one container'];
      if (flags.volumes) lines.push('\t- all volumes not used by at least one container');
      lines.push(flags.all ? '\t- all images without at least one container associated with them' : '\t- all dangling images', '');
      if (!(await confirm(lines.join('\n')))) return;
    }
    const r = await pruneSystem({ all: flags.all, volumes: flags.volumes, filters: flags.filter });
    const section = (title: string, items: string[]) => { if (items.length) this.out([title, ...items].join('\n')); };
    section('Deleted Containers', r.containers);
    if (flags.volumes) section('Deleted Volumes', r.volumes);
    section('Deleted Images', r.images);
    section('Deleted Networks', r.networks);
    this.out(`Total reclaimed space: ${humanSizeCompact(r.reclaimed)}`);
    for (const e of r.errors) process.stderr.write(`Error: ${e.message}\n`);
    if (r.errors.length) process.exitCode = 125;
  }
}
