// `tspod push`: upload an image's blobs (skipping those the registry has,
// mounting those another repository of the same registry has) and then its
// manifest. The stored manifest is pushed byte for byte when it matches the
// stored blobs, so digests survive a pull/push round trip.
import * as fs from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { ImageStore } from '../image/store.js';
import { formatReference, normalize, parseReference, qualify } from '../image/reference.js';
import { manifestFor } from '../image/commit.js';
import { MT, isManifestList, type ImageManifest, type LayerRecord } from '../image/types.js';
import { InvalidArgumentError, RegistryError, TspodError } from '../util/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { parseCreds } from './pull.js';
import { imageEvent } from './events.js';

/** Progress of a push, as {@link PushOptions.onEvent} receives it. */
export type PushEvent =
  | { type: 'push-start'; reference: string }
  | { type: 'blob-skip'; digest: string; reason: 'exists' | 'mounted' }
  | { type: 'blob-start'; digest: string; size: number; config?: boolean }
  | { type: 'blob-progress'; digest: string; bytes: number; size: number }
  | { type: 'blob-done'; digest: string; size: number }
  | { type: 'manifest'; digest: string };

export interface PushOptions {
  source: string;
  destination?: string | undefined;
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
  certDir?: string | undefined;
  format?: 'oci' | 'v2s2' | undefined;
  digestfile?: string | undefined;
  parallel?: number;
  onEvent?: (e: PushEvent) => void;
}

export interface PushReport { destination: string; digest: string }

function stripTransport(s: string): string {
  if (s.startsWith('docker://')) return s.slice('docker://'.length);
  const m = /^([a-z-]+):(?!\d)/.exec(s);
  if (m && ['oci', 'oci-archive', 'docker-archive', 'dir', 'containers-storage', 'docker-daemon'].includes(m[1]!)) {
    throw new InvalidArgumentError(`push to the "${m[1]}" transport is not supported: use "tspod save" for archives, or a docker:// registry reference`);
  }
  return s;
}

