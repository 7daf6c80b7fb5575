// Attaching to a container's stdio through conmon's attach socket
// (SOCK_SEQPACKET). Not implemented yet: interactive sessions fall back to a
// clear error rather than a half-working terminal.
import { TspodError } from '../util/errors.js';
import { followUntilExit } from './containers.js';

export interface AttachOptions { stdin: boolean; tty: boolean; detachKeys?: string | undefined; waitExit: boolean }

export async function attachContainer(id: string, o: AttachOptions): Promise<number> {
  if (!o.stdin && !o.tty) return followUntilExit(id, { stdout: process.stdout, stderr: process.stderr });
  throw new TspodError('interactive attach (-i/-t) is not implemented yet; run detached with -d and use "tspod exec -it"', 'ENOTSUP');
}
