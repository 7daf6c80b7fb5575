// Atomic JSON state files: write to a temp file in the same directory, fsync,
// rename over the target. A reader sees the old or the new file, never half of
// one; kill -9 at any point leaves at worst a stray temp file (cleaned later).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptStateError, isErrno } from '../util/errors.js';

export const TMP_MARK = '.tmp-';

/**
 * `durable` false: no fsync, for a file made again from the state on every use (a container's
 * config.json, hosts, resolv.conf): still atomic for readers, not kept through a power cut.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600, durable = true): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    try { fs.unlinkSync(tmp); } catch { /* ignore */ }
    throw err;
  }
}

export function writeJSONAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

/** Read a JSON state file. Missing -> fallback (if given) else ENOENT; unparsable -> CorruptStateError naming it. */
export function readJSON<T>(file: string, fallback?: T): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT') && fallback !== undefined) return fallback;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CorruptStateError(file, (err as Error).message);
  }
}

/** Remove temp files left by a writer that was killed (only those of dead pids). */
export function cleanStaleTemps(dir: string): void {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const n of names) {
    const i = n.indexOf(TMP_MARK);
    if (i < 0) continue;
    const pid = Number(n.slice(i + TMP_MARK.length).split('-')[0]);
    if (Number.isFinite(pid) && pid > 0 && pidAlive(pid)) continue;
    try { fs.rmSync(path.join(dir, n), { recursive: true, force: true }); } catch { /* ignore */ }
  }
}

/** A process that exists and is not a zombie (a killed process whose parent never reaps it is dead to us). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (!isErrno(err, 'EPERM')) return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    // gone since the signal check; another error (a /proc that hides other users' processes) says nothing
    return !isErrno(err, 'ENOENT');
  }
}
