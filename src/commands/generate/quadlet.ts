import * as fs from 'node:fs';
import * as path from 'node:path';
import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class GenerateQuadlet extends TspodCommand {
  static override summary = 'Generate a Quadlet .container file for a container';
  static override description = [
    'Print a NAME.container file (podman-systemd.unit(5) format) that runs the container the way it was created.',
    'Put it in ~/.config/containers/systemd/ and let `tspod quadlet` turn it into a service unit.',
  ].join('\n');
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = {
    files: Flags.boolean({ char: 'f', description: 'Write NAME.container in the current directory and print its path' }),
    'restart-policy': Flags.string({ description: "systemd restart policy for [Service] Restart= (default: the container's own policy, or on-failure)" }),
    'no-header': Flags.boolean({ description: 'Leave out the header comment' }),
  };
  static override examples = [
    '<%= config.bin %> generate quadlet web > ~/.config/containers/systemd/web.container',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(GenerateQuadlet);
    const { readContainerForUnits } = await import('../../engine/systemd.js');
    const { generateQuadletFile } = await import('../../engine/systemd.js');
    const { TSPOD_VERSION } = await import('../../util/version.js');
    const unit = generateQuadletFile(readContainerForUnits(args.container), { restartPolicy: flags['restart-policy'], noHeader: flags['no-header'] }, { version: TSPOD_VERSION, now: new Date() });
    for (const w of unit.warnings) this.warn2(w);
    if (flags.files) {
      const file = path.resolve(unit.fileName);
      fs.writeFileSync(file, unit.text, { mode: 0o644 });
      this.out(file);
      return;
    }
    process.stdout.write(unit.text);
  }
}
