// Engine API for `save` and `load`: images to and from docker-archive,
// oci-archive, oci-dir and docker-dir, interoperable with podman and skopeo.
//
// load: everything is prepared in a private temp directory first (layers
// unpacked and their diffIDs verified, compressed blobs written and hashed);
// only then, under the storage lock, are layer dirs and blobs renamed into
// place and the index updated. A failure before that leaves nothing behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ARCHIVE_FORMATS, ArchiveFormatError, DirSink, TarSink, openSource, readArchive, writeArchive,
  type ArchiveFormat, type ArchiveImage, type ArchiveLayer, type ArchiveSink, type ExportImage,
} from '../image/archive/index.js';
import { isGzip, isZstd } from '../image/archive/source.js';
import { ociManifestFor } from '../image/archive/oci-archive.js';
import { ImageStore, candidateNames, hexOf, untagEverywhere, type StorageIndex } from '../image/store.js';
import { parseReference } from '../image/reference.js';
import { MT, isManifestList, type ImageConfig, type ImageManifest, type ImageRecord, type LayerRecord } from '../image/types.js';
import { HashCounter, sha256Digest } from '../storage/digest.js';
import { unpackLayer } from '../storage/unpack.js';
import { DigestMismatchError, InvalidArgumentError, NotFoundError, TspodError, errorMessage, isErrno } from '../util/errors.js';
import { log } from '../util/log.js';
import { qualifyLocalName } from './images.js';
import { imageEvent } from './events.js';
import type { PullEvent } from './pull.js';

export type SaveFormat = ArchiveFormat;

export interface SaveOptions {
  /** image names or IDs; without multiImageArchive the ones after the first are extra tags (docker-archive) */
  names: string[];
  /** file (or directory for *-dir formats); stdout when absent */
  output?: string | undefined;
  format?: SaveFormat | undefined;
  /** docker-dir only: keep layers compressed */
  compress?: boolean | undefined;
  /** oci-archive/oci-dir: layers as plain tars (Podman's --uncompressed) */
  uncompressed?: boolean | undefined;
  multiImageArchive?: boolean | undefined;
  /** where to write when there is no output (default process.stdout) */
  stdout?: (Writable & { isTTY?: boolean }) | undefined;
}

export interface SaveReport {
  output: string;
  format: SaveFormat;
  images: Array<{ id: string; names: string[] }>;
}

/** The full name of `img` that the user's `input` refers to, if it was a name (not an ID). */
function matchedName(img: ImageRecord, input: string): string | undefined {
  let ref;
  try { ref = parseReference(input); } catch { return undefined; }
  if (ref.digest) return undefined;
  for (const c of candidateNames(input)) if (img.names.includes(c)) return c;
  if (!ref.registry) {
    const suffix = `/${ref.path}:${ref.tag ?? 'latest'}`;
    return img.names.find((n) => n.endsWith(suffix));
  }
  return undefined;
}

function exportImage(img: ImageRecord, names: string[], idx: StorageIndex, store: ImageStore): ExportImage {
  const layers = new Map(idx.layers.map((l) => [l.id, l]));
  const short = img.id.slice(0, 12);
  if (isManifestList(img)) throw new InvalidArgumentError(`${names[0] ?? short} is a manifest list: save its images instead (tspod manifest inspect lists them)`);
  return {
    id: img.id,
    names,
    config: store.readBlob(img.configDigest),
    configDigest: img.configDigest,
    manifest: store.hasBlob(img.digest) ? { bytes: store.readBlob(img.digest), digest: img.digest, mediaType: img.manifestMediaType } : undefined,
    layers: img.layers.map((id) => {
      const rec = layers.get(id);
      if (!rec) throw new TspodError(`image ${short}: layer ${id} is not in the store index (run "tspod rmi ${short}" and pull or load it again)`);
      const blob = store.blobPath(rec.compressedDigest);
      if (!store.hasBlob(rec.compressedDigest)) throw new TspodError(`image ${short}: the blob of layer ${id} (${rec.compressedDigest}) is missing from the store`);
      return {
        diffID: rec.id,
        size: rec.size,
        compressedDigest: rec.compressedDigest,
        compressedSize: rec.compressedSize,
        mediaType: rec.mediaType,
        openCompressed: () => fs.createReadStream(blob, { highWaterMark: 256 * 1024 }),
      };
    }),
  };
}

function tmpSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

