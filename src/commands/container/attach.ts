import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerAttach extends TspodCommand {
  static override summary = 'Attach to a running container';
  static override description = 'Connect the terminal (or stdin/stdout/stderr) to a running container. The detach keys (default ctrl-p,ctrl-q) leave it running; otherwise tspod exits with the container\'s exit code when it stops.';
  static override aliases = ['attach'];
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    'detach-keys': Flags.string({ description: 'Key sequence for detaching (default: the container\'s, else ctrl-p,ctrl-q; "" disables)' }),
    'no-stdin': Flags.boolean({ description: 'Do not attach STDIN' }),
    'sig-proxy': Flags.boolean({ allowNo: true, default: true, description: 'Proxy received signals to the container (non-TTY mode)' }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container' }),
  };
  static override examples = [
    '<%= config.bin %> attach web',
    '<%= config.bin %> attach --detach-keys ctrl-x web',
    '<%= config.bin %> attach --no-stdin --sig-proxy=false web',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ContainerAttach);
    let name = args.container;
    if (flags.latest) {
      if (name) this.fail('--latest and containers cannot be used together');
      const { listContainers } = await import('../../engine/container/state.js');
      name = (await listContainers({ latest: true }))[0]?.Id;
      if (!name) this.fail('no containers to attach to');
    }
    if (!name) this.fail('attach requires the name or ID of a container');
    const { attachContainer } = await import('../../engine/attach.js');
    process.exitCode = await attachContainer(name, {
      stdin: !flags['no-stdin'], tty: false, detachKeys: flags['detach-keys'], waitExit: true, sigProxy: flags['sig-proxy'], mustBeRunning: true,
    });
  }
}
