// OCI image-spec and Docker v2 schema 2 shapes, and tspod's own store records.

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** One layer in the store: unpacked once under layers/<hex>/diff, shared by every image using it. */
export interface LayerRecord {
  /** uncompressed digest (diffID): the layer's identity */
  id: string;
  /** digest/size/mediaType of the compressed blob kept for push/save */
  compressedDigest: string;
  compressedSize: number;
  mediaType: string;
  /** uncompressed tar size */
  size: number;
  created: string;
  /**
   * The mode the layer's tar gives the root directory, when it has an entry for it: the
   * container's root takes the topmost one (else 0555, as containers/storage's overlay).
   */
  rootMode?: number | undefined;
}

/** One image in the index (images.json). Listing reads only this. */
export interface ImageRecord {
  /** config digest hex (64 chars) — the image ID */
  id: string;
  /** fully qualified names: registry/path:tag */
  names: string[];
  /** registry/path@sha256:... for each repository the manifest came from/went to */
  repoDigests: string[];
  /** manifest digest */
  digest: string;
  manifestMediaType: string;
  configDigest: string;
  /** diffIDs bottom to top */
  layers: string[];
  /** sum of uncompressed layer sizes */
  size: number;
  created: string;
  /** when stored locally */
  added: string;
  labels?: Record<string, string> | undefined;
  /** every name the image has had: the current ones, then earlier ones, most recent first */
  namesHistory?: string[] | undefined;
  /**
   * Set on a manifest list / image index (`manifest create`): a record with no config and no
   * layers whose `digest` is the index blob's. Maps each entry's manifest digest that was added
   * from a registry (not from the local store) to the repository (registry/path) it came from,
   * so `manifest push` can copy it.
   */
  listSources?: Record<string, string> | undefined;
}

/** Is this record a manifest list / image index (no config, no layers)? */
export function isManifestList(img: Pick<ImageRecord, 'manifestMediaType'>): boolean {
  return img.manifestMediaType === MT.ociIndex || img.manifestMediaType === MT.dockerManifestList;
}
