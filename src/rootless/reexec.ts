// Re-exec the current tspod command inside the rootless user + mount namespace
// held by the pause process. The outer process only waits and relays the exit
// code and signals; the inner one runs as uid 0 of the namespace.
import * as path from 'node:path';
import { runInherit, which } from '../util/exec.js';
import { PrerequisiteError } from '../util/errors.js';
import { ensurePause } from './pause.js';

export async function reexecInUserNamespace(script: string, argv: string[]): Promise<number> {
  const pid = await ensurePause();
  const nsenter = which('nsenter');
  if (!nsenter) throw new PrerequisiteError('nsenter not found: install the util-linux package');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TSPOD_USERNS: '1',
    TSPOD_HOST_UID: String(process.getuid?.() ?? 0),
    TSPOD_HOST_GID: String(process.getgid?.() ?? 0),
    TSPOD_PAUSE_PID: String(pid),
  };
  const args = ['--target', String(pid), '--user', '--mount', '--preserve-credentials', '--wd=' + process.cwd(),
    process.execPath, ...process.execArgv, path.resolve(script), ...argv];
  // socket activation (tspod system service): the inherited listening sockets go along; the
  // child is not LISTEN_PID, so it is told the sockets were meant for its parent
  const listenFds = process.env['LISTEN_PID'] === String(process.pid) ? Number(process.env['LISTEN_FDS'] ?? 0) : 0;
  if (listenFds > 0) env['TSPOD_LISTEN_FROM_PARENT'] = '1';
  // run --preserve-fds: the fds the launcher found passed to it go along too, at the same numbers
  const passedFds = Number(process.env['TSPOD_PASSED_FDS'] ?? 0) || 0;
  return runInherit(nsenter, args, env, 'inherit', Math.max(listenFds, passedFds));
}
