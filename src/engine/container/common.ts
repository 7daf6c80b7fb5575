// What the container modules share: the entry points conmon's exit command and
// health checks run, the runtime, the per-container lock key, and the per-container
// runtime directories.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../util/root.js';
import { paths } from '../../util/paths.js';
import { log } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { attachmentFile } from '../../network/paths.js';
import { findSlirps, stopSlirp } from '../../container/network.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node entry point (conmon's exit command and health checks run it with node). */
export function tspodScript(): string {
  return path.join(packageRoot(), 'bin', 'tspod.cjs');
}

/** The launcher users and units run (a shell script in front of tspod.cjs). */
export function tspodLauncher(): string {
  return path.join(packageRoot(), 'bin', 'tspod');
}

/** The OCI runtime: a container's own (--runtime) when given, else the global --runtime or runc. */
export async function runtime(runcPath?: string) {
  const { ContainerRuntime } = await import('../../runtime/runtime.js');
  return new ContainerRuntime({ runroot: paths().runroot, runcPath });
}

export { containerLockKey as ctrLockKey } from '../../container/store.js';

/** Leave user-defined networks (the last container out tears down the rootless network namespace). */
export async function detachUserNetworks(id: string): Promise<void> {
  // the network machinery loads only for a container that is on a user network
  if (!fs.existsSync(attachmentFile(id))) return;
  const n = await import('../../network/index.js');
  await n.detachContainerNetworks(id).catch((err) => log.debug(`network detach ${id}: ${errorMessage(err)}`));
}

/** slirp4netns's API socket and log: short (12 hex), because a unix socket path must fit in 108 bytes. */
export function netDir(id: string): string { return path.join(paths().runroot, 'net', id.slice(0, 12)); }
/** The pid of the container's slirp4netns, written as it is spawned. */
export function slirpPidFile(id: string): string { return path.join(netDir(id), 'slirp4netns.pid'); }

/**
 * Stop the container's slirp4netns: the one its state records and the one its pid file names (a
 * start killed before recording it). When neither is known but the container's net directory is
 * there (a start killed between spawning it and writing the pid file), it is looked for by its
 * command line. Only a slirp4netns of this container's is signalled.
 */
export function stopContainerSlirp(id: string, recorded = 0): void {
  const dir = netDir(id);
  let written = 0;
  try { written = Number(fs.readFileSync(slirpPidFile(id), 'utf8')) || 0; } catch { /* none */ }
  const pids = recorded > 0 || written > 0 ? [recorded, written] : fs.existsSync(dir) ? findSlirps(dir) : [];
  for (const pid of new Set(pids)) stopSlirp(pid, dir);
}
/** The container's notify socket under --sdnotify=container (short: a socket path has at most 107 bytes). */
export function notifyDir(id: string): string { return path.join(paths().runroot, 'notify', id.slice(0, 12)); }
