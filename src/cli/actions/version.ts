import { version } from '../../engine/version.js';
import { writeOut } from '../../util/stdio.js';

export async function versionAction(flags: Record<string, unknown>): Promise<void> {
  const v = version();
  const format = flags['format'] as string | undefined;
  const out = (s: string) => writeOut(s.endsWith('\n') ? s : `${s}\n`);
  if (format === 'json') { out(JSON.stringify(v, null, 4)); return; }
  // as Podman without a service: the server is the client ({{.Server.Version}} is the client's)
  if (format) { const { renderObjects } = await import('../output.js'); out(renderObjects([{ ...v, Server: v.Client }], format)); return; }
  const c = v.Client;
  out([`Version:      ${c.Version}`, `API Version:  ${c.APIVersion}`, `Node Version: ${c.NodeVersion}`, `OS/Arch:      ${c.OsArch}`].join('\n'));
}
