import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ComposeVersion extends TspodCommand {
  static override summary = 'Show the version of tspod compose';
  static override description = 'tspod compose is built into tspod: its version is tspod\'s.';
  static override examples = [{ description: 'The bare version number', command: '<%= config.bin %> compose version --short' }];
  static override flags = {
    short: Flags.boolean({ description: 'Only the version number' }),
    format: Flags.option({ options: ['pretty', 'json'] as const, char: 'f', default: 'pretty' as const, description: 'Output format: pretty or json' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ComposeVersion);
    const { system } = await import('../../engine/index.js');
    const v = (await system.version()).Client.Version;
    if (flags.short) return this.out(v);
    if (flags.format === 'json') return this.out(JSON.stringify({ version: `v${v}` }));
    this.out(`tspod compose version v${v}`);
  }
}
