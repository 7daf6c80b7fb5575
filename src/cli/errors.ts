// The one way an error reaches the user: `Error: <one line>` on stderr, and the
// exit code it carries (125, tspod's own, when it carries none). The entry point,
// the fast path, oclif's base command and top-level failures all print through here.
import { EXIT_TSPOD } from '../util/errors.js';

/** The first line of an error's message, without a leading "Error:". */
export function errorLine(err: unknown): string {
  const e = err as { message?: unknown } | undefined;
  return String(e?.message ?? err).split('\n')[0]!.replace(/^Error:\s*/, '').replace(/^\s+|\r$/g, '');
}

/** The exit code an error asks for (`exitCode`), else 125. */
export function exitCodeOf(err: unknown): number {
  const c = (err as { exitCode?: unknown } | undefined)?.exitCode;
  return typeof c === 'number' ? c : EXIT_TSPOD;
}

/** Print an error as one line (its stack too at --log-level debug) and set the process's exit code. */
export function printError(err: unknown): void {
  const stack = (err as { stack?: string } | undefined)?.stack;
  if (process.env['TSPOD_LOG_LEVEL'] === 'debug' && stack) process.stderr.write(`${stack}\n`);
  process.stderr.write(`Error: ${errorLine(err)}\n`);
  process.exitCode = exitCodeOf(err);
}
