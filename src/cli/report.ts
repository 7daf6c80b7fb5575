// Verbs on several targets (`stop a b c`, `rmi x y`, `inspect p q`) as Podman
// reports them: what succeeded on stdout, every failure but the last as an
// `Error:` line on stderr, and the last failure thrown, carrying the exit code,
// to the command's one error path.
import type { Writable } from 'node:stream';
import { ConflictError, InUseError, NotFoundError } from '../util/errors.js';
import { writeOut } from '../util/stdio.js';

/** One target's outcome. */
export interface TargetReport { error?: Error | undefined }

/**
 * Podman's exit codes for removals (rm, rmi, volume rm, network rm): 1 when every failure
 * is a missing target, 2 when the others are in use (running, or used by a container),
 * 125 otherwise.
 */
export function removalExitCode(errors: Error[]): number {
  if (errors.every((e) => e instanceof NotFoundError)) return 1;
  if (errors.every((e) => e instanceof NotFoundError || e instanceof ConflictError || e instanceof InUseError)) return 2;
  return 125;
}

/**
 * Print per-target reports. `line` gives what a successful target prints (nothing when
 * undefined). Throws the last failure, with the exit code `exitCode` picks from all of
 * them (default: the error's own).
 */
export function reportTargets<R extends TargetReport>(reps: R[], line: (r: R) => string | string[] | undefined,
  o: { exitCode?: (errors: Error[]) => number; stdout?: Writable; stderr?: Writable } = {}): void {
  // process.stdout and process.stderr are streams made on first use (on a pipe that loads node:net):
  // only when there is something to write
  const errors: Error[] = [];
  const lines: string[] = [];
  for (const r of reps) {
    const l = line(r);
    if (l !== undefined) lines.push(...(Array.isArray(l) ? l : [l]));
    if (r.error) errors.push(r.error);
  }
  if (lines.length) {
    const text = `${lines.join('\n')}\n`;
    if (o.stdout) o.stdout.write(text); else writeOut(text);
  }
  const last = errors.pop();
  for (const e of errors) (o.stderr ?? process.stderr).write(`Error: ${e.message}\n`);
  if (!last) return;
  if (o.exitCode) Object.assign(last, { exitCode: o.exitCode([...errors, last]) });
  throw last;
}

/** Run `fn` on every input, collecting its value or its error (inspect of several names). */
export async function eachTarget<T>(inputs: string[], fn: (input: string) => T | Promise<T>): Promise<Array<{ input: string; value?: T; error?: Error }>> {
  const out: Array<{ input: string; value?: T; error?: Error }> = [];
  for (const input of inputs) {
    try { out.push({ input, value: await fn(input) }); } catch (err) { out.push({ input, error: err as Error }); }
  }
  return out;
}

/**
 * rmi's report, as Podman prints it: every Untagged line, then every Deleted line; one failure
 * as itself, several joined as one error ("N errors occurred:" and a "\t* " line each).
 */
export function reportImageRemoval(reps: Array<{ untagged: string[]; deleted: string[]; error?: Error | undefined }>): void {
  const lines = [...reps.flatMap((r) => r.untagged.map((u) => `Untagged: ${u}`)), ...reps.flatMap((r) => r.deleted.map((d) => `Deleted: ${d}`))];
  if (lines.length) writeOut(`${lines.join('\n')}\n`);
  const errors = reps.flatMap((r) => (r.error ? [r.error] : []));
  if (!errors.length) return;
  if (errors.length === 1) throw Object.assign(errors[0]!, { exitCode: removalExitCode(errors) });
  // the one place an error takes more than a line: Podman's joined form, which scripts match
  process.stderr.write(`Error: ${errors.length} errors occurred:\n${errors.map((e) => `\t* ${e.message}`).join('\n')}\n`);
  process.exitCode = removalExitCode(errors);
}
