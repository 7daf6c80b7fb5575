// Where tspod keeps things. Rootless: $XDG_DATA_HOME/tspod, $XDG_RUNTIME_DIR/tspod
// (fallback /tmp/tspod-<uid>), $XDG_CONFIG_HOME/tspod. Rootful: /var/lib/tspod,
// /run/tspod, /etc/tspod. --root/--runroot override (and are passed on to
// child tspod processes through TSPOD_ROOT/TSPOD_RUNROOT).
import * as os from 'node:os';
import * as path from 'node:path';

/** True when tspod acts for an unprivileged user (even once inside its user namespace). */
export function isRootless(): boolean {
  if (process.env['TSPOD_HOST_UID'] !== undefined) return process.env['TSPOD_HOST_UID'] !== '0';
  return process.getuid?.() !== 0;
}

/** The invoking user's uid on the host. */
export function hostUid(): number {
  const env = process.env['TSPOD_HOST_UID'];
  if (env !== undefined) return Number(env);
  return process.getuid?.() ?? 0;
}

export function hostGid(): number {
  const env = process.env['TSPOD_HOST_GID'];
  if (env !== undefined) return Number(env);
  return process.getgid?.() ?? 0;
}

/** True when this process runs inside tspod's rootless user namespace. */
export function inUserNamespace(): boolean {
  return process.env['TSPOD_USERNS'] === '1' && process.getuid?.() === 0 && isRootless();
}

function home(): string {
  return process.env['HOME'] || os.homedir();
}

export interface Paths {
  root: string;       // persistent state
  runroot: string;    // volatile state
  configDir: string;  // tspod's own configuration
}

export function defaultPaths(): Paths {
  if (!isRootless()) {
    return { root: '/var/lib/tspod', runroot: '/run/tspod', configDir: '/etc/tspod' };
  }
  const data = process.env['XDG_DATA_HOME'] || path.join(home(), '.local', 'share');
  const config = process.env['XDG_CONFIG_HOME'] || path.join(home(), '.config');
  const rt = process.env['XDG_RUNTIME_DIR'];
  const runroot = rt ? path.join(rt, 'tspod') : path.join(os.tmpdir(), `tspod-${hostUid()}`);
  return { root: path.join(data, 'tspod'), runroot, configDir: path.join(config, 'tspod') };
}

let current: Paths | undefined;

export function paths(): Paths {
  if (!current) {
    const d = defaultPaths();
    current = {
      root: process.env['TSPOD_ROOT'] || d.root,
      runroot: process.env['TSPOD_RUNROOT'] || d.runroot,
      configDir: d.configDir,
    };
  }
  return current;
}

/** Apply --root/--runroot; exported to the environment so child tspod processes agree. */
export function setPaths(over: { root?: string | undefined; runroot?: string | undefined }): void {
  if (over.root) process.env['TSPOD_ROOT'] = path.resolve(over.root);
  if (over.runroot) process.env['TSPOD_RUNROOT'] = path.resolve(over.runroot);
  current = undefined;
}

/** The containers ecosystem's own config locations (registries.conf, auth.json, certs.d). */
export function containersConfigDirs(): string[] {
  const dirs: string[] = [];
  if (isRootless()) dirs.push(path.join(process.env['XDG_CONFIG_HOME'] || path.join(home(), '.config'), 'containers'));
  dirs.push('/etc/containers');
  return dirs;
}
