import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposePort extends TspodCommand {
  static override summary = 'Print the public address of a service\'s port';
  static override description = 'Prints HOST_IP:HOST_PORT the service\'s container (number --index) publishes PRIVATE_PORT on. Exit status 125 when it publishes no such port.';
  static override args = {
    service: Args.string({ description: 'The service', required: true }),
    port: Args.integer({ description: 'The container port', required: true }),
  };
  static override examples = [{ description: 'Where web\'s port 80 is published', command: '<%= config.bin %> compose port web 80' }];
  static override flags = {
    ...composeFlags,
    protocol: Flags.option({ options: ['tcp', 'udp'] as const, default: 'tcp' as const, description: 'tcp or udp' })(),
    index: Flags.integer({ description: 'Container number of the service (default 1)', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseCmd(ComposePort);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { serviceContainers } = await import('../../compose/lifecycle.js');
    const { publishedPort } = await import('../../compose/inventory.js');
    const [c] = await serviceContainers(name, project, { services: [args.service], index: flags.index ?? 1 });
    if (!c) this.fail(`service "${args.service}" has no container${flags.index ? ` number ${flags.index}` : ''}`);
    this.out(await publishedPort(c, args.port, flags.protocol));
  }
}
