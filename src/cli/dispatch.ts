// Pre-dispatch, before oclif loads: lift Podman-style global flags written
// before the command (`tspod --root X images`) into the environment, and, for
// rootless commands that touch layers, mounts or containers, re-exec tspod
// inside the user namespace held by the pause process. Kept free of heavy
// imports: this runs on every invocation.

/** Commands (canonical ids and aliases) that must run inside the rootless user namespace. */
export const NEEDS_USERNS = new Set([
  'pull', 'image pull', 'rmi', 'image rm', 'image prune', 'load', 'image load', 'import', 'image import',
  'system reset', 'system prune', 'system migrate', 'build', 'image build', 'commit', 'container commit',
  'run', 'container run', 'create', 'container create', 'start', 'container start', 'stop', 'container stop',
  'restart', 'container restart', 'kill', 'container kill', 'rm', 'container rm', 'exec', 'container exec',
  'attach', 'container attach', 'pause', 'container pause', 'unpause', 'container unpause', 'container cleanup',
  'container prune', 'mount', 'container mount', 'unmount', 'umount', 'container unmount', 'container umount',
  'unshare', 'cp', 'container cp', 'diff', 'container diff', 'export', 'container export', 'top', 'container top',
  'stats', 'container stats', 'volume rm', 'volume prune', 'volume import', 'volume export', 'volume create',
  'healthcheck run', 'container restore', 'image save', 'save', 'image tree',
]);

const GLOBAL_WITH_VALUE: Record<string, string> = {
  '--root': 'TSPOD_ROOT',
  '--runroot': 'TSPOD_RUNROOT',
  '--log-level': 'TSPOD_LOG_LEVEL',
  '--storage-driver': 'TSPOD_STORAGE_DRIVER',
};

export interface Dispatch { argv: string[]; env: Record<string, string>; commandId: string | undefined }

/** Strip leading global flags into env vars; find the command id (1 or 2 words). */
export function predispatch(argv: string[]): Dispatch {
  const env: Record<string, string> = {};
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const envName = GLOBAL_WITH_VALUE[name];
    if (!envName) break;
    let value: string | undefined;
    if (eq > 0) { value = a.slice(eq + 1); i += 1; } else { value = argv[i + 1]; i += 2; }
    if (value === undefined) break;
    env[envName] = value;
  }
  const rest = argv.slice(i);
  let commandId: string | undefined;
  const w0 = rest[0];
  if (w0 && !w0.startsWith('-')) {
    const w1 = rest[1];
    commandId = w1 && !w1.startsWith('-') && NEEDS_USERNS.has(`${w0} ${w1}`) ? `${w0} ${w1}` : w0;
  }
  return { argv: rest, env, commandId };
}

export function needsUserNamespace(commandId: string | undefined, argv: string[]): boolean {
  if (!commandId || !NEEDS_USERNS.has(commandId)) return false;
  if (argv.includes('--help') || argv.includes('-h')) return false;
  return true;
}
