// tspod's node entry (bin/tspod.cjs runs it, from the start-up bundle when it is built).
// Pre-dispatch first (cheap): global flags before the command become environment,
// and rootless commands that need the user namespace are re-executed inside it.
// Then the fast path, and only then oclif.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../util/root.js';
import { predispatch, needsUserNamespace, splitCommandArgs, normalizeBooleans, lastFlagWins, passthroughCommand, parseManifest } from './dispatch.js';

// dist/cli/entry.js: two levels below the package root
const ROOT = packageRoot();
const SCRIPT = path.join(ROOT, 'bin', 'tspod.cjs');

/** dist/userns-commands.txt: USERNS_COMMANDS and their aliases (written at build time). */
function usernsSpellings(): Set<string> {
  return new Set(readFileSync(path.join(ROOT, 'dist', 'userns-commands.txt'), 'utf8').split('\n').filter(Boolean));
}

export async function main(): Promise<void> {
  // shell completion answers from the index files, without loading oclif
  // cobra's hidden completion commands: __complete (with descriptions) and __completeNoDesc
  if (process.argv[2] === '__complete' || process.argv[2] === '__completeNoDesc') {
    await (await import('../completion/fast.js')).main(process.argv.slice(3), { descriptions: process.argv[2] === '__complete' });
    return;
  }

  // systemd's notify socket is tspod's to use (--sdnotify): no child may inherit it as
  // NOTIFY_SOCKET (runc would proxy it itself). src/runtime/sdnotify.ts takes it from here.
  if (process.env['NOTIFY_SOCKET'] !== undefined) {
    process.env['TSPOD_NOTIFY_SOCKET'] = process.env['NOTIFY_SOCKET'];
    delete process.env['NOTIFY_SOCKET'];
  }

  // started without the launcher: node has loaded the extra CAs already, but the processes tspod
  // starts (a re-exec in the user namespace, conmon's cleanup command) need not pay for them again
  if (process.env['NODE_EXTRA_CA_CERTS'] !== undefined) {
    process.env['TSPOD_EXTRA_CA_CERTS'] ??= process.env['NODE_EXTRA_CA_CERTS'];
    delete process.env['NODE_EXTRA_CA_CERTS'];
  }

  const d = predispatch(process.argv.slice(2));
  // Docker Compose's options may come before the compose subcommand (loaded only for compose: it imports oclif)
  if (d.argv[0] === 'compose') {
    d.argv = (await import('./compose-flags.js')).hoistComposeFlags(d.argv);
    // the subcommand (and so whether it needs the user namespace) is known only once the flags are hoisted
    d.commandId = predispatch(d.argv).commandId;
  }
  if (d.env['TSPOD_DEBUG'] !== undefined) {
    delete d.env['TSPOD_DEBUG'];
    // as Podman: the two say the same thing, and both at once is refused (exit 1)
    if (d.env['TSPOD_LOG_LEVEL'] !== undefined) {
      process.stderr.write('Setting --log-level and --debug is not allowed\n');
      process.exitCode = 1;
      return;
    }
    d.env['TSPOD_LOG_LEVEL'] = 'debug';
  }
  Object.assign(process.env, d.env);
  if (d.env['TSPOD_LOG_LEVEL'] !== undefined && !(await logLevelOk(d))) return;
  // --noout: nothing on stdout (errors and warnings still go to stderr)
  if (process.env['TSPOD_NOOUT'] === '1') process.stdout.write = (() => true) as typeof process.stdout.write;
  const manifestPath = path.join(ROOT, 'oclif.manifest.json');
  let manifestText: string | undefined;
  const readManifest = (): string => (manifestText ??= readFileSync(manifestPath, 'utf8'));
  // the fast path's slice of the manifest (written at build time), the full one as fallback
  let fastText: string | undefined;
  const readFastManifest = (): string => { try { return (fastText ??= readFileSync(path.join(ROOT, 'dist', 'fast-manifest.json'), 'utf8')); } catch { return readManifest(); } };
  const fullArgv = d.argv;
  // run, create, exec: the flags that take a value say where the container's command starts;
  // the fast manifest has them (not the 480 KB of the full one)
  const splitter = passthroughCommand(d.commandId);
  const readSplitManifest = (): string => {
    const fast = readFastManifest();
    try { if (splitter && parseManifest<{ commands: Record<string, unknown> }>(fast).commands[splitter]) return fast; } catch { /* the full one */ }
    return readManifest();
  };
  const split = splitCommandArgs(d.argv, d.commandId, manifestPath, readSplitManifest);
  split.argv = normalizeBooleans(split.argv, d.commandId, split.argv.some((a) => /^--?[\w-]+=(true|false)$/i.test(a)) ? readManifest() : undefined);
  split.argv = lastFlagWins(split.argv, d.commandId, readManifest);
  (globalThis as { TSPOD_PASSTHROUGH?: unknown }).TSPOD_PASSTHROUGH = split.passthrough;

  if (process.getuid?.() !== 0 && process.env['TSPOD_USERNS'] !== '1' && needsUserNamespace(d.commandId, split.argv, usernsSpellings())) {
    const { reexecInUserNamespace } = await import('../rootless/reexec.js');
    try {
      process.exitCode = await reexecInUserNamespace(SCRIPT, fullArgv);
    } catch (err) {
      (await import('./errors.js')).printError(err);
    }
    return;
  }
  if (await (await import('./fast.js')).fastRun(split.argv, readFastManifest())) return;
  const { run, handle, flush } = await import('@oclif/core');
  try {
    await run(split.argv, pathToFileURL(SCRIPT).href);
    await flush();
  } catch (err) {
    const { reportTopLevelError } = await import('./toplevel.js');
    await reportTopLevelError(err, handle);
  }
}

/**
 * A --log-level before the command: refused as Podman refuses it (its message, exit 1) when it is not
 * a level; otherwise the outermost process says which level applies (info), what was called (debug)
 * and the global flags it took (trace), as Podman's first log lines do.
 */
async function logLevelOk(d: { env: Record<string, string>; argv: string[]; commandId: string | undefined }): Promise<boolean> {
  const { parseLogLevel, unsupportedLogLevel, setLogLevel, log } = await import('../util/log.js');
  const value = d.env['TSPOD_LOG_LEVEL']!;
  const level = parseLogLevel(value);
  if (!level) {
    process.stderr.write(`${unsupportedLogLevel(value)}\n`);
    process.exitCode = 1;
    return false;
  }
  setLogLevel(level);
  if (process.env['TSPOD_USERNS'] !== '1') {
    log.info(`tspod filtering at log level ${level}`);
    log.debug(`Called ${d.commandId ?? 'tspod'} with ${JSON.stringify(d.argv)}`);
    log.trace(`global flags before the command: ${JSON.stringify(d.env)}`);
  }
  return true;
}
