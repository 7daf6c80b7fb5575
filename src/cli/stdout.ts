// A command's output (see util/stdio.ts: written straight to the file descriptor).
export { writeOut, writeLine, stdoutSink, stderrSink } from '../util/stdio.js';
