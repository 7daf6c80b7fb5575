// Running commands for the benchmark: one helper that spawns a process with an
// explicit environment, sends its output to files (so a daemonised grandchild
// holding a pipe can never hang us, and both engines pay the same I/O cost) and
// measures wall-clock time from spawn to exit. With `rusage`, the command runs under
// GNU time, which reports the peak RSS and the CPU time of the command's process tree
// (every descendant that was waited for; daemonised conmon/slirp4netns are not).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

let seq = 0;

export const GNU_TIME = '/usr/bin/time';

/**
 * Run `cmd args` and resolve { code, signal, stdout, stderr, ms, command } (with `rusage`
 * also { maxRssKiB, cpuMs }). Never rejects for a non-zero exit; `timeoutMs` kills the
 * process group.
 */
export function runTimed(cmd, args, { env, cwd, outDir, timeoutMs = 600_000, rusage = false } = {}) {
  const base = path.join(outDir, `cmd-${process.pid}-${seq++}`);
  const outFd = fs.openSync(`${base}.out`, 'w');
  const errFd = fs.openSync(`${base}.err`, 'w');
  // GNU time writes to its own file, so the command's stderr stays the command's
  const [file, argv] = rusage ? [GNU_TIME, ['-f', '%M %U %S', '-o', `${base}.rusage`, '--', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(file, argv, { env, cwd, stdio: ['ignore', outFd, errFd], detached: true });
    } catch (err) {
      fs.closeSync(outFd); fs.closeSync(errFd);
      reject(err);
      return;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      fs.closeSync(outFd); fs.closeSync(errFd);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      fs.closeSync(outFd); fs.closeSync(errFd);
      const stdout = fs.readFileSync(`${base}.out`, 'utf8');
      const stderr = fs.readFileSync(`${base}.err`, 'utf8');
      fs.rmSync(`${base}.out`, { force: true });
      fs.rmSync(`${base}.err`, { force: true });
      let usage = {};
      if (rusage) {
        // the last line: GNU time puts "Command exited with non-zero status N" before it
        const line = (fs.existsSync(`${base}.rusage`) ? fs.readFileSync(`${base}.rusage`, 'utf8') : '').trim().split('\n').pop() ?? '';
        const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(line);
        usage = m ? { maxRssKiB: Number(m[1]), cpuMs: (Number(m[2]) + Number(m[3])) * 1000 } : { rusageError: `GNU time wrote ${JSON.stringify(line)}` };
        fs.rmSync(`${base}.rusage`, { force: true });
      }
      resolve({
        ...usage,
        code: timedOut ? -1 : code ?? -1,
        signal: timedOut ? `timeout after ${timeoutMs} ms` : signal,
        stdout, stderr, ms,
        command: [cmd, ...args].map(shellQuote).join(' '),
      });
    });
  });
}

export function shellQuote(s) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** Error for a command that failed: the exact command, its exit status and the tail of its stderr. */
export class CommandError extends Error {
  constructor(what, r) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n');
    super(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${r.command}\n${tail}`);
    this.result = r;
  }
}
