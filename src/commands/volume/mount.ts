import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { reportTargets, eachTarget } from '../../cli/report.js';
import { isRootless, inUserNamespace } from '../../util/paths.js';

export default class VolumeMount extends TspodCommand {
  static override summary = "Mount a volume and print where its content is";
  static override description = 'Prints the directory that holds each volume\'s content (local volumes need no mount). '
    + 'Rootless, as with Podman, it runs only inside tspod\'s user namespace, where the content has the owners containers see: '
    + 'use `tspod unshare`, e.g. `tspod unshare sh -c \'ls $(tspod volume mount data)\'`.';
  static override strict = false;
  static override args = { volume: Args.string({ ignoreStdin: true, description: 'volume name', required: false }) };
  static override flags = {};
  static override examples = ["<%= config.bin %> unshare sh -c 'echo hi > $(tspod volume mount data)/f'"];

  async run(): Promise<void> {
    const { argv } = await this.parseCmd(VolumeMount);
    const names = argv as string[];
    if (!names.length) this.fail('provide one or more volume names');
    if (isRootless() && !inUserNamespace()) this.fail('cannot run command "tspod volume mount" in rootless mode, must execute `tspod unshare` first');
    const { inspectVolume } = await import('../../engine/volumes.js');
    const reps = await eachTarget(names, (n) => inspectVolume(n));
    reportTargets(reps, (r) => r.value?.Mountpoint);
  }
}
