// Disk usage in full: the images' (system.ts diskUsage, shared layers counted
// once), plus each container's writable layer and each volume's content and
// the containers that use it.
import type { DiskUsageReport } from './system.js';

export interface ContainerUsage { Id: string; Names: string[]; Image: string; ImageID: string; Command: string; Created: number; State: string; Status: string; Labels: Record<string, string>; SizeRw: number; LocalVolumes: number }
export interface VolumeUsage { Name: string; Driver: string; Mountpoint: string; CreatedAt: string; Labels: Record<string, string>; Options: Record<string, string>; Size: number; RefCount: number }
export interface FullDiskUsage extends DiskUsageReport { Containers: ContainerUsage[]; Volumes: VolumeUsage[] }

export async function fullDiskUsage(): Promise<FullDiskUsage> {
  const { diskUsage } = await import('./system.js');
  const { listContainers } = await import('./container/state.js');
  const { containerSizes, dirSize } = await import('./container/size.js');
  const { listVolumes, usageMap } = await import('./volumes.js');
  const base = diskUsage();
  const rows = await listContainers({ all: true });
  const sizes = await containerSizes(rows.map((r) => r.Id));
  const users = usageMap();
  const volsOf = new Map<string, number>();
  for (const ids of users.values()) for (const id of ids) volsOf.set(id, (volsOf.get(id) ?? 0) + 1);
  const containers = rows.map((r) => ({
    Id: r.Id, Names: r.NamesList, Image: r.Image, ImageID: r.ImageID, Command: r.Command, Created: r.Created, State: r.State, Status: r.Status, Labels: r.Labels,
    SizeRw: sizes.get(r.Id) ?? 0, LocalVolumes: volsOf.get(r.Id) ?? 0,
  }));
  const volumes = listVolumes().map((v) => ({
    Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Options: v.Options,
    Size: dirSize(v.Mountpoint), RefCount: users.get(v.Name)?.length ?? 0,
  }));
  return { ...base, Containers: containers, Volumes: volumes };
}
