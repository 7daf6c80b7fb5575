// The build executor: stages in dependency order, each instruction a step
// that either hits the layer cache or runs (RUN in a rootless container,
// COPY/ADD into a mounted root filesystem, the rest edits the config), with
// Podman's progress lines ("STEP n/m: ...", "--> Using cache ...", "--> id").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { ImageStore } from '../image/store.js';
import type { PullOptions } from '../engine/pull.js';
import type { ImageConfig, LayerRecord, ContainerConfig, HistoryEntry } from '../image/types.js';
import { mountRootfs, unmountRootfs, rootfsPaths } from '../container/rootfs.js';
import { spawn, which } from '../util/exec.js';
import { InvalidArgumentError, NotFoundError, TspodError, errorMessage } from '../util/errors.js';
import type { UserMount } from '../runtime/spec.js';
import { log } from '../util/log.js';
import { flagValue, flagValues, parseInstructionLine, type Instruction, type ParsedContainerfile, type Stage } from './parser.js';
import { expandWord, expandWords, expandVarsOnly, envMap, parseKeyValues, setEnv, splitRaw, type Env } from './shell.js';
import { BuildCache, cacheKey, stateId } from './cache.js';
import { archiveKind, copySources, hashSources, parseChmod, resolveSources, writeFileInRoot, type Source, type SourceRoot } from './copy.js';
import type { IgnoreMatcher } from './ignore.js';
import type { BuildNetwork } from './run.js';
import { reapBuildLeftovers } from './leftovers.js';
import { configId, storeBuiltImage } from './commit.js';

export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** A build step failed: the message names the step; the exit code is the RUN's own when it exited non-zero. */
export class BuildStepError extends TspodError {
  constructor(message: string, exitCode = 125) { super(message, 'EBUILD', exitCode); }
}

export interface ExecutorOptions {
  store: ImageStore;
  root: string;
  contextDir: string;
  file: ParsedContainerfile;
  ignore: IgnoreMatcher;
  buildArgs: Record<string, string>;
  target?: string | undefined;
  noCache: boolean;
  layers: boolean;
  pull: 'missing' | 'always' | 'never' | 'newer';
  network: BuildNetwork;
  secrets: Map<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  squash: boolean;
  format: 'oci' | 'docker';
  /** fully qualified names for the result */
  names: string[];
  /** the first tag as the user wrote it (COMMIT line) */
  commitName?: string | undefined;
  quiet: boolean;
  stdout: Writable;
  stderr: Writable;
  tlsVerify?: boolean | undefined;
  arch: string;
  /** Pulls a base image (the engine's pullImage: the build part does not reach up into the engine). */
  pullImage: (o: PullOptions, store: ImageStore) => Promise<{ id: string }>;
  /** Aborting ends the build: the running step is killed, its mounts released, and build() rejects. */
  signal?: AbortSignal | undefined;
}

export interface BuildResult { id: string; names: string[]; warnings: string[] }

interface State {
  config: ImageConfig;
  layers: LayerRecord[];
  /** how many of the layers came from the FROM image */
  baseLayers: number;
}

interface StageRun {
  stage: Stage;
  state: State;
  args: Map<string, string>;
  shell: string[];
  cmdSet: boolean;
  prefix: string;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const sh = (s: string) => createHash('sha256').update(s).digest('hex');

function cloneConfig(c: ImageConfig): ImageConfig {
  return JSON.parse(JSON.stringify(c)) as ImageConfig;
}

function parseMountSpec(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) out[part.toLowerCase()] = 'true';
    else out[part.slice(0, i).toLowerCase()] = part.slice(i + 1);
  }
  return out;
}

const truthy = (v: string | undefined) => v !== undefined && v !== 'false' && v !== '0';

export class Executor {
  private readonly o: ExecutorOptions;
  private readonly cache: BuildCache;
  private work = '';
  private readonly mounted: string[] = [];
  private readonly stageResults = new Map<number, State>();
  private readonly rootfsMounts = new Map<string, string>();
  private readonly consumedArgs = new Set<string>();
  private readonly warnings: string[] = [];
  private runningId: string | undefined;
  private platformArgs: Record<string, string>;

  constructor(o: ExecutorOptions) {
    this.o = o;
    this.cache = new BuildCache(o.root);
    const plat = `linux/${o.arch}`;
    this.platformArgs = {
      TARGETPLATFORM: plat, TARGETOS: 'linux', TARGETARCH: o.arch, TARGETVARIANT: '',
      BUILDPLATFORM: plat, BUILDOS: 'linux', BUILDARCH: o.arch, BUILDVARIANT: '',
    };
  }

  private say(line: string): void {
    if (!this.o.quiet) this.o.stdout.write(`${line}\n`);
  }

  // ------------------------------------------------------------------ plan

  private globalScope(): Map<string, string> {
    const scope = new Map<string, string>(Object.entries(this.platformArgs));
    for (const ins of this.o.file.globalArgs) {
      for (const [k, v] of parseKeyValues(ins.args, scope, { allowLegacy: false, requireValue: false, what: 'ARG', escape: this.o.file.escape })) {
        this.consumedArgs.add(k);
        const val = this.o.buildArgs[k] ?? v;
        if (val !== undefined) scope.set(k, val);
      }
    }
    return scope;
  }

  private stageByRef(ref: string, before: number): Stage | undefined {
    const stages = this.o.file.stages;
    const lower = ref.toLowerCase();
    const named = stages.find((s) => s.name === lower && s.index < before);
    if (named) return named;
    if (/^\d+$/.test(ref)) {
      const i = Number(ref);
      if (i < before) return stages[i];
    }
    return undefined;
  }

