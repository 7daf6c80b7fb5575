// Who cleans up after a container exits. conmon runs its exit command when the container exits;
// tspod's cleanup (`tspod container cleanup ID`) is a whole node start-up. A `stop`, `rm -f` or
// foreground `run` waits for that exit anyway: it cleans up in its own process, and first claims
// the cleanup, so the exit command (EXIT_COMMAND_SH, a few lines of sh) ends at once while the
// claimant lives, and starts tspod's cleanup only when it does not (the claimant was killed).
// The claimant then waits for conmon to exit (conmon waits for its exit command): nothing started
// for the container outlives the command that stopped it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from '../../util/paths.js';
import { pidAlive } from '../../state/atomic.js';
import { sleep } from './common.js';

/**
 * conmon's exit command: `sh -c EXIT_COMMAND_SH CLAIMFILE CMD...`. The claim file holds the
 * claimant's pid and start time (field 22 of /proc/PID/stat, so a reused pid is not taken for it).
 */
export const EXIT_COMMAND_SH = [
  'claimed() {',
  '  { read -r pid start < "$1" && read -r stat < "/proc/$pid/stat"; } 2>/dev/null || return 1',
  '  set -f',
  '  set -- ${stat##*) }',
  '  [ "$1" != Z ] && [ "${20}" = "$start" ]',
  '}',
  'claimed "$0" && exit 0',
  'exec "$@"',
].join('\n');

export function claimFile(id: string): string { return path.join(paths().runroot, 'cleanup-claims', id); }

/** This process's start time in clock ticks since boot (/proc/self/stat field 22). */
function selfStartTime(): string {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

export class CleanupClaim {
  private conmonPid = 0;
  private constructor(private readonly file: string, private readonly line: string) {}

  /**
   * Claim the cleanup of container `id` for this process (before it can exit by our doing). A
   * claim another live process holds is taken over (the later claimant waits longer); it is
   * dropped by whoever holds it last, so the first claimant's release leaves the second's alone.
   */
  static take(id: string): CleanupClaim {
    const file = claimFile(id);
    const line = `${process.pid} ${selfStartTime()}\n`;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, line, { mode: 0o600 });
    return new CleanupClaim(file, line);
  }

  /** The conmon whose exit command reads the claim (released only once it is gone). */
  watch(conmonPid: number): void { if (conmonPid > 0) this.conmonPid = conmonPid; }

  /**
   * Once this process has cleaned up: wait (at most 5 s) for conmon to exit, so its exit command
   * has seen the claim and ended, then drop the claim.
   */
  async release(): Promise<void> {
    try {
      if (this.conmonPid > 0) {
        const deadline = Date.now() + 5000;
        for (let d = 1; pidAlive(this.conmonPid) && Date.now() < deadline; d = Math.min(d * 2, 10)) await sleep(d);
      }
    } finally {
      this.drop();
    }
  }

  /** Drop the claim at once (nothing to wait for, or the claimant gives the cleanup back), if it is still ours. */
  drop(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.line) fs.unlinkSync(this.file);
    } catch { /* gone */ }
  }
}
