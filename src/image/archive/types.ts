// Shapes shared by the archive readers and writers. The archive code knows
// nothing about the image store: the engine (src/engine/archive.ts) turns
// store records into ExportImages and ArchiveImages into store records.
import type { Readable } from 'node:stream';
import { TspodError } from '../../util/errors.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive' | 'oci-dir' | 'docker-dir';
export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['docker-archive', 'oci-archive', 'oci-dir', 'docker-dir'];

/** The input is not a well-formed archive of a supported kind. */
export class ArchiveFormatError extends TspodError {
  constructor(message: string) { super(message, 'EBADARCHIVE'); }
}

/** One layer found in an archive, to be unpacked and stored. */
export interface ArchiveLayer {
  /** expected diffID (from the config's rootfs.diff_ids) */
  diffID: string;
  /** where it is in the archive, for messages */
  path: string;
  /** descriptor of the blob when the archive has one (OCI layouts, dir): digest/size are verified */
  descriptor?: { digest: string; size: number; mediaType: string } | undefined;
  open(): Readable;
  /** first bytes of the blob, to tell gzip from plain tar without consuming it */
  head(n: number): Promise<Buffer>;
}

/** One image found in an archive. */
export interface ArchiveImage {
  /** fully qualified names to give the image (may be empty) */
  names: string[];
  config: Buffer;
  configDigest: string;
  /** the archive's own manifest, when it has one (kept when layer blobs are kept unchanged) */
  manifest?: { bytes: Buffer; digest: string; mediaType: string } | undefined;
  layers: ArchiveLayer[];
  /** which archive format it came from (decides the kind of manifest built for it) */
  source: 'docker-archive' | 'oci' | 'docker-dir';
}

/** One stored layer to be written into an archive. */
export interface ExportLayer {
  diffID: string;
  /** uncompressed size */
  size: number;
  compressedDigest: string;
  compressedSize: number;
  mediaType: string;
  /** the stored (compressed) blob */
  openCompressed(): Readable;
}

/** One stored image to be written into an archive. */
export interface ExportImage {
  id: string;
  /** names for the archive (RepoTags / ref.name), fully qualified */
  names: string[];
  config: Buffer;
  configDigest: string;
  /** the stored manifest, reused when it fits the target format */
  manifest?: { bytes: Buffer; digest: string; mediaType: string } | undefined;
  layers: ExportLayer[];
}

/** Largest JSON document (manifest, index, config) read into memory from an archive. */
export const MAX_JSON = 32 * 1024 * 1024;
