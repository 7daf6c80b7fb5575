import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { createFlags, toCreateOptions } from '../../cli/create-flags.js';
import { makeProgress } from '../../cli/progress.js';

export default class ContainerCreate extends TspodCommand {
  static override summary = 'Create but do not start a container';
  static override aliases = ['create'];
  static override strict = false;
  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'image', required: true }),
    command: Args.string({ ignoreStdin: true, description: 'command and arguments', required: false }),
  };
  static override flags = { ...createFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerCreate);
    const [image, ...command] = argv as string[];
    const { createContainer } = await import('../../engine/container/create.js');
    const progress = makeProgress({});
    const rep = await createContainer(toCreateOptions(image!, command, flags as Record<string, unknown>), (e) => progress.event(e as never));
    progress.stop();
    for (const w of rep.warnings) process.stderr.write(`${w}\n`); // plain, as Podman prints create warnings
    this.out(rep.id);
  }
}
