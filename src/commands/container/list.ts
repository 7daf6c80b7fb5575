import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { psAction } from '../../cli/actions/ps.js';

export default class ContainerList extends TspodCommand {
  static override summary = 'List containers';
  static override aliases = ['ps', 'container:ls', 'container:ps'];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all the containers, default is only running containers' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print the numeric IDs of the containers only' }),
    latest: Flags.boolean({ char: 'l', description: 'Show the latest container created (all states)' }),
    last: Flags.integer({ char: 'n', description: 'Print the n last created containers (all states)' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output based on conditions given (name, id, status, label, ancestor, exited, health, volume, network, pod)' }),
    format: Flags.string({ description: "Pretty-print containers to JSON or using a Go template" }),
    'no-trunc': Flags.boolean({ description: 'Display the extended information' }),
    noheading: Flags.boolean({ description: 'Do not print headers' }),
    size: Flags.boolean({ char: 's', description: 'Display the total file sizes' }),
    pod: Flags.boolean({ char: 'p', description: 'Print the ID and name of the pod the containers are associated with' }),
    external: Flags.boolean({ description: "Also list containers tspod's store does not know (a build's RUN step, or one a killed build left)" }),
    sort: Flags.option({ options: ['command', 'created', 'id', 'image', 'names', 'runningfor', 'size', 'status'] as const, description: 'Sort output by (created: oldest first; without --sort, newest first)' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ContainerList);
    await psAction(flags as Record<string, unknown>, []);
  }
}
