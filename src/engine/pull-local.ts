// The local half of a pull with policy "missing" or "never": the image when the store has it
// under that name. A module of its own, light (the image store and its names), so a build or a
// run whose image is here loads none of the registry or pull code. It also tells which references
// name an archive transport (docker-archive:, oci-archive:, oci:, dir:), which are never looked up here.
import * as fs from 'node:fs';
import { findImage, type ImageStore } from '../image/store.js';
import { isManifestList } from '../image/types.js';
import { NotFoundError } from '../util/errors.js';
import type { PullOptions, PullReport } from './pull.js';

/** registries.conf's unqualified-search registries. */
export async function searchList(): Promise<string[]> {
  const { searchRegistries } = await import('../registry/registries-conf.js');
  return searchRegistries();
}

/** An image reference with a transport other than a registry's: docker-archive:PATH[:REF], oci-archive:, oci:, dir:. */
export function archiveTransport(reference: string): { path: string; ref?: string | undefined } | undefined {
  const m = /^(docker-archive|oci-archive|oci|dir):(.+)$/.exec(reference);
  if (!m) return undefined;
  const rest = m[2]!;
  // PATH[:REF]: the whole rest when it exists (a path may hold a colon), else split at the first colon
  const i = rest.indexOf(':');
  if (m[1] === 'dir' || i < 0 || fs.existsSync(rest)) return { path: rest };
  return { path: rest.slice(0, i), ref: rest.slice(i + 1) || undefined };
}

/**
 * For policy missing/never and a plain image name (no transport): the local image, or for
 * "never" a NotFoundError; undefined when the pull must go on (or the policy is another).
 */
export async function localPull(opts: PullOptions, store: ImageStore): Promise<PullReport | undefined> {
  const policy = opts.policy ?? 'always';
  if ((policy !== 'missing' && policy !== 'never') || archiveTransport(opts.reference) || opts.reference.startsWith('docker://')) return undefined;
  // every `run` comes here: match the local names first, and read registries.conf (a TOML
  // parser and a few files) only for a short name that matched nothing
  const images = store.listImages();
  const local = findImage(images, opts.reference) ?? findImage(images, opts.reference, await searchList().catch(() => ['docker.io']));
  if (local && isManifestList(local)) {
    // a local manifest list: its image for the platform, which must be local too (as Podman)
    const { listInstance } = await import('../image/manifest-list.js');
    const img = listInstance(local, store, opts.platform);
    return { id: img.id, names: img.names, digest: img.digest, pulled: false };
  }
  if (local) return { id: local.id, names: local.names, digest: local.digest, pulled: false };
  if (policy === 'never') throw new NotFoundError(`${opts.reference}: image not known`);
  return undefined;
}
