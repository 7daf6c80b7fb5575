// docker-dir: containers/image's "dir" transport, one image in a directory.
//
//   version         "Directory Transport Version: 1.1\n"
//   manifest.json   a Docker v2s2 (or OCI) manifest
//   <hex>           each blob (config, layers) by digest hex
//
// Podman writes layers uncompressed unless --compress is given; so does tspod
// (uncompressed layer blobs are then named by their diffID).
import { sha256Digest } from '../../storage/digest.js';
import { hexOf } from '../store.js';
import { MT, type ImageManifest } from '../types.js';
import { manifestMatches, imageFromManifest } from './oci-archive.js';
import type { ArchiveSink } from './sink.js';
import type { ArchiveSource } from './source.js';
import { chain, parseJSON, VerifyDigest } from './streams.js';
import { uncompressedLayer } from './docker-archive.js';
import { ArchiveFormatError, type ArchiveImage, type ExportImage } from './types.js';

const VERSION = 'Directory Transport Version: 1.1\n';
const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

export function isDockerDir(src: ArchiveSource): boolean { return src.has('version') && src.has('manifest.json'); }

export async function readDockerDir(src: ArchiveSource): Promise<ArchiveImage[]> {
  const v = (await src.read('version')).toString('utf8');
  if (!v.startsWith('Directory Transport Version: 1.')) throw new ArchiveFormatError(`${src.label}: unsupported dir transport version "${v.trim()}"`);
  const bytes = await src.read('manifest.json');
  const doc = parseJSON<{ mediaType?: string }>(bytes, `${src.label}: manifest.json`);
  const mt = doc.mediaType ?? MT.ociManifest;
  if (mt !== MT.ociManifest && mt !== MT.dockerManifest) throw new ArchiveFormatError(`${src.label}: manifest.json has unsupported media type "${mt}"`);
  return [await imageFromManifest(src, bytes, sha256Digest(bytes), mt, (d) => hexOf(d), [], 'docker-dir')];
}

export async function writeDockerDir(sink: ArchiveSink, img: ExportImage, compress: boolean): Promise<void> {
  await sink.addBuffer('version', Buffer.from(VERSION));
  let manifest: Buffer;
  if (compress) {
    for (const l of img.layers) {
      await sink.addStream(hexOf(l.compressedDigest), l.compressedSize, chain(l.openCompressed(), new VerifyDigest({ digest: l.compressedDigest, size: l.compressedSize }, `stored layer blob ${l.compressedDigest}`)));
    }
    manifest = img.manifest && manifestMatches(img, [MT.dockerManifest]) ? img.manifest.bytes : Buffer.from(JSON.stringify(v2s2(img, true)));
  } else {
    for (const l of img.layers) await sink.addStream(hexOf(l.diffID), l.size, await uncompressedLayer(l));
    manifest = Buffer.from(JSON.stringify(v2s2(img, false)));
  }
  await sink.addBuffer(hexOf(img.configDigest), img.config);
  await sink.addBuffer('manifest.json', manifest);
}

function v2s2(img: ExportImage, compressed: boolean): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, size: img.config.length, digest: img.configDigest },
    layers: img.layers.map((l) => compressed
      ? { mediaType: MT.dockerLayerGzip, size: l.compressedSize, digest: l.compressedDigest }
      : { mediaType: DOCKER_LAYER_TAR, size: l.size, digest: l.diffID }),
  };
}