async function saveImagesUnrecorded(opts: SaveOptions, store = new ImageStore()): Promise<SaveReport> {
  const format = opts.format ?? 'docker-archive';
  if (opts.output === '-' || opts.output === '/dev/stdout') opts = { ...opts, output: undefined };
  if (!ARCHIVE_FORMATS.includes(format)) throw new InvalidArgumentError(`unsupported format "${String(format)}": use docker-archive, oci-archive, oci-dir or docker-dir`);
  if (opts.names.length === 0) throw new InvalidArgumentError('at least one image name or ID is required');
  if (opts.compress && format !== 'docker-dir') throw new InvalidArgumentError("--compress can only be set when --format is 'docker-dir'");
  if (opts.multiImageArchive && format !== 'docker-archive') throw new InvalidArgumentError(`unsupported format "${format}" for saving multiple images (only docker-archive)`);
  const isDir = format === 'oci-dir' || format === 'docker-dir';
  if (isDir && !opts.output) throw new InvalidArgumentError(`--output is required for --format ${format} (a directory to create)`);
  const stdout = opts.stdout ?? process.stdout;
  if (!opts.output && stdout.isTTY) throw new InvalidArgumentError('refusing to save to terminal. Use -o flag or redirect');

  // resolve everything before writing a byte
  const idx = store.read();
  const images: ExportImage[] = [];
  if (opts.multiImageArchive) {
    const byId = new Map<string, { img: ImageRecord; names: string[] }>();
    for (const n of opts.names) {
      const img = store.resolve(n, idx);
      const e = byId.get(img.id) ?? { img, names: [] };
      byId.set(img.id, e);
      const name = matchedName(img, n);
      if (name && !e.names.includes(name)) e.names.push(name);
    }
    for (const { img, names } of byId.values()) images.push(exportImage(img, names, idx, store));
  } else {
    const [first, ...extra] = opts.names;
    const img = store.resolve(first!, idx);
    const names: string[] = [];
    const name = matchedName(img, first!);
    if (name) names.push(name);
    if (extra.length && format !== 'docker-archive') {
      log.warn(`ignoring ${extra.join(', ')}: extra tags are only written to docker-archive (use -m for several images)`);
    } else {
      for (const t of extra) { const q = qualifyLocalName(t); if (!names.includes(q)) names.push(q); }
    }
    images.push(exportImage(img, names, idx, store));
  }

  const report: SaveReport = { output: opts.output ?? '-', format, images: images.map((i) => ({ id: i.id, names: i.names })) };
  if (isDir) {
    await saveToDir(opts.output!, format, images, opts.compress ?? false, opts.uncompressed);
    return report;
  }
  if (!opts.output) {
    const sink = new TarSink(stdout, format === 'docker-archive' ? 0o444 : 0o644, false);
    await writeSink(sink, format, images, opts.compress, opts.uncompressed);
    return report;
  }
  // write next to the target and rename: an interrupted save never leaves a truncated archive behind
  const target = path.resolve(opts.output);
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new InvalidArgumentError(`${opts.output} is a directory: give a file name for --format ${format}`);
  const direct = st !== undefined && !st.isFile(); // /dev/stdout, a fifo, ...
  const file = direct ? target : tmpSibling(target);
  let out: fs.WriteStream;
  try {
    out = fs.createWriteStream(file, { mode: 0o644, flags: direct ? 'w' : 'wx' });
    await new Promise<void>((res, rej) => { out.once('open', () => res()); out.once('error', rej); });
  } catch (err) {
    throw new TspodError(`cannot write ${opts.output}: ${errorMessage(err)}`);
  }
  try {
    await writeSink(new TarSink(out, format === 'docker-archive' ? 0o444 : 0o644), format, images, opts.compress, opts.uncompressed);
    if (!direct) fs.renameSync(file, target);
  } catch (err) {
    if (!direct) fs.rmSync(file, { force: true });
    throw err;
  }
  return report;
}

