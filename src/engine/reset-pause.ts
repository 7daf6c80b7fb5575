import * as fs from 'node:fs';
import * as path from 'node:path';
import { pauseDir } from '../rootless/pause.js';
import { hostUid } from '../util/paths.js';

/** Kill the pause process (its namespace dies with it; a new one is made on demand). */
export function pausePidForReset(): void {
  let pid: number;
  try { pid = Number(fs.readFileSync(path.join(pauseDir(), 'pause.pid'), 'utf8').trim()); } catch { return; }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    // ours, and a pause holder (unshare/catatonit/sleep), not a recycled pid
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== hostUid() && process.getuid?.() !== 0) return;
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/unshare|catatonit|sleep/.test(cmd)) return;
    process.kill(pid, 'SIGKILL');
  } catch { /* gone */ }
}
