// `tspod run`: shared by the oclif command and the fast path.
import { Writable } from 'node:stream';
import { makeProgress } from '../progress.js';
import { toCreateOptions } from '../create-options.js';
import { writeOut } from '../../util/stdio.js';
import { InvalidArgumentError } from '../../util/errors.js';

const STREAMS = ['stdin', 'stdout', 'stderr'] as const;
type Stream = typeof STREAMS[number];

/** -a/--attach values (repeatable, comma-separated), checked before anything is created; undefined: all streams. */
export function parseAttach(values: readonly string[] | undefined): Set<Stream> | undefined {
  if (!values?.length) return undefined;
  const out = new Set<Stream>();
  for (const v of values.flatMap((x) => x.split(','))) {
    const s = v.trim().toLowerCase();
    if (!(STREAMS as readonly string[]).includes(s)) throw new InvalidArgumentError(`invalid stream "${v}" for --attach - must be one of stdin, stdout, or stderr: invalid argument`);
    out.add(s as Stream);
  }
  return out;
}

/**
 * --preserve-fds N: fds 3..3+N-1 must have been passed to tspod (bin/tspod counts them before
 * node opens its own: TSPOD_PASSED_FDS), checked before anything is created.
 */
function checkPreserveFds(n: number | undefined): number | undefined {
  if (!n) return undefined;
  const passed = Number(process.env['TSPOD_PASSED_FDS'] ?? 0) || 0;
  for (let fd = 3; fd < 3 + n; fd++) {
    if (fd - 3 >= passed) throw new InvalidArgumentError(`file descriptor ${fd} is not available - the preserve-fds option requires that file descriptors must be passed`);
  }
  return n;
}

const discard = () => new Writable({ write(_chunk, _enc, cb) { cb(); } });

export async function runAction(flags: Record<string, unknown>, argv: string[]): Promise<void> {
  const [image, ...command] = argv;
  if (!image) throw Object.assign(new Error('Missing 1 required arg: image'), { exitCode: 125 });
  const opts = toCreateOptions(image, command, flags);
  const attach = parseAttach(flags['attach'] as string[] | undefined);
  if (attach && opts.logDriver === 'passthrough') throw new InvalidArgumentError('cannot specify --attach with --log-driver=passthrough: invalid argument');
  // passthrough hands tspod's own stdio to the container: never a terminal (TIOCSTI), as Podman
  if (opts.logDriver === 'passthrough' && (process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY)) throw new InvalidArgumentError("the '--log-driver passthrough' option cannot be used on a TTY");
  // -a: only the named streams are attached; with neither output attached, the ID is printed once it runs
  const io = attach ? {
    stdin: process.stdin,
    stdout: attach.has('stdout') ? process.stdout : discard(),
    stderr: attach.has('stderr') ? process.stderr : discard(),
  } : undefined;
  const preserveFds = checkPreserveFds(flags['preserve-fds'] as number | undefined);
  const printId = !!attach && !attach.has('stdout') && !attach.has('stderr') && !flags['detach'];
  const { runContainer } = await import('../../engine/container/run.js');
  const progress = makeProgress({ quiet: !!flags['quiet'] });
  const rep = await runContainer({
    ...opts, detach: !!flags['detach'], io, preserveFds,
    onPull: (e) => progress.event(e),
    onCreated: (r) => { progress.stop(); for (const w of r.warnings) process.stderr.write(`${w}\n`); },
    onStarted: printId ? (id) => { writeOut(`${id}\n`); } : undefined,
  });
  if (flags['detach']) writeOut(`${rep.id}\n`);
  else process.exitCode = rep.exitCode;
}
