// Errors that escape a command's own catch (unknown command, oclif's own
// failures): one line on stderr, exit 125. Help and version exits pass through.
export async function reportTopLevelError(err: unknown, handle: (e: Error) => Promise<void>): Promise<void> {
  const e = err as Error & { oclif?: { exit?: number }; exitCode?: number; code?: string };
  if (e?.oclif?.exit === 0 || e?.code === 'EEXIT' && e.oclif?.exit === 0) {
    await handle(e);
    return;
  }
  let msg = String(e?.message ?? err).split('\n')[0]!.replace(/^Error:\s*/, '').trim();
  const m = /^command (.+) not found$/.exec(msg);
  if (m) msg = `unrecognized command \`tspod ${m[1]!.replace(/:/g, ' ')}\`; run "tspod --help" for the list of commands`;
  process.stderr.write(`Error: ${msg}\n`);
  process.exitCode = typeof e?.exitCode === 'number' ? e.exitCode : 125;
}
