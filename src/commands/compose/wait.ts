import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName, composeReporter } from '../../cli/compose-project.js';

export default class ComposeWait extends TspodCommand {
  static override summary = 'Wait for the containers of services to stop';
  static override description = 'Blocks until every container of the services has stopped, printing each one\'s exit code (one line per container, in service order). Exit status: the first container\'s exit code.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services', required: true }) };
  static override examples = [{ description: 'Wait for the tests, then tear the project down', command: '<%= config.bin %> compose wait --down-project tests' }];
  static override flags = {
    ...composeFlags,
    'down-project': Flags.boolean({ description: 'Then stop and remove the project (as "compose down")' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeWait);
    const r = composeReporter(this);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), r.onWarning);
    const { serviceContainers } = await import('../../compose/lifecycle.js');
    const { containers } = await import('../../engine/index.js');
    const rows = await serviceContainers(name, project, { services: argv as string[] });
    if (!rows.length) this.fail(`no containers for ${(argv as string[]).join(', ')}`);
    const codes = await Promise.all(rows.map((c) => containers.wait({ container: c.Id })));
    this.out(codes.join('\n'));
    process.exitCode = codes[0] ?? 0;
    if (flags['down-project']) {
      const { down } = await import('../../compose/executor.js');
      await down(name, { project }, r);
    }
  }
}
