// Engine API for the local image store: list, inspect, tag, untag, remove,
// prune, history. <Verb>Options in, <Verb>Report out; no rendering here.
import { ImageStore, findImage, untagEverywhere, type StorageIndex } from '../image/store.js';
import { formatReference, normalize, parseReference, qualify, repoName } from '../image/reference.js';
import { InUseError, InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import { isManifestList, type ImageConfig, type ImageRecord } from '../image/types.js';
import { listInstance } from '../image/manifest-list.js';
import { containerImageRefs, containerImageUsers, containerLayerSet } from './refs.js';
import { globToRegExp } from '../util/glob.js';
import { pruneFilter } from '../util/filters.js';

export interface ImageSummary {
  ID: string;
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Names: string[];
  Digest: string;
  Created: number;
  CreatedAt: string;
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string>;
  Containers: number;
  Dangling: boolean;
  ReadOnly: boolean;
  History: string[];
}

export interface ListImagesOptions { all?: boolean; filters?: string[] }

function parseFilters(filters: string[] = []): Array<[string, string]> {
  return filters.map((f) => {
    const i = f.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid image filter "${f}": expected key=value`);
    return [f.slice(0, i), f.slice(i + 1)] as [string, string];
  });
}

/** Does one stored name (registry/path:tag) match a reference pattern (glob; with or without registry, path, tag)? */
export function nameMatchesReference(n: string, pattern: string): boolean {
  const re = globToRegExp(pattern);
  const colon = n.lastIndexOf(':');
  const repo = n.slice(0, colon);
  const short = repo.slice(repo.indexOf('/') + 1);
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const candidates = pattern.includes(':') ? [n, `${short}:${n.slice(colon + 1)}`, `${last}:${n.slice(colon + 1)}`] : [repo, short, last];
  return candidates.some((c) => re.test(c));
}

function matchesReference(img: ImageRecord, pattern: string): boolean {
  return img.names.some((n) => nameMatchesReference(n, pattern));
}

export function toSummary(img: ImageRecord, idx: StorageIndex, containers: Map<string, number>): ImageSummary {
  const layerSet = new Map(idx.layers.map((l) => [l.id, l]));
  let shared = 0;
  for (const l of img.layers) {
    if (idx.images.some((o) => o.id !== img.id && o.layers.includes(l))) shared += layerSet.get(l)?.size ?? 0;
  }
  const created = Math.floor(Date.parse(img.created) / 1000) || 0;
  return {
    ID: img.id,
    Id: img.id,
    ParentId: '',
    RepoTags: img.names,
    RepoDigests: img.repoDigests,
    Names: img.names,
    Digest: img.digest,
    Created: created,
    CreatedAt: img.created,
    Size: img.size,
    SharedSize: shared,
    VirtualSize: img.size,
    Labels: img.labels ?? {},
    Containers: containers.get(img.id) ?? 0,
    Dangling: img.names.length === 0,
    ReadOnly: false,
    // every name the image has had (Podman's NamesHistory: current first, then removed ones, latest first)
    History: img.namesHistory ?? img.names,
  };
}

export function listImages(opts: ListImagesOptions = {}, store = new ImageStore()): ImageSummary[] {
  const idx = store.read();
  const filters = parseFilters(opts.filters);
  const containers = containerImageRefs(store.root);
  let imgs = idx.images.slice();
  for (const [k, v] of filters) {
    switch (k) {
      case 'dangling': imgs = imgs.filter((i) => (i.names.length === 0) === (v === 'true' || v === '1')); break;
      case 'label': {
        const [lk, lv] = v.split('=', 2) as [string, string | undefined];
        imgs = imgs.filter((i) => i.labels && lk in i.labels && (lv === undefined || i.labels[lk] === lv));
        break;
      }
      case 'reference': imgs = imgs.filter((i) => matchesReference(i, v)); break;
      case 'id': imgs = imgs.filter((i) => i.id.startsWith(v.replace(/^sha256:/, ''))); break;
      case 'digest': imgs = imgs.filter((i) => i.digest === v || i.repoDigests.some((d) => d.endsWith(`@${v}`))); break;
      // after= is Podman's other name for since=
      case 'before': case 'since': case 'after': {
        const ref = findImage(idx.images, v);
        if (!ref) throw new NotFoundError(`${v}: image not known`);
        const t = Date.parse(ref.created);
        imgs = imgs.filter((i) => (k === 'before' ? Date.parse(i.created) < t : Date.parse(i.created) > t));
        break;
      }
      case 'readonly': imgs = imgs.filter(() => v === 'false'); break;
      case 'containers': imgs = imgs.filter((i) => ((containers.get(i.id) ?? 0) > 0) === (v === 'true')); break;
      case 'intermediate': imgs = imgs.filter(() => v === 'false'); break;
      default: throw new InvalidArgumentError(`invalid image filter "${k}": supported filters are dangling, label, reference, id, digest, before, since, after, containers, readonly, intermediate`);
    }
  }
  imgs.sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.id.localeCompare(b.id));
  return imgs.map((i) => toSummary(i, idx, containers));
}

/** Rows for the `images` table: one per name (repository:tag), `<none>` for dangling. */
export interface ImageRow { ID: string; Id: string; Repository: string; Tag: string; Digest: string; Created: number; CreatedAt: string; Size: number; Names: string[]; History: string[]; Labels: Record<string, string>; Dangling: boolean; Containers: number; ReadOnly: boolean; SharedSize: number; VirtualSize: number }

/** One row per name; with `references` (images NAME, --filter reference=), only the names that match one. */
export function imageRows(summaries: ImageSummary[], references: string[] = []): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const s0 of summaries) {
    const names = references.length ? s0.Names.filter((n) => references.some((r) => nameMatchesReference(n, r))) : s0.Names;
    const s = names.length || !s0.Names.length ? { ...s0, Names: names.length ? names : s0.Names } : s0;
    const base = { ID: s.ID.slice(0, 12), Id: s.Id, Digest: s.Digest, Created: s.Created, CreatedAt: s.CreatedAt, Size: s.Size, Names: s.Names, History: s.History, Labels: s.Labels, Dangling: s.Dangling, Containers: s.Containers, ReadOnly: s.ReadOnly, SharedSize: s.SharedSize, VirtualSize: s.VirtualSize };
    if (s.Names.length === 0) rows.push({ ...base, Repository: '<none>', Tag: '<none>' });
    for (const n of s.Names) {
      const c = n.lastIndexOf(':');
      rows.push({ ...base, Repository: n.slice(0, c), Tag: n.slice(c + 1) });
    }
  }
  return rows;
}

/** `image inspect` output, shaped like Podman's. */
export function inspectImage(nameOrId: string, store = new ImageStore()): Record<string, unknown> {
  const idx = store.read();
  return inspectRecord(resolveImage(nameOrId, idx, store), idx, store);
}

/** The image a name or ID stands for; a manifest list stands for its image for this platform (as Podman). */
function resolveImage(nameOrId: string, idx: StorageIndex, store: ImageStore): ImageRecord {
  const img = store.resolve(nameOrId, idx);
  return isManifestList(img) ? listInstance(img, store) : img;
}

export { readImageConfig } from '../image/config.js';
import { readImageConfig } from '../image/config.js';
import { imageEvent } from './events.js';

export function inspectRecord(img: ImageRecord, idx: StorageIndex, store: ImageStore): Record<string, unknown> {
  const cfg = readImageConfig(img, store);
  const layers = new Map(idx.layers.map((l) => [l.id, l]));
  return {
    Id: img.id,
    Digest: img.digest,
    RepoTags: img.names,
    RepoDigests: img.repoDigests,
    Parent: '',
    Comment: cfg.history?.[cfg.history.length - 1]?.comment ?? '',
    Created: cfg.created ?? img.created,
    Config: cfg.config ?? {},
    Version: '',
    Author: cfg.author ?? '',
    Architecture: cfg.architecture,
    Os: cfg.os,
    Variant: cfg.variant,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: {
      Name: 'overlay',
      Data: {
        LowerDir: img.layers.slice(0, -1).reverse().map((l) => store.layerDiff(l)).join(':') || undefined,
        UpperDir: img.layers.length ? store.layerDiff(img.layers[img.layers.length - 1]!) : undefined,
      },
    },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? img.layers },
    Labels: cfg.config?.Labels ?? null,
    Annotations: {},
    ManifestType: img.manifestMediaType,
    User: cfg.config?.User ?? '',
    History: cfg.history ?? [],
    NamesHistory: img.names,
    LayerSizes: img.layers.map((l) => layers.get(l)?.size ?? 0),
  };
}

export interface HistoryRow { ID: string; Created: number; CreatedAt: string; CreatedBy: string; Size: number; Comment: string; Tags: string[] | null }

export function imageHistory(nameOrId: string, store = new ImageStore()): HistoryRow[] {
  const idx = store.read();
  const img = resolveImage(nameOrId, idx, store);
  const cfg = readImageConfig(img, store);
  const layers = new Map(idx.layers.map((l) => [l.id, l]));
  const hist = cfg.history && cfg.history.length ? cfg.history : img.layers.map(() => ({} as NonNullable<ImageConfig['history']>[number]));
  const rows: HistoryRow[] = [];
  let li = 0;
  hist.forEach((h, i) => {
    const empty = h.empty_layer === true;
    const layer = empty ? undefined : img.layers[li++];
    rows.push({
      ID: i === hist.length - 1 ? img.id : '<missing>',
      Created: Math.floor(Date.parse(h.created ?? img.created) / 1000) || 0,
      CreatedAt: h.created ?? img.created,
      CreatedBy: h.created_by ?? '',
      Size: layer ? layers.get(layer)?.size ?? 0 : 0,
      Comment: h.comment ?? '',
      Tags: i === hist.length - 1 ? img.names : null,
    });
  });
  return rows.reverse();
}

export function qualifyLocalName(name: string): string {
  const ref = parseReference(name);
  if (ref.digest) throw new InvalidArgumentError(`tag "${name}": a digest cannot be used as a tag`);
  return formatReference(normalize(qualify(ref, ref.registry ?? 'localhost')));
}

export interface TagReport { id: string; names: string[] }

async function tagImageUnrecorded(source: string, targets: string[], store = new ImageStore()): Promise<TagReport> {
  if (targets.length === 0) throw new InvalidArgumentError('at least one target name is required');
  const names = targets.map(qualifyLocalName);
  return store.update((idx) => {
    const img = store.resolve(source, idx);
    for (const n of names) {
      untagEverywhere(idx, n);
      if (!img.names.includes(n)) img.names.push(n);
    }
    return { id: img.id, names: img.names };
  });
}

async function untagImageUnrecorded(source: string, targets: string[], store = new ImageStore()): Promise<TagReport> {
  return store.update((idx) => {
    const img = store.resolve(source, idx);
    if (targets.length === 0) img.names = [];
    for (const t of targets) {
      const ref = parseReference(t);
      if (ref.digest) {
        // NAME[:TAG]@DIGEST names no tag (the tag is ignored, as Podman): nothing to untag when
        // the image is that digest of that repository
        const repo = repoName(qualify(ref, ref.registry ?? 'localhost'));
        if (img.digest === ref.digest || img.repoDigests.includes(`${repo}@${ref.digest}`)) continue;
        throw new NotFoundError(`${t}: tag not known`);
      }
      const n = qualifyLocalName(t);
      if (!img.names.includes(n)) throw new NotFoundError(`${t}: tag not known`);
      img.names = img.names.filter((x) => x !== n);
    }
    return { id: img.id, names: img.names };
  });
}

export interface RemoveImageReport { input: string; untagged: string[]; deleted: string[]; error?: TspodError }
export interface RemoveImagesOptions { force?: boolean; all?: boolean; ignore?: boolean }

async function removeImagesUnrecorded(inputs: string[], opts: RemoveImagesOptions = {}, store = new ImageStore()): Promise<RemoveImageReport[]> {
  if (!inputs.length && !opts.all) throw new InvalidArgumentError('image name or ID must be specified');
  return store.update(async (idx) => {
    const reports: RemoveImageReport[] = [];
    const targets = opts.all ? idx.images.map((i) => i.id) : inputs;
    const inUse = containerImageUsers(store.root);
    for (const input of targets) {
      const rep: RemoveImageReport = { input, untagged: [], deleted: [] };
      reports.push(rep);
      let img: ImageRecord | undefined;
      try {
        img = idx.images.find((i) => i.id === input) ?? store.resolve(input, idx);
      } catch (err) {
        if (opts.ignore && err instanceof NotFoundError) continue;
        rep.error = err instanceof TspodError ? err : new TspodError(errorMessage(err));
        continue;
      }
      // `rmi name` on an image with several names only untags that name, with --force too
      // (Docker/Podman behaviour: force matters for an ID or a digest, and for containers)
      const byName = !opts.all && !img.id.startsWith(input.replace(/^sha256:/, '')) ? img.names.find((n) => candidateMatch(input, n)) : undefined;
      if (byName && img.names.length > 1) {
        img.names = img.names.filter((n) => n !== byName);
        rep.untagged.push(byName);
        continue;
      }
      // by its ID (or sha256:ID), an image with several names needs --force (Podman's words and exit code 125)
      if (!opts.all && !opts.force && img.names.length > 1 && img.id.startsWith(input.replace(/^sha256:/, ''))) {
        rep.error = new TspodError(`unable to delete image "${img.id}" by ${input.startsWith('sha256:') ? 'digest' : 'ID'} with more than one tag ([${img.names.join(' ')}]): please force removal`);
        continue;
      }
      // `rmi repo@digest` on an image that also has a tag only drops that digest reference (as Podman)
      const byDigest = !opts.all && !opts.force && img.names.length > 0 ? digestName(input, img) : undefined;
      if (byDigest) {
        img.repoDigests = img.repoDigests.filter((d) => d !== byDigest);
        rep.untagged.push(byDigest);
        continue;
      }
      const users = inUse.get(img.id) ?? [];
      if (users.length > 0 && !opts.force) {
        // Podman's words (scripts match them); the container named is the first that uses the image
        rep.error = new InUseError(`image used by ${users[0]}: image is in use by a container: consider listing external containers and force-removing image`);
        continue;
      }
      if (users.length > 0 && opts.force) {
        const { removeContainersUsingImage } = await import('./container/remove.js');
        const failed = (await removeContainersUsingImage(img.id)).find((r) => r.error);
        if (failed) { rep.error = failed.error; continue; }
      }
      rep.untagged.push(...img.names);
      rep.deleted.push(img.id);
      idx.images = idx.images.filter((i) => i.id !== img!.id);
    }
    store.gc(idx, containerLayerSet(store.root));
    return reports;
  });
}

/** The image's REPO@DIGEST reference an input names (REPO qualified as pulls qualify it), if any. */
function digestName(input: string, img: ImageRecord): string | undefined {
  try {
    const ref = parseReference(input);
    if (!ref.digest) return undefined;
    // the repository alone: normalize() would give it a :latest tag
    const repo = repoName(qualify({ ...ref, tag: undefined, digest: undefined }, ref.registry ?? 'localhost'));
    return img.repoDigests.find((d) => d === `${repo}@${ref.digest}` || (!ref.registry && d.endsWith(`/${ref.path}@${ref.digest}`)));
  } catch {
    return undefined;
  }
}

function candidateMatch(input: string, name: string): boolean {
  try {
    const ref = parseReference(input);
    if (ref.digest) return false;
    const tag = ref.tag ?? 'latest';
    if (ref.registry) return name === formatReference(normalize(qualify(ref, ref.registry)));
    return name.endsWith(`/${ref.path}:${tag}`);
  } catch {
    return false;
  }
}

export interface PruneImagesOptions { all?: boolean; filters?: string[] }
export interface PruneReport { id: string; size: number }

export async function pruneImages(opts: PruneImagesOptions = {}, store = new ImageStore()): Promise<PruneReport[]> {
  const keepByFilter = pruneFilter(opts.filters, 'image');
  const inUse = containerImageRefs(store.root);
  return store.update((idx) => {
    const out: PruneReport[] = [];
    const layerSize = new Map(idx.layers.map((l) => [l.id, l.size]));
    const keep: ImageRecord[] = [];
    for (const img of idx.images) {
      const unused = (inUse.get(img.id) ?? 0) === 0;
      const dangling = img.names.length === 0;
      if (unused && (opts.all || dangling) && keepByFilter({ labels: img.labels ?? {}, created: img.created })) out.push({ id: img.id, size: img.layers.reduce((a, l) => a + (layerSize.get(l) ?? 0), 0) });
      else keep.push(img);
    }
    idx.images = keep;
    store.gc(idx, containerLayerSet(store.root));
    return out;
  });
}

export function imageExists(nameOrId: string, store = new ImageStore()): boolean {
  try { return findImage(store.listImages(), nameOrId) !== undefined; } catch { return false; }
}

/** {@link tagImageUnrecorded}, recorded in the events log. */
export async function tagImage(...args: Parameters<typeof tagImageUnrecorded>): Promise<TagReport> {
  const r = await tagImageUnrecorded(...args);
  for (const n of args[1]) imageEvent('tag', r.id, qualifyLocalName(n));
  return r;
}

/** {@link untagImageUnrecorded}, recorded in the events log. */
export async function untagImage(...args: Parameters<typeof untagImageUnrecorded>): Promise<TagReport> {
  const r = await untagImageUnrecorded(...args);
  for (const n of args[1]) if (!parseReference(n).digest) imageEvent('untag', r.id, qualifyLocalName(n));
  return r;
}

/** {@link removeImagesUnrecorded}, recorded in the events log. */
export async function removeImages(...args: Parameters<typeof removeImagesUnrecorded>): Promise<RemoveImageReport[]> {
  const r = await removeImagesUnrecorded(...args);
  for (const x of r) {
    for (const n of x.untagged) imageEvent('untag', x.deleted[0] ?? '', n);
    for (const id of x.deleted) imageEvent('remove', id, x.input);
  }
  return r;
}
