// The base of every tspod command: Podman's global flags, one error path
// (one clear line on stderr, exit 125 for tspod's own errors), and output
// helpers that route everything through the one renderer.
import type { Command, Interfaces } from '@oclif/core';
import { createRequire } from 'node:module';
import { Flags } from './params.js';
import { LiteCommand } from './lite.js';
import { LOG_LEVELS, log, setLogLevel } from '../util/log.js';
import { setPaths } from '../util/paths.js';
import { EXIT_TSPOD } from '../util/errors.js';
import { passthroughArgs } from './dispatch.js';
import { printError } from './errors.js';
import { writeLine } from '../util/stdio.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof TspodCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The class commands extend underneath: oclif's Command, or on the fast path (src/cli/fast.ts sets
 * TSPOD_LITE before it loads a command) the light stand-in that parses the same definitions without
 * loading oclif (src/cli/lite.ts). Chosen once, when this module first loads. Synchronously, so that
 * the start-up bundle (scripts/bundle.mjs, CommonJS) can hold this module: oclif is CommonJS.
 */
const Base: typeof Command = (globalThis as { TSPOD_LITE?: boolean }).TSPOD_LITE
  ? LiteCommand as unknown as typeof Command
  : (createRequire(import.meta.url)('@oclif/core') as typeof import('@oclif/core')).Command;

export abstract class TspodCommand extends Base {
  static override baseFlags = {
    root: Flags.string({ helpGroup: 'GLOBAL', description: 'Path to the root directory in which data, including images, is stored' }),
    runroot: Flags.string({ helpGroup: 'GLOBAL', description: 'Path to the volatile state directory' }),
    'log-level': Flags.option({ helpGroup: 'GLOBAL', options: [...LOG_LEVELS], description: 'Log messages at and above this level' })(),
    'storage-driver': Flags.string({ helpGroup: 'GLOBAL', description: 'Storage driver (fuse-overlayfs)' }),
  };

  /** Parse argv for this command and apply the global flags. */
  protected async parseCmd<T extends typeof Command>(cmd: T): Promise<{ flags: BaseFlags<T>; args: BaseArgs<T>; argv: string[] }> {
    const out = await this.parse(cmd as unknown as typeof TspodCommand);
    // the container's command line, split off before oclif saw it (see splitCommandArgs)
    const rest = passthroughArgs();
    if (rest) out.argv.push(...rest);
    const f = out.flags as Record<string, unknown>;
    setPaths({ root: f['root'] as string | undefined, runroot: f['runroot'] as string | undefined });
    if (f['log-level']) setLogLevel(String(f['log-level']));
    if (f['storage-driver']) {
      const d = String(f['storage-driver']);
      if (!['fuse-overlayfs', 'overlay'].includes(d)) this.fail(`unsupported storage driver "${d}": tspod supports fuse-overlayfs (overlay is accepted as its alias)`);
      process.env['TSPOD_STORAGE_DRIVER'] = d;
    }
    return out as unknown as { flags: BaseFlags<T>; args: BaseArgs<T>; argv: string[] };
  }

  /** Write text to stdout as-is (adds a newline when missing). */
  protected out(text: string): void {
    writeLine(text);
  }

  protected warn2(msg: string): void {
    log.warn(msg);
  }

  /** Fail with tspod's exit code and one line. */
  protected fail(message: string, exitCode = EXIT_TSPOD): never {
    const err = new Error(message) as Error & { exitCode: number };
    err.exitCode = exitCode;
    throw err;
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    const code = typeof err.exitCode === 'number' ? err.exitCode : (err.oclif?.exit !== undefined && err.oclif.exit !== 0 ? EXIT_TSPOD : err.oclif?.exit === 0 ? 0 : EXIT_TSPOD);
    if (code === 0) return;
    printError(Object.assign(err, { exitCode: code }));
  }
}
