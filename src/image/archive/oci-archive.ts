// oci-archive / oci-dir: an OCI image layout (image-spec "image-layout"),
// either as a directory or as a tar of one.
//
//   oci-layout           {"imageLayoutVersion": "1.0.0"}
//   index.json           image index; each manifest descriptor may carry the
//                        annotation org.opencontainers.image.ref.name
//   blobs/sha256/<hex>   manifests, configs and layers, by digest
//
// Written from the stored blobs unchanged (compressed layers, config and, when
// it is an OCI manifest, the manifest), so digests survive a save/load round
// trip. Podman writes the full image name as ref.name and, when loading,
// qualifies a short ref.name with localhost/ ("v3" -> localhost/v3:latest);
// tspod does the same, and also honours containerd's io.containerd.image.name.
import { sha256Digest } from '../../storage/digest.js';
import { DigestMismatchError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { formatReference, normalize, parseReference, qualify } from '../reference.js';
import { hexOf } from '../store.js';
import { MT, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from '../types.js';
import type { ArchiveSink } from './sink.js';
import type { ArchiveSource } from './source.js';
import { chain, parseJSON, VerifyDigest } from './streams.js';
import { ArchiveFormatError, MAX_JSON, type ArchiveImage, type ExportImage } from './types.js';
import { uncompressedLayer } from './docker-archive.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export interface PlatformWanted { os: string; architecture: string }

export function hostPlatform(): PlatformWanted {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: map[process.arch] ?? process.arch };
}

export function isOciLayout(src: ArchiveSource): boolean { return src.has('index.json'); }

function checkDescriptor(d: unknown, what: string, label: string): asserts d is Descriptor {
  const x = d as Partial<Descriptor> | null;
  if (!x || typeof x !== 'object' || typeof x.digest !== 'string' || typeof x.size !== 'number' || !Number.isSafeInteger(x.size) || x.size < 0) {
    throw new ArchiveFormatError(`${label}: ${what} is not a valid descriptor (needs digest and size)`);
  }
  if (!DIGEST_RE.test(x.digest)) throw new ArchiveFormatError(`${label}: ${what} has an unsupported digest "${x.digest}" (only sha256 is supported)`);
}

/** Read a small blob and check its size and digest against its descriptor. */
export async function readVerifiedBlob(src: ArchiveSource, name: string, d: Descriptor, what: string): Promise<Buffer> {
  if (!src.has(name)) throw new ArchiveFormatError(`${src.label}: ${what} ${d.digest} is missing from the archive`);
  if (d.size > MAX_JSON) throw new ArchiveFormatError(`${src.label}: ${what} ${d.digest} is too large (${d.size} bytes)`);
  const buf = await src.read(name);
  if (buf.length !== d.size || sha256Digest(buf) !== d.digest) {
    throw new DigestMismatchError(`${src.label}: ${what} ${d.digest}: digest or size mismatch (got ${sha256Digest(buf)}, ${buf.length} bytes)`);
  }
  return buf;
}

/** Build an ArchiveImage from a manifest whose blobs live in `src` at blobPath(digest). */
export async function imageFromManifest(src: ArchiveSource, manifestBytes: Buffer, manifestDigest: string, mediaType: string,
  blobPath: (digest: string) => string, names: string[], source: ArchiveImage['source']): Promise<ArchiveImage> {
  const label = src.label;
  const m = parseJSON<Partial<ImageManifest>>(manifestBytes, `${label}: manifest ${manifestDigest}`);
  if (!m.config || !Array.isArray(m.layers)) throw new ArchiveFormatError(`${label}: manifest ${manifestDigest} has no config or layers`);
  checkDescriptor(m.config, 'the config descriptor', label);
  m.layers.forEach((l, i) => checkDescriptor(l, `layer descriptor ${i}`, label));
  const config = await readVerifiedBlob(src, blobPath(m.config.digest), m.config, 'config');
  const cfg = parseJSON<Partial<ImageConfig>>(config, `${label}: image config ${m.config.digest}`);
  const diffIDs = cfg.rootfs?.diff_ids;
  if (!Array.isArray(diffIDs) || diffIDs.some((d) => typeof d !== 'string' || !DIGEST_RE.test(d))) {
    throw new ArchiveFormatError(`${label}: image config ${m.config.digest} has no valid rootfs.diff_ids`);
  }
  if (diffIDs.length !== m.layers.length) {
    throw new ArchiveFormatError(`${label}: manifest ${manifestDigest} lists ${m.layers.length} layers but its config has ${diffIDs.length} diff_ids`);
  }
  const layers = m.layers.map((d, i) => {
    const p = blobPath(d.digest);
    if (!src.has(p)) throw new ArchiveFormatError(`${label}: layer blob ${d.digest} is missing from the archive`);
    return {
      diffID: diffIDs[i]!,
      path: p,
      descriptor: { digest: d.digest, size: d.size, mediaType: d.mediaType },
      open: () => src.open(p),
      head: (n: number) => src.head(p, n),
    };
  });
  return { names, config, configDigest: m.config.digest, manifest: { bytes: manifestBytes, digest: manifestDigest, mediaType }, layers, source };
}

function isIndexType(mt: string | undefined): boolean { return mt === MT.ociIndex || mt === MT.dockerManifestList; }
function isManifestType(mt: string | undefined): boolean { return mt === MT.ociManifest || mt === MT.dockerManifest; }

/** Name for an index entry, qualified like Podman (short names under localhost/). */
export function refNameToImageName(ann: Record<string, string> | undefined): string | undefined {
  const raw = ann?.[CONTAINERD_NAME] ?? ann?.[REF_NAME];
  if (!raw) return undefined;
  try {
    const ref = parseReference(raw);
    if (ref.digest && !ref.tag) return undefined;
    return formatReference(normalize(qualify({ ...ref, digest: undefined }, ref.registry ?? 'localhost')));
  } catch {
    log.warn(`ignoring image name annotation "${raw}": not a valid image name`);
    return undefined;
  }
}

function platformOf(d: Descriptor): string {
  return d.platform ? `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ''}` : 'unknown';
}

/** Read every image of an OCI layout; nested indexes resolve to the wanted platform. */
export async function readOciLayout(src: ArchiveSource, want: PlatformWanted = hostPlatform()): Promise<ArchiveImage[]> {
  const label = src.label;
  if (src.has('oci-layout')) {
    const lay = parseJSON<{ imageLayoutVersion?: unknown }>(await src.read('oci-layout'), `${label}: oci-layout`);
    if (typeof lay.imageLayoutVersion !== 'string') throw new ArchiveFormatError(`${label}: oci-layout has no imageLayoutVersion`);
    if (!lay.imageLayoutVersion.startsWith('1.')) throw new ArchiveFormatError(`${label}: unsupported OCI layout version ${lay.imageLayoutVersion}`);
  }
  const index = parseJSON<Partial<ImageIndex>>(await src.read('index.json'), `${label}: index.json`);
  if (!Array.isArray(index.manifests)) throw new ArchiveFormatError(`${label}: index.json has no "manifests" list`);
  if (index.manifests.length === 0) throw new ArchiveFormatError(`${label}: index.json lists no images`);
  const blobPath = (digest: string): string => `blobs/sha256/${hexOf(digest)}`;

  const resolve = async (d: Descriptor, depth: number, names: string[]): Promise<ArchiveImage> => {
    if (depth > 4) throw new ArchiveFormatError(`${label}: image indexes nested too deeply`);
    const bytes = await readVerifiedBlob(src, blobPath(d.digest), d, 'manifest');
    const doc = parseJSON<{ mediaType?: string; manifests?: unknown; config?: unknown; layers?: unknown }>(bytes, `${label}: manifest ${d.digest}`);
    const mt = doc.mediaType ?? d.mediaType;
    if (isIndexType(mt) || (!isManifestType(mt) && Array.isArray(doc.manifests))) {
      const idx = doc as Partial<ImageIndex>;
      if (!Array.isArray(idx.manifests)) throw new ArchiveFormatError(`${label}: image index ${d.digest} has no "manifests" list`);
      idx.manifests.forEach((c, i) => checkDescriptor(c, `entry ${i} of image index ${d.digest}`, label));
      const pick = pickPlatform(idx.manifests, want);
      if (!pick) throw new ArchiveFormatError(`${label}: image index ${d.digest} has no image for ${want.os}/${want.architecture} (it has: ${idx.manifests.map(platformOf).join(', ') || 'nothing'})`);
      return resolve(pick, depth + 1, names);
    }
    if (isManifestType(mt) || (doc.config && Array.isArray(doc.layers))) {
      return imageFromManifest(src, bytes, d.digest, mt ?? MT.ociManifest, blobPath, names, 'oci');
    }
    throw new ArchiveFormatError(`${label}: ${d.digest} has unsupported media type "${mt ?? 'none'}" (not an image manifest or index)`);
  };

  const out: ArchiveImage[] = [];
  for (const [i, d] of index.manifests.entries()) {
    checkDescriptor(d, `index.json entry ${i}`, label);
    const name = refNameToImageName(d.annotations);
    const img = await resolve(d, 0, name ? [name] : []);
    const same = out.find((o) => o.configDigest === img.configDigest && o.manifest?.digest === img.manifest?.digest);
    if (same) { for (const n of img.names) if (!same.names.includes(n)) same.names.push(n); continue; }
    out.push(img);
  }
  return out;
}

/** The manifest for `want` in an index: exact os/arch; a single platform-less entry also counts. */
export function pickPlatform(manifests: Descriptor[], want: PlatformWanted): Descriptor | undefined {
  const exact = manifests.find((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture);
  if (exact) return exact;
  const bare = manifests.filter((m) => !m.platform && isManifestType(m.mediaType));
  return bare.length === 1 ? bare[0] : undefined;
}

const OCI_LAYER_TYPE: Record<string, string> = {
  [MT.dockerLayerGzip]: MT.ociLayerGzip,
  [MT.dockerLayerForeign]: MT.ociLayerGzip,
  [MT.ociLayerGzip]: MT.ociLayerGzip,
  [MT.ociLayerTar]: MT.ociLayerTar,
  [MT.ociLayerZstd]: MT.ociLayerZstd,
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': MT.ociLayerGzip,
};

/** Does the stored manifest describe exactly these config and layer blobs? */
export function manifestMatches(img: ExportImage, mediaTypes: string[]): boolean {
  if (!img.manifest || !mediaTypes.includes(img.manifest.mediaType)) return false;
  let m: Partial<ImageManifest>;
  try { m = JSON.parse(img.manifest.bytes.toString('utf8')) as Partial<ImageManifest>; } catch { return false; }
  if (m.config?.digest !== img.configDigest || !Array.isArray(m.layers) || m.layers.length !== img.layers.length) return false;
  return m.layers.every((l, i) => l.digest === img.layers[i]!.compressedDigest && l.size === img.layers[i]!.compressedSize);
}

/** The OCI manifest to write for an image: the stored one when it is OCI and fits, else a fresh one. */
export function ociManifestFor(img: ExportImage, uncompressed = false): { bytes: Buffer; digest: string } {
  if (!uncompressed && img.manifest && manifestMatches(img, [MT.ociManifest])) return { bytes: img.manifest.bytes, digest: img.manifest.digest };
  const m: ImageManifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: img.configDigest, size: img.config.length },
    layers: img.layers.map((l) => (uncompressed ? { mediaType: MT.ociLayerTar, digest: l.diffID, size: l.size }
      : { mediaType: OCI_LAYER_TYPE[l.mediaType] ?? MT.ociLayerGzip, digest: l.compressedDigest, size: l.compressedSize })),
  };
  const bytes = Buffer.from(JSON.stringify(m));
  return { bytes, digest: sha256Digest(bytes) };
}

