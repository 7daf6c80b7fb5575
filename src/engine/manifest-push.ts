// `manifest push LIST DEST`: every entry's image to DEST's repository (by digest), then the
// index under DEST's tag. Entries that are local images go through `push`'s own code (their
// stored manifests byte for byte, so the digests the index names stay true); entries added
// from a registry are copied from there: blobs the destination lacks are mounted (same
// registry) or downloaded, verified, and uploaded, then their manifest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImageStore, findImage } from '../image/store.js';
import { formatReference, normalize, parseReference, qualify, type Reference } from '../image/reference.js';
import { MT, isManifestList, type Descriptor, type ImageIndex, type ImageManifest } from '../image/types.js';
import { readIndex } from '../image/manifest-list.js';
import { writeFileAtomic } from '../state/atomic.js';
import { InvalidArgumentError, NotFoundError, RegistryError, TspodError, errorMessage } from '../util/errors.js';
import { clientFor, serializeIndex, type ManifestRegistryOptions } from './manifest.js';
import { pushImage, type PushEvent } from './push.js';
import { removeImages } from './images.js';
import type { RegistryClient } from '../registry/client.js';

export interface ManifestPushOptions extends ManifestRegistryOptions {
  /** the local list */
  list: string;
  /** where to: a registry reference, docker:// optional */
  destination: string;
  /** push the images the list names too (default true, as Podman) */
  all?: boolean | undefined;
  /** the index's type: oci (image index) or v2s2 (Docker manifest list); default as stored */
  format?: 'oci' | 'v2s2' | undefined;
  /** remove the list from local storage once pushed */
  rm?: boolean | undefined;
  /** write the index's digest to this file */
  digestfile?: string | undefined;
  onEvent?: (e: PushEvent | { type: 'list-copy'; index: number; total: number; digest: string } | { type: 'list-manifest'; digest: string }) => void;
}

export interface ManifestPushReport { id: string; destination: string; digest: string }

function destinationRef(input: string): Reference & { registry: string } {
  let s = input;
  if (s.startsWith('docker://')) s = s.slice('docker://'.length);
  const t = /^([a-z-]+):(?!\d)/.exec(s);
  if (t && ['oci', 'oci-archive', 'docker-archive', 'dir', 'containers-storage', 'docker-daemon'].includes(t[1]!)) {
    throw new InvalidArgumentError(`manifest push to the "${t[1]}" transport is not supported: push to a registry (docker://HOST/NAME:TAG)`);
  }
  const ref = parseReference(s);
  if (!ref.registry || ref.registry === 'localhost') throw new InvalidArgumentError(`invalid destination "${input}": name a registry, e.g. 127.0.0.1:5000/${ref.path}:${ref.tag ?? 'latest'}`);
  return normalize(qualify(ref, ref.registry));
}

