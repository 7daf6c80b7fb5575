// Manifest lists (Docker) and image indexes (OCI): `manifest create/add/annotate/remove/
// inspect/exists/rm`. A list lives in the image store as an image record with no config and
// no layers: its `digest` is the index blob's, its ID is random (as Podman's), and each entry
// points at a local image's manifest or at a manifest in a registry (whose repository is kept
// in `listSources`, for `manifest push`). <Verb>Options in, <Verb>Report out.
import * as crypto from 'node:crypto';
import { ImageStore, findImage, type StorageIndex } from '../image/store.js';
import { formatReference, normalize, parseReference, qualify, repoName, type Reference } from '../image/reference.js';
import { MT, isManifestList, type Descriptor, type ImageIndex, type ImageRecord, type Platform } from '../image/types.js';
import { readImageConfig } from '../image/config.js';
import { defaultPlatform, selectPlatform } from '../image/platform.js';
import { readIndex } from '../image/manifest-list.js';

export { readIndex };
import { sha256Digest } from '../storage/digest.js';
import { ConflictError, InvalidArgumentError, NotFoundError, RegistryError, TspodError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { parseCreds } from './pull.js';
import { removeImages, type RemoveImageReport } from './images.js';

/** How to reach registries for entries given as registry references. */
export interface ManifestRegistryOptions {
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
  certDir?: string | undefined;
}

/** What `manifest add` and `manifest annotate` may set on an entry (overriding the image's own). */
export interface ManifestEntryOverrides {
  arch?: string | undefined;
  os?: string | undefined;
  variant?: string | undefined;
  osVersion?: string | undefined;
  osFeatures?: string[] | undefined;
  features?: string[] | undefined;
  /** KEY=VALUE */
  annotations?: string[] | undefined;
}

export interface ManifestCreateOptions extends ManifestRegistryOptions {
  /** the list's name */
  list: string;
  /** images to add at once (local names or IDs, or registry references) */
  images?: string[] | undefined;
  /** from an image that is itself a list, add every entry (default: the one for this platform) */
  all?: boolean | undefined;
  /** when a list of that name exists, add to it instead of failing */
  amend?: boolean | undefined;
}

export interface ManifestAddOptions extends ManifestRegistryOptions, ManifestEntryOverrides {
  list: string;
  images: string[];
  all?: boolean | undefined;
}

export interface ManifestAnnotateOptions extends ManifestEntryOverrides { list: string; digest: string }

/** The list's ID (what Podman prints). */
export interface ManifestReport { id: string }

/** One entry: its descriptor and, when it came from a registry, that repository. */
interface Entry { desc: Descriptor; source?: string | undefined }

const TRANSPORT = /^(docker-archive|oci-archive|oci|dir|docker-daemon|containers-storage|docker):/;

/** The list a name or ID names; a clear error when it is missing or an ordinary image. */
function resolveList(input: string, idx: StorageIndex): ImageRecord {
  const img = findImage(idx.images, input);
  if (!img) throw new NotFoundError(`${input}: image not known`);
  if (!isManifestList(img)) throw new InvalidArgumentError(`${displayName(input, img)}: image is not a manifest list`);
  return img;
}

/** The name a user's input matched (Podman names the image by it), else the input. */
function displayName(input: string, img: ImageRecord): string {
  if (img.id.startsWith(input.replace(/^sha256:/, ''))) return input;
  try { return qualifyName(input); } catch { return input; }
}

function qualifyName(name: string): string {
  const ref = parseReference(name);
  if (ref.digest) throw new InvalidArgumentError(`"${name}": a manifest list's name cannot hold a digest`);
  return formatReference(normalize(qualify(ref, ref.registry ?? 'localhost')));
}

function parseAnnotations(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of list) {
    const i = a.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`no value given for annotation "${a}": use KEY=VALUE`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/** A descriptor with Podman's key order (mediaType, size, digest, platform, annotations). */
function descriptor(d: Descriptor, o: ManifestEntryOverrides = {}): Descriptor {
  const p = d.platform ?? { architecture: '', os: '' };
  const platform: Platform = { architecture: o.arch ?? p.architecture, os: o.os ?? p.os };
  const osVersion = o.osVersion ?? p['os.version'];
  if (osVersion) platform['os.version'] = osVersion;
  const osFeatures = o.osFeatures ?? p['os.features'];
  if (osFeatures?.length) platform['os.features'] = osFeatures;
  const variant = o.variant ?? p.variant;
  if (variant) platform.variant = variant;
  const features = o.features ?? (p as { features?: string[] }).features;
  if (features?.length) (platform as { features?: string[] }).features = features;
  const out: Descriptor = { mediaType: d.mediaType, size: d.size, digest: d.digest, platform };
  const annotations = { ...(d.annotations ?? {}), ...(parseAnnotations(o.annotations) ?? {}) };
  if (Object.keys(annotations).length) out.annotations = annotations;
  return out;
}

/** The bytes of an index: compact JSON, Docker's list type unless stored as an OCI index. */
export function serializeIndex(mediaType: string, manifests: Descriptor[], annotations?: Record<string, string>): Buffer {
  const doc: ImageIndex = { schemaVersion: 2, mediaType, manifests };
  if (annotations && Object.keys(annotations).length) doc.annotations = annotations;
  return Buffer.from(JSON.stringify(doc));
}

/** The entries an image argument stands for: a local image (or list), else a registry reference. */
async function entriesFor(input: string, o: ManifestRegistryOptions & { all?: boolean | undefined }, store: ImageStore): Promise<Entry[]> {
  let ref = input;
  let where: 'any' | 'local' | 'registry' = 'any';
  const t = TRANSPORT.exec(input);
  if (t) {
    if (t[1] === 'docker') { where = 'registry'; ref = input.replace(/^docker:(\/\/)?/, ''); }
    else if (t[1] === 'containers-storage') { where = 'local'; ref = input.slice('containers-storage:'.length); }
    else throw new InvalidArgumentError(`${input}: the "${t[1]}" transport is not supported by manifest add: load the image (tspod load) or use a registry reference`);
  }
  if (where !== 'registry') {
    const local = findImage(store.listImages(), ref);
    if (local) return localEntries(local, o.all, store);
    if (where === 'local') throw new NotFoundError(`${ref}: image not known`);
  }
  return remoteEntries(ref, o, store);
}

function localEntries(img: ImageRecord, all: boolean | undefined, store: ImageStore): Entry[] {
  if (isManifestList(img)) {
    const index = readIndex(img, store);
    const picked = all ? index.manifests : [selectPlatform(index, defaultPlatform(), img.names[0] ?? img.id)];
    return picked.map((d) => ({ desc: descriptor(d), source: img.listSources?.[d.digest] }));
  }
  const cfg = readImageConfig(img, store);
  const size = store.readBlob(img.digest).length;
  const platform: Platform = { architecture: cfg.architecture, os: cfg.os };
  if (cfg.variant) platform.variant = cfg.variant;
  return [{ desc: descriptor({ mediaType: img.manifestMediaType, size, digest: img.digest, platform }) }];
}

/** A registry client for a fully qualified reference (registries.conf mirrors and insecure marks as pulls). */
export async function clientFor(ref: Reference & { registry: string }, o: ManifestRegistryOptions, push = false): Promise<{ client: import('../registry/client.js').RegistryClient; repo: string }> {
  const { RegistryClient } = await import('../registry/client.js');
  const { endpointsFor } = await import('../registry/registries-conf.js');
  const ep = endpointsFor(ref, push ? { push: true } : undefined)[0]!;
  const client = new RegistryClient(ep.registry, {
    tlsVerify: o.tlsVerify ?? (ep.insecure ? false : undefined), authfile: o.authfile, credentials: parseCreds(o.creds), certDir: o.certDir,
  });
  return { client, repo: ep.repository };
}

/** Fetch a reference's top manifest from the first pull candidate that has it. */
async function fetchRemote(input: string, o: ManifestRegistryOptions): Promise<{ ref: Reference & { registry: string }; raw: import('../registry/client.js').RawManifest; config?: Buffer }> {
  const { pullCandidates } = await import('./pull.js');
  const errors: string[] = [];
  for (const ref of await pullCandidates(input)) {
    const { client, repo } = await clientFor(ref, o);
    try {
      const raw = await client.fetchManifest(repo, ref.digest ?? ref.tag ?? 'latest');
      const m = raw.manifest as { config?: Descriptor };
      const config = m.config ? await client.getConfig(repo, m.config) : undefined;
      return config ? { ref, raw, config } : { ref, raw };
    } catch (err) {
      errors.push(`${formatReference(ref)}: ${errorMessage(err)}`);
    } finally {
      await client.close();
    }
  }
  throw new RegistryError(errors.length === 1 ? errors[0]! : `reading manifest of ${input}: ${errors.join('; ')}`);
}

async function remoteEntries(input: string, o: ManifestRegistryOptions & { all?: boolean | undefined }, _store: ImageStore): Promise<Entry[]> {
  const { ref, raw, config } = await fetchRemote(input, o);
  const source = repoName(ref);
  if (raw.mediaType === MT.ociIndex || raw.mediaType === MT.dockerManifestList) {
    const index = raw.manifest as ImageIndex;
    const picked = o.all ? index.manifests : [selectPlatform(index, defaultPlatform(), formatReference(ref))];
    return picked.map((d) => ({ desc: descriptor(d), source }));
  }
  let cfg: { architecture?: string; os?: string; variant?: string } = {};
  try { cfg = JSON.parse(config?.toString('utf8') ?? '{}') as typeof cfg; } catch { /* the platform is then left empty */ }
  const platform: Platform = { architecture: cfg.architecture ?? '', os: cfg.os ?? '' };
  if (cfg.variant) platform.variant = cfg.variant;
  return [{ desc: descriptor({ mediaType: raw.mediaType, size: raw.bytes.length, digest: raw.digest, platform }), source }];
}

/** Write a list's new index: blob first, then the record (digest, size, repo digests). */
function saveIndex(store: ImageStore, img: ImageRecord, index: ImageIndex): void {
  const bytes = serializeIndex(img.manifestMediaType, index.manifests, index.annotations);
  const digest = sha256Digest(bytes);
  store.writeBlob(digest, bytes);
  img.digest = digest;
  img.size = bytes.length;
  img.repoDigests = [...new Set(img.names.map((n) => `${n.slice(0, n.lastIndexOf(':'))}@${digest}`))];
  // drop sources of entries no longer listed
  if (img.listSources) {
    const keep = new Set(index.manifests.map((d) => d.digest));
    for (const d of Object.keys(img.listSources)) if (!keep.has(d)) delete img.listSources[d];
  }
}

/** Add entries to an index: an entry with the same digest is replaced (as Podman). */
function addEntries(img: ImageRecord, index: ImageIndex, entries: Entry[], o: ManifestEntryOverrides = {}): void {
  for (const e of entries) {
    const d = descriptor(e.desc, o);
    const i = index.manifests.findIndex((m) => m.digest === d.digest);
    if (i >= 0) index.manifests[i] = d; else index.manifests.push(d);
    if (e.source) img.listSources = { ...(img.listSources ?? {}), [d.digest]: e.source };
  }
}

/** `manifest create LIST [IMAGE...]`: a new empty (or filled) list; every image is resolved before anything is written. */
export async function createManifest(o: ManifestCreateOptions, store = new ImageStore()): Promise<ManifestReport> {
  const name = qualifyName(o.list);
  const existing = store.listImages().find((i) => i.names.includes(name));
  if (existing && !o.amend) throw new ConflictError(`creating image to hold manifest list: image name "${name}" is already associated with image "${existing.id}": that name is already in use`);
  if (existing && !isManifestList(existing)) throw new InvalidArgumentError(`${name}: image is not a manifest list`);
  const entries: Entry[] = [];
  for (const image of o.images ?? []) entries.push(...await entriesFor(image, o, store));
  const id = await store.update((idx) => {
    let img = idx.images.find((i) => i.names.includes(name));
    if (img && !o.amend) throw new ConflictError(`creating image to hold manifest list: image name "${name}" is already associated with image "${img.id}": that name is already in use`);
    if (img && !isManifestList(img)) throw new InvalidArgumentError(`${name}: image is not a manifest list`);
    if (!img) {
      const now = new Date().toISOString();
      img = {
        id: crypto.randomBytes(32).toString('hex'), names: [name], repoDigests: [], digest: '', manifestMediaType: MT.dockerManifestList,
        configDigest: '', layers: [], size: 0, created: now, added: now,
      };
      idx.images.push(img);
    }
    const index: ImageIndex = img.digest ? readIndex(img, store) : { schemaVersion: 2, manifests: [] };
    addEntries(img, index, entries);
    saveIndex(store, img, index);
    return img.id;
  });
  return { id };
}

/** `manifest add LIST IMAGE...`: each image's manifest descriptor, its platform from its config unless overridden. */
export async function addToManifest(o: ManifestAddOptions, store = new ImageStore()): Promise<ManifestReport> {
  if (!o.images.length) throw new InvalidArgumentError('manifest add requires at least one image');
  resolveList(o.list, store.read());
  parseAnnotations(o.annotations);
  const entries: Entry[] = [];
  for (const image of o.images) entries.push(...await entriesFor(image, o, store));
  return store.update((idx) => {
    const img = resolveList(o.list, idx);
    const index = readIndex(img, store);
    addEntries(img, index, entries, o);
    saveIndex(store, img, index);
    return { id: img.id };
  });
}

function checkDigest(digest: string): void {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new InvalidArgumentError(`invalid image digest "${digest}": expected sha256:<64 hex digits>`);
}

/** `manifest annotate LIST DIGEST`: change the platform or annotations of one entry. */
export async function annotateManifest(o: ManifestAnnotateOptions, store = new ImageStore()): Promise<ManifestReport> {
  checkDigest(o.digest);
  parseAnnotations(o.annotations);
  return store.update((idx) => {
    const img = resolveList(o.list, idx);
    const index = readIndex(img, store);
    const i = index.manifests.findIndex((m) => m.digest === o.digest);
    if (i < 0) throw new NotFoundError(`no instance matching digest ${o.digest} found in manifest list ${o.list}`);
    index.manifests[i] = descriptor(index.manifests[i]!, o);
    saveIndex(store, img, index);
    return { id: img.id };
  });
}

/** `manifest remove LIST DIGEST`: drop one entry. */
export async function removeFromManifest(o: { list: string; digest: string }, store = new ImageStore()): Promise<ManifestReport> {
  checkDigest(o.digest);
  return store.update((idx) => {
    const img = resolveList(o.list, idx);
    const index = readIndex(img, store);
    const kept = index.manifests.filter((m) => m.digest !== o.digest);
    if (kept.length === index.manifests.length) throw new NotFoundError(`removing from manifest list ${o.list}: no instance matching digest ${o.digest} found in manifest list`);
    index.manifests = kept;
    saveIndex(store, img, index);
    return { id: img.id };
  });
}

/**
 * `manifest inspect NAME`: a local list's index; for anything else (an ordinary local image,
 * or no local image) the manifest the registry has for NAME, as Podman does.
 */
export async function inspectManifest(o: ManifestRegistryOptions & { name: string }, store = new ImageStore()): Promise<string> {
  const local = findImage(store.listImages(), o.name);
  if (local && isManifestList(local)) return JSON.stringify(readIndex(local, store), null, 4);
  const notList = local ? new InvalidArgumentError(`${displayName(o.name, local)}: image is not a manifest list`) : undefined;
  // an ID or a localhost/ name is local only: no registry to ask
  let ref: Reference | undefined;
  try { ref = parseReference(o.name); } catch { ref = undefined; }
  if (notList && (!ref || ref.registry === 'localhost' || local!.id.startsWith(o.name.replace(/^sha256:/, '')))) throw notList;
  try {
    const { raw } = await fetchRemote(o.name, o);
    if (raw.mediaType !== MT.ociIndex && raw.mediaType !== MT.dockerManifestList) log.warn(`The manifest type ${raw.mediaType} is not a manifest list but a single image.`);
    return JSON.stringify(raw.manifest, null, 4);
  } catch (err) {
    throw notList ?? err;
  }
}

/** Whether NAME is a manifest list in local storage. */
export function manifestExists(name: string, store = new ImageStore()): boolean {
  try { const img = findImage(store.listImages(), name); return !!img && isManifestList(img); } catch { return false; }
}

/** `manifest rm LIST...`: remove lists (an ordinary image is refused); reports as `rmi`'s. */
export async function removeManifests(lists: string[], store = new ImageStore()): Promise<RemoveImageReport[]> {
  if (!lists.length) throw new InvalidArgumentError('at least one manifest list must be named');
  const images = store.listImages();
  const reports: RemoveImageReport[] = [];
  for (const input of lists) {
    let error: TspodError | undefined;
    try { resolveList(input, { version: 1, images, layers: [] }); } catch (err) { error = err instanceof TspodError ? err : new TspodError(errorMessage(err)); }
    if (error) { reports.push({ input, untagged: [], deleted: [], error }); continue; }
    reports.push(...await removeImages([input], {}, store));
  }
  return reports;
}
