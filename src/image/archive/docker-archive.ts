// docker-archive: the `docker save` format.
//
//   manifest.json        [{ "Config": "<hex>.json", "RepoTags": ["repo:tag"], "Layers": ["<diffid-hex>.tar", ...] }]
//   repositories         { "repo": { "tag": "<legacy top layer id>" } }   (legacy, for very old readers)
//   <config-hex>.json    the image config (its sha256 is the image ID)
//   <diffid-hex>.tar     each layer as an UNCOMPRESSED tar
//   <legacy-id>/{VERSION,json,layer.tar -> ../<diffid-hex>.tar}   legacy v1 layout
//
// This is the layout Podman 4 (containers/image) writes; `docker load` and
// `podman load` read it. Reading also accepts the older `<id>/layer.tar`
// layout (manifest.json names whatever path the layer has), gzip-compressed
// layer tars, and several images in one manifest.json; legacy files are
// ignored.
import type { Readable } from 'node:stream';
import { sha256Digest, sha256Hex } from '../../storage/digest.js';
import { formatReference, normalize, parseReference, qualify, DEFAULT_REGISTRY } from '../reference.js';
import { hexOf } from '../store.js';
import type { ImageConfig } from '../types.js';
import type { ArchiveSource } from './source.js';
import type { ArchiveSink } from './sink.js';
import { chain, decompressed, parseJSON, VerifyDigest } from './streams.js';
import { ArchiveFormatError, type ArchiveImage, type ExportImage, type ExportLayer } from './types.js';

interface ManifestEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }

/** A name from RepoTags, qualified the way containers/image does: short names are docker.io names. */
export function normalizeRepoTag(tag: string, label: string): string {
  let ref;
  try { ref = parseReference(tag); } catch (err) {
    throw new ArchiveFormatError(`${label}: manifest.json has an invalid RepoTags entry "${tag}": ${(err as Error).message}`);
  }
  if (ref.digest) throw new ArchiveFormatError(`${label}: manifest.json RepoTags entry "${tag}" has a digest; only tags are allowed`);
  return formatReference(normalize(qualify(ref, ref.registry ?? DEFAULT_REGISTRY)));
}

export function isDockerArchive(src: ArchiveSource): boolean { return src.has('manifest.json') && !src.has('version'); }

/** Read every image of a docker-archive. Configs are read and checked; layers are opened lazily. */
export async function readDockerArchive(src: ArchiveSource): Promise<ArchiveImage[]> {
  const label = src.label;
  const entries = parseJSON<unknown>(await src.read('manifest.json'), `${label}: manifest.json`);
  if (!Array.isArray(entries)) throw new ArchiveFormatError(`${label}: manifest.json is not a list of images (is this a docker-archive?)`);
  if (entries.length === 0) throw new ArchiveFormatError(`${label}: manifest.json lists no images`);
  const out: ArchiveImage[] = [];
  for (const [i, raw] of entries.entries()) {
    const e = raw as Partial<ManifestEntry>;
    if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || e.Layers.some((l) => typeof l !== 'string')) {
      throw new ArchiveFormatError(`${label}: manifest.json entry ${i} needs a "Config" file name and a "Layers" list`);
    }
    if (e.RepoTags != null && (!Array.isArray(e.RepoTags) || e.RepoTags.some((t) => typeof t !== 'string'))) {
      throw new ArchiveFormatError(`${label}: manifest.json entry ${i} has a malformed "RepoTags" list`);
    }
    const config = await src.read(e.Config);
    const configDigest = sha256Digest(config);
    const cfg = parseJSON<Partial<ImageConfig>>(config, `${label}: image config ${e.Config}`);
    const diffIDs = cfg.rootfs?.diff_ids;
    if (!Array.isArray(diffIDs) || diffIDs.some((d) => typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d))) {
      throw new ArchiveFormatError(`${label}: image config ${e.Config} has no valid rootfs.diff_ids`);
    }
    if (diffIDs.length !== e.Layers.length) {
      throw new ArchiveFormatError(`${label}: image ${configDigest.slice(7, 19)} lists ${e.Layers.length} layers in manifest.json but its config has ${diffIDs.length} diff_ids`);
    }
    for (const l of e.Layers) if (!src.has(l)) throw new ArchiveFormatError(`${label}: layer "${l}" listed in manifest.json is missing from the archive`);
    const names = (e.RepoTags ?? []).map((t) => normalizeRepoTag(t, label));
    out.push({
      names: [...new Set(names)],
      config,
      configDigest,
      source: 'docker-archive',
      layers: e.Layers.map((p, li) => ({
        diffID: diffIDs[li]!,
        path: p,
        open: () => src.open(p),
        head: (n: number) => src.head(p, n),
      })),
    });
  }
  return out;
}

