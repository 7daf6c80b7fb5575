import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';

export default class ComposeConfig extends TspodCommand {
  static override summary = 'Parse, resolve and render the Compose file in canonical form';
  static override description = 'Loads the Compose files (merged in order, variables interpolated, extends and include resolved, profiles applied), validates them against the Compose Specification and prints the normalized project.';
  static override examples = [
    { description: 'Print the merged, interpolated project', command: '<%= config.bin %> compose -f compose.yaml -f compose.prod.yaml config' },
    { description: 'The configuration hash of every service', command: '<%= config.bin %> compose config --hash "*"' },
  ];
  static override flags = {
    ...composeFlags,
    format: Flags.option({ options: ['yaml', 'json'] as const, default: 'yaml' as const, description: 'Output format' })(),
    services: Flags.boolean({ description: 'Print the service names, one per line' }),
    volumes: Flags.boolean({ description: 'Print the volume names, one per line' }),
    images: Flags.boolean({ description: 'Print the image names, one per line' }),
    profiles: Flags.boolean({ description: 'Print the profile names, one per line' }),
    hash: Flags.string({ description: 'Print the configuration hash of these services ("*" for all, or a comma-separated list)' }),
    quiet: Flags.boolean({ char: 'q', description: 'Only validate the configuration, print nothing' }),
    'no-interpolate': Flags.boolean({ description: 'Do not interpolate environment variables' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ComposeConfig);
    const c = await import('../../compose/index.js');
    const opts = composeLoadOptions(flags);
    if (flags['no-interpolate'] && !flags.services && !flags.volumes && !flags.images && !flags.profiles && flags.hash === undefined) {
      // variables stay as written: print the merged files without normalizing values that still hold ${...}
      const doc = c.loadComposeDocument({ ...opts, interpolate: false });
      for (const w of doc.warnings) this.warn2(w);
      if (!flags.quiet) process.stdout.write(c.renderDocument(doc, flags.format));
      return;
    }
    const project = c.loadProject({ ...opts, interpolate: !flags['no-interpolate'] });
    for (const w of project.warnings) this.warn2(w);
    if (flags.quiet) return;
    if (flags.services) return this.out(c.serviceNames(project).join('\n'));
    if (flags.volumes) return this.out(Object.keys(project.volumes).join('\n'));
    if (flags.images) return this.out(Object.values(c.serviceImages(project)).join('\n'));
    if (flags.profiles) return this.out(c.definedProfiles(project).join('\n'));
    if (flags.hash !== undefined) {
      const names = flags.hash.split(',').map((s) => s.trim()).filter(Boolean);
      return this.out(Object.entries(c.serviceHashes(project, names)).map(([n, h]) => `${n} ${h}`).join('\n'));
    }
    process.stdout.write(c.renderProject(project, flags.format));
  }
}