async function writeSink(sink: ArchiveSink, format: ArchiveFormat, images: ExportImage[], compress?: boolean, uncompressed?: boolean): Promise<void> {
  try {
    await writeArchive(sink, format, images, { compress: compress ?? false, uncompressed });
    await sink.finish();
  } catch (err) {
    sink.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

async function saveToDir(output: string, format: ArchiveFormat, images: ExportImage[], compress: boolean, uncompressed?: boolean): Promise<void> {
  const target = path.resolve(output);
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st && (!st.isDirectory() || fs.readdirSync(target).length > 0)) throw new InvalidArgumentError(`${output} already exists: --format ${format} writes a new directory`);
  const tmp = tmpSibling(target);
  try {
    await writeSink(new DirSink(tmp), format, images, compress, uncompressed);
    if (st) fs.rmdirSync(target);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------- load

export interface LoadOptions {
  /** archive file or directory; stdin when absent */
  input?: string | undefined;
  stdin?: (Readable & { isTTY?: boolean }) | undefined;
  /** Progress, as a pull reports it (run/create/pull of a docker-archive: etc. reference print it). */
  onEvent?: ((e: PullEvent) => void) | undefined;
}

export interface LoadReport {
  /** every name given to a loaded image */
  names: string[];
  /** image IDs, in archive order */
  ids: string[];
  images: Array<{ id: string; names: string[] }>;
}

/** Forwards every chunk and also writes it to `side` (honouring its backpressure). */
class Tee extends Transform {
  constructor(private readonly side: Writable) { super({ highWaterMark: 256 * 1024 }); }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.side.write(chunk)) cb(null, chunk);
    else this.side.once('drain', () => cb(null, chunk));
  }
  override _flush(cb: TransformCallback): void { this.side.end(); cb(); }
}

interface PreparedLayer {
  record: LayerRecord;
  /** temp layer dir (holding diff/) and blob file to commit; absent when the store already has the layer */
  tmpDir?: string | undefined;
  blobTmp?: string | undefined;
}

function gzipType(flavour: 'docker' | 'oci'): string { return flavour === 'docker' ? MT.dockerLayerGzip : MT.ociLayerGzip; }

function flavourOf(img: ArchiveImage): 'docker' | 'oci' {
  if (img.source === 'docker-archive') return 'docker';
  return img.manifest?.mediaType === MT.dockerManifest ? 'docker' : 'oci';
}

/** Unpack one layer into the work dir, verify it, and write its compressed blob. */
async function prepareLayer(layer: ArchiveLayer, work: string, n: number, flavour: 'docker' | 'oci', what: string): Promise<PreparedLayer> {
  const tmpDir = path.join(work, `layer-${n}`);
  fs.mkdirSync(path.join(tmpDir, 'diff'), { recursive: true, mode: 0o700 });
  const blobTmp = path.join(work, `blob-${n}`);
  const head = await layer.head(4);
  const keep = isGzip(head) || isZstd(head); // already compressed: keep the bytes (and so the digest)
  const src = layer.open();
  const orig = new HashCounter();
  const file = fs.createWriteStream(blobTmp, { mode: 0o600 });
  let sideHash: HashCounter | undefined;
  let side: Writable;
  let sideDone: Promise<void>;
  if (keep) {
    side = file;
    sideDone = new Promise<void>((res, rej) => { file.once('finish', () => res()); file.once('error', rej); });
  } else {
    const gz = zlib.createGzip({ level: 1, chunkSize: 128 * 1024 }); // fast: the blob is only kept for push/save
    sideHash = new HashCounter();
    side = gz;
    sideDone = pipeline(gz, sideHash, file);
  }
  sideDone.catch(() => { /* surfaced below */ });
  const tee = new Tee(side);
  src.on('error', (e) => orig.destroy(e));
  orig.on('error', (e) => tee.destroy(e));
  src.pipe(orig).pipe(tee);
  let res;
  try {
    res = await unpackLayer(tee, path.join(tmpDir, 'diff'));
    await sideDone;
  } catch (err) {
    src.destroy();
    side.destroy();
    if (err instanceof TspodError) { err.message = `${what}: ${err.message}`; throw err; }
    throw new TspodError(`${what}: ${errorMessage(err)}`);
  }
  if (res.diffID !== layer.diffID) {
    throw new DigestMismatchError(`${what}: content does not match the image config: diffID is ${res.diffID}, the config says ${layer.diffID}`);
  }
  if (layer.descriptor && (orig.digest() !== layer.descriptor.digest || orig.bytes !== layer.descriptor.size)) {
    throw new DigestMismatchError(`${what}: blob digest mismatch: the manifest says ${layer.descriptor.digest} (${layer.descriptor.size} bytes), the archive has ${orig.digest()} (${orig.bytes} bytes)`);
  }
  const mediaType = keep
    ? (layer.descriptor?.mediaType && layer.descriptor.mediaType !== MT.ociLayerTar ? layer.descriptor.mediaType : isZstd(head) ? MT.ociLayerZstd : gzipType(flavour))
    : gzipType(flavour);
  const compressedDigest = keep ? orig.digest() : sideHash!.digest();
  const compressedSize = keep ? orig.bytes : sideHash!.bytes;
  return {
    tmpDir,
    blobTmp,
    record: { id: res.diffID, compressedDigest, compressedSize, mediaType, size: res.size, created: new Date().toISOString(), ...(res.rootMode !== undefined ? { rootMode: res.rootMode } : {}) },
  };
}

/** Keep the archive's manifest when it describes exactly the stored blobs; otherwise write one. */
function manifestFor(img: ArchiveImage, layers: LayerRecord[]): { bytes: Buffer; digest: string; mediaType: string } {
  if (img.manifest) {
    try {
      const m = JSON.parse(img.manifest.bytes.toString('utf8')) as ImageManifest;
      if (m.layers.length === layers.length && m.layers.every((d, i) => d.digest === layers[i]!.compressedDigest && d.size === layers[i]!.compressedSize)) return img.manifest;
    } catch { /* build one */ }
  }
  if (flavourOf(img) === 'oci') {
    const m = ociManifestFor({
      id: hexOf(img.configDigest), names: [], config: img.config, configDigest: img.configDigest,
      layers: layers.map((l) => ({ diffID: l.id, size: l.size, compressedDigest: l.compressedDigest, compressedSize: l.compressedSize, mediaType: l.mediaType, openCompressed: () => { throw new Error('unused'); } })),
    });
    return { ...m, mediaType: MT.ociManifest };
  }
  const m: ImageManifest = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, size: img.config.length, digest: img.configDigest },
    layers: layers.map((l) => ({ mediaType: l.mediaType.startsWith('application/vnd.oci') && l.mediaType !== MT.ociLayerGzip ? l.mediaType : MT.dockerLayerGzip, size: l.compressedSize, digest: l.compressedDigest })),
  };
  const bytes = Buffer.from(JSON.stringify(m));
  return { bytes, digest: sha256Digest(bytes), mediaType: MT.dockerManifest };
}