/** The layer's uncompressed tar, verified against its diffID and size while it streams. */
export async function uncompressedLayer(l: ExportLayer): Promise<Readable> {
  const plain = await decompressed(l.openCompressed(), `layer ${l.diffID}`);
  return chain(plain, new VerifyDigest({ digest: l.diffID, size: l.size }, `stored layer ${l.diffID} (blob ${l.compressedDigest})`));
}

/** Legacy v1 IDs: a chain over the diffIDs (the top one also covers the config), consistent within the archive. */
function legacyIDs(img: ExportImage): string[] {
  const ids: string[] = [];
  let chainID = '';
  let parent = '';
  img.layers.forEach((l, i) => {
    chainID = i === 0 ? l.diffID : sha256Digest(`${chainID} ${l.diffID}`);
    const top = i === img.layers.length - 1;
    const id = sha256Hex(`${chainID} ${parent}${top ? ` ${img.configDigest}` : ''}`);
    ids.push(id);
    parent = id;
  });
  return ids;
}

/** Write images as a docker-archive. Layers shared by several images are written once. */
export async function writeDockerArchive(sink: ArchiveSink, images: ExportImage[]): Promise<void> {
  const manifest: ManifestEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const img of images) {
    const layerFiles: string[] = [];
    for (const l of img.layers) {
      const file = `${hexOf(l.diffID)}.tar`;
      layerFiles.push(file);
      if (written.has(file)) continue;
      written.add(file);
      await sink.addStream(file, l.size, await uncompressedLayer(l));
    }
    const configFile = `${hexOf(img.configDigest)}.json`;
    if (!written.has(configFile)) {
      written.add(configFile);
      await sink.addBuffer(configFile, img.config);
    }
    const ids = legacyIDs(img);
    const cfg = parseJSON<Record<string, unknown>>(img.config, `image ${img.id.slice(0, 12)} config`);
    for (const [i, id] of ids.entries()) {
      if (written.has(id)) continue;
      written.add(id);
      const legacy: Record<string, unknown> = { id };
      if (i > 0) legacy['parent'] = ids[i - 1];
      if (i === ids.length - 1) {
        for (const k of ['architecture', 'config', 'container', 'container_config', 'created', 'docker_version', 'os']) legacy[k] = cfg[k] ?? null;
      } else {
        legacy['created'] = '1970-01-01T00:00:00Z';
      }
      await sink.addBuffer(`${id}/VERSION`, Buffer.from('1.0'));
      await sink.addBuffer(`${id}/json`, Buffer.from(JSON.stringify(legacy)));
      await sink.addSymlink(`${id}/layer.tar`, `../${layerFiles[i]}`);
    }
    manifest.push({ Config: configFile, RepoTags: img.names, Layers: layerFiles });
    const top = ids[ids.length - 1];
    if (top) {
      for (const n of img.names) {
        const c = n.lastIndexOf(':');
        (repositories[n.slice(0, c)] ??= {})[n.slice(c + 1)] = top;
      }
    }
  }
  await sink.addBuffer('manifest.json', Buffer.from(JSON.stringify(manifest)));
  if (Object.keys(repositories).length) await sink.addBuffer('repositories', Buffer.from(JSON.stringify(repositories)));
}
