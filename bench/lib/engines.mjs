// The two engines under test, each with its own private, rootless setup in the
// benchmark's temp dir and the same stack: runc, fuse-overlayfs, slirp4netns,
// cgroupfs, a file events log, and the loopback registry marked insecure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTimed, CommandError, shellQuote } from './proc.mjs';

/** PATH as login(1) and su(1) set it for an unprivileged user (ENV_PATH in /etc/login.defs). */
function loginPath() {
  try {
    const m = /^ENV_PATH\s+(?:PATH=)?(\S+)/m.exec(fs.readFileSync('/etc/login.defs', 'utf8'));
    if (m) return m[1];
  } catch { /* no login.defs: Debian's default below */ }
  return '/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games';
}

/** LANG from the system locale (/etc/default/locale), as a login shell would have it; unset when none is set. */
function loginLang() {
  try {
    const m = /^LANG=["']?([^"'\s]+)/m.exec(fs.readFileSync('/etc/default/locale', 'utf8'));
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The environment of a fresh login shell of the benchmarking user (what `su - USER` gives),
 * built explicitly instead of passed through: the caller's environment may hold variables
 * a user's shell does not have. NODE_EXTRA_CA_CERTS, set on these machines, alone adds
 * ~40 ms to every node start-up; it is measured as its own column (see run.mjs).
 */
export function loginEnv() {
  const u = os.userInfo();
  const env = {
    HOME: u.homedir,
    USER: u.username,
    LOGNAME: u.username,
    SHELL: u.shell || '/bin/sh',
    PATH: loginPath(),
    NO_COLOR: '1',
  };
  const lang = loginLang();
  if (lang) env.LANG = lang;
  return env;
}

function registriesConf(regHost) {
  return `unqualified-search-registries = []\n\n[[registry]]\nlocation = "${regHost}"\ninsecure = true\n`;
}

function makeDirs(dir) {
  const d = {
    dir,
    data: path.join(dir, 'data'),
    config: path.join(dir, 'config'),
    run: path.join(dir, 'run'),
    out: path.join(dir, 'out'),
  };
  fs.mkdirSync(path.join(d.config, 'containers'), { recursive: true });
  fs.mkdirSync(d.data, { recursive: true });
  fs.mkdirSync(d.run, { recursive: true, mode: 0o700 });
  fs.chmodSync(d.run, 0o700);
  fs.mkdirSync(d.out, { recursive: true });
  // podman refuses a REGISTRY_AUTH_FILE that does not exist
  fs.writeFileSync(path.join(dir, 'auth.json'), '{"auths":{}}\n', { mode: 0o600 });
  return d;
}

class Engine {
  /** `name` says which CLI it is ('tspod' | 'podman'); `label` names the column (a variant of tspod has its own). */
  constructor(name, bin, env, dirs, label = name) {
    this.name = name;
    this.label = label;
    this.bin = bin;
    this.env = env;
    this.dirs = dirs;
  }

  /** The same engine and store with extra environment (e.g. NODE_EXTRA_CA_CERTS), under its own label. */
  variant(label, extraEnv) {
    const e = new Engine(this.name, this.bin, { ...this.env, ...extraEnv }, this.dirs, label);
    e.envOverrides = { ...this.envOverrides, ...extraEnv };
    e.variantOf = this;
    return e;
  }

  /** Run the engine with `args`; resolves the result (never rejects on exit status). */
  exec(args, opts = {}) {
    return runTimed(this.bin, args, { env: this.env, cwd: this.dirs.dir, outDir: this.dirs.out, ...opts });
  }

  /** Run another program (a client of the engine: the docker CLI) in the engine's environment plus `env`. */
  execProgram(program, args, opts = {}) {
    const { env, ...rest } = opts;
    return runTimed(program, args, { env: { ...this.env, ...env }, cwd: this.dirs.dir, outDir: this.dirs.out, ...rest });
  }

  /** Run and require exit 0; the error names the exact command and its stderr. */
  async ok(args, opts = {}) {
    const r = await this.exec(args, opts);
    if (r.code !== 0) throw new CommandError(`${this.name} ${args[0] ?? ''}`.trim(), r);
    return r;
  }

  /** `env -i VAR=... bin args` for a shell (hyperfine, reproducing a failure by hand): the exact environment. */
  shellCommand(args, program = this.bin, extraEnv = {}) {
    const vars = Object.entries({ ...this.env, ...extraEnv }).map(([k, v]) => shellQuote(`${k}=${v}`));
    return ['env', '-i', ...vars, shellQuote(program), ...args.map(shellQuote)].join(' ');
  }
}

/** tspod with fresh XDG directories (its data, runtime and config dirs) under `dir`. */
export function makeTspod(dir, bin, regHost) {
  const d = makeDirs(dir);
  fs.writeFileSync(path.join(d.config, 'containers', 'registries.conf'), registriesConf(regHost));
  const overrides = {
    XDG_DATA_HOME: d.data,
    XDG_RUNTIME_DIR: d.run,
    XDG_CONFIG_HOME: d.config,
    REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'),
  };
  const e = new Engine('tspod', bin, { ...loginEnv(), ...overrides }, d);
  e.envOverrides = overrides;
  return e;
}

/**
 * podman 4.3 rootless with its own storage.conf (overlay through fuse-overlayfs,
 * graphroot/runroot in `dir`), containers.conf (runc, cgroupfs, file events,
 * slirp4netns) and registries.conf, all under a temp XDG_CONFIG_HOME.
 */
export function makePodman(dir, regHost) {
  const d = makeDirs(dir);
  const c = path.join(d.config, 'containers');
  fs.writeFileSync(path.join(c, 'storage.conf'), [
    '[storage]',
    'driver = "overlay"',
    `graphroot = ${JSON.stringify(path.join(dir, 'graphroot'))}`,
    `runroot = ${JSON.stringify(path.join(d.run, 'containers'))}`,
    '',
    '[storage.options.overlay]',
    'mount_program = "/usr/bin/fuse-overlayfs"',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(c, 'containers.conf'), [
    '[containers]',
    'netns = "slirp4netns"',
    '',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(c, 'registries.conf'), registriesConf(regHost));
  const overrides = {
    XDG_DATA_HOME: d.data,
    XDG_RUNTIME_DIR: d.run,
    XDG_CONFIG_HOME: d.config,
    CONTAINERS_REGISTRIES_CONF: path.join(c, 'registries.conf'),
    REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'),
  };
  const e = new Engine('podman', 'podman', { ...loginEnv(), ...overrides }, d);
  e.envOverrides = overrides;
  return e;
}

/** Check that podman really runs on the stack we asked for; returns a one-line description. */
export async function verifyPodman(podman) {
  const r = await podman.ok(['info', '--format', 'json']);
  const info = JSON.parse(r.stdout);
  const got = {
    rootless: info.host?.security?.rootless,
    runtime: info.host?.ociRuntime?.name,
    driver: info.store?.graphDriverName,
    mountProgram: info.store?.graphOptions?.['overlay.mount_program']?.Executable,
    cgroupManager: info.host?.cgroupManager,
    eventLogger: info.host?.eventLogger,
    slirp4netns: info.host?.slirp4netns?.executable,
    graphRoot: info.store?.graphRoot,
    version: info.version?.Version,
  };
  const want = { rootless: true, runtime: 'runc', driver: 'overlay', mountProgram: '/usr/bin/fuse-overlayfs', cgroupManager: 'cgroupfs', eventLogger: 'file' };
  const bad = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k, v]) => `${k}=${JSON.stringify(got[k])} (want ${JSON.stringify(v)})`);
  if (!got.slirp4netns) bad.push('slirp4netns not found');
  if (got.graphRoot !== path.join(podman.dirs.dir, 'graphroot')) bad.push(`graphRoot=${got.graphRoot} (want ${path.join(podman.dirs.dir, 'graphroot')})`);
  if (bad.length) throw new Error(`podman is not configured as the benchmark needs: ${bad.join(', ')}`);
  return got;
}

/** tspod's own view of its setup (best effort: a missing field is reported, not fatal). */
export async function describeTspod(tspod) {
  const r = await tspod.ok(['info', '--format', 'json']);
  const info = JSON.parse(r.stdout);
  return {
    rootless: info.host?.security?.rootless,
    runtime: info.host?.ociRuntime?.name,
    driver: info.store?.graphDriverName,
    graphRoot: info.store?.graphRoot,
    version: info.version?.Version,
  };
}
