// A container's processes from /proc, without the runtime: `top` and `stats` read them, and need
// none of runc's or conmon's code.
import * as fs from 'node:fs';

/** Pids (host view) sharing the pid namespace of `pid`, `pid` first. */
export function pidsInNamespace(pid: number): number[] {
  let ns: string;
  try { ns = fs.readlinkSync(`/proc/${pid}/ns/pid`); } catch { return []; }
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readlinkSync(`/proc/${name}/ns/pid`) === ns) out.push(Number(name));
    } catch { /* gone or not ours */ }
  }
  return out.sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
}
