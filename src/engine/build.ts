// `tspod build`: BuildOptions in, BuildReport out. Reads the Containerfile
// (a file, or stdin with -f -), prepares the context (a directory, or a tar
// archive on stdin), then hands the parsed file to the build executor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { ImageStore } from '../image/store.js';
import { paths } from '../util/paths.js';
import { InvalidArgumentError, NotFoundError, isErrno } from '../util/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { qualifyLocalName } from './images.js';
import { goArch } from './version.js';
import { imageEvent } from './events.js';
import { localPull } from './pull-local.js';

export interface BuildOptions {
  /** context directory, or "-" for a tar archive (or a bare Containerfile) on stdin; default "." */
  context?: string | undefined;
  /**
   * The context as a tar (optionally compressed) stream, unpacked as it arrives into a private directory
   * (no entry lands outside it); `file` is then a path inside it. Takes the place of `context`.
   */
  contextArchive?: Readable | undefined;
  /** Containerfile path(s) (-f); "-" reads it from stdin. Default: Containerfile, else Dockerfile, in the context */
  file?: string | undefined;
  tags?: string[] | undefined;
  buildArgs?: string[] | undefined;
  buildArgFiles?: string[] | undefined;
  target?: string | undefined;
  noCache?: boolean | undefined;
  pull?: string | boolean | undefined;
  labels?: string[] | undefined;
  annotations?: string[] | undefined;
  network?: string | undefined;
  secrets?: string[] | undefined;
  platform?: string | undefined;
  quiet?: boolean | undefined;
  layers?: boolean | undefined;
  squash?: boolean | undefined;
  iidfile?: string | undefined;
  format?: string | undefined;
  tlsVerify?: boolean | undefined;
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
  stderr?: Writable | undefined;
  /** Aborting ends the build (the running step is killed, nothing is committed) and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface BuildReport { id: string; names: string[]; warnings: string[] }

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

function keyValues(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i === 0) throw new InvalidArgumentError(`invalid ${what} "${kv}": use KEY=VALUE`);
    if (i < 0) out[kv] = '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** --build-arg KEY=VALUE, or KEY alone to take it from the environment; --build-arg-file lines. */
export function parseBuildArgs(args: string[] = [], files: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (kv: string, where: string) => {
    const i = kv.indexOf('=');
    if (i === 0) throw new InvalidArgumentError(`invalid build arg "${kv}"${where}: use KEY=VALUE`);
    if (i < 0) { const v = process.env[kv]; if (v !== undefined) out[kv] = v; return; }
    out[kv.slice(0, i)] = kv.slice(i + 1);
  };
  for (const f of files) {
    let text: string;
    try { text = fs.readFileSync(f, 'utf8'); } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`build arg file ${f} does not exist`);
      throw err;
    }
    for (const l of text.split(/\r?\n/)) { const t = l.trim(); if (t && !t.startsWith('#')) add(t, ` in ${f}`); }
  }
  for (const a of args) add(a, '');
  return out;
}

/** --secret id=ID,src=PATH (or env=VAR). */
export function parseSecrets(specs: string[] = [], tmpDir: () => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of specs) {
    const kv = keyValues(s.split(','), '--secret');
    const id = kv['id'];
    if (!id) throw new InvalidArgumentError(`invalid --secret "${s}": id= is required`);
    if (kv['type'] && kv['type'] !== 'file' && kv['type'] !== 'env') throw new InvalidArgumentError(`invalid --secret type "${kv['type']}": use file or env`);
    const src = kv['src'] ?? kv['source'];
    const env = kv['env'];
    if (src) {
      if (!fs.existsSync(src)) throw new NotFoundError(`secret file ${src} (id ${id}) does not exist`);
      out.set(id, path.resolve(src));
    } else {
      const name = env ?? id;
      const v = process.env[name];
      if (v === undefined) throw new NotFoundError(`secret ${id}: environment variable ${name} is not set`);
      const f = path.join(tmpDir(), `secret-${id}`);
      fs.writeFileSync(f, v, { mode: 0o600 });
      out.set(id, f);
    }
  }
  return out;
}

function findContainerfile(contextDir: string): string {
  for (const n of ['Containerfile', 'Dockerfile']) {
    const p = path.join(contextDir, n);
    if (fs.existsSync(p)) return p;
  }
  throw new NotFoundError(`no Containerfile or Dockerfile found in the context directory ${contextDir}: use -f to name one`);
}

