import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class ContainerStart extends TspodCommand {
  static override summary = 'Start one or more containers';
  static override aliases = ['start'];
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: false }) };
  static override flags = {
    attach: Flags.boolean({ char: 'a', description: "Attach the container's STDOUT and STDERR" }),
    interactive: Flags.boolean({ char: 'i', description: 'Attach STDIN' }),
    'detach-keys': Flags.string({ description: 'Key sequence for detaching' }),
    all: Flags.boolean({ description: 'Start all containers that are not running' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Start only the containers matching these filters (as ps --filter)' }),
  };
  static override examples = ['<%= config.bin %> start web', '<%= config.bin %> start --all --filter restart-policy=always', '<%= config.bin %> start -a web'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerStart);
    const { startContainer } = await import('../../engine/container/start.js');
    let names = argv as string[];
    if (flags.all && names.length) this.fail('either start all containers or the container(s) provided in the arguments');
    if (!flags.all && !names.length) this.fail('start requires at least one argument');
    if (flags.all || flags.filter?.length) {
      // the containers the filters (and --all: every one not running) select; named ones keep their spelling
      const { listContainers } = await import('../../engine/container/state.js');
      const rows = await listContainers({ all: true, filters: flags.filter });
      if (flags.all) names = rows.filter((r) => !['running', 'paused', 'stopping'].includes(r.State)).map((r) => r.Id);
      else names = names.filter((n) => rows.some((r) => r.Id.startsWith(n) || r.NamesList.includes(n)));
    }
    if (flags.attach && names.length > 1) this.fail('you cannot start and attach multiple containers at once');
    let failed: Error | undefined;
    for (const n of names) {
      try {
        if (flags.attach) { const { startAttached } = await import('../../engine/container/run.js'); process.exitCode = await startAttached(n, { interactive: flags.interactive, detachKeys: flags['detach-keys'] }); continue; }
        const r = await startContainer(n);
        await r.notified;
        this.out(n);
      } catch (err) {
        if (failed) process.stderr.write(`Error: ${failed.message}\n`);
        failed = err as Error;
      }
    }
    // as Podman: `start` fails with 125 whatever the reason (126/127 are `run`'s codes for the command)
    if (failed) throw flags.attach ? failed : Object.assign(failed, { exitCode: 125 });
  }
}