export async function pushManifest(o: ManifestPushOptions, store = new ImageStore()): Promise<ManifestPushReport> {
  const emit = o.onEvent ?? (() => undefined);
  const list = findImage(store.listImages(), o.list);
  if (!list) throw new NotFoundError(`retrieving local image from image name ${o.list}: ${o.list}: image not known`);
  if (!isManifestList(list)) throw new InvalidArgumentError(`retrieving local image from image name ${o.list}: ${o.list}: image is not a manifest list`);
  const dest = destinationRef(o.destination);
  const destName = formatReference(dest);
  const index = readIndex(list, store);
  // where each entry comes from, checked before anything is sent
  const plan = index.manifests.map((d) => {
    const local = store.listImages().find((i) => i.digest === d.digest && !isManifestList(i));
    const source = list.listSources?.[d.digest];
    if (!local && !source && o.all !== false) throw new NotFoundError(`manifest list ${o.list}: its entry ${d.digest} is neither a local image nor from a known registry: add it again (tspod manifest add)`);
    return { d, local, source };
  });
  const { client, repo } = await clientFor(dest, o, true);
  try {
    if (o.all !== false) {
      for (const [i, p] of plan.entries()) {
        emit({ type: 'list-copy', index: i + 1, total: plan.length, digest: p.d.digest });
        const target = `${dest.registry}/${dest.path}@${p.d.digest}`;
        if (p.local) {
          const r = await pushImage({ source: p.local.id, destination: target, tlsVerify: o.tlsVerify, authfile: o.authfile, creds: o.creds, certDir: o.certDir, onEvent: emit }, store);
          if (r.digest !== p.d.digest) throw new TspodError(`pushing ${target}: the registry has it as ${r.digest}, not the digest the list names`);
        } else {
          await copyFromRegistry(p.source!, p.d, client, repo, dest.registry, o, store, emit);
        }
      }
    }
    const mediaType = o.format === 'oci' ? MT.ociIndex : o.format === 'v2s2' ? MT.dockerManifestList : list.manifestMediaType;
    const bytes = mediaType === list.manifestMediaType ? store.readBlob(list.digest) : serializeIndex(mediaType, index.manifests, index.annotations);
    const digest = await client.putManifest(repo, dest.tag ?? dest.digest ?? 'latest', bytes, mediaType);
    emit({ type: 'list-manifest', digest });
    if (o.digestfile) writeFileAtomic(o.digestfile, digest, 0o644);
    if (o.rm) await removeImages([list.id], {}, store);
    return { id: list.id, destination: destName, digest };
  } catch (err) {
    if (err instanceof TspodError) throw err;
    throw new RegistryError(`pushing ${destName}: ${errorMessage(err)}`);
  } finally {
    await client.close();
  }
}

/** Copy one entry that lives in a registry (`source`: registry/path) to the destination repository. */
async function copyFromRegistry(source: string, d: Descriptor, dst: RegistryClient, dstRepo: string, dstRegistry: string, o: ManifestRegistryOptions,
  store: ImageStore, emit: NonNullable<ManifestPushOptions['onEvent']>): Promise<void> {
  const ref = parseReference(source);
  if (!ref.registry) throw new TspodError(`manifest entry ${d.digest}: source ${source} names no registry`);
  const { client: src, repo: srcRepo } = await clientFor(normalize(qualify({ ...ref, digest: d.digest }, ref.registry)), o);
  try {
    const raw = await src.fetchManifest(srcRepo, d.digest);
    if (raw.mediaType === MT.ociIndex || raw.mediaType === MT.dockerManifestList) {
      // a list inside the list: its own entries first
      for (const child of (raw.manifest as ImageIndex).manifests) await copyFromRegistry(source, child, dst, dstRepo, dstRegistry, o, store, emit);
    } else {
      const m = raw.manifest as ImageManifest;
      const blobs = [m.config, ...m.layers.filter((l) => !l.urls?.length)];
      for (const b of blobs) {
        if (await dst.blobExists(dstRepo, b.digest)) { emit({ type: 'blob-skip', digest: b.digest, reason: 'exists' }); continue; }
        if (ref.registry === dstRegistry && await dst.mountBlob(dstRepo, b.digest, srcRepo)) { emit({ type: 'blob-skip', digest: b.digest, reason: 'mounted' }); continue; }
        emit({ type: 'blob-start', digest: b.digest, size: b.size, config: b === m.config });
        // through a file: an upload may be retried and must start again from the first byte
        const work = store.makeTemp('manifest-push');
        try {
          const file = path.join(work, 'blob');
          await pipeline(await src.getBlob(srcRepo, b), fs.createWriteStream(file, { mode: 0o600 }));
          await dst.uploadBlob(dstRepo, b, () => fs.createReadStream(file));
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
        emit({ type: 'blob-done', digest: b.digest, size: b.size });
      }
    }
    await dst.putManifest(dstRepo, d.digest, raw.bytes, raw.mediaType);
    emit({ type: 'manifest', digest: d.digest });
  } finally {
    await src.close();
  }
}
