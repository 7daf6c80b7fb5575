// Write a new image (config + manifest blobs, index record) from layers that
// are already in the store. Used by import, commit, build and load.
import { sha256Digest } from '../storage/digest.js';
import { addLayers, untagEverywhere, type ImageStore } from './store.js';
import { MT, type ImageConfig, type ImageManifest, type ImageRecord, type LayerRecord } from './types.js';

export interface NewImage {
  config: ImageConfig;
  /** bottom to top; must already be ingested */
  layers: LayerRecord[];
  names?: string[];
  format?: 'oci' | 'docker';
  /** manifest annotations (OCI format only), e.g. build --annotation */
  annotations?: Record<string, string> | undefined;
}

export function manifestFor(configBytes: Buffer, layers: LayerRecord[], format: 'oci' | 'docker'): ImageManifest {
  const docker = format === 'docker';
  return {
    schemaVersion: 2,
    mediaType: docker ? MT.dockerManifest : MT.ociManifest,
    config: { mediaType: docker ? MT.dockerConfig : MT.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({
      mediaType: docker ? (l.mediaType.endsWith('gzip') ? MT.dockerLayerGzip : l.mediaType) : (l.mediaType.startsWith('application/vnd.docker') ? MT.ociLayerGzip : l.mediaType),
      digest: l.compressedDigest,
      size: l.compressedSize,
    })),
  };
}

export async function storeNewImage(store: ImageStore, img: NewImage): Promise<ImageRecord> {
  const configBytes = Buffer.from(JSON.stringify(img.config));
  const manifest = manifestFor(configBytes, img.layers, img.format ?? 'oci');
  if (img.annotations && Object.keys(img.annotations).length && (img.format ?? 'oci') === 'oci') manifest.annotations = { ...img.annotations };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const configDigest = sha256Digest(configBytes);
  const digest = sha256Digest(manifestBytes);
  store.writeBlob(configDigest, configBytes);
  store.writeBlob(digest, manifestBytes);
  const now = new Date().toISOString();
  return store.update((idx) => {
    addLayers(idx, img.layers);
    const id = configDigest.slice(7);
    let rec = idx.images.find((i) => i.id === id);
    for (const n of img.names ?? []) untagEverywhere(idx, n);
    if (rec && rec.digest !== digest && img.names?.length) {
      // same config, another manifest (format or annotations changed): the newest wins
      rec.digest = digest;
      rec.manifestMediaType = manifest.mediaType!;
    }
    if (!rec) {
      rec = {
        id, names: [], repoDigests: [], digest, manifestMediaType: manifest.mediaType!, configDigest,
        layers: img.layers.map((l) => l.id), size: img.layers.reduce((a, l) => a + l.size, 0),
        created: img.config.created ?? now, added: now, labels: img.config.config?.Labels,
      };
      idx.images.push(rec);
    }
    for (const n of img.names ?? []) if (!rec.names.includes(n)) rec.names.push(n);
    return { ...rec };
  });
}
