// Errors that escape a command's own catch (unknown command, oclif's own
// failures): one line on stderr, exit 125. Help and version exits pass through.
import { errorLine, printError } from './errors.js';

export async function reportTopLevelError(err: unknown, handle: (e: Error) => Promise<void>): Promise<void> {
  const e = err as Error & { oclif?: { exit?: number }; exitCode?: number; code?: string };
  if (e?.oclif?.exit === 0 || e?.code === 'EEXIT' && e.oclif?.exit === 0) {
    await handle(e);
    return;
  }
  const m = /^command (.+) not found$/.exec(errorLine(e));
  printError(m ? Object.assign(new Error(`unrecognized command \`tspod ${m[1]!.replace(/:/g, ' ')}\`; run "tspod --help" for the list of commands`), { exitCode: e?.exitCode }) : e);
}
