// `system df`'s containers and volumes (the images part, with shared layers, is
// system.ts's diskUsage): what each uses on disk and what a prune would free.
import { ContainerStore } from '../container/store.js';
import { VolumeStore } from '../volume/store.js';
import { dirSize, containerSizes } from './container/size.js';
import { syncAll, statusText } from './container/state.js';
import { usageMap } from './volumes.js';

export interface ContainerUsage {
  ContainerID: string; Image: string; Command: string; LocalVolumes: number; Size: number; Created: number; Status: string; Names: string; Running: boolean;
}
export interface VolumeUsage { VolumeName: string; Links: number; Size: number }
export interface SpaceUsage { Containers: ContainerUsage[]; Volumes: VolumeUsage[] }

/** Each container's writable layer and each volume's content, with who uses what. */
export async function spaceUsage(ago: (ms: number) => string = (ms) => `${Math.round(ms / 1000)} seconds`): Promise<SpaceUsage> {
  const store = new ContainerStore();
  const list = await syncAll(store);
  const sizes = await containerSizes(list.map((c) => c.id));
  const users = usageMap(store);
  const volsOf = new Map<string, number>();
  for (const ids of users.values()) for (const id of ids) volsOf.set(id, (volsOf.get(id) ?? 0) + 1);
  const Containers = list.map((c) => ({
    ContainerID: c.id, Image: c.imageName, Command: c.command.join(' '), LocalVolumes: volsOf.get(c.id) ?? 0, Size: sizes.get(c.id) ?? 0,
    Created: Math.floor(Date.parse(c.created) / 1000), Status: statusText(c, ago), Names: c.names[0] ?? '', Running: c.state === 'running' || c.state === 'paused',
  }));
  const Volumes = new VolumeStore().list().map((v) => ({ VolumeName: v.name, Links: users.get(v.name)?.length ?? 0, Size: dirSize(v.mountpoint) }));
  return { Containers, Volumes };
}
