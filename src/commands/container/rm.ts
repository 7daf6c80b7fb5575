import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { report } from './stop.js';

export default class ContainerRm extends TspodCommand {
  static override summary = 'Remove one or more containers';
  static override aliases = ['rm', 'container:remove'];
  static override strict = false;
  static override args = { container: Args.string({ description: 'container name or ID', required: false }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Force removal of a running or unusable container' }),
    volumes: Flags.boolean({ char: 'v', description: 'Remove anonymous volumes associated with the container' }),
    all: Flags.boolean({ char: 'a', description: 'Remove all containers' }),
    ignore: Flags.boolean({ char: 'i', description: 'Ignore errors when a specified container is missing' }),
    time: Flags.integer({ char: 't', description: 'Seconds to wait for stop before killing the container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRm);
    const { removeContainers } = await import('../../engine/containers.js');
    if (!(argv as string[]).length && !flags.all) this.fail('you must provide at least one container name or ID');
    const reps = await removeContainers(argv as string[], { force: flags.force, volumes: flags.volumes, all: flags.all, ignore: flags.ignore, timeout: flags.time });
    await report(this, reps.map((r) => ({ ...r, input: r.id || r.input })), (r) => r.input);
  }
}
