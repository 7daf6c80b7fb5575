import { Args, Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';

export default class Quadlet extends TspodCommand {
  static override summary = 'Turn Quadlet .container, .pod and .kube files into systemd service units (a systemd generator)';
  static override description = [
    'Read NAME.container files (podman-systemd.unit(5)) from the Quadlet search path and write NAME.service units',
    '(and NAME.pod files: NAME-pod.service, which the .container files naming it with Pod= join; NAME.kube files: NAME.service running kube play)',
    'into OUTPUT_DIR, as a systemd generator does. With --user the search path is $XDG_RUNTIME_DIR/containers/systemd,',
    '$XDG_CONFIG_HOME/containers/systemd (~/.config/containers/systemd), /etc/containers/systemd/users/$UID and',
    '/etc/containers/systemd/users; without it /run/containers/systemd, /etc/containers/systemd and',
    '/usr/share/containers/systemd. QUADLET_UNIT_DIRS (colon-separated) replaces the search path.',
    'systemd runs generators with three directories (normal, early, late): units go into the first one.',
    'Run by systemd as a user generator ($SYSTEMD_SCOPE=user), --user is implied.',
  ].join('\n');
  static override strict = false;
  static override args = { outputDir: Args.string({ ignoreStdin: true, description: 'directory to write the units into (required unless --dryrun)', required: false }) };
  static override flags = {
    dryrun: Flags.boolean({ description: 'Print the units instead of writing them' }),
    user: Flags.boolean({ description: 'Generate user units (the rootless search path)' }),
  };
  static override examples = [
    '<%= config.bin %> quadlet --user --dryrun',
    '<%= config.bin %> quadlet --user ~/.config/systemd/user',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(Quadlet);
    const outputDir = (argv as string[])[0];
    if (!flags.dryrun && !outputDir) this.fail('an OUTPUT_DIR is required unless --dryrun is given');
    const user = flags.user || process.env['SYSTEMD_SCOPE'] === 'user';
    const { runGenerator } = await import('../engine/systemd.js');
    const { generateContext } = await import('../engine/systemd.js');
    const ctx = generateContext();
    const rep = runGenerator({ user, outputDir, dryRun: flags.dryrun, ctx });
    if (flags.dryrun) for (const u of rep.units) process.stdout.write(`---${u.serviceName}---\n${u.text}\n`);
    for (const e of rep.errors) process.stderr.write(`tspod quadlet: ${e.message}\n`);
    if (rep.errors.length) process.exitCode = 1;
  }
}
