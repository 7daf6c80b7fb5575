import * as fs from 'node:fs';
import * as path from 'node:path';
import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class GenerateSystemd extends TspodCommand {
  static override summary = 'Generate systemd unit files for a container or a pod';
  static override description = [
    'Print a systemd service unit that starts and stops the container (or, with --new, creates it on start and',
    'removes it on stop). Install it under ~/.config/systemd/user and run `systemctl --user daemon-reload`.',
    'For a pod: the pod unit (pod-NAME.service) and one unit per container of the pod, bound to the pod unit.',
  ].join('\n');
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container or pod name or ID', required: true }) };
  static override flags = {
    name: Flags.boolean({ char: 'n', description: "Use the container's name instead of its ID in the unit" }),
    new: Flags.boolean({ description: 'Create the container on start and remove it on stop (the unit runs tspod run)' }),
    files: Flags.boolean({ char: 'f', description: 'Write the unit to PREFIX-NAME.service in the current directory and print its path' }),
    format: Flags.string({ description: "Print the units as 'json' (unit name -> content)" }),
    'restart-policy': Flags.string({ description: 'systemd restart policy: no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always (default on-failure)' }),
    'restart-sec': Flags.integer({ description: 'Seconds systemd waits before restarting the service (RestartSec=)' }),
    time: Flags.integer({ char: 't', description: "Stop timeout in seconds (default: the container's stop timeout)" }),
    'stop-timeout': Flags.integer({ description: 'Same as --time' }),
    'start-timeout': Flags.integer({ description: 'Start timeout in seconds (TimeoutStartSec=)' }),
    after: Flags.string({ description: 'Add an After= dependency on this unit', multiple: true, multipleNonGreedy: true }),
    wants: Flags.string({ description: 'Add a Wants= dependency on this unit', multiple: true, multipleNonGreedy: true }),
    requires: Flags.string({ description: 'Add a Requires= dependency on this unit', multiple: true, multipleNonGreedy: true }),
    env: Flags.string({ char: 'e', description: 'Set an environment variable in the unit (KEY=VALUE; KEY alone takes its value from the environment)', multiple: true, multipleNonGreedy: true }),
    'container-prefix': Flags.string({ description: 'Prefix of the unit name', default: 'container' }),
    separator: Flags.string({ description: 'Separator between the prefix and the name', default: '-' }),
    'no-header': Flags.boolean({ description: 'Leave out the header comment' }),
    template: Flags.boolean({ description: 'Make a template unit (PREFIX-NAME@.service) whose instance name is part of the container name (needs --new)' }),
  };
  static override examples = [
    '<%= config.bin %> generate systemd --new --name web > ~/.config/systemd/user/container-web.service',
    'cd ~/.config/systemd/user && <%= config.bin %> generate systemd --new --name --files web',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(GenerateSystemd);
    if (flags.format !== undefined && flags.format !== 'json') this.fail(`unsupported --format "${flags.format}": only json is supported`);
    if (flags.time !== undefined && flags['stop-timeout'] !== undefined && flags.time !== flags['stop-timeout']) this.fail('--time and --stop-timeout disagree: give one of them');
    const { readContainerForUnits, readPodForUnits, generateContext, generatePodUnits, generateSystemdUnit } = await import('../../engine/systemd.js');
    const opts = {
      useName: flags.name, new: flags.new, restartPolicy: flags['restart-policy'], restartSec: flags['restart-sec'],
      stopTimeout: flags.time ?? flags['stop-timeout'], startTimeout: flags['start-timeout'], after: flags.after, wants: flags.wants,
      requires: flags.requires, env: flags.env, containerPrefix: flags['container-prefix'], separator: flags.separator,
      noHeader: flags['no-header'], template: flags.template,
    };
    // a container, else a pod (its unit and its members' units)
    let units;
    try {
      units = [generateSystemdUnit(readContainerForUnits(args.container), opts, generateContext())];
    } catch (err) {
      const pod = (err as { code?: string }).code === 'ENOTFOUND' ? await readPodForUnits(args.container) : undefined;
      if (!pod) throw err;
      units = generatePodUnits(pod, opts, generateContext());
    }
    for (const u of units) for (const w of u.warnings) this.warn2(w);
    const key = (u: { fileName: string }) => u.fileName.replace(/\.service$/, '');
    if (flags.files) {
      const files = units.map((u) => { const file = path.resolve(u.fileName); fs.writeFileSync(file, u.text, { mode: 0o644 }); return [key(u), file] as const; });
      this.out(flags.format === 'json' ? JSON.stringify(Object.fromEntries(files), null, 4) : files.map(([, f]) => f).join('\n'));
      return;
    }
    if (flags.format === 'json') { this.out(JSON.stringify(Object.fromEntries(units.map((u) => [key(u), u.text])), null, 4)); return; }
    process.stdout.write(units.map((u) => u.text).join('\n'));
  }
}
