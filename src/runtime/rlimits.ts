// Default rlimits for a container, as Podman sets them: RLIMIT_NOFILE and
// RLIMIT_NPROC raised to 1048576 / 4194304, but never above what the calling
// process may set (rootless: its own hard limit), since runc's setrlimit() would
// fail and the container would not start.
import * as fs from 'node:fs';
import type { OCIRlimit } from './oci-types.js';

export const DEFAULT_NOFILE = 1048576;
export const DEFAULT_NPROC = 4194304;

/** Parse /proc/<pid>/limits into { 'Max open files': [soft, hard] } (unlimited = Infinity). */
export function parseProcLimits(text: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const num = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
    out.set(m[1]!.trim(), [num(m[2]!), num(m[3]!)]);
  }
  return out;
}

/** Podman-style default rlimits, capped by the hard limits in `limitsText` (/proc/self/limits). */
export function defaultRlimits(limitsText?: string, rootless = true): OCIRlimit[] {
  let limits: Map<string, [number, number]> = new Map();
  try { limits = parseProcLimits(limitsText ?? fs.readFileSync('/proc/self/limits', 'utf8')); } catch { /* no /proc */ }
  const pick = (key: string, want: number): number => {
    const hard = limits.get(key)?.[1];
    // root may raise its hard limit only with CAP_SYS_RESOURCE, which sandboxed root often lacks: cap always
    void rootless;
    if (hard === undefined || hard === Infinity) return want;
    return Math.min(want, hard);
  };
  const nofile = pick('Max open files', DEFAULT_NOFILE);
  const nproc = pick('Max processes', DEFAULT_NPROC);
  return [
    { type: 'RLIMIT_NOFILE', soft: nofile, hard: nofile },
    { type: 'RLIMIT_NPROC', soft: nproc, hard: nproc },
  ];
}
