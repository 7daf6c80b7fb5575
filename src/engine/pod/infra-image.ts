// The infra container's image, made locally without any network (as Podman makes
// localhost/podman-pause): one layer holding the host's catatonit (a static binary) as
// /catatonit, the entry point `/catatonit -P`. The tar is deterministic (fixed times,
// sorted entries), so the same catatonit always gives the same image ID.
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { ImageStore, findImage } from '../../image/store.js';
import { withLock } from '../../state/lock.js';
import { which } from '../../util/exec.js';
import { PrerequisiteError } from '../../util/errors.js';
import { goArch, version } from '../version.js';

/**
 * Named as Podman names its pause image, `localhost/podman-pause:VERSION-BUILT` from `version`, so scripts
 * that compute the name (`localhost/podman-pause:$(version --format '{{.Server.Version}}-{{.Server.Built}}')`) find it.
 */
export const INFRA_IMAGE = `localhost/podman-pause:${version().Client.Version}-${version().Client.Built}`;
export const INFRA_COMMAND = ['/catatonit', '-P'];

async function layerTar(catatonit: Buffer): Promise<Buffer> {
  const tar = await import('tar-stream');
  const pack = tar.pack();
  const mtime = new Date(0);
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  // the mount points runc needs exist in the image, as in Podman's pause image
  for (const d of ['dev', 'etc', 'proc', 'run', 'sys']) pack.entry({ name: `${d}/`, type: 'directory', mode: 0o755, mtime, uid: 0, gid: 0 });
  pack.entry({ name: 'catatonit', type: 'file', mode: 0o755, mtime, uid: 0, gid: 0, size: catatonit.length }, catatonit);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The infra image's ID: made on first use (under a lock, so two pod creates make it once). */
export async function ensureInfraImage(store = new ImageStore()): Promise<string> {
  const have = findImage(store.read().images, INFRA_IMAGE);
  if (have) return have.id;
  return withLock(`infra-image:${store.root}`, async () => {
    const again = findImage(store.read().images, INFRA_IMAGE);
    if (again) return again.id;
    const bin = which('catatonit');
    if (!bin) throw new PrerequisiteError('catatonit not found: install the catatonit package (the pod infra container runs it)');
    const tar = await layerTar(fs.readFileSync(bin));
    const { ingestLayer } = await import('../../image/ingest.js');
    const { storeNewImage } = await import('../../image/commit.js');
    store.repair();
    const { layer } = await ingestLayer(store, Readable.from([tar]));
    const created = new Date(0).toISOString();
    const rec = await storeNewImage(store, {
      names: [INFRA_IMAGE],
      config: {
        created, architecture: goArch(), os: 'linux',
        config: { Entrypoint: INFRA_COMMAND, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Labels: { 'io.tspod.infra': 'true' } },
        rootfs: { type: 'layers', diff_ids: [layer.id] },
        history: [{ created, created_by: `tspod: catatonit from ${bin}`, comment: 'pod infra image' }],
      },
      layers: [layer],
    });
    return rec.id;
  });
}
