import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeTop extends TspodCommand {
  static override summary = 'Display the running processes of a Compose project\'s containers';
  static override description = 'For each running container: its name, then its processes (as "tspod top").';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'The processes of web', command: '<%= config.bin %> compose top web' }];
  static override flags = { ...composeFlags };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeTop);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { serviceContainers } = await import('../../compose/lifecycle.js');
    const { containers } = await import('../../engine/index.js');
    const out: string[] = [];
    for (const c of (await serviceContainers(name, project, { services: argv as string[] })).filter((r) => r.State === 'running')) {
      const rows = await containers.top({ container: c.Id });
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
      out.push(c.Names, ...rows.map((r) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join('   ')), '');
    }
    this.out(out.join('\n'));
  }
}
