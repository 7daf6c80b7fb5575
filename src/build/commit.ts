// Storing a built image: image/commit.ts storeNewImage with the build's names,
// --format media types and --annotation manifest annotations.
import { sha256Digest } from '../storage/digest.js';
import type { ImageStore } from '../image/store.js';
import { storeNewImage } from '../image/commit.js';
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
  return storeNewImage(store, img);
}
