// `tspod import`: a plain root filesystem tarball becomes a one-layer image.
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { ImageStore } from '../image/store.js';
import { ingestLayer } from '../image/ingest.js';
import { storeNewImage } from '../image/commit.js';
import { applyChanges } from '../image/changes.js';
import { qualifyLocalName } from './images.js';
import { goArch } from './version.js';
import { InvalidArgumentError, NotFoundError, isErrno } from '../util/errors.js';
import { fetchTrusting } from '../util/extra-ca.js';
import { imageEvent } from './events.js';

export interface ImportOptions { source: string; reference?: string | undefined; changes?: string[] | undefined; message?: string | undefined; stdin?: Readable }
export interface ImportReport { id: string; names: string[] }

async function importImageUnrecorded(opts: ImportOptions, store = new ImageStore()): Promise<ImportReport> {
  const names = opts.reference ? [qualifyLocalName(opts.reference)] : [];
  const config = applyChanges({ Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }, opts.changes);
  let input: Readable;
  if (opts.source === '-') {
    input = opts.stdin ?? process.stdin;
  } else if (/^https?:\/\//.test(opts.source)) {
    const res = await fetchTrusting(opts.source);
    if (!res.ok || !res.body) throw new NotFoundError(`cannot download ${opts.source}: HTTP ${res.status}`);
    input = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  } else {
    try {
      const st = fs.statSync(opts.source);
      if (!st.isFile()) throw new InvalidArgumentError(`${opts.source} is not a file: import takes a tarball`);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${opts.source}: no such file`);
      throw err;
    }
    input = fs.createReadStream(opts.source);
  }
  store.repair();
  const { layer } = await ingestLayer(store, input);
  const now = new Date().toISOString();
  const rec = await storeNewImage(store, {
    names,
    config: {
      created: now,
      architecture: goArch(),
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: [layer.id] },
      history: [{ created: now, created_by: `/bin/sh -c #(nop) ADD file:${layer.id.slice(7)} in /`, comment: opts.message ?? 'imported from tarball' }],
    },
    layers: [layer],
  });
  return { id: rec.id, names: rec.names };
}

/** {@link importImageUnrecorded}, recorded in the events log. */
export async function importImage(...args: Parameters<typeof importImageUnrecorded>): Promise<ImportReport> {
  const r = await importImageUnrecorded(...args);
  imageEvent('import', r.id, r.names[0]);
  return r;
}
