// A command's output on stdout, written straight to file descriptor 1. Node's process.stdout is a
// stream built on first use: on a pipe that loads node:net (a sixth of a bare node start-up, counted
// in instructions), on a terminal node:tty as well, for output that is one synchronous write either
// way on Linux. Should the descriptor be non-blocking (EAGAIN), the rest goes through process.stdout.
// A reader that went away (EPIPE: `tspod ps | head -1`) ends the output quietly, as SIGPIPE would.
import { writeSync } from 'node:fs';

let mode: 'fd' | 'stream' | 'closed' = 'fd';

/** Writes text to stdout (nothing with --noout). */
export function writeOut(text: string): void {
  if (!text || mode === 'closed' || process.env['TSPOD_NOOUT'] === '1') return;
  if (mode === 'stream') { process.stdout.write(text); return; }
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(1, buf, off, buf.length - off);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') { mode = 'closed'; return; }
    if (code !== 'EAGAIN') throw err;
    mode = 'stream';
    process.stdout.write(buf.subarray(off));
  }
}

/** Writes text and a newline when it lacks one. */
export function writeLine(text: string): void {
  if (text) writeOut(text.endsWith('\n') ? text : `${text}\n`);
}
