// `tspod pull`: resolve the reference (short names through registries.conf),
// fetch and verify the manifest (selecting the platform from an index) and
// the config, download the missing layers in parallel, each verified and
// unpacked in the same streaming pass, then record the image atomically.
import * as fs from 'node:fs';
import { ImageStore, addLayers, candidateNames, untagEverywhere } from '../image/store.js';
import { formatReference, normalize, parseReference, qualify, type Reference } from '../image/reference.js';
import type { ImageConfig, LayerRecord, ImageRecord } from '../image/types.js';
import { TspodError, InvalidArgumentError, NotFoundError, RegistryError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import type { RegistryClient, RegistryClientOptions } from '../registry/client.js';
import type { Credentials } from '../registry/auth.js';
import { imageEvent } from './events.js';
import { archiveTransport, localPull, searchList } from './pull-local.js';

export type PullPolicy = 'always' | 'missing' | 'never' | 'newer';

export type PullEvent =
  | { type: 'trying'; reference: string }
  | { type: 'resolved'; reference: string; digest: string; layers: number }
  | { type: 'layer-skip'; digest: string }
  | { type: 'layer-start'; digest: string; size: number }
  | { type: 'layer-progress'; digest: string; bytes: number; size: number }
  | { type: 'layer-done'; digest: string; size: number }
  | { type: 'config'; digest: string }
  | { type: 'done'; id: string };

export interface PullOptions {
  reference: string;
  policy?: PullPolicy;
  platform?: string | undefined;
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
  certDir?: string | undefined;
  /** layers downloaded at once (default 6, like containers/image) */
  parallel?: number;
  onEvent?: (e: PullEvent) => void;
}

export interface PullReport { id: string; names: string[]; digest: string; pulled: boolean }

export function parseCreds(creds: string | undefined): Credentials | undefined {
  if (creds === undefined) return undefined;
  const i = creds.indexOf(':');
  if (i <= 0) throw new InvalidArgumentError('--creds must be USERNAME:PASSWORD');
  return { username: creds.slice(0, i), password: creds.slice(i + 1) };
}

/** Fully qualified candidates for a reference, in the order to try them. */
export async function pullCandidates(input: string): Promise<Array<Reference & { registry: string }>> {
  const ref = parseReference(input);
  if (ref.registry) return [normalize(qualify(ref, ref.registry))];
  const { aliasFor } = await import('../registry/registries-conf.js');
  const alias = aliasFor(ref.path);
  if (alias) {
    const a = parseReference(alias);
    if (a.registry) return [normalize({ ...qualify(a, a.registry), tag: ref.tag ?? a.tag, digest: ref.digest ?? a.digest })];
  }
  const regs = await searchList();
  if (!regs.length) throw new InvalidArgumentError(`short-name "${input}" did not resolve to an alias and no unqualified-search registries are defined in registries.conf`);
  return regs.map((r) => normalize(qualify(ref, r)));
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++]!;
      try { await fn(item); } catch (err) { if (failed === undefined) failed = err; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** run/create/pull of an archive reference: the archive is loaded (every time, as Podman copies it), and its image (REF's, else the first) used. */
async function pullFromArchive(t: { path: string; ref?: string | undefined }, reference: string, emit: (e: PullEvent) => void, store: ImageStore): Promise<PullReport> {
  if (!fs.existsSync(t.path)) throw new NotFoundError(`${reference}: ${t.path}: no such file or directory`);
  const { loadImages } = await import('./archive.js');
  const rep = await loadImages({ input: t.path, onEvent: emit });
  let pick = rep.images[0];
  if (t.ref) {
    const cands = (() => { try { return candidateNames(t.ref); } catch { return [t.ref]; } })();
    pick = rep.images.find((i) => i.names.some((n) => cands.includes(n) || n === t.ref)) ?? (/^@\d+$/.test(t.ref) ? rep.images[Number(t.ref.slice(1))] : undefined);
    if (!pick) throw new NotFoundError(`${reference}: no image ${t.ref} in the archive`);
  }
  if (!pick) throw new NotFoundError(`${reference}: the archive holds no image`);
  const rec = store.listImages().find((i) => i.id === pick!.id);
  return { id: pick.id, names: rec?.names ?? pick.names, digest: rec?.digest ?? '', pulled: true };
}

async function pullImageUnrecorded(opts: PullOptions, store = new ImageStore()): Promise<PullReport> {
  const policy = opts.policy ?? 'always';
  const emit = opts.onEvent ?? (() => undefined);
  const archive = archiveTransport(opts.reference);
  if (archive) return pullFromArchive(archive, opts.reference, emit, store);
  // docker://NAME is the registry transport spelled out
  if (opts.reference.startsWith('docker://')) return pullImageUnrecorded({ ...opts, reference: opts.reference.slice(9) }, store);
  const local = await localPull(opts, store);
  if (local) return local;
  const cands = await pullCandidates(opts.reference);
  store.repair();
  const errors: string[] = [];
  for (const ref of cands) {
    const name = formatReference(ref);
    emit({ type: 'trying', reference: name });
    try {
      return await pullOne(ref, opts, store, emit, policy);
    } catch (err) {
      // a fully qualified name has one candidate: report its own error as is
      if (cands.length === 1) throw err;
      if (err instanceof TspodError && (err.code === 'EDIGEST' || err.code === 'EUNSAFE' || err.code === 'EBADLAYER')) throw err;
      errors.push(`${name}: ${errorMessage(err)}`);
      log.debug(`pull ${name} failed: ${errorMessage(err)}`);
    }
  }
  throw new RegistryError(`unable to pull ${opts.reference}: ${errors.join('; ')}`);
}

async function pullOne(ref: Reference & { registry: string }, opts: PullOptions, store: ImageStore, emit: (e: PullEvent) => void, policy: PullPolicy): Promise<PullReport> {
  const { RegistryClient } = await import('../registry/client.js');
  const { endpointsFor } = await import('../registry/registries-conf.js');
  const endpoints = endpointsFor(ref);
  const name = formatReference(ref);
  const clientOpts: RegistryClientOptions = { tlsVerify: opts.tlsVerify, authfile: opts.authfile, credentials: parseCreds(opts.creds), certDir: opts.certDir };
  let lastErr: unknown;
  for (const ep of endpoints) {
    const client: RegistryClient = new RegistryClient(ep.registry, { ...clientOpts, ...(ep.insecure && opts.tlsVerify === undefined ? { tlsVerify: false } : {}) });
    try {
      return await pullFrom(client, ep.repository, ref, name, opts, store, emit, policy);
    } catch (err) {
      lastErr = err;
      if (!ep.mirror) throw err;
      log.debug(`mirror ${ep.registry} failed for ${name}: ${errorMessage(err)}`);
    } finally {
      await client.close();
    }
  }
  throw lastErr ?? new RegistryError(`no endpoint for ${name}`);
}

async function pullFrom(client: RegistryClient, repo: string, ref: Reference & { registry: string }, name: string, opts: PullOptions, store: ImageStore, emit: (e: PullEvent) => void, policy: PullPolicy): Promise<PullReport> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const m = await client.getManifest(repo, reference, { platform: opts.platform });
  const manifest = m.manifest;
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new RegistryError(`manifest for ${name} has no config or layers`);
  const repoName = `${ref.registry}/${ref.path}`;
  const taggedName = ref.tag ? `${repoName}:${ref.tag}` : undefined;
  emit({ type: 'resolved', reference: name, digest: m.digest, layers: manifest.layers.length });

  if (policy === 'newer') {
    const local = store.listImages().find((i) => i.digest === m.digest);
    if (local && taggedName && local.names.includes(taggedName)) return { id: local.id, names: local.names, digest: local.digest, pulled: false };
  }

  const configBytes = await client.getConfig(repo, manifest.config);
  emit({ type: 'config', digest: manifest.config.digest });
  let config: ImageConfig;
  try { config = JSON.parse(configBytes.toString('utf8')) as ImageConfig; } catch (err) { throw new RegistryError(`config of ${name} is not valid JSON: ${errorMessage(err)}`); }
  const diffIDs = config.rootfs?.diff_ids ?? [];
  const layerDescs = manifest.layers.filter((l) => !(l.urls && l.urls.length));
  if (diffIDs.length !== layerDescs.length) throw new RegistryError(`image ${name}: the manifest lists ${layerDescs.length} layers but the config ${diffIDs.length} diff IDs`);

  // loaded here, not at the top: every `run` of a local image imports this module for pullImage's local lookup
  const { ingestLayer } = await import('../image/ingest.js');
  const known = new Map(store.read().layers.map((l) => [l.id, l]));
  const records: LayerRecord[] = new Array(layerDescs.length);
  const todo: number[] = [];
  layerDescs.forEach((d, i) => {
    const k = known.get(diffIDs[i]!);
    if (k && store.layerPresent(k.id)) { records[i] = k; emit({ type: 'layer-skip', digest: d.digest }); } else todo.push(i);
  });
  // the same layer may appear twice in one image: download it once
  const byDiff = new Map<string, number>();
  const unique = todo.filter((i) => { const d = diffIDs[i]!; if (byDiff.has(d)) return false; byDiff.set(d, i); return true; });
  await pool(unique, opts.parallel ?? 6, async (i) => {
    const desc = layerDescs[i]!;
    emit({ type: 'layer-start', digest: desc.digest, size: desc.size });
    // ingestLayer verifies digest and size itself (aborting as soon as too many bytes arrive)
    const body = await client.getBlob(repo, desc, { verify: false });
    const res = await ingestLayer(store, body, { digest: desc.digest, size: desc.size, diffID: diffIDs[i], mediaType: desc.mediaType },
      (bytes) => emit({ type: 'layer-progress', digest: desc.digest, bytes, size: desc.size }));
    records[i] = res.layer;
    emit({ type: 'layer-done', digest: desc.digest, size: desc.size });
  });
  for (const i of todo) if (!records[i]) records[i] = records[byDiff.get(diffIDs[i]!)!]!;

  store.writeBlob(manifest.config.digest, configBytes);
  store.writeBlob(m.digest, m.bytes);
  const id = manifest.config.digest.replace(/^sha256:/, '');
  const repoDigests = [`${repoName}@${m.digest}`];
  if (m.indexDigest) repoDigests.push(`${repoName}@${m.indexDigest}`);
  if (m.index) store.writeBlob(m.index.digest, m.index.bytes);
  const now = new Date().toISOString();
  const rec = await store.update((idx) => {
    addLayers(idx, records);
    if (taggedName) untagEverywhere(idx, taggedName);
    let img: ImageRecord | undefined = idx.images.find((x) => x.id === id);
    if (!img) {
      img = {
        id, names: [], repoDigests: [], digest: m.digest, manifestMediaType: m.mediaType, configDigest: manifest.config.digest,
        layers: diffIDs.slice(), size: records.reduce((a, l) => a + l.size, 0), created: config.created ?? now, added: now,
        labels: config.config?.Labels,
      };
      idx.images.push(img);
    }
    if (taggedName && !img.names.includes(taggedName)) img.names.push(taggedName);
    for (const d of repoDigests) if (!img.repoDigests.includes(d)) img.repoDigests.push(d);
    return { ...img };
  });
  emit({ type: 'done', id: rec.id });
  return { id: rec.id, names: rec.names, digest: m.digest, pulled: true };
}

/** {@link pullImageUnrecorded}, recorded in the events log. */
export async function pullImage(...args: Parameters<typeof pullImageUnrecorded>): Promise<PullReport> {
  const r = await pullImageUnrecorded(...args);
  if (r.pulled) imageEvent('pull', r.id, args[0].reference);
  return r;
}
