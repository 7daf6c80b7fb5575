// What kube generate reads from the engine: pods, containers and volumes by name or ID, as the generator's input.
import { containers, images, pods, volumes } from '../engine/index.js';
import { KubeError } from './errors.js';
import type { ContainerInspect, GenContainer, GenPod, GenVolume, ImageInspect } from './generate.js';

async function genContainer(id: string): Promise<GenContainer> {
  const inspect = await containers.inspect({ container: id }) as unknown as ContainerInspect & { Image?: string };
  let image: ImageInspect | undefined;
  try { image = await images.inspect({ image: inspect.Image ?? inspect.ImageName ?? '' }) as ImageInspect; } catch { image = undefined; }
  return { inspect, image };
}

/** Pods, then containers, then volumes, by the names given (Podman's order of lookup). Several containers make one pod. */
export async function collect(names: string[]): Promise<{ pods: GenPod[]; volumes: GenVolume[] }> {
  const out: { pods: GenPod[]; volumes: GenVolume[] } = { pods: [], volumes: [] };
  const loose: GenContainer[] = [];
  for (const n of names) {
    if (await pods.exists({ pod: n })) {
      const p = await pods.inspect({ pod: n });
      const members = p.Containers.filter((c) => c.Id !== p.InfraContainerID);
      if (!members.length) throw new KubeError(`pod ${p.Name} has no containers but the infra container: nothing to generate`);
      out.pods.push({
        name: p.Name, containers: await Promise.all(members.map((c) => genContainer(c.Id))),
        portBindings: p.InfraConfig?.PortBindings ?? {}, hostname: p.Hostname && p.Hostname !== p.Name ? p.Hostname : undefined,
        sharePid: p.SharedNamespaces.includes('pid'),
      });
    } else if (await containers.exists({ container: n })) {
      loose.push(await genContainer(n));
    } else if (await volumes.exists({ volume: n })) {
      const v = await volumes.inspect({ volume: n });
      out.volumes.push({ Name: v.Name, Driver: v.Driver, Labels: v.Labels, Options: v.Options });
    } else {
      throw new KubeError(`name or ID "${n}" not found: no such pod, container or volume`);
    }
  }
  if (loose.length) out.pods.push({ name: `${loose[0]!.inspect.Name}-pod`, containers: loose });
  return out;
}

const PROJECT = 'com.docker.compose.project', SERVICE = 'com.docker.compose.service', NUMBER = 'com.docker.compose.container-number', ONEOFF = 'com.docker.compose.oneoff';

/** A compose project's services (found by Compose's labels): one pod per service, its replicas the service's containers. */
export async function collectProject(project: string): Promise<GenPod[]> {
  const rows = (await containers.list({ all: true, filters: [`label=${PROJECT}=${project}`] })).filter((r) => r.Labels[ONEOFF] !== 'True');
  if (!rows.length) throw new KubeError(`no containers of compose project "${project}" found: run "tspod compose up -d" first`);
  const byService = new Map<string, typeof rows>();
  for (const r of rows) { const s = r.Labels[SERVICE] ?? r.Names; byService.set(s, [...(byService.get(s) ?? []), r]); }
  const out: GenPod[] = [];
  for (const [service, list] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => Number(a.Labels[NUMBER] ?? 0) - Number(b.Labels[NUMBER] ?? 0));
    out.push({ name: service, containers: [await genContainer(list[0]!.Id)], replicas: list.length, deploymentName: service });
  }
  return out;
}
