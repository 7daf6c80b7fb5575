// A spinner (ora) on standard error for work that has no byte-level progress to
// show (save, load, import): only on a terminal, never with --quiet, never when
// stderr is a pipe or a log (CI), so scripted output stays exactly Podman's.
import type { Ora } from 'ora';

export interface SpinnerOptions { quiet?: boolean | undefined; stream?: NodeJS.WriteStream }

/** Whether a spinner would be drawn on this stream. */
export function spinnerEnabled(o: SpinnerOptions = {}): boolean {
  const stream = o.stream ?? process.stderr;
  // a terminal without a size (a pty nobody sized, as `script` to a file makes) is no place for a
  // spinner: ora divides by the width and would redraw for ever
  return !o.quiet && !!stream.isTTY && (stream.columns ?? 0) > 0 && !process.env['CI'] && process.env['TERM'] !== 'dumb';
}

/**
 * Run `work` with a spinner showing `text`; on success it turns into a check
 * mark with `done(result)`, on failure it is cleared (the error is reported by
 * the caller, on one line, as for every command).
 */
export async function withSpinner<T>(text: string, o: SpinnerOptions, work: () => Promise<T>, done?: (r: T) => string): Promise<T> {
  if (!spinnerEnabled(o)) return work();
  const { default: ora } = await import('ora');
  const spinner: Ora = ora({ text, stream: o.stream ?? process.stderr, isEnabled: true, discardStdin: false }).start();
  try {
    const r = await work();
    spinner.succeed(done ? done(r) : text);
    return r;
  } catch (err) {
    spinner.stop();
    throw err;
  }
}
