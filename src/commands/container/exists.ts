import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerExists extends TspodCommand {
  static override summary = 'Check if a container exists (exit 0 if it does, 1 if not)';
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = {
    external: Flags.boolean({ description: "Also containers tspod's store does not know, as `ps --external` lists them (a build's RUN step)" }),
  };
  static override examples = ['<%= config.bin %> container exists web', '<%= config.bin %> container exists --external 3f2a'];
  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerExists);
    const { containerExists, containerExistsExternal } = await import('../../engine/container/inspect.js');
    if (!(flags.external ? await containerExistsExternal(args.container) : containerExists(args.container))) process.exitCode = 1;
  }
}
