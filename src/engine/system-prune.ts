// `system prune`: what Podman's does, in its order — stopped containers, unused
// images (dangling, or all unused with `all`), unused networks, and with `volumes`
// unused volumes — repeated while a round removes something (removing a container
// can leave its image, network and volumes unused). Filters (label, label!, until)
// apply to every kind and are all validated before anything is removed.
import { pruneContainers } from './container/inspect.js';
import { reapBuildLeftovers } from '../build/leftovers.js';
import { containerSizes, dirSize } from './container/size.js';
import { pruneImages } from './images.js';
import { pruneNetworks, pruneCandidates as networkPruneCandidates } from './networks.js';
import { pruneVolumes, pruneCandidates as volumePruneCandidates } from './volumes.js';
import { VolumeStore } from '../volume/store.js';
import { ContainerStore } from '../container/store.js';
import { pruneFilter } from '../util/filters.js';
import type { TspodError } from '../util/errors.js';

export interface SystemPruneOptions {
  /** Remove every unused image, not only dangling ones. */
  all?: boolean | undefined;
  /** Also remove volumes no container uses. */
  volumes?: boolean | undefined;
  filters?: string[] | undefined;
}

export interface SystemPruneReport {
  containers: string[];
  images: string[];
  networks: string[];
  volumes: string[];
  errors: TspodError[];
  /** Bytes freed: the containers' writable layers, the images' layers, the volumes' content. */
  reclaimed: number;
}

/** The rounds stop after this many, as Podman's (a guard; one or two rounds are the rule). */
const MAX_ROUNDS = 50;

export async function pruneSystem(o: SystemPruneOptions = {}): Promise<SystemPruneReport> {
  // every kind's filter parser sees the filters before the first removal
  pruneFilter(o.filters, 'system');
  networkPruneCandidates(o.filters);
  if (o.volumes) volumePruneCandidates(o.filters);
  const rep: SystemPruneReport = { containers: [], images: [], networks: [], volumes: [], errors: [], reclaimed: 0 };
  // what killed builds left running (a RUN step's container, mount, slirp4netns) holds their layers
  await reapBuildLeftovers();
  const ctrs = new ContainerStore();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sizes = await containerSizes(ctrs.list().map((c) => c.id));
    const cs = await pruneContainers(o.filters);
    for (const id of cs) rep.reclaimed += sizes.get(id) ?? 0;
    const is = await pruneImages({ all: o.all, filters: o.filters });
    for (const i of is) rep.reclaimed += i.size;
    const ns = await pruneNetworks(o.filters);
    const vs: string[] = [];
    if (o.volumes) {
      const store = new VolumeStore();
      const vsize = new Map(store.list().map((v) => [v.name, dirSize(v.mountpoint)]));
      const reps = await pruneVolumes(o.filters, store);
      for (const r of reps) if (r.error) rep.errors.push(r.error); else { vs.push(r.name); rep.reclaimed += vsize.get(r.name) ?? 0; }
    }
    for (const r of ns) if (r.error) rep.errors.push(r.error);
    ns.filter((r) => !r.error).forEach((r) => rep.networks.push(r.name));
    rep.containers.push(...cs);
    rep.images.push(...is.map((i) => i.id));
    rep.volumes.push(...vs);
    if (!cs.length && !is.length && !ns.length && !vs.length) break;
  }
  return rep;
}
