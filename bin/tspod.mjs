#!/usr/bin/env node
// tspod entry point. Pre-dispatch first (cheap): global flags before the
// command become environment, and rootless commands that need the user
// namespace are re-executed inside it. Only then is oclif loaded.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { predispatch, needsUserNamespace, splitCommandArgs, normalizeBooleans } from '../dist/cli/dispatch.js';

// shell completion answers from the index files, without loading oclif
if (process.argv[2] === '__complete') await (await import('../dist/completion/fast.js')).main(process.argv.slice(3));

// systemd's notify socket is tspod's to use (--sdnotify): no child may inherit it as
// NOTIFY_SOCKET (runc would proxy it itself). src/runtime/sdnotify.ts takes it from here.
if (process.env.NOTIFY_SOCKET !== undefined) {
  process.env.TSPOD_NOTIFY_SOCKET = process.env.NOTIFY_SOCKET;
  delete process.env.NOTIFY_SOCKET;
}

const d = predispatch(process.argv.slice(2));
Object.assign(process.env, d.env);
const manifestPath = new URL('../oclif.manifest.json', import.meta.url).pathname;
let manifestText;
const readManifest = () => (manifestText ??= readFileSync(manifestPath, 'utf8'));
// the fast path's slice of the manifest (written at build time), the full one as fallback
const readFastManifest = () => { try { return readFileSync(new URL('../dist/fast-manifest.json', import.meta.url), 'utf8'); } catch { return readManifest(); } };
const fullArgv = d.argv;
const split = splitCommandArgs(d.argv, d.commandId, manifestPath, readManifest);
split.argv = normalizeBooleans(split.argv, d.commandId, split.argv.some((a) => /^--[\w-]+=(true|false)$/i.test(a)) ? readManifest() : undefined);
globalThis.TSPOD_PASSTHROUGH = split.passthrough;

if (process.getuid() !== 0 && process.env.TSPOD_USERNS !== '1' && needsUserNamespace(d.commandId, split.argv)) {
  const { reexecInUserNamespace } = await import('../dist/rootless/reexec.js');
  try {
    process.exitCode = await reexecInUserNamespace(fileURLToPath(import.meta.url), fullArgv);
  } catch (err) {
    process.stderr.write(`Error: ${String(err && err.message ? err.message : err).split('\n')[0]}\n`);
    process.exitCode = typeof err?.exitCode === 'number' ? err.exitCode : 125;
  }
} else if (!(await (await import('../dist/cli/fast.js')).fastRun(split.argv, readFastManifest()))) {
  const { run, handle, flush } = await import('@oclif/core');
  try {
    await run(split.argv, import.meta.url);
    await flush();
  } catch (err) {
    const { reportTopLevelError } = await import('../dist/cli/toplevel.js');
    await reportTopLevelError(err, handle);
  }
}
