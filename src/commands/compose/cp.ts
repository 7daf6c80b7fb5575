import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';

export default class ComposeCp extends TspodCommand {
  static override summary = 'Copy files between a service\'s container and the host';
  static override description = 'SERVICE:PATH names a path in the service\'s container number --index (default 1); with --all, a copy to the service goes to every one of its containers. Otherwise as "tspod cp".';
  static override args = {
    source: Args.string({ description: 'SERVICE:SRC_PATH or a host path', required: true }),
    destination: Args.string({ description: 'SERVICE:DEST_PATH or a host path', required: true }),
  };
  static override examples = [
    { description: 'Copy a file out of web', command: '<%= config.bin %> compose cp web:/etc/hostname ./hostname' },
    { description: 'Copy a file into every web container', command: '<%= config.bin %> compose cp --all ./app.conf web:/etc/app.conf' },
  ];
  static override flags = {
    ...composeFlags,
    index: Flags.integer({ description: 'Container number of the service (default 1)', min: 1 }),
    all: Flags.boolean({ description: 'Copy to every container of the service' }),
    archive: Flags.boolean({ char: 'a', description: 'Give what is copied into the container its user\'s ownership' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseCmd(ComposeCp);
    const { project, name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { serviceContainers } = await import('../../compose/lifecycle.js');
    const { containers } = await import('../../engine/index.js');
    const split = (s: string): [string, string] | undefined => { const m = /^([^/:.][^:]*):(.*)$/.exec(s); return m ? [m[1]!, m[2]!] : undefined; };
    const src = split(args.source), dst = split(args.destination);
    if (!!src === !!dst) this.fail('copy between a service and the host: exactly one of SOURCE and DESTINATION is SERVICE:PATH');
    const [service, inner] = (src ?? dst)!;
    if (flags.all && src) this.fail('--all copies to the containers of a service, not from them');
    const rows = await serviceContainers(name, project, { services: [service], index: flags.all ? undefined : flags.index ?? 1 });
    if (!rows.length) this.fail(`service "${service}" has no container${flags.index ? ` number ${flags.index}` : ''}`);
    for (const c of rows) {
      await containers.copy({
        source: src ? `${c.Id}:${inner}` : args.source, destination: dst ? `${c.Id}:${inner}` : args.destination,
        ...(flags.archive ? { archive: true } : {}),
      });
    }
  }
}