  /** The stages the target needs, in order. */
  private plan(globals: Map<string, string>): Stage[] {
    const stages = this.o.file.stages;
    let target = stages[stages.length - 1]!;
    if (this.o.target) {
      const t = stages.find((s) => s.name === this.o.target!.toLowerCase());
      if (!t) throw new NotFoundError(`the target "${this.o.target}" was not found in the provided Containerfile`);
      target = t;
    }
    const need = new Set<number>();
    const visit = (s: Stage) => {
      if (need.has(s.index)) return;
      need.add(s.index);
      const base = this.stageByRef(expandWord(s.base, globals, this.o.file.escape), s.index);
      if (base) visit(base);
      for (const ins of s.instructions) {
        const refs: string[] = [];
        if (ins.cmd === 'COPY') { const f = flagValue(ins, 'from'); if (f) refs.push(f); }
        if (ins.cmd === 'RUN') for (const m of flagValues(ins, 'mount')) { const f = parseMountSpec(m)['from']; if (f) refs.push(f); }
        for (const r of refs) { const dep = this.stageByRef(expandWord(r, globals, this.o.file.escape), s.index); if (dep) visit(dep); }
      }
    };
    visit(target);
    return stages.filter((s) => need.has(s.index));
  }

  // ------------------------------------------------------------------ run

