// `tspod run`: shared by the oclif command and the fast path.
import { makeProgress } from '../progress.js';
import { toCreateOptions } from '../create-options.js';

export async function runAction(flags: Record<string, unknown>, argv: string[]): Promise<void> {
  const [image, ...command] = argv;
  if (!image) throw Object.assign(new Error('Missing 1 required arg: image'), { exitCode: 125 });
  const opts = toCreateOptions(image, command, flags);
  const { createContainer, startContainer, followUntilExit, removeContainers } = await import('../../engine/containers.js');
  const progress = makeProgress({ quiet: !!flags['quiet'] });
  const rep = await createContainer(opts, (e) => progress.event(e as never));
  progress.stop();
  for (const w of rep.warnings) process.stderr.write(`WARN[0000] ${w}\n`);
  // -i/-t: attach first, then `runc start` (attachContainer's start option), so no output is lost
  const attach = !flags['detach'] && (opts.interactive || opts.tty);
  try {
    if (attach) {
      const { attachContainer } = await import('../../engine/attach.js');
      process.exitCode = await attachContainer(rep.id, { stdin: !!opts.interactive, tty: !!opts.tty, detachKeys: opts.detachKeys, waitExit: true, start: true });
      return;
    }
    const started = await startContainer(rep.id);
    // under a Type=notify unit, -d returns once systemd knows the container is up
    if (flags['detach']) await started.notified;
  } catch (err) {
    if (opts.rm) await removeContainers([rep.id], { force: true }).catch(() => undefined);
    throw err;
  }
  if (flags['detach']) { process.stdout.write(`${rep.id}\n`); return; }
  process.exitCode = await followUntilExit(rep.id, { stdout: process.stdout, stderr: process.stderr });
}
