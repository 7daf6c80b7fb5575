// Image archives: detect and read what `load` is given; write what `save` makes.
import { readDockerArchive, writeDockerArchive, isDockerArchive } from './docker-archive.js';
import { readDockerDir, writeDockerDir, isDockerDir } from './docker-dir.js';
import { readOciLayout, writeOciLayout, isOciLayout, type PlatformWanted } from './oci-archive.js';
import type { ArchiveSink } from './sink.js';
import type { ArchiveSource } from './source.js';
import { ArchiveFormatError, type ArchiveFormat, type ArchiveImage, type ExportImage } from './types.js';

export * from './types.js';
export { openSource, TarSource, DirSource, type ArchiveSource } from './source.js';
export { TarSink, DirSink, type ArchiveSink } from './sink.js';
export { readDockerArchive, writeDockerArchive } from './docker-archive.js';
export { readOciLayout, writeOciLayout, ociManifestFor, pickPlatform, hostPlatform } from './oci-archive.js';
export { readDockerDir, writeDockerDir } from './docker-dir.js';

export type DetectedFormat = 'docker-archive' | 'oci' | 'docker-dir';

export function detectFormat(src: ArchiveSource): DetectedFormat {
  if (isDockerDir(src)) return 'docker-dir';
  if (isDockerArchive(src)) return 'docker-archive';
  if (isOciLayout(src)) return 'oci';
  throw new ArchiveFormatError(`${src.label}: payload does not match any of the supported image formats (docker-archive: no manifest.json; oci-archive/oci-dir: no index.json; docker-dir: no version file)`);
}

/** Every image in an archive (tar or directory), whatever its format. */
export async function readArchive(src: ArchiveSource, platform?: PlatformWanted): Promise<{ format: DetectedFormat; images: ArchiveImage[] }> {
  const format = detectFormat(src);
  const images = format === 'docker-archive' ? await readDockerArchive(src)
    : format === 'oci' ? await readOciLayout(src, platform)
      : await readDockerDir(src);
  return { format, images };
}

export async function writeArchive(sink: ArchiveSink, format: ArchiveFormat, images: ExportImage[], opts: { compress?: boolean; uncompressed?: boolean | undefined } = {}): Promise<void> {
  switch (format) {
    case 'docker-archive': return writeDockerArchive(sink, images);
    case 'oci-archive':
    case 'oci-dir': return writeOciLayout(sink, images, { uncompressed: opts.uncompressed });
    case 'docker-dir': {
      if (images.length !== 1) throw new ArchiveFormatError('docker-dir holds exactly one image');
      return writeDockerDir(sink, images[0]!, opts.compress ?? false);
    }
  }
}