  async build(): Promise<BuildResult> {
    // what a killed build left running goes first (before repair() removes its work directory)
    await reapBuildLeftovers();
    this.o.store.repair();
    this.work = this.o.store.makeTemp('build');
    const signal = this.o.signal;
    signal?.throwIfAborted();
    // an abort kills the running step; buildInner then fails with the abort's reason
    const onAbort = () => { void this.killRunningStep(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await this.buildInner();
      signal?.throwIfAborted();
      return r;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.cleanup();
    }
  }

  private async killRunningStep(): Promise<void> {
    if (!this.runningId) return;
    const { findRunc } = await import('../runtime/runc.js');
    const { paths } = await import('../util/paths.js');
    const { run } = await import('../util/exec.js');
    await run(findRunc(), ['--root', path.join(paths().runroot, 'runc'), 'kill', this.runningId, 'KILL'], { reject: false });
  }

  private async cleanup(): Promise<void> {
    for (const d of this.mounted.splice(0)) await unmountRootfs(d).catch(() => undefined);
    if (this.work) { try { this.o.store.trash(this.work); } catch { /* best effort */ } this.work = ''; }
  }

  private async buildInner(): Promise<BuildResult> {
    const globals = this.globalScope();
    const stages = this.plan(globals);
    const last = stages[stages.length - 1]!;
    let final: State | undefined;
    for (const [k, stage] of stages.entries()) {
      const prefix = stages.length > 1 ? `[${k + 1}/${stages.length}] ` : '';
      const st = await this.buildStage(stage, globals, prefix, stage === last);
      this.stageResults.set(stage.index, st);
      if (stage === last) final = st;
    }
    const unused = Object.keys(this.o.buildArgs).filter((a) => !this.consumedArgs.has(a) && !PROXY_ARGS.includes(a));
    if (unused.length) {
      const w = `one or more build args were not consumed: [${unused.sort().join(' ')}]`;
      this.warnings.push(w);
      if (!this.o.quiet) this.o.stderr.write(`[Warning] ${w}\n`);
    }
    return this.commitFinal(final!, stages);
  }

  private async commitFinal(state: State, stages: Stage[]): Promise<BuildResult> {
    let config = cloneConfig(state.config);
    let layers = state.layers;
    if (Object.keys(this.o.labels).length) {
      config.config = { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), ...this.o.labels } };
    }
    if ((this.o.squash || !this.o.layers) && layers.length - state.baseLayers > 0) {
      const fresh = layers.slice(state.baseLayers);
      const layer = fresh.length === 1 ? fresh[0]! : await this.squash(fresh);
      layers = [...layers.slice(0, state.baseLayers), layer];
      const baseHist = (config.history ?? []).filter((h) => !h.empty_layer).slice(0, state.baseLayers);
      const now = new Date().toISOString();
      config.history = [...baseHist, { created: now, created_by: `tspod build --squash (${fresh.length} layers)`, comment: 'squashed' }];
      config.rootfs = { type: 'layers', diff_ids: layers.map((l) => l.id) };
      config.created = now;
    }
    this.say(`${this.stagePrefix}COMMIT${this.o.commitName ? ` ${this.o.commitName}` : ''}`);
    // keep the other stages' layers alive (as unnamed intermediate images, like Podman) so their cache stays valid
    for (const s of stages.slice(0, -1)) {
      const r = this.stageResults.get(s.index);
      if (r && r.layers.length) await storeBuiltImage(this.o.store, { config: r.config, layers: r.layers, names: [], format: this.o.format });
    }
    config = cloneConfig(config);
    const rec = await storeBuiltImage(this.o.store, { config, layers, names: this.o.names, format: this.o.format, annotations: this.o.annotations });
    this.say(`--> ${rec.id.slice(0, 11)}`);
    for (const n of this.o.names) this.say(`Successfully tagged ${n}`);
    return { id: rec.id, names: this.o.names, warnings: this.warnings };
  }

  private stagePrefix = '';

  private async squash(fresh: LayerRecord[]): Promise<LayerRecord> {
    const dir = path.join(this.work, `squash-${Date.now()}`);
    fs.mkdirSync(dir, { recursive: true });
    const { squashLayerDirs } = await import('./squash.js');
    squashLayerDirs(fresh.map((l) => this.o.store.layerDiff(l.id)), dir);
    return this.ingestDir(dir);
  }

  /** Store a directory (upper dir or squashed tree) as a layer; the directory is consumed. */
  private async ingestDir(dir: string): Promise<LayerRecord> {
    const t0 = Date.now();
    const { storeDirAsLayer } = await import('./layer.js');
    const layer = await storeDirAsLayer(this.o.store, dir, this.work);
    log.debug(`build: layer ${layer.id.slice(7, 19)} stored in ${Date.now() - t0} ms`);
    return layer;
  }

  // ------------------------------------------------------------------ stages

  private async baseState(stage: Stage, globals: Map<string, string>): Promise<State> {
    const ref = expandWord(stage.base, globals, this.o.file.escape);
    const plat = flagValue(stage.from, 'platform');
    if (plat !== undefined) this.checkPlatform(expandWord(plat, globals, this.o.file.escape));
    if (ref.toLowerCase() === 'scratch') {
      return { config: { architecture: this.o.arch, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] }, layers: [], baseLayers: 0 };
    }
    const dep = this.stageByRef(ref, stage.index);
    if (dep) {
      const r = this.stageResults.get(dep.index);
      if (!r) throw new TspodError(`stage "${ref}" was not built`);
      return { config: cloneConfig(r.config), layers: r.layers.slice(), baseLayers: r.layers.length };
    }
    const img = await this.image(ref);
    return { config: cloneConfig(img.config), layers: img.layers, baseLayers: img.layers.length };
  }

  checkPlatform(p: string): void {
    const [os, arch] = p.split('/');
    if (p && (os !== 'linux' || (arch !== undefined && arch !== this.o.arch))) {
      throw new InvalidArgumentError(`building for platform "${p}" is not supported: tspod builds for the native platform linux/${this.o.arch} only`);
    }
  }

  private async image(ref: string): Promise<{ id: string; config: ImageConfig; layers: LayerRecord[] }> {
    const { readImageConfig } = await import('../image/config.js');
    const rep = await this.o.pullImage({
      reference: ref, policy: this.o.pull, tlsVerify: this.o.tlsVerify,
      onEvent: (e) => {
        if (this.o.quiet) return;
        if (e.type === 'trying') this.o.stderr.write(`Trying to pull ${e.reference}...\n`);
        else if (e.type === 'layer-start') this.o.stderr.write(`Copying blob ${e.digest.slice(7, 19)}\n`);
        else if (e.type === 'done') this.o.stderr.write('Writing manifest to image destination\n');
      },
    }, this.o.store);
    const idx = this.o.store.read();
    const img = idx.images.find((i) => i.id === rep.id);
    if (!img) throw new NotFoundError(`${ref}: image not known`);
    const byId = new Map(idx.layers.map((l) => [l.id, l]));
    const layers = img.layers.map((l) => {
      const r = byId.get(l);
      if (!r) throw new NotFoundError(`layer ${l} of ${ref} is missing from the store`);
      return r;
    });
    return { id: img.id, config: readImageConfig(img, this.o.store), layers };
  }

  private async buildStage(stage: Stage, globals: Map<string, string>, prefix: string, isLast: boolean): Promise<State> {
    this.stagePrefix = prefix;
    const total = stage.instructions.length + 1;
    this.say(`${prefix}STEP 1/${total}: ${stage.from.original}`);
    let state: State;
    try {
      log.debug(`build: resolving ${stage.base}`);
      state = await this.baseState(stage, globals);
      log.debug(`build: base resolved`);
    } catch (err) {
      throw this.stepError(stage.from, err);
    }
    const sr: StageRun = { stage, state, args: new Map(), shell: state.config.config?.Shell?.length ? state.config.config.Shell.slice() : DEFAULT_SHELL, cmdSet: false, prefix };
    // ONBUILD triggers of the base image run right after FROM
    const triggers = state.config.config?.OnBuild ?? [];
    if (triggers.length) {
      if (sr.state.config.config) sr.state.config.config.OnBuild = null;
      for (const t of triggers) {
        const ins = parseInstructionLine(t, this.o.file.file, stage.from.line);
        await this.step(sr, ins, globals);
      }
    }
    for (const [i, ins] of stage.instructions.entries()) {
      this.say(`${prefix}STEP ${i + 2}/${total}: ${ins.original}`);
      await this.step(sr, ins, globals);
      const lastStep = isLast && i === stage.instructions.length - 1;
      if (!lastStep) this.say(`--> ${configId(sr.state.config).slice(0, 11)}`);
    }
    if (!stage.instructions.length && !isLast) this.say(`--> ${configId(sr.state.config).slice(0, 11)}`);
    return sr.state;
  }

  private stepError(ins: Instruction, err: unknown): Error {
    if (err instanceof BuildStepError) return err;
    const code = err instanceof TspodError && err.code === 'EBUILDFILE' ? undefined : 125;
    if (code === undefined) return err as Error;
    const e = new BuildStepError(`building at STEP "${ins.original}": ${errorMessage(err)}`);
    return e;
  }

  /** Variables for substitution: the stage's ARGs, overridden by ENV. */
  private substEnv(sr: StageRun): Env {
    const m = new Map(sr.args);
    for (const [k, v] of envMap(sr.state.config.config?.Env)) m.set(k, v);
    return m;
  }

  private async step(sr: StageRun, ins: Instruction, globals: Map<string, string>): Promise<void> {
    try {
      await this.stepInner(sr, ins, globals);
    } catch (err) {
      throw this.stepError(ins, err);
    }
  }

  private async stepInner(sr: StageRun, ins: Instruction, globals: Map<string, string>): Promise<void> {
    const esc = this.o.file.escape;
    const env = this.substEnv(sr);
    const cc = (): ContainerConfig => ({ ...(sr.state.config.config ?? {}) });
    switch (ins.cmd) {
      case 'ARG': {
        for (const [k, v] of parseKeyValues(ins.args, env, { allowLegacy: false, requireValue: false, what: 'ARG', escape: esc })) {
          this.consumedArgs.add(k);
          let val = this.o.buildArgs[k] ?? v;
          if (val === undefined && globals.has(k)) val = globals.get(k);
          if (val === undefined && this.platformArgs[k] !== undefined) val = this.platformArgs[k];
          if (val !== undefined) sr.args.set(k, val); else sr.args.delete(k);
        }
        return;
      }
      case 'ENV': {
        let list = (sr.state.config.config?.Env ?? []).slice();
        for (const [k, v] of parseKeyValues(ins.args, env, { allowLegacy: true, requireValue: true, what: 'ENV', escape: esc })) list = setEnv(list, k, v ?? '');
        const c = cc(); c.Env = list;
        return this.configStep(sr, ins, c);
      }
      case 'LABEL': {
        const c = cc(); c.Labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of parseKeyValues(ins.args, env, { allowLegacy: true, requireValue: true, what: 'LABEL', escape: esc })) c.Labels[k] = v ?? '';
        return this.configStep(sr, ins, c);
      }
      case 'MAINTAINER': {
        const cfg = cloneConfig(sr.state.config);
        cfg.author = expandWord(ins.args, env, esc);
        return this.configStep(sr, ins, cfg.config ?? {}, undefined, cfg.author);
      }
      case 'EXPOSE': {
        const c = cc(); c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of expandWords(ins.args, env, esc)) {
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
          if (!m) throw new InvalidArgumentError(`invalid containerPort: ${p}`);
          const a = Number(m[1]), b = Number(m[2] ?? m[1]);
          if (a < 1 || b > 65535 || b < a) throw new InvalidArgumentError(`invalid port range: ${p}`);
          for (let x = a; x <= b; x++) c.ExposedPorts[`${x}/${(m[3] ?? 'tcp').toLowerCase()}`] = {};
        }
        return this.configStep(sr, ins, c);
      }
      case 'CMD': {
        const c = cc();
        c.Cmd = ins.json ?? [...sr.shell, ins.args];
        sr.cmdSet = true;
        return this.configStep(sr, ins, c);
      }
      case 'ENTRYPOINT': {
        const c = cc();
        c.Entrypoint = ins.json ?? [...sr.shell, ins.args];
        if (!sr.cmdSet) c.Cmd = null;
        return this.configStep(sr, ins, c);
      }
      case 'VOLUME': {
        const c = cc(); c.Volumes = { ...(c.Volumes ?? {}) };
        const vols = ins.json ? ins.json.map((v) => expandWord(v, env, esc)) : expandWords(ins.args, env, esc);
        for (const v of vols) {
          if (!v.trim()) throw new InvalidArgumentError('VOLUME specified can not be an empty string');
          c.Volumes[v] = {};
        }
        return this.configStep(sr, ins, c);
      }
      case 'USER': {
        const c = cc(); c.User = expandWord(ins.args, env, esc);
        return this.configStep(sr, ins, c);
      }
      case 'WORKDIR': {
        const c = cc();
        const w = expandWord(ins.args, env, esc);
        c.WorkingDir = path.posix.resolve(c.WorkingDir || '/', w);
        return this.configStep(sr, ins, c);
      }
      case 'STOPSIGNAL': {
        const c = cc();
        const s = expandWord(ins.args, env, esc);
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(s) && !/^\d+$/.test(s)) throw new InvalidArgumentError(`invalid signal: ${s}`);
        c.StopSignal = s;
        return this.configStep(sr, ins, c);
      }
      case 'SHELL': {
        const c = cc(); c.Shell = ins.json!.slice();
        sr.shell = ins.json!.slice();
        return this.configStep(sr, ins, c);
      }
      case 'ONBUILD': {
        const c = cc();
        const words = splitRaw(ins.args, esc);
        const trig = `${words[0]!.toUpperCase()}${ins.args.trim().slice(words[0]!.length)}`;
        c.OnBuild = [...(c.OnBuild ?? []), trig];
        return this.configStep(sr, ins, c);
      }
      case 'HEALTHCHECK': {
        const c = cc();
        const words = splitRaw(ins.args, esc);
        if (words[0]!.toUpperCase() === 'NONE') c.Healthcheck = { Test: ['NONE'] };
        else {
          const rest = ins.args.trim().slice(words[0]!.length).trim();
          const json = ((): string[] | undefined => { try { const j = JSON.parse(rest) as unknown; return Array.isArray(j) && j.every((x) => typeof x === 'string') ? j as string[] : undefined; } catch { return undefined; } })();
          const hc: NonNullable<ContainerConfig['Healthcheck']> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', rest] };
          const { parseGoDuration } = await import('../container/options.js');
          const dur = (name: string, key: 'Interval' | 'Timeout' | 'StartPeriod') => {
            const v = flagValue(ins, name);
            if (v !== undefined) hc[key] = parseGoDuration(v, `--${name}`);
          };
          dur('interval', 'Interval'); dur('timeout', 'Timeout'); dur('start-period', 'StartPeriod');
          const si = flagValue(ins, 'start-interval');
          if (si !== undefined) (hc as Record<string, unknown>)['StartInterval'] = parseGoDuration(si, '--start-interval');
          const r = flagValue(ins, 'retries');
          if (r !== undefined) {
            if (!/^\d+$/.test(r) || Number(r) < 1) throw new InvalidArgumentError(`invalid --retries "${r}": must be at least 1`);
            hc.Retries = Number(r);
          }
          c.Healthcheck = hc;
        }
        return this.configStep(sr, ins, c);
      }
      case 'RUN': return this.runInstruction(sr, ins, env);
      case 'COPY': case 'ADD': return this.copyInstruction(sr, ins, env);
      default: throw new InvalidArgumentError(`${ins.cmd} is not supported`);
    }
  }

  // ------------------------------------------------------------------ steps

  private historyFor(ins: Instruction, text?: string): string {
    return `/bin/sh -c #(nop) ${text ?? ins.original}`;
  }

  /** A step that only changes the config (no layer). */
  private async configStep(sr: StageRun, ins: Instruction, next: ContainerConfig, historyText?: string, author?: string): Promise<void> {
    const instruction = `${ins.cmd} ${JSON.stringify(next)}${author !== undefined ? ` author=${author}` : ''}`;
    await this.cachedStep(sr, { instruction }, async () => {
      const cfg = cloneConfig(sr.state.config);
      cfg.config = next;
      if (author !== undefined) cfg.author = author;
      return { config: cfg, history: { created_by: this.historyFor(ins, historyText), empty_layer: true } };
    });
  }

  /**
   * Look the step up in the cache; on a miss run `exec`, which returns the new
   * config (without history/rootfs bookkeeping) and maybe a layer.
   */
  private async cachedStep(sr: StageRun, key: { instruction: string; args?: Record<string, string>; content?: string }, exec: () => Promise<{ config: ImageConfig; layer?: LayerRecord | undefined; history: HistoryEntry }>): Promise<void> {
    const parent = stateId(sr.state.layers.map((l) => l.id), sr.state.config);
    const k = cacheKey({ parent, ...key });
    const useCache = !this.o.noCache && this.o.layers;
    if (useCache) {
      const hit = this.cache.get(k, this.o.store);
      const want = [...sr.state.layers.map((l) => l.id), ...(hit?.layer ? [hit.layer.id] : [])];
      if (hit && JSON.stringify(hit.config.rootfs?.diff_ids ?? []) === JSON.stringify(want)) {
        this.say(`--> Using cache ${configId(hit.config)}`);
        sr.state = { config: hit.config, layers: hit.layer ? [...sr.state.layers, hit.layer] : sr.state.layers, baseLayers: sr.state.baseLayers };
        return;
      }
    }
    const r = await exec();
    const now = new Date().toISOString();
    const cfg = r.config;
    cfg.created = now;
    cfg.history = [...(sr.state.config.history ?? []), { created: now, ...r.history, ...(r.layer ? {} : { empty_layer: true }) }];
    const layers = r.layer ? [...sr.state.layers, r.layer] : sr.state.layers;
    cfg.rootfs = { type: 'layers', diff_ids: layers.map((l) => l.id) };
    if (this.o.layers) {
      this.cache.put({ version: 1, key: k, ...(r.layer ? { layer: r.layer } : {}), config: cfg, created: now });
    }
    sr.state = { config: cfg, layers, baseLayers: sr.state.baseLayers };
  }

  /** Mount the state's layers with a fresh upper dir; run fn; unmount; return the upper dir. */
  private async withMount<T>(layers: LayerRecord[], fn: (rootfs: string) => Promise<T>): Promise<{ result: T; upper: string; dir: string }> {
    const dir = fs.mkdtempSync(path.join(this.work, 'step-'));
    const merged = await mountRootfs(this.o.store, layers.map((l) => l.id), dir);
    this.mounted.push(dir);
    let result: T;
    try {
      result = await fn(merged);
    } finally {
      await unmountRootfs(dir);
      const i = this.mounted.indexOf(dir);
      if (i >= 0) this.mounted.splice(i, 1);
    }
    return { result, upper: rootfsPaths(dir).upper, dir };
  }

  /** A read-only view of a finished stage or an image (COPY --from, RUN --mount from=). */
  private async sourceRootfs(ref: string, sr: StageRun): Promise<{ dir: string; id: string }> {
    const dep = this.stageByRef(ref, sr.stage.index);
    let layers: LayerRecord[];
    let id: string;
    if (dep) {
      const r = this.stageResults.get(dep.index);
      if (!r) throw new TspodError(`stage "${ref}" was not built`);
      layers = r.layers;
      id = `stage:${stateId(r.layers.map((l) => l.id), r.config)}`;
    } else {
      const img = await this.image(ref);
      layers = img.layers;
      id = `image:${img.id}`;
    }
    const key = layers.map((l) => l.id).join(',');
    let dir = this.rootfsMounts.get(key);
    if (!dir) {
      const d = fs.mkdtempSync(path.join(this.work, 'from-'));
      dir = await mountRootfs(this.o.store, layers.map((l) => l.id), d);
      this.mounted.push(d);
      this.rootfsMounts.set(key, dir);
    }
    return { dir, id };
  }

  private async layerFrom(upper: string): Promise<LayerRecord | undefined> {
    if (!fs.readdirSync(upper).length) return undefined;
    return this.ingestDir(upper);
  }

  // ------------------------------------------------------------------ RUN

  private async runInstruction(sr: StageRun, ins: Instruction, env: Env): Promise<void> {
    const esc = this.o.file.escape;
    let args: string[];
    const extraMounts: Array<{ dest: string; file: string }> = [];
    if (ins.heredocs.length) {
      const bare = ins.args.replace(/<<-?\s*(["']?)([A-Za-z0-9_./-]+)\1/g, '').trim();
      if (!bare && ins.heredocs.length === 1) {
        const body = ins.heredocs[0]!.content;
        if (body.startsWith('#!')) {
          const f = path.join(this.work, `heredoc-${Date.now()}`);
          fs.writeFileSync(f, body, { mode: 0o755 });
          extraMounts.push({ dest: '/dev/shm/tspod-heredoc', file: f });
          args = ['/dev/shm/tspod-heredoc'];
        } else args = [...sr.shell, body];
      } else {
        args = [...sr.shell, `${ins.args}\n${ins.heredocs.map((h) => `${h.content}${h.name}`).join('\n')}`];
      }
    } else if (ins.json) args = ins.json.slice();
    else args = [...sr.shell, ins.args];

    const security = flagValue(ins, 'security');
    if (security !== undefined && security !== 'sandbox') throw new InvalidArgumentError(`RUN --security=${security} is not supported: only sandbox`);
    let network = this.o.network;
    const nf = flagValue(ins, 'network');
    if (nf !== undefined) {
      if (nf === 'none' || nf === 'host') network = nf;
      else if (nf !== 'default') throw new InvalidArgumentError(`RUN --network=${nf}: use default, none or host`);
    }
    // build args in scope reach RUN as environment variables (ENV wins)
    const runArgs: Record<string, string> = {};
    for (const [k, v] of sr.args) runArgs[k] = v;
    for (const p of PROXY_ARGS) if (this.o.buildArgs[p] !== undefined && runArgs[p] === undefined) { runArgs[p] = this.o.buildArgs[p]!; }
    let runEnv = (sr.state.config.config?.Env ?? []).slice();
    const envKeys = envMap(runEnv);
    for (const [k, v] of Object.entries(runArgs)) if (!envKeys.has(k)) runEnv.push(`${k}=${v}`);

    // --mount: prepared before the cache lookup (bind sources are part of the key)
    const mounts: UserMount[] = [];
    const contentParts: string[] = [];
    for (const raw of flagValues(ins, 'mount')) {
      const m = parseMountSpec(expandWord(raw, env, esc));
      const type = m['type'] ?? 'bind';
      const target = m['target'] ?? m['dst'] ?? m['destination'];
      const ro = truthy(m['ro']) || truthy(m['readonly']);
      if (type === 'cache') {
        if (!target) throw new InvalidArgumentError('RUN --mount=type=cache needs target=');
        const dir = this.cache.mountDir(`${m['id'] ?? target}`);
        if (!fs.existsSync(dir)) {
          fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
          fs.chownSync(dir, Number(m['uid'] ?? 0), Number(m['gid'] ?? 0));
          fs.chmodSync(dir, m['mode'] ? parseInt(m['mode'], 8) : 0o755);
        }
        mounts.push({ type: 'bind', source: dir, destination: path.posix.resolve(sr.state.config.config?.WorkingDir || '/', target), readonly: ro });
      } else if (type === 'bind') {
        if (!target) throw new InvalidArgumentError('RUN --mount=type=bind needs target=');
        const source = m['source'] ?? m['src'] ?? '.';
        let root: SourceRoot;
        if (m['from']) root = { dir: (await this.sourceRootfs(m['from'], sr)).dir, kind: 'rootfs' };
        else root = { dir: this.o.contextDir, kind: 'context', ignore: this.o.ignore };
        const [src] = resolveSources(root, [source]);
        contentParts.push(`bind ${target} ${hashSources(root, [src!])}`);
        let host = src!.abs;
        const rw = truthy(m['rw']) || truthy(m['readwrite']);
        if (rw || (root.kind === 'context' && !this.o.ignore.empty && src!.st.isDirectory())) {
          // a private copy: writes are thrown away, ignored files are not visible
          const copy = fs.mkdtempSync(path.join(this.work, 'bind-'));
          if (src!.st.isDirectory()) copySources(root, [src!], copy, '/', { preserveOwner: true });
          else { fs.copyFileSync(host, path.join(copy, 'f')); }
          host = src!.st.isDirectory() ? copy : path.join(copy, 'f');
        }
        mounts.push({ type: 'bind', source: host, destination: path.posix.resolve(sr.state.config.config?.WorkingDir || '/', target), readonly: !rw });
      } else if (type === 'secret') {
        const id = m['id'] ?? (target ? path.posix.basename(target) : undefined);
        if (!id) throw new InvalidArgumentError('RUN --mount=type=secret needs id= or target=');
        const file = this.o.secrets.get(id);
        if (!file) {
          if (truthy(m['required'])) throw new NotFoundError(`secret "${id}" is required but was not provided (use --secret id=${id},src=FILE)`);
          continue;
        }
        const copy = path.join(fs.mkdtempSync(path.join(this.work, 'secret-')), id);
        fs.copyFileSync(file, copy);
        fs.chownSync(copy, Number(m['uid'] ?? 0), Number(m['gid'] ?? 0));
        fs.chmodSync(copy, m['mode'] ? parseInt(m['mode'], 8) : 0o400);
        mounts.push({ type: 'bind', source: copy, destination: target ?? `/run/secrets/${id}`, readonly: true });
      } else if (type === 'tmpfs') {
        if (!target) throw new InvalidArgumentError('RUN --mount=type=tmpfs needs target=');
        mounts.push({ type: 'tmpfs', destination: target, options: m['size'] ? [`size=${m['size']}`] : [] });
      } else {
        throw new InvalidArgumentError(`RUN --mount type "${type}" is not supported: use cache, bind, secret or tmpfs`);
      }
    }
    for (const x of extraMounts) mounts.push({ type: 'bind', source: x.file, destination: x.dest, readonly: true });
    const heredocText = ins.heredocs.map((h) => `${h.name}\n${h.content}`).join('\n');
    if (heredocText) contentParts.push(`heredoc ${sh(heredocText)}`);
    const shell = sr.shell.slice();
    const keyArgs = Object.keys(runArgs).length ? runArgs : undefined;
    runEnv = runEnv.slice();
    await this.cachedStep(sr, { instruction: `RUN ${JSON.stringify(args)} shell=${JSON.stringify(shell)} net=${network} mounts=${JSON.stringify(flagValues(ins, 'mount'))}`, args: keyArgs, content: contentParts.join('\n') || undefined }, async () => {
      const cfg = sr.state.config.config ?? {};
      const t0 = Date.now();
      // (loaded when a step runs: a fully cached build loads no runtime, network or layer code)
      const { runStep, removeCreatedMountpoints, pruneCopiedUpDirs } = await import('./run.js');
      const { result, upper, dir } = await this.withMount(sr.state.layers, async (rootfs) => runStep({
        rootfs, upper: rootfsPaths(path.dirname(rootfs)).upper, workDir: path.join(path.dirname(rootfs), 'run'), args, env: runEnv,
        cwd: cfg.WorkingDir || '/', user: cfg.User || '', network, mounts,
        stdout: this.o.quiet ? devNull() : this.o.stdout, stderr: this.o.quiet ? devNull() : this.o.stderr,
        onStart: (id) => { this.runningId = id; },
      }));
      this.runningId = undefined;
      log.debug(`build: RUN mounted, ran and unmounted in ${Date.now() - t0} ms`);
      if (result.exitCode !== 0) {
        this.o.store.trash(dir);
        throw new BuildStepError(`building at STEP "${ins.original}": while running runtime: exit status ${result.exitCode}`, result.exitCode);
      }
      removeCreatedMountpoints(upper, result.createdMountpoints);
      pruneCopiedUpDirs(upper, result.createdMountpoints, sr.state.layers.map((l) => this.o.store.layerDiff(l.id)).reverse());
      const layer = await this.layerFrom(upper);
      this.o.store.trash(dir);
      const created = ins.json ? ins.json.join(' ') : `${shell.join(' ')} ${ins.heredocs.length ? `${ins.args}\n${heredocText}` : ins.args}`;
      const argPrefix = keyArgs ? `|${Object.keys(keyArgs).length} ${Object.entries(keyArgs).map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
      return { config: cloneConfig(sr.state.config), layer, history: { created_by: `${argPrefix}${created}` } };
    });
  }

  // ------------------------------------------------------------------ COPY / ADD

  private async resolveChown(rootfs: string | undefined, spec: string | undefined, layers: LayerRecord[]): Promise<{ uid: number; gid: number } | undefined> {
    if (spec === undefined || spec === '') return undefined;
    const [u, g] = spec.split(':', 2) as [string, string | undefined];
    const numeric = (x: string) => /^\d+$/.test(x);
    if (numeric(u) && (g === undefined || numeric(g))) return { uid: Number(u), gid: Number(g ?? u) };
    const { resolveUser } = await import('../container/user.js');
    const lookup = (root: string) => {
      const ru = resolveUser(root, numeric(u) ? u : u);
      let gid = ru.uid;
      if (g !== undefined) gid = numeric(g) ? Number(g) : resolveUser(root, `${ru.uid}:${g}`).gid;
      return { uid: ru.uid, gid };
    };
    try {
      if (rootfs) return lookup(rootfs);
      const { result } = await this.withMount(layers, async (r) => lookup(r));
      return result;
    } catch (err) {
      throw new InvalidArgumentError(`unable to convert --chown "${spec}" to uid/gid: ${errorMessage(err)}`);
    }
  }

  private async copyInstruction(sr: StageRun, ins: Instruction, env: Env): Promise<void> {
    const esc = this.o.file.escape;
    const isAdd = ins.cmd === 'ADD';
    for (const f of ['parents', 'exclude', 'keep-git-dir']) if (flagValue(ins, f) !== undefined) throw new InvalidArgumentError(`${ins.cmd} --${f} is not supported by tspod`);
    let words = ins.json ? ins.json.map((w) => expandWord(w, env, esc)) : expandWords(ins.args, env, esc);
    // heredoc sources: COPY <<EOF /dest
    const heredocs: Array<{ name: string; content: string }> = [];
    if (ins.heredocs.length) {
      const rawWords = splitRaw(ins.args, esc);
      const keep: string[] = [];
      for (const w of rawWords) {
        const hm = /^<<-?(["']?)([A-Za-z0-9_./-]+)\1$/.exec(w);
        if (hm) {
          const h = ins.heredocs.find((x) => x.name === hm[2]);
          if (h) heredocs.push({ name: h.name, content: h.expand ? expandVarsOnly(h.content, env) : h.content });
          continue;
        }
        keep.push(expandWord(w, env, esc));
      }
      words = keep;
    }
    if (!words.length) throw new InvalidArgumentError(`${ins.cmd} requires a destination`);
    const rawDest = words[words.length - 1]!;
    const srcs = words.slice(0, -1);
    if (!srcs.length && !heredocs.length) throw new InvalidArgumentError(`${ins.cmd} requires at least two arguments`);
    const cfg = sr.state.config.config ?? {};
    let dest = rawDest.startsWith('/') ? rawDest : path.posix.join(cfg.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') || rawDest === '.' ? '/' : '');
    if (rawDest === '.' || rawDest === './') dest = `${path.posix.normalize(cfg.WorkingDir || '/').replace(/\/$/, '')}/`;
    const from = flagValue(ins, 'from');
    if (from !== undefined && isAdd) throw new InvalidArgumentError('ADD does not support --from: use COPY --from');
    const chownSpec = flagValue(ins, 'chown') !== undefined ? expandWord(flagValue(ins, 'chown')!, env, esc) : undefined;
    const mode = parseChmod(flagValue(ins, 'chmod'));
    const checksum = flagValue(ins, 'checksum');

    let root: SourceRoot;
    if (from !== undefined) {
      const ref = expandWord(from, env, esc);
      root = { dir: (await this.sourceRootfs(ref, sr)).dir, kind: 'rootfs' };
    } else root = { dir: this.o.contextDir, kind: 'context', ignore: this.o.ignore };

    const urls = isAdd ? srcs.filter((s) => /^https?:\/\//.test(s)) : [];
    if (isAdd && srcs.some((s) => /^git@|\.git$/.test(s))) throw new InvalidArgumentError('ADD of a git repository is not supported by tspod');
    if (urls.length && checksum !== undefined && urls.length !== 1) throw new InvalidArgumentError('ADD --checksum needs exactly one URL source');
    const local = srcs.filter((s) => !urls.includes(s));
    const sources: Source[] = local.length ? resolveSources(root, local) : [];
    const downloads: Array<{ name: string; data: Buffer; mtime?: Date }> = [];
    for (const u of urls) downloads.push(await download(u, checksum));
    if ((sources.length + downloads.length + heredocs.length) > 1 && !dest.endsWith('/')) {
      throw new InvalidArgumentError(`when using ${ins.cmd} with more than one source file, the destination must be a directory and end with a /`);
    }
    const parts = [
      `from=${root.kind === 'rootfs' ? 'rootfs' : 'context'}`,
      hashSources(root, sources),
      ...downloads.map((d) => `url ${d.name} ${sh(d.data.toString('latin1'))}`),
      ...heredocs.map((h) => `heredoc ${h.name} ${sh(h.content)}`),
    ];
    const archives = isAdd ? sources.filter((s) => s.st.isFile() && archiveKind(s.abs) !== undefined) : [];
    await this.cachedStep(sr, { instruction: `${ins.cmd} ${JSON.stringify({ srcs, dest, chown: chownSpec, mode, from })}`, content: parts.join('\n') }, async () => {
      const { upper, dir } = await this.withMount(sr.state.layers, async (rootfs) => {
        const owner = await this.resolveChown(rootfs, chownSpec, sr.state.layers);
        const plain = sources.filter((s) => !archives.includes(s));
        if (plain.length) copySources(root, plain, rootfs, plain.length > 1 || sources.length + downloads.length + heredocs.length > 1 ? (dest.endsWith('/') ? dest : `${dest}/`) : dest, { owner, mode, preserveOwner: root.kind === 'rootfs' });
        for (const a of archives) await this.extractArchive(a.abs, rootfs, dest, owner);
        for (const d of downloads) writeFileInRoot(rootfs, dest, d.name, d.data, { owner, mode: mode ?? 0o600, ...(d.mtime ? { mtime: d.mtime } : {}) });
        for (const h of heredocs) writeFileInRoot(rootfs, dest, h.name, Buffer.from(h.content), { owner, mode: mode ?? 0o644 });
      });
      const layer = await this.layerFrom(upper);
      this.o.store.trash(dir);
      const what = heredocs.length ? 'heredoc' : sources.length === 1 && !sources[0]!.st.isDirectory() ? 'file' : 'dir';
      return { config: cloneConfig(sr.state.config), layer, history: { created_by: `/bin/sh -c #(nop) ${ins.cmd} ${what}:${parts[1]!.slice(7)} in ${dest} ` } };
    });
  }

  private async extractArchive(file: string, rootfs: string, dest: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
    const kind = archiveKind(file)!;
    const tmp = fs.mkdtempSync(path.join(this.work, 'add-'));
    let input: Readable;
    if (kind === 'bzip2' || kind === 'xz') {
      const tool = kind === 'xz' ? which('xz') : which('bzip2');
      if (!tool) throw new TspodError(`ADD of a ${kind} archive needs the ${kind === 'xz' ? 'xz-utils' : 'bzip2'} package`);
      const { child } = await spawn(tool, ['-dc', file], { stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
      input = child.stdout as Readable;
    } else input = fs.createReadStream(file);
    const { unpackLayer } = await import('../storage/unpack.js');
    await unpackLayer(input, tmp, { compression: 'auto' });
    const root: SourceRoot = { dir: tmp, kind: 'rootfs' };
    const [src] = resolveSources(root, ['.']);
    copySources(root, [src!], rootfs, dest.endsWith('/') ? dest : `${dest}/`, { owner, preserveOwner: true });
  }
}

function devNull(): Writable {
  return new Writable({ write(_c, _e, cb) { cb(); } });
}

async function download(url: string, checksum: string | undefined): Promise<{ name: string; data: Buffer; mtime?: Date }> {
  let res: Response;
  const { fetchTrusting } = await import('../util/extra-ca.js');
  try { res = await fetchTrusting(url); } catch (err) { throw new TspodError(`downloading ${url}: ${errorMessage(err)}`); }
  if (!res.ok) throw new TspodError(`downloading ${url}: HTTP ${res.status} ${res.statusText}`);
  const data = Buffer.from(await res.arrayBuffer());
  if (checksum !== undefined) {
    const got = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (got !== checksum) throw new TspodError(`digest mismatch for ${url}: expected ${checksum}, got ${got}`);
  }
  const lm = res.headers.get('last-modified');
  const name = path.posix.basename(new URL(url).pathname) || 'index.html';
  const mt = lm ? new Date(lm) : undefined;
  return { name, data, ...(mt && !Number.isNaN(mt.getTime()) ? { mtime: mt } : {}) };
}