/** Write images as an OCI layout (tar or directory). Blobs shared by several images are written once. */
export async function writeOciLayout(sink: ArchiveSink, images: ExportImage[], opts: { uncompressed?: boolean | undefined } = {}): Promise<void> {
  await sink.addBuffer('oci-layout', Buffer.from('{"imageLayoutVersion": "1.0.0"}'));
  await sink.addDir('blobs');
  await sink.addDir('blobs/sha256');
  const written = new Set<string>();
  const index: ImageIndex = { schemaVersion: 2, manifests: [] };
  for (const img of images) {
    for (const l of img.layers) {
      // --uncompressed: the layer's plain tar, named by its diffID
      if (opts.uncompressed) {
        if (written.has(l.diffID)) continue;
        written.add(l.diffID);
        await sink.addStream(`blobs/sha256/${hexOf(l.diffID)}`, l.size, await uncompressedLayer(l));
        continue;
      }
      if (written.has(l.compressedDigest)) continue;
      written.add(l.compressedDigest);
      const data = chain(l.openCompressed(), new VerifyDigest({ digest: l.compressedDigest, size: l.compressedSize }, `stored layer blob ${l.compressedDigest}`));
      await sink.addStream(`blobs/sha256/${hexOf(l.compressedDigest)}`, l.compressedSize, data);
    }
    if (!written.has(img.configDigest)) {
      written.add(img.configDigest);
      await sink.addBuffer(`blobs/sha256/${hexOf(img.configDigest)}`, img.config);
    }
    const man = ociManifestFor(img, opts.uncompressed);
    if (!written.has(man.digest)) {
      written.add(man.digest);
      await sink.addBuffer(`blobs/sha256/${hexOf(man.digest)}`, man.bytes);
    }
    const desc: Descriptor = { mediaType: MT.ociManifest, digest: man.digest, size: man.bytes.length };
    if (img.names[0]) desc.annotations = { [REF_NAME]: img.names[0] };
    index.manifests.push(desc);
  }
  await sink.addBuffer('index.json', Buffer.from(JSON.stringify(index)));
}
