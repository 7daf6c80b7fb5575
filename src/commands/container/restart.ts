import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { report } from './stop.js';

export default class ContainerRestart extends TspodCommand {
  static override summary = 'Restart one or more containers';
  static override aliases = ['restart'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    time: Flags.integer({ char: 't', description: 'Seconds to wait for stop before killing the container' }),
    all: Flags.boolean({ char: 'a', description: 'Restart all containers' }),
    running: Flags.boolean({ description: 'Restart only running containers' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerRestart);
    const eng = await import('../../engine/container/index.js');
    let names = argv as string[];
    if (flags.all || flags.running) names = (await eng.listContainers({ all: !flags.running })).map((r) => r.Id);
    const reps: Array<{ input: string; error?: Error }> = [];
    for (const n of names) {
      try {
        const [s] = await eng.stopContainers([n], { timeout: flags.time });
        if (s?.error) throw s.error;
        await eng.startContainer(n);
        reps.push({ input: n });
      } catch (err) { reps.push({ input: n, error: err as Error }); }
    }
    await report(this, reps, (r) => r.input);
  }
}