async function pushImageUnrecorded(opts: PushOptions, store = new ImageStore()): Promise<PushReport> {
  const emit = opts.onEvent ?? (() => undefined);
  const idx = store.read();
  const img = store.resolve(opts.source, idx);
  if (isManifestList(img)) {
    // `push LIST DEST` pushes the list and its images, as `manifest push` (as Podman)
    const { pushManifest } = await import('./manifest-push.js');
    const r = await pushManifest({ list: img.id, destination: opts.destination ?? opts.source, format: opts.format, digestfile: opts.digestfile,
      tlsVerify: opts.tlsVerify, authfile: opts.authfile, creds: opts.creds, certDir: opts.certDir, onEvent: (e) => { if (e.type !== 'list-copy' && e.type !== 'list-manifest') opts.onEvent?.(e); } }, store);
    return { destination: r.destination, digest: r.digest };
  }
  const destInput = stripTransport(opts.destination ?? opts.source);
  const parsed = parseReference(destInput);
  if (!parsed.registry) {
    // A short name: the image's own fully qualified name with that registry, like Podman.
    const own = img.names.find((n) => n.endsWith(`/${parsed.path}:${parsed.tag ?? 'latest'}`));
    if (!own) throw new InvalidArgumentError(`cannot push "${destInput}": the destination needs a registry, e.g. 127.0.0.1:5000/${parsed.path}:${parsed.tag ?? 'latest'}`);
    return pushImage({ ...opts, destination: own }, store);
  }
  if (parsed.registry === 'localhost') throw new InvalidArgumentError(`cannot push to "${destInput}": "localhost" names only local images; tag it with a registry first (tspod tag ${opts.source} HOST[:PORT]/${parsed.path})`);
  const ref = normalize(qualify(parsed, parsed.registry));
  const dest = formatReference(ref);
  emit({ type: 'push-start', reference: dest });

  const layerMap = new Map(idx.layers.map((l) => [l.id, l]));
  const layers: LayerRecord[] = img.layers.map((id) => {
    const l = layerMap.get(id);
    if (!l) throw new TspodError(`image ${img.id.slice(0, 12)}: layer ${id} is missing from the store index`, 'ECORRUPT');
    if (!store.hasBlob(l.compressedDigest)) throw new TspodError(`image ${img.id.slice(0, 12)}: blob ${l.compressedDigest} of layer ${id} is missing from the store`, 'ECORRUPT');
    return l;
  });
  const configBytes = store.readBlob(img.configDigest);
  let manifestBytes = store.readBlob(img.digest);
  let mediaType = img.manifestMediaType;
  const stored = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  const wantDocker = opts.format === 'v2s2' ? true : opts.format === 'oci' ? false : mediaType === MT.dockerManifest;
  const matches = Array.isArray(stored.layers) && stored.layers.length === layers.length && stored.layers.every((d, i) => d.digest === layers[i]!.compressedDigest)
    && (opts.format === undefined || (mediaType === MT.dockerManifest) === wantDocker);
  if (!matches) {
    const m = manifestFor(configBytes, layers, wantDocker ? 'docker' : 'oci');
    manifestBytes = Buffer.from(JSON.stringify(m));
    mediaType = m.mediaType!;
  }

  const { RegistryClient } = await import('../registry/client.js');
  const { endpointsFor } = await import('../registry/registries-conf.js');
  const ep = endpointsFor(ref, { push: true })[0]!;
  const client = new RegistryClient(ep.registry, { tlsVerify: opts.tlsVerify ?? (ep.insecure ? false : undefined), authfile: opts.authfile, credentials: parseCreds(opts.creds), certDir: opts.certDir });
  const repo = ep.repository;
  // other repositories of the same registry that hold this image: candidates for cross-repo mounts
  const mountFrom = [...new Set(img.repoDigests.map((d) => d.split('@')[0]!).concat(img.names.map((n) => n.slice(0, n.lastIndexOf(':'))))
    .filter((r) => r.startsWith(`${ep.registry}/`)).map((r) => r.slice(ep.registry.length + 1)).filter((r) => r !== repo))];
  try {
    const blobs = [...layers.map((l) => ({ digest: l.compressedDigest, size: l.compressedSize })), { digest: img.configDigest, size: configBytes.length }];
    const seen = new Set<string>();
    const unique = blobs.filter((b) => !seen.has(b.digest) && seen.add(b.digest));
    let next = 0;
    let failed: unknown;
    const worker = async () => {
      while (next < unique.length && failed === undefined) {
        const b = unique[next++]!;
        try {
          if (await client.blobExists(repo, b.digest)) { emit({ type: 'blob-skip', digest: b.digest, reason: 'exists' }); continue; }
          let mounted = false;
          for (const from of mountFrom) {
            if (await client.mountBlob(repo, b.digest, from)) { mounted = true; break; }
          }
          if (mounted) { emit({ type: 'blob-skip', digest: b.digest, reason: 'mounted' }); continue; }
          emit({ type: 'blob-start', digest: b.digest, size: b.size, config: b.digest === img.configDigest });
          const file = store.blobPath(b.digest);
          await client.uploadBlob(repo, b, () => {
            // count what passes through rather than listen for 'data' on the file stream: a listener
            // starts the flow at once, and chunks read before the HTTP client takes the body are lost
            let bytes = 0;
            const counter = new Transform({
              transform(chunk: Buffer, _enc, cb) { bytes += chunk.length; emit({ type: 'blob-progress', digest: b.digest, bytes, size: b.size }); cb(null, chunk); },
            });
            return pipeline(fs.createReadStream(file), counter, () => { /* an error destroys counter, which fails the request */ });
          });
          emit({ type: 'blob-done', digest: b.digest, size: b.size });
        } catch (err) { if (failed === undefined) failed = err; }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 6, unique.length) }, worker));
    if (failed !== undefined) throw failed;
    const digest = await client.putManifest(repo, ref.tag ?? ref.digest ?? 'latest', manifestBytes, mediaType);
    emit({ type: 'manifest', digest });
    if (!matches) store.writeBlob(digest, manifestBytes);
    await store.update((ix) => {
      const rec = ix.images.find((i) => i.id === img.id);
      const rd = `${ref.registry}/${ref.path}@${digest}`;
      if (rec && !rec.repoDigests.includes(rd)) rec.repoDigests.push(rd);
    });
    if (opts.digestfile) writeFileAtomic(opts.digestfile, digest, 0o644);
    return { destination: dest, digest };
  } catch (err) {
    if (err instanceof TspodError) throw err;
    throw new RegistryError(`pushing ${dest}: ${(err as Error).message}`);
  } finally {
    await client.close();
  }
}

/** {@link pushImageUnrecorded}, recorded in the events log. */
export async function pushImage(...args: Parameters<typeof pushImageUnrecorded>): Promise<PushReport> {
  const r = await pushImageUnrecorded(...args);
  imageEvent('push', r.digest, r.destination);
  return r;
}
