// The default seccomp profile. containers-common ships it as
// /usr/share/containers/seccomp.json in the Moby/containers format: rules carry
// `includes`/`excludes` conditions on capabilities, architectures and kernel
// version, and an `archMap`. runc wants the OCI form: only the rules that apply to
// this container's capability set and this machine's architecture, and a flat
// `architectures` list. convertSeccompProfile() does that (pure); loadSeccomp()
// reads the file (or tspod's built-in copy when the file is missing) and caches
// the converted result under the runroot so `run` does not redo it every time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hash106 } from '../util/hash.js';
import { createRequire } from 'node:module';
import { InvalidArgumentError, isErrno } from '../util/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import type { OCISeccomp, OCISeccompArg, OCISeccompSyscall, SeccompAction, SeccompOperator } from './oci-types.js';
import { distFile } from '../util/root.js';
// Type-only import: it makes tsc emit the JSON next to this module; the data is
// loaded lazily with require() (stable in Node 20, unlike JSON import attributes).
import type BuiltinProfile from './seccomp-default.json';

export const SYSTEM_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** A rule condition in the containers/Moby format. */
export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

export interface ContainersSeccompSyscall {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  errno?: string;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }> | null;
  comment?: string;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

/** containers-common / Moby seccomp.json (an OCI-format profile is a subset of it). */
export interface ContainersSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  defaultErrno?: string;
  architectures?: string[] | null;
  archMap?: Array<{ architecture: string; subArchitectures?: string[] | null }> | null;
  syscalls?: ContainersSeccompSyscall[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
}

export interface ConvertOptions {
  /** The container's capabilities (CAP_ names). */
  capabilities: readonly string[];
  /** Go-style architecture name of the machine: amd64, arm64, ... Default: this machine's. */
  arch?: string | undefined;
  /** Running kernel `major.minor[.patch]`; rules with a higher minKernel are dropped. Unset: keep them. */
  kernelVersion?: string | undefined;
}

const ACTIONS: readonly SeccompAction[] = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'];
const OPERATORS: readonly SeccompOperator[] = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];

/** Go architecture name -> libseccomp native architecture. */
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', '386': 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64', mips64le: 'SCMP_ARCH_MIPSEL64',
};

/** This machine's architecture in Go's naming (what profiles use in `arches`). */
export function nativeArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64el: 'mips64le' };
  return map[process.arch] ?? process.arch;
}

function action(name: string, where: string): SeccompAction {
  if (!(ACTIONS as readonly string[]).includes(name)) throw new InvalidArgumentError(`seccomp profile: unknown action "${name}" ${where}`);
  return name as SeccompAction;
}

function errnoNumber(name: string | undefined): number | undefined {
  if (!name) return undefined;
  const n = (os.constants.errno as Record<string, number>)[name];
  if (n === undefined) throw new InvalidArgumentError(`seccomp profile: unknown errno "${name}"`);
  return n;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function normalizeCap(c: string): string {
  const up = c.toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** Convert a containers/Moby-format (or OCI-format) profile for one capability set and architecture. */
export function convertSeccompProfile(profile: ContainersSeccompProfile, opts: ConvertOptions): OCISeccomp {
  if (!profile || typeof profile !== 'object' || typeof profile.defaultAction !== 'string') {
    throw new InvalidArgumentError('seccomp profile: missing defaultAction');
  }
  const arch = opts.arch ?? nativeArch();
  const caps = new Set(opts.capabilities.map(normalizeCap));
  const out: OCISeccomp = { defaultAction: action(profile.defaultAction, '(defaultAction)') };
  const defErrno = profile.defaultErrnoRet ?? errnoNumber(profile.defaultErrno);
  if (defErrno !== undefined && defErrno !== null) out.defaultErrnoRet = defErrno;

  // Architectures: an explicit list wins; otherwise the native arch and its sub-architectures from archMap.
  if (profile.architectures?.length) {
    out.architectures = [...profile.architectures];
  } else if (profile.archMap?.length) {
    const native = SCMP_ARCH[arch];
    const entry = profile.archMap.find((a) => a.architecture === native);
    if (entry) out.architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  }
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;

  const syscalls: OCISeccompSyscall[] = [];
  for (const [i, s] of (profile.syscalls ?? []).entries()) {
    const where = `(syscalls[${i}])`;
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    // includes: every listed cap must be held, the arch must be listed, the kernel new enough.
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(normalizeCap(c)))) continue;
    if (inc.arches?.length && !inc.arches.includes(arch)) continue;
    if (inc.minKernel && opts.kernelVersion && compareVersions(opts.kernelVersion, inc.minKernel) < 0) continue;
    // excludes: any listed cap held, or the arch listed, drops the rule.
    if (exc.caps?.length && exc.caps.some((c) => caps.has(normalizeCap(c)))) continue;
    if (exc.arches?.length && exc.arches.includes(arch)) continue;
    if (exc.minKernel && opts.kernelVersion && compareVersions(opts.kernelVersion, exc.minKernel) >= 0) continue;

    const names = s.names?.length ? [...s.names] : s.name ? [s.name] : [];
    if (!names.length) throw new InvalidArgumentError(`seccomp profile: rule without syscall names ${where}`);
    const rule: OCISeccompSyscall = { names, action: action(s.action, where) };
    const errnoRet = s.errnoRet ?? errnoNumber(s.errno);
    if (errnoRet !== undefined && errnoRet !== null && (rule.action === 'SCMP_ACT_ERRNO' || rule.action === 'SCMP_ACT_TRACE')) rule.errnoRet = errnoRet;
    if (s.args?.length) {
      rule.args = s.args.map((a): OCISeccompArg => {
        if (!(OPERATORS as readonly string[]).includes(a.op)) throw new InvalidArgumentError(`seccomp profile: unknown operator "${a.op}" ${where}`);
        return { index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op as SeccompOperator };
      });
    }
    syscalls.push(rule);
  }
  out.syscalls = syscalls;
  return out;
}

