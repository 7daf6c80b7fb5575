// `tspod run`: shared by the oclif command and the fast path.
import { makeProgress } from '../progress.js';
import { toCreateOptions } from '../create-options.js';
import { writeOut } from '../stdout.js';

export async function runAction(flags: Record<string, unknown>, argv: string[]): Promise<void> {
  const [image, ...command] = argv;
  if (!image) throw Object.assign(new Error('Missing 1 required arg: image'), { exitCode: 125 });
  const opts = toCreateOptions(image, command, flags);
  const { runContainer } = await import('../../engine/container/run.js');
  const progress = makeProgress({ quiet: !!flags['quiet'] });
  const rep = await runContainer({
    ...opts, detach: !!flags['detach'],
    onPull: (e) => progress.event(e),
    onCreated: (r) => { progress.stop(); for (const w of r.warnings) process.stderr.write(`${w}\n`); },
  });
  if (flags['detach']) writeOut(`${rep.id}\n`);
  else process.exitCode = rep.exitCode;
}