async function buildImageUnrecorded(opts: BuildOptions): Promise<BuildReport> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const stdin = opts.stdin ?? process.stdin;
  const arch = goArch();
  if (opts.platform) {
    for (const p of opts.platform.split(',')) {
      const [os, a] = p.split('/');
      if (os !== 'linux' || (a !== undefined && a !== arch)) throw new InvalidArgumentError(`building for platform "${p}" is not supported: tspod builds for the native platform linux/${arch} only`);
    }
  }
  const format = (opts.format ?? process.env['BUILDAH_FORMAT'] ?? 'oci').toLowerCase();
  if (format !== 'oci' && format !== 'docker') throw new InvalidArgumentError(`unrecognized image type "${opts.format}": use oci or docker`);
  let pull: 'missing' | 'always' | 'never' | 'newer' = 'missing';
  if (opts.pull === true || opts.pull === 'true' || opts.pull === 'always') pull = 'always';
  else if (opts.pull === false || opts.pull === 'false' || opts.pull === undefined || opts.pull === 'missing') pull = 'missing';
  else if (opts.pull === 'never') pull = 'never';
  else if (opts.pull === 'newer') pull = 'newer';
  else throw new InvalidArgumentError(`invalid --pull "${String(opts.pull)}": use missing, always, never or newer`);
  let network: 'slirp4netns' | 'host' | 'none' = 'slirp4netns';
  const n = opts.network ?? 'slirp4netns';
  if (n === 'host' || n === 'none') network = n;
  else if (!['slirp4netns', 'private', 'bridge', 'default'].includes(n)) throw new InvalidArgumentError(`unsupported --network "${n}" for build: use slirp4netns, host or none`);
  const names = (opts.tags ?? []).map(qualifyLocalName);
  const buildArgs = parseBuildArgs(opts.buildArgs, opts.buildArgFiles);
  const labels = keyValues(opts.labels, '--label');
  const annotations = keyValues(opts.annotations, '--annotation');

  const { log } = await import('../util/log.js');
  log.debug('build: start');
  const store = new ImageStore();
  store.repair();
  const scratch: string[] = [];
  const tmp = () => { const d = store.makeTemp('build-input'); scratch.push(d); return d; };
  try {
    // the Containerfile and the context
    let contextDir: string;
    let fileText: string | undefined;
    let fileName = 'Containerfile';
    let filePath: string | undefined;
    if (opts.contextArchive) {
      contextDir = tmp();
      const { unpackLayer } = await import('../storage/unpack.js');
      await unpackLayer(opts.contextArchive, contextDir, { compression: 'auto' });
    } else if (opts.context === '-') {
      const data = await readAll(stdin);
      contextDir = tmp();
      const isTar = data.length >= 262 && data.subarray(257, 262).toString('latin1') === 'ustar';
      const isGz = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
      if (isTar || isGz) {
        const { unpackLayer } = await import('../storage/unpack.js');
        await unpackLayer(Readable.from([data]), contextDir, { compression: 'auto' });
      } else {
        fileText = data.toString('utf8');
      }
    } else {
      contextDir = path.resolve(opts.context ?? '.');
      let st: fs.Stats | undefined;
      try { st = fs.statSync(contextDir); } catch { st = undefined; }
      if (!st) throw new NotFoundError(`context directory ${contextDir} does not exist`);
      if (!st.isDirectory()) throw new InvalidArgumentError(`context ${contextDir} is not a directory`);
    }
    if (fileText === undefined) {
      if (opts.file === '-') {
        if (opts.context === '-') throw new InvalidArgumentError('the Containerfile and the context cannot both come from stdin');
        fileText = (await readAll(stdin)).toString('utf8');
      } else {
        if (opts.file && opts.contextArchive) {
          // a context from a tar stream (the API's /build): the file is a path inside it, never outside
          const p = path.resolve(contextDir, opts.file);
          let real: string | undefined;
          try { real = fs.realpathSync(p); } catch { real = undefined; }
          const base = fs.realpathSync(contextDir);
          if (real !== undefined && real !== base && !real.startsWith(`${base}${path.sep}`)) throw new InvalidArgumentError(`the Containerfile ${opts.file} is outside the build context`);
          filePath = real;
          if (!filePath) throw new NotFoundError(`the Containerfile ${opts.file} does not exist in the build context`);
        } else if (opts.file) {
          const cands = [path.resolve(opts.file), path.resolve(contextDir, opts.file)];
          filePath = cands.find((c) => fs.existsSync(c));
          if (!filePath) throw new NotFoundError(`the Containerfile ${opts.file} does not exist`);
        } else filePath = findContainerfile(contextDir);
        const st = fs.statSync(filePath);
        if (st.isDirectory()) filePath = findContainerfile(filePath);
        fileText = fs.readFileSync(filePath, 'utf8');
        fileName = path.basename(filePath);
      }
    }
    const { parseContainerfile } = await import('../build/parser.js');
    const parsed = parseContainerfile(fileText, fileName);
    const { loadIgnore } = await import('../build/ignore.js');
    const { matcher } = loadIgnore(contextDir, filePath);
    const secrets = parseSecrets(opts.secrets, tmp);
    const { Executor } = await import('../build/executor.js');
    const ex = new Executor({
      store, root: paths().root, contextDir, file: parsed, ignore: matcher, buildArgs, target: opts.target,
      noCache: !!opts.noCache, layers: opts.layers ?? true, pull, network, secrets, labels, annotations,
      squash: !!opts.squash, format: format as 'oci' | 'docker', names, commitName: opts.tags?.[0], quiet: !!opts.quiet,
      stdout, stderr, tlsVerify: opts.tlsVerify, arch, signal: opts.signal, pullImage: async (o, s) => (await localPull(o, s)) ?? (await import('./pull.js')).pullImage(o, s),
    });
    const r = await ex.build();
    if (opts.iidfile) writeFileAtomic(opts.iidfile, `sha256:${r.id}`, 0o644);
    return r;
  } finally {
    for (const d of scratch) { try { store.trash(d); } catch { /* best effort */ } }
  }
}

/** {@link buildImageUnrecorded}, recorded in the events log. */
export async function buildImage(...args: Parameters<typeof buildImageUnrecorded>): Promise<BuildReport> {
  const r = await buildImageUnrecorded(...args);
  imageEvent('build', r.id, r.names[0]);
  return r;
}
