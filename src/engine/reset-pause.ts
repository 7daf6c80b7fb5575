import { readPausePid } from '../rootless/pause.js';

/** Kill the pause process (its namespace dies with it; a new one is made on demand). */
export function pausePidForReset(): void {
  const pid = readPausePid();
  if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}
