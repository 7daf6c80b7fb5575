// `tspod pull`: shared by the oclif command and the fast path.
import { makeProgress } from '../progress.js';
import { pullImage } from '../../engine/pull.js';
import { writeOut } from '../../util/stdio.js';

export async function pullAction(flags: Record<string, unknown>, argv: string[]): Promise<void> {
  const image = argv[0];
  if (!image) throw Object.assign(new Error('Missing 1 required arg: image'), { exitCode: 125 });
  if (argv.length > 1) throw Object.assign(new Error(`Unexpected argument: ${argv[1]}`), { exitCode: 125 });
  if (flags['all-tags']) throw Object.assign(new Error('--all-tags is not supported yet'), { exitCode: 125 });
  const s = (k: string) => flags[k] as string | undefined;
  let platform = s('platform');
  if (!platform && (s('arch') || s('os') || s('variant'))) platform = [s('os') ?? 'linux', s('arch') ?? 'amd64', s('variant')].filter(Boolean).join('/');
  const progress = makeProgress({ quiet: !!flags['quiet'] });
  try {
    const rep = await pullImage({
      reference: image, platform, tlsVerify: flags['tls-verify'] as boolean | undefined, authfile: s('authfile'), creds: s('creds'), certDir: s('cert-dir'),
      onEvent: (e) => progress.event(e),
    });
    progress.stop();
    writeOut(`${rep.id}\n`);
  } finally {
    progress.stop();
  }
}
