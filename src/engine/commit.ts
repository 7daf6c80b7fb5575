// Commit: an image of a container's filesystem (its upper layer on top of the image).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerStore, containerLockKey } from '../container/store.js';
import { rootfsPaths } from '../container/rootfs.js';
import type { ContainerConfig } from '../container/types.js';
import { ImageStore } from '../image/store.js';
import { withLock } from '../state/lock.js';
import { InvalidArgumentError, NotFoundError } from '../util/errors.js';
import type { ContainerConfig as ImageRuntimeConfig } from '../image/types.js';
import { splitPath, existsInLowers } from './files.js';

export interface CommitOptions {
  container: string;
  image?: string | undefined;
  message?: string | undefined;
  author?: string | undefined;
  changes?: string[] | undefined;
  format?: 'oci' | 'docker' | undefined;
  pause?: boolean | undefined;
  squash?: boolean | undefined;
  includeVolumes?: boolean | undefined;
  onProgress?: (line: string) => void;
}

export interface CommitReport { id: string; names: string[]; warnings: string[] }

/** What runc or tspod created in the upper directory for its own mounts: left out of a commit when the image does not have it. */
function commitExcludes(cfg: ContainerConfig, lowers: string[]): string[] {
  const cands = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/.containerenv', '/run/secrets', '/dev', '/proc', '/sys', '/etc/mtab',
    ...cfg.mounts.map((m) => `/${splitPath(m.destination).join('/')}`)];
  return cands.filter((p) => !existsInLowers(lowers, p.slice(1))).map((p) => p.slice(1));
}

export async function commitContainer(o: CommitOptions, store = new ContainerStore()): Promise<CommitReport> {
  const warnings: string[] = [];
  const e = store.resolve(o.container);
  const cfg = store.readConfig(e.id);
  const images = new ImageStore();
  images.repair();
  const format = o.format ?? 'oci';
  if (format !== 'oci' && format !== 'docker') throw new InvalidArgumentError(`unrecognized image format "${String(format)}": use oci or docker`);
  const { qualifyLocalName, readImageConfig } = await import('./images.js');
  const names = o.image ? [qualifyLocalName(o.image)] : [];
  const { applyChanges } = await import('../image/changes.js');
  const idx = images.read();
  const base = idx.images.find((i) => i.id === e.image);
  const baseCfg = base ? readImageConfig(base, images) : undefined;
  if (!base) warnings.push(`the image of container ${cfg.name} (${e.image.slice(0, 12)}) is no longer in the store: its layers are still used`);
  const lowers = e.layers.map((l) => images.layerDiff(l));
  const layerRecs = e.layers.map((id) => {
    const rec = idx.layers.find((l) => l.id === id);
    if (!rec) throw new NotFoundError(`layer ${id} of container ${cfg.name} is missing from the store`);
    return rec;
  });
  if (o.pause && (await import('../util/paths.js')).isRootless()) warnings.push('rootless containers cannot be paused on cgroups v1: committing without pausing');

  // the container's settings become the image's
  const ic = baseCfg?.config ?? {};
  const exposed: Record<string, object> = { ...(ic.ExposedPorts ?? {}) };
  for (const p of cfg.ports) exposed[`${p.containerPort}/${p.protocol}`] = {};
  const env = cfg.env.filter((x) => x !== 'container=podman' && x !== 'TERM=xterm');
  let config: ImageRuntimeConfig = {
    ...ic,
    User: cfg.user || undefined,
    Env: env,
    Entrypoint: cfg.entrypoint.length ? cfg.entrypoint : undefined,
    Cmd: cfg.cmd.length ? cfg.cmd : undefined,
    WorkingDir: cfg.workdir && cfg.workdir !== '/' ? cfg.workdir : ic.WorkingDir,
    Labels: { ...(ic.Labels ?? {}), ...cfg.labels },
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    StopSignal: cfg.stopSignal && cfg.stopSignal !== 'SIGTERM' ? cfg.stopSignal : ic.StopSignal,
  };
  if (o.includeVolumes) {
    const vols = cfg.mounts.filter((m) => m.type === 'volume').map((m) => `/${splitPath(m.destination).join('/')}`);
    if (vols.length) config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(vols.map((v) => [v, {}])) };
  }
  config = applyChanges(config, o.changes);
  for (const k of Object.keys(config) as Array<keyof ImageRuntimeConfig>) if (config[k] === undefined) delete config[k];

  const upper = rootfsPaths(store.ctrDir(e.id)).upper;
  fs.mkdirSync(upper, { recursive: true, mode: 0o755 });
  const { packLayerToFile } = await import('../storage/pack.js');
  const { ingestLayer } = await import('../image/ingest.js');
  const { storeNewImage } = await import('../image/commit.js');
  const work = images.makeTemp('commit');
  try {
    const blob = path.join(work, 'layer.tar.gz');
    o.onProgress?.('Getting image source signatures');
    for (const l of layerRecs) o.onProgress?.(`Copying blob ${l.compressedDigest.slice(7, 19)} skipped: already exists`);
    // the lock keeps the container from being removed or restarted while its upper dir is read
    const packed = await withLock(containerLockKey(e.id), () => packLayerToFile(upper, blob, { exclude: commitExcludes(cfg, lowers) }));
    o.onProgress?.(`Copying blob ${packed.digest.slice(7, 19)} done`);
    const { layer } = await ingestLayer(images, fs.createReadStream(blob), { digest: packed.digest, size: packed.size, diffID: packed.diffID });
    o.onProgress?.(`Copying config ${'done'}`);
    const now = new Date().toISOString();
    const history = [...(baseCfg?.history ?? []), {
      created: now,
      created_by: `/bin/sh -c #(nop) ${cfg.args.join(' ')}`.trim(),
      ...(o.author ? { author: o.author } : {}),
      ...(o.message ? { comment: o.message } : {}),
    }];
    const { goArch } = await import('./version.js');
    const rec = await storeNewImage(images, {
      names,
      format,
      config: {
        created: now,
        architecture: baseCfg?.architecture ?? goArch(),
        os: baseCfg?.os ?? 'linux',
        ...(baseCfg?.variant ? { variant: baseCfg.variant } : {}),
        ...(o.author ? { author: o.author } : {}),
        config,
        rootfs: { type: 'layers', diff_ids: [...e.layers, layer.id] },
        history,
      },
      layers: [...layerRecs, layer],
    });
    o.onProgress?.('Writing manifest to image destination');
    return { id: rec.id, names: rec.names, warnings };
  } finally {
    images.trash(work);
  }
}
