// An image's config blob (the OCI image configuration), read from the store.
import { ImageStore } from './store.js';
import type { ImageConfig, ImageRecord } from './types.js';
import { TspodError, errorMessage } from '../util/errors.js';

/** The parsed config of an image; a corrupt blob is a clear error. */
export function readImageConfig(img: ImageRecord, store = new ImageStore()): ImageConfig {
  const buf = store.readBlob(img.configDigest);
  try { return JSON.parse(buf.toString('utf8')) as ImageConfig; } catch (err) { throw new TspodError(`image ${img.id.slice(0, 12)}: config blob is not valid JSON: ${errorMessage(err)}`); }
}
