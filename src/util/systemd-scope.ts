// Long-lived helpers that several containers share (the pause process holding
// the rootless namespace, the rootless network namespace's slirp4netns) must
// not live in the cgroup of the systemd unit whose tspod happened to start
// them (netavark already does this for the aardvark-dns it starts): stopping
// that unit would kill them under every other container. Inside a service
// (INVOCATION_ID is set), they are started through `systemd-run --scope`, as
// Podman moves its pause process. Outside a service, or when systemd-run
// cannot make a scope, they start as before.
import type * as CP from 'node:child_process';
import { which } from './exec.js';
import { log } from './log.js';
import { hostUid } from './paths.js';

let usable: boolean | undefined;

/** Words to put in front of a command so that it runs in a scope of its own; [] when not in a unit. */
export function outsideUnit(name: string): string[] {
  if (!process.env['INVOCATION_ID']) return [];
  const run = which('systemd-run');
  if (!run) return [];
  const base = [run, ...(hostUid() !== 0 ? ['--user'] : []), '--scope', '--quiet', '--collect'];
  if (usable === undefined) {
    // a probe, once per command: a manager that cannot make scopes here makes systemd-run fail before the command runs
    // child_process loaded here, not at start-up (it pulls in node:net and streams: ~5 ms)
    const r = (process.getBuiltinModule('node:child_process') as typeof CP).spawnSync(base[0]!, [...base.slice(1), 'true'], { stdio: 'ignore', timeout: 10_000 });
    usable = r.status === 0;
    if (!usable) log.debug('systemd-run --scope is not usable here: shared helpers stay in the calling unit');
  }
  return usable ? [...base, `--unit=${name}-${process.pid}-${Date.now().toString(36)}.scope`] : [];
}
