import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerPort extends TspodCommand {
  static override summary = 'List port mappings of a container, or the public port of one private port';
  static override aliases = ['port'];
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }),
    port: Args.string({ ignoreStdin: true, description: 'private port[/protocol]', required: false }),
  };
  static override flags = { all: Flags.boolean({ char: 'a', description: 'Display port information for all containers' }) };
  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerPort);
    const [{ portsOf }, { listContainers }] = await Promise.all([import('../../engine/container/inspect.js'), import('../../engine/container/state.js')]);
    const targets = flags.all ? (await listContainers({})).map((r) => r.Id) : args.container ? [args.container] : [];
    if (!targets.length) this.fail('you must provide a container name or ID, or --all');
    const lines: string[] = [];
    for (const t of targets) {
      const ports = await portsOf(t);
      if (args.port) {
        const [p, proto] = args.port.split('/') as [string, string | undefined];
        const hits = ports.filter((x) => String(x.containerPort) === p && (!proto || x.protocol === proto));
        if (!hits.length) this.fail(`failed to find published port "${args.port}"`);
        for (const h of hits) lines.push(`${h.hostIP || '0.0.0.0'}:${h.hostPort}`);
      } else for (const x of ports) lines.push(`${flags.all ? `${t.slice(0, 12)}\t` : ''}${x.containerPort}/${x.protocol} -> ${x.hostIP || '0.0.0.0'}:${x.hostPort}`);
    }
    this.out(lines.join('\n'));
  }
}
