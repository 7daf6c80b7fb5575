import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerExport extends TspodCommand {
  static override summary = "Export a container's filesystem contents as a tar archive";
  static override description = 'Writes the container\'s root filesystem (its image plus its changes; not its volumes) as a tar archive, which `tspod import` turns back into an image.';
  static override aliases = ['export'];
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = { output: Flags.string({ char: 'o', description: 'Write to a specified file (default: stdout, which must be redirected)' }) };
  static override examples = ['<%= config.bin %> export -o web.tar web', '<%= config.bin %> export web | tar -t'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerExport);
    const { exportContainer } = await import('../../engine/files.js');
    const file = flags.output && flags.output !== '-' && flags.output !== '/dev/stdout' ? flags.output : undefined;
    await exportContainer(args.container, { file });
  }
}