function repoDigest(name: string, digest: string): string {
  const c = name.lastIndexOf(':');
  return `${c > name.lastIndexOf('/') ? name.slice(0, c) : name}@${digest}`;
}

async function download(url: string, file: string): Promise<void> {
  const { fetchTrusting } = await import('../util/extra-ca.js');
  let res: Response;
  try { res = await fetchTrusting(url); } catch (err) { throw new TspodError(`downloading ${url}: ${errorMessage((err as { cause?: unknown }).cause ?? err)}`); }
  if (!res.ok || !res.body) throw new TspodError(`downloading ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  const { Readable } = await import('node:stream');
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(file, { mode: 0o600 }));
}

async function loadImagesUnrecorded(opts: LoadOptions = {}, store = new ImageStore()): Promise<LoadReport> {
  const stdin = opts.stdin ?? process.stdin;
  if (!opts.input && stdin.isTTY) throw new InvalidArgumentError('cannot read from terminal, use command-line redirection or the --input flag');
  const url = !!opts.input && /^https?:\/\//i.test(opts.input);
  if (opts.input && !url && !fs.existsSync(opts.input)) throw new NotFoundError(`${opts.input}: no such file or directory`);
  const work = store.makeTemp('load');
  try {
    let input = opts.input;
    let label = opts.input ?? 'stdin';
    if (url) {
      // as Podman: an http(s) URL is downloaded first, then loaded as a file
      input = path.join(work, 'download.tar');
      await download(opts.input!, input);
    } else if (!input) {
      input = path.join(work, 'stdin.tar');
      label = 'stdin';
      await pipeline(stdin, fs.createWriteStream(input, { mode: 0o600 }));
    }
    // what is not an archive at all gets Podman's words first (scripts match on them)
    const source = await openSource(input, work, label).catch((err: unknown) => {
      if (err instanceof ArchiveFormatError) throw new ArchiveFormatError(`payload does not match any of the supported image formats: ${err.message}`);
      throw err;
    });
    const { images } = await readArchive(source);
    const emit = opts.onEvent ?? (() => undefined);
    emit({ type: 'resolved', reference: label, digest: '', layers: images.reduce((a, i) => a + i.layers.length, 0) });

    // heavy work outside the lock: unpack, verify, compress
    const idx0 = store.read();
    const prepared = new Map<string, PreparedLayer>();
    let n = 0;
    const plans: Array<{ img: ArchiveImage; layers: LayerRecord[]; manifest: { bytes: Buffer; digest: string; mediaType: string } }> = [];
    for (const img of images) {
      const id = hexOf(img.configDigest);
      const records: LayerRecord[] = [];
      const known = idx0.images.some((i) => i.id === id);
      for (const [li, layer] of img.layers.entries()) {
        let p = prepared.get(layer.diffID);
        if (!p) {
          const have = idx0.layers.find((l) => l.id === layer.diffID);
          if (have && store.layerPresent(have.id) && store.hasBlob(have.compressedDigest)) {
            p = { record: have };
            emit({ type: 'layer-skip', digest: have.compressedDigest });
          } else if (known && have) {
            p = { record: have }; // an image we already have: nothing to do for its layers
            emit({ type: 'layer-skip', digest: have.compressedDigest });
          } else {
            emit({ type: 'layer-start', digest: layer.diffID, size: 0 });
            p = await prepareLayer(layer, work, n++, flavourOf(img), `${label}: image ${id.slice(0, 12)} layer ${li + 1}/${img.layers.length} (${layer.path})`);
            emit({ type: 'layer-done', digest: layer.diffID, size: p.record.size });
          }
          prepared.set(layer.diffID, p);
        }
        records.push(p.record);
      }
      plans.push({ img, layers: records, manifest: manifestFor(img, records) });
    }

    for (const { img } of plans) emit({ type: 'config', digest: img.configDigest });
    const report: LoadReport = { names: [], ids: [], images: [] };
    await store.update((idx) => {
      const now = new Date().toISOString();
      for (const p of prepared.values()) {
        if (idx.layers.some((l) => l.id === p.record.id)) {
          if (p.tmpDir) store.trash(p.tmpDir); // someone stored it meanwhile
          continue;
        }
        if (!p.tmpDir || !p.blobTmp) throw new TspodError(`layer ${p.record.id} was removed from the store while loading: try again`);
        store.commitLayerDir(p.tmpDir, p.record.id);
        store.commitBlobFile(p.blobTmp, p.record.compressedDigest);
        idx.layers.push(p.record);
      }
      for (const { img, layers, manifest } of plans) {
        const id = hexOf(img.configDigest);
        const final = layers.map((l) => idx.layers.find((x) => x.id === l.id)!);
        store.writeBlob(img.configDigest, img.config);
        let cfg: Partial<ImageConfig> = {};
        try { cfg = JSON.parse(img.config.toString('utf8')) as Partial<ImageConfig>; } catch { /* checked by the reader */ }
        let rec = idx.images.find((i) => i.id === id);
        if (!rec) {
          store.writeBlob(manifest.digest, manifest.bytes);
          rec = {
            id,
            names: [],
            repoDigests: [],
            digest: manifest.digest,
            manifestMediaType: manifest.mediaType,
            configDigest: img.configDigest,
            layers: final.map((l) => l.id),
            size: final.reduce((a, l) => a + l.size, 0),
            created: cfg.created && !Number.isNaN(Date.parse(cfg.created)) ? cfg.created : now,
            added: now,
            labels: cfg.config?.Labels ?? undefined,
          };
          idx.images.push(rec);
        }
        for (const name of img.names) {
          if (rec.names.includes(name)) continue;
          untagEverywhere(idx, name);
          rec.names.push(name);
          const rd = repoDigest(name, rec.digest);
          if (!rec.repoDigests.includes(rd)) rec.repoDigests.push(rd);
        }
        report.ids.push(id);
        report.names.push(...img.names);
        report.images.push({ id, names: img.names });
      }
    });
    for (const id of report.ids) emit({ type: 'done', id });
    return report;
  } catch (err) {
    if (isErrno(err, 'ENOSPC')) throw new TspodError(`loading ${opts.input ?? 'stdin'}: no space left on device`);
    if (err instanceof ArchiveFormatError || err instanceof TspodError) throw err;
    throw new TspodError(`loading ${opts.input ?? 'stdin'}: ${errorMessage(err)}`);
  } finally {
    store.trash(work);
  }
}

/** {@link saveImagesUnrecorded}, recorded in the events log. */
export async function saveImages(...args: Parameters<typeof saveImagesUnrecorded>): Promise<SaveReport> {
  const r = await saveImagesUnrecorded(...args);
  for (const i of r.images) imageEvent('save', i.id, i.names[0]);
  return r;
}

/** {@link loadImagesUnrecorded}, recorded in the events log. */
export async function loadImages(...args: Parameters<typeof loadImagesUnrecorded>): Promise<LoadReport> {
  const r = await loadImagesUnrecorded(...args);
  for (const [i, id] of r.ids.entries()) imageEvent('loadfromarchive', id, r.names[i]);
  return r;
}
