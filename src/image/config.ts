// An image's config blob (the OCI image configuration), read from the store.
import { ImageStore } from './store.js';
import { isManifestList, type ImageConfig, type ImageRecord } from './types.js';
import { InvalidArgumentError, TspodError, errorMessage } from '../util/errors.js';

/** The parsed config of an image; a corrupt blob is a clear error. */
export function readImageConfig(img: ImageRecord, store = new ImageStore()): ImageConfig {
  // a manifest list has no config: callers that can use one resolve it to an entry's image first
  if (isManifestList(img)) throw new InvalidArgumentError(`${img.names[0] ?? img.id.slice(0, 12)} is a manifest list, not an image: use one of its images`);
  const buf = store.readBlob(img.configDigest);
  try { return JSON.parse(buf.toString('utf8')) as ImageConfig; } catch (err) { throw new TspodError(`image ${img.id.slice(0, 12)}: config blob is not valid JSON: ${errorMessage(err)}`); }
}
