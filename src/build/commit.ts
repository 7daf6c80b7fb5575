// Storing a built image: like image/commit.ts storeNewImage, plus manifest
// annotations (--annotation) and the media types of --format.
import { sha256Digest } from '../storage/digest.js';
import { untagEverywhere, type ImageStore } from '../image/store.js';
import { addLayers } from '../image/ingest.js';
import { manifestFor } from '../image/commit.js';
import type { ImageConfig, ImageRecord, LayerRecord } from '../image/types.js';

export interface BuiltImageSpec {
  config: ImageConfig;
  layers: LayerRecord[];
  names: string[];
  format: 'oci' | 'docker';
  annotations?: Record<string, string> | undefined;
}

/** The image ID a config will get (the digest of its JSON). */
export function configId(config: ImageConfig): string {
  return sha256Digest(Buffer.from(JSON.stringify(config))).slice(7);
}

export async function storeBuiltImage(store: ImageStore, img: BuiltImageSpec): Promise<ImageRecord> {
  const configBytes = Buffer.from(JSON.stringify(img.config));
  const manifest = manifestFor(configBytes, img.layers, img.format);
  if (img.annotations && Object.keys(img.annotations).length && img.format === 'oci') manifest.annotations = { ...img.annotations };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const configDigest = sha256Digest(configBytes);
  const digest = sha256Digest(manifestBytes);
  store.writeBlob(configDigest, configBytes);
  store.writeBlob(digest, manifestBytes);
  const now = new Date().toISOString();
  return store.update((idx) => {
    addLayers(idx, img.layers);
    const id = configDigest.slice(7);
    for (const n of img.names) untagEverywhere(idx, n);
    let rec = idx.images.find((i) => i.id === id);
    if (rec && rec.digest !== digest && img.names.length) {
      // same config, different manifest (format or annotations changed): the newest wins
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
    for (const n of img.names) if (!rec.names.includes(n)) rec.names.push(n);
    return { ...rec };
  });
}
