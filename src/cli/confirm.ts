// The y/N question destructive commands ask before acting (skipped with --force).
function readLine(): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const done = () => { process.stdin.off('data', onData); process.stdin.off('end', done); process.stdin.pause(); resolve(buf); };
    const onData = (c: Buffer) => { buf += c.toString('utf8'); if (buf.includes('\n')) done(); };
    process.stdin.on('data', onData);
    process.stdin.on('end', done);
  });
}

/** Print the warning on stderr and ask; true only for y or yes. */
export async function confirm(warning: string): Promise<boolean> {
  process.stderr.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  return /^y(es)?$/i.test((await readLine()).trim());
}
