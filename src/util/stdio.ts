// Output written straight to file descriptors 1 and 2: a command's stdout, a container's output
// lines. Node's process.stdout is a stream built on first use: on a pipe that loads node:net (a sixth
// of a bare node start-up, counted in instructions), on a terminal node:tty as well, for output that
// is one synchronous write either way on Linux. Should the descriptor be non-blocking (EAGAIN), the
// rest goes through the process's stream. A reader that went away (EPIPE: `tspod ps | head -1`)
// ends the output quietly, as SIGPIPE would.
import { writeSync } from 'node:fs';

const mode: Record<1 | 2, 'fd' | 'stream' | 'closed'> = { 1: 'fd', 2: 'fd' };

function writeFd(fd: 1 | 2, text: string): void {
  if (!text || mode[fd] === 'closed') return;
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  if (mode[fd] === 'stream') { stream().write(text); return; }
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') { mode[fd] = 'closed'; return; }
    if (code !== 'EAGAIN') throw err;
    mode[fd] = 'stream';
    stream().write(buf.subarray(off));
  }
}

/** Writes text to stdout (nothing with --noout). */
export function writeOut(text: string): void {
  if (process.env['TSPOD_NOOUT'] !== '1') writeFd(1, text);
}

/** Writes text and a newline when it lacks one. */
export function writeLine(text: string): void {
  if (text) writeOut(text.endsWith('\n') ? text : `${text}\n`);
}

/** What an engine call that only writes text to its output takes (logs, a foreground run). */
export interface TextSink { write(text: string): unknown }

/** stdout and stderr as such (the default output of a foreground run, `logs`). */
export const stdoutSink: TextSink = { write: (text: string): boolean => { writeOut(text); return true; } };
export const stderrSink: TextSink = { write: (text: string): boolean => { writeFd(2, text); return true; } };
