import { TspodCommand } from '../cli/base.js';

export default class Unshare extends TspodCommand {
  static override summary = "Run a command in a modified user namespace";
  static override description = 'Runs COMMAND (default: $SHELL, or /bin/sh) inside tspod\'s rootless user and mount namespace, as `podman unshare` does: '
    + 'there you are uid 0, the container uids of /etc/subuid are mapped, and container root filesystems mounted with `tspod mount` are visible. '
    + 'The command\'s exit code is passed on. Everything after "unshare" belongs to the command.';
  static override strict = false;
  static override usage = 'unshare [COMMAND [ARG...]]';
  static override examples = ['<%= config.bin %> unshare id', '<%= config.bin %> unshare cat /proc/self/uid_map', '<%= config.bin %> unshare ls -l $(tspod mount web)'];

  async run(): Promise<void> {
    // oclif would parse the command's own flags: take them from the raw argv instead (global
    // flags before the command were already lifted into the environment by bin/tspod)
    const raw = process.argv.slice(2);
    const at = raw.indexOf('unshare');
    let cmd = at >= 0 ? raw.slice(at + 1) : [];
    if (cmd[0] === '--') cmd = cmd.slice(1);
    const { paths } = await import('../util/paths.js');
    const { runInherit, which } = await import('../util/exec.js');
    if (!cmd.length) cmd = [process.env['SHELL'] || '/bin/sh'];
    const p = paths();
    const env = { ...process.env, CONTAINERS_GRAPHROOT: p.root, CONTAINERS_RUNROOT: p.runroot, TSPOD_ROOT: p.root, TSPOD_RUNROOT: p.runroot };
    // resolved here: spawn reports EACCES for a missing command when PATH has an unreadable directory
    const file = cmd[0]!.includes('/') ? cmd[0]! : which(cmd[0]!);
    if (!file) this.fail(`${cmd[0]}: executable file not found in $PATH`, 127);
    try {
      process.exitCode = await runInherit(file, cmd.slice(1), env);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') this.fail(`${cmd[0]}: executable file not found in $PATH`, 127);
      if (code === 'EACCES') this.fail(`${cmd[0]}: permission denied`, 126);
      throw err;
    }
  }
}
