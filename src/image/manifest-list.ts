// A manifest list / image index kept in the image store (see src/engine/manifest.ts): its
// index, and the local image of its entry for a platform (run, create, inspect of a list).
import type { ImageStore } from './store.js';
import { isManifestList, type Descriptor, type ImageIndex, type ImageRecord } from './types.js';
import { defaultPlatform, parsePlatform, selectPlatform } from './platform.js';
import { NotFoundError, TspodError, errorMessage } from '../util/errors.js';

/** The index of a list record, as stored. */
export function readIndex(img: ImageRecord, store: ImageStore): ImageIndex {
  let doc: ImageIndex;
  try { doc = JSON.parse(store.readBlob(img.digest).toString('utf8')) as ImageIndex; } catch (err) {
    if (err instanceof TspodError) throw err;
    throw new TspodError(`manifest list ${img.id.slice(0, 12)}: the stored index is not valid JSON: ${errorMessage(err)}`, 'ECORRUPT');
  }
  if (!Array.isArray(doc.manifests)) doc.manifests = [];
  return doc;
}

/**
 * A local list named where an image is wanted (run, create, image inspect): the image of its
 * entry for this platform (or `platform`), which must be in local storage.
 */
export function listInstance(list: ImageRecord, store: ImageStore, platform?: string): ImageRecord {
  const want = platform ? parsePlatform(platform) : defaultPlatform();
  const index = readIndex(list, store);
  const miss = () => new NotFoundError(`no image found in manifest list for architecture ${want.architecture}, variant "${want.variant ?? ''}", OS ${want.os}: image not known`);
  let d: Descriptor;
  try { d = selectPlatform(index, want, list.names[0] ?? list.id); } catch { throw miss(); }
  const img = store.listImages().find((i) => i.digest === d.digest && !isManifestList(i));
  if (!img) throw miss();
  return img;
}
