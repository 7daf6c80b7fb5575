// Units and Quadlet files, the engine's side: read a container (and its image's
// config) from the store, describe this installation (where tspod is, which
// --root/--runroot the unit's commands need), and hand both to the pure
// generators in src/systemd/.
import * as path from 'node:path';
import { ContainerStore } from '../container/store.js';
import { ImageStore } from '../image/store.js';
import { readImageConfig } from '../image/config.js';
import { tspodLauncher, tspodScript } from './container/common.js';
import { TSPOD_VERSION } from '../util/version.js';
import { hostUid, isRootless, paths } from '../util/paths.js';
import type { ContainerInput, GenerateContext } from '../systemd/generate.js';
import { tspodInvocation } from '../systemd/generate.js';
import type { PodInput } from '../systemd/pod-units.js';

export function readContainerForUnits(nameOrId: string, store = new ContainerStore()): ContainerInput {
  const e = store.resolve(nameOrId);
  const config = store.readConfig(e.id);
  let imageConfig;
  try {
    const images = new ImageStore();
    const img = images.read().images.find((i) => i.id === config.image);
    imageConfig = img ? readImageConfig(img, images).config ?? {} : undefined;
  } catch { imageConfig = undefined; }
  return { id: e.id, name: config.name, config, imageConfig, conmonPidFile: path.join(paths().runroot, 'containers', e.id, 'conmon.pid') };
}

/**
 * The paths a systemd manager's environment gives tspod: the user manager sets
 * XDG_RUNTIME_DIR=/run/user/UID and usually no XDG_DATA_HOME.
 */
export function systemdDefaultPaths(): { root: string; runroot: string } {
  if (!isRootless()) return { root: '/var/lib/tspod', runroot: '/run/tspod' };
  const home = process.env['HOME'] || '/';
  return { root: path.join(home, '.local', 'share', 'tspod'), runroot: `/run/user/${hostUid()}/tspod` };
}

export function generateContext(now = new Date()): GenerateContext {
  const p = paths();
  const d = systemdDefaultPaths();
  const globalArgs: string[] = [];
  if (p.root !== d.root) globalArgs.push('--root', p.root);
  if (p.runroot !== d.runroot) globalArgs.push('--runroot', p.runroot);
  return {
    // the launcher finds node on systemd's PATH; a node elsewhere runs the entry point itself
    tspod: tspodInvocation(tspodInvocation(tspodLauncher(), process.execPath).length === 1 ? tspodLauncher() : tspodScript(), process.execPath),
    globalArgs,
    version: TSPOD_VERSION,
    now,
    runroot: p.runroot,
    defaultRunroot: p.runroot === d.runroot,
  };
}

/** A pod and its members (infra container aside) as `generate systemd POD` needs them; undefined when no pod has that name. */
export async function readPodForUnits(nameOrId: string, store = new ContainerStore()): Promise<PodInput | undefined> {
  const { PodStore } = await import('./pod/store.js');
  const { membersOf } = await import('./pod/common.js');
  const pod = new PodStore().find(nameOrId);
  if (!pod) return undefined;
  const members = membersOf(pod, store.list());
  const infraCfg = pod.infraId ? store.readConfig(pod.infraId) : undefined;
  return {
    id: pod.id, name: pod.name, infraId: pod.infraId, infraConmonPidFile: path.join(paths().runroot, 'containers', pod.infraId, 'conmon.pid'),
    share: pod.share, hostname: pod.hostname, network: pod.network, ports: infraCfg?.ports ?? [], labels: pod.labels, addHost: pod.addHost,
    dns: pod.dns, dnsSearch: pod.dnsSearch, dnsOption: pod.dnsOption, volumes: pod.volumes, userns: pod.userns,
    members: members.filter((c) => !c.podInfra).map((c) => readContainerForUnits(c.id, store)),
  };
}

export { generateSystemdUnit, generateQuadletFile } from '../systemd/generate.js';
export { generatePodUnits } from '../systemd/pod-units.js';
export { runGenerator } from '../systemd/quadlet.js';
export { generateComposeUnit, composeUnitName } from '../systemd/compose-unit.js';
export type { ComposeProjectInput } from '../systemd/compose-unit.js';