let builtin: ContainersSeccompProfile | undefined;

/** tspod's own default profile (src/runtime/seccomp-default.json). */
export function builtinSeccompProfile(): ContainersSeccompProfile {
  if (!builtin) {
    const req = createRequire(distFile('runtime', 'seccomp.js'));
    builtin = req(distFile('runtime', 'seccomp-default.json')) as typeof BuiltinProfile as ContainersSeccompProfile;
  }
  return builtin;
}

export interface LoadSeccompOptions {
  capabilities: readonly string[];
  /** A profile file; default: the system one, falling back to the built-in one when it is missing. */
  profilePath?: string | undefined;
  /** Directory for converted profiles (e.g. <runroot>/seccomp); no caching when unset. */
  cacheDir?: string | undefined;
}

export interface LoadedSeccomp {
  profile: OCISeccomp;
  /** The file used, or 'builtin'. */
  source: string;
  cached: boolean;
}

const CACHE_FORMAT = 1;

/**
 * Load and convert the default (or a given) seccomp profile. The cache key is the
 * source file's identity (path, size, mtime, inode) plus the capability set,
 * architecture and kernel: a cache hit costs one stat and one small read.
 */
export function loadSeccomp(opts: LoadSeccompOptions): LoadedSeccomp {
  const explicit = opts.profilePath !== undefined;
  const file = opts.profilePath ?? SYSTEM_SECCOMP_PROFILE;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if (explicit || !isErrno(err, 'ENOENT')) throw new InvalidArgumentError(`cannot read seccomp profile ${file}: ${(err as Error).message}`);
  }
  const source = st ? file : 'builtin';
  const arch = nativeArch();
  const kernelVersion = os.release();
  const caps = [...new Set(opts.capabilities.map(normalizeCap))].sort();
  const identity = st ? `${file}\0${st.size}\0${st.mtimeMs}\0${st.ino}` : `builtin\0${CACHE_FORMAT}`;
  const key = hash106(JSON.stringify([CACHE_FORMAT, identity, caps, arch, kernelVersion]));
  const cacheFile = opts.cacheDir ? path.join(opts.cacheDir, `seccomp-${key}.json`) : undefined;
  if (cacheFile) {
    try {
      const profile = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as OCISeccomp;
      if (profile && typeof profile.defaultAction === 'string') return { profile, source, cached: true };
    } catch { /* missing or corrupt: regenerate */ }
  }
  let input: ContainersSeccompProfile;
  if (st) {
    try {
      input = JSON.parse(fs.readFileSync(file, 'utf8')) as ContainersSeccompProfile;
    } catch (err) {
      throw new InvalidArgumentError(`cannot parse seccomp profile ${file}: ${(err as Error).message}`);
    }
  } else {
    input = builtinSeccompProfile();
  }
  const profile = convertSeccompProfile(input, { capabilities: caps, arch, kernelVersion });
  if (cacheFile) {
    try { writeFileAtomic(cacheFile, JSON.stringify(profile)); } catch { /* a cache, not state */ }
  }
  return { profile, source, cached: false };
}

/**
 * `--security-opt seccomp=...`: 'default' (or undefined), 'unconfined', or a profile
 * path. Returns the OCI profile, or undefined for unconfined.
 */
export function resolveSeccomp(setting: string | undefined, capabilities: readonly string[], cacheDir?: string): OCISeccomp | undefined {
  if (setting === 'unconfined') return undefined;
  if (setting === undefined || setting === '' || setting === 'default') return loadSeccomp({ capabilities, cacheDir }).profile;
  return loadSeccomp({ capabilities, profilePath: setting, cacheDir }).profile;
}
