// Where user networks keep their volatile state (under the runroot): small enough for code that only
// asks whether a container is on a user network to load without the network machinery.
import * as path from 'node:path';
import { paths } from '../util/paths.js';

/** <runroot>/networks: the volatile side of user networks. */
export function netRunDir(): string { return path.join(paths().runroot, 'networks'); }
/** One record per container attached to user networks. */
export function attachmentsDir(): string { return path.join(netRunDir(), 'attachments'); }
/** A container's attachment record: there while it is on user networks. */
export function attachmentFile(id: string): string { return path.join(attachmentsDir(), `${id}.json`); }
