// wait, log paths, exec.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from '../../util/random.js';
import type { ContainerConfig } from '../../container/types.js';
import { ContainerStore } from '../../container/store.js';
import { can } from '../../container/types.js';
import { mergeEnv, parseEnv } from '../../container/options.js';
import { rootfsPaths } from '../../container/rootfs.js';
import { resolveUser } from '../../container/user.js';
import { writeFileAtomic } from '../../state/atomic.js';
import { paths } from '../../util/paths.js';
import { ConflictError, InvalidArgumentError, TspodError } from '../../util/errors.js';
import { sleep, runtime } from './common.js';
import { readExit, syncedState } from './state.js';
import { containerEvent } from '../events.js';

export async function waitContainer(input: string, conditions: string[] = ['exited']): Promise<number> {
  const store = new ContainerStore();
  const e = store.resolve(input);
  for (let d = 5; ; d = Math.min(d * 2, 100)) {
    const cur = store.list().find((c) => c.id === e.id);
    if (!cur) {
      const ex = readExit(e.id);
      return ex?.code ?? e.exitCode;
    }
    const s = syncedState(cur);
    if (conditions.includes(s.state)) return s.exitCode;
    // `stopped` (the CLI's default, as Podman's) is "not running": a container that never ran, or whose start
    // failed, ends the wait at once; `exited` waits for a created container to run and exit
    if (conditions.includes('stopped') && !['running', 'paused', 'stopping'].includes(s.state)) return s.exitCode;
    await sleep(d);
  }
}

export function logPathOf(input: string): { id: string; logPath: string; driver: string } {
  const store = new ContainerStore();
  const e = store.resolve(input);
  const cfg = store.readConfig(e.id);
  return { id: e.id, logPath: cfg.logPath, driver: cfg.logDriver };
}

export function isRunning(id: string): boolean {
  const store = new ContainerStore();
  const e = store.list().find((c) => c.id === id);
  if (!e) return false;
  const s = syncedState(e);
  return s.state === 'running' || s.state === 'paused' || s.state === 'stopping';
}

/** Options of {@link execInContainer}. */
export interface ExecOptions {
  /** The command and its arguments. */
  command: string[];
  /** Keep stdin open (forwarded from `io.stdin`, or the process's stdin). */
  interactive?: boolean | undefined;
  /** Allocate a terminal for the process. */
  tty?: boolean | undefined;
  /** Start it and return at once (its stdio is /dev/null: it holds none of ours). */
  detach?: boolean | undefined;
  env?: string[] | undefined;
  envFile?: string[] | undefined;
  user?: string | undefined;
  workdir?: string | undefined;
  privileged?: boolean | undefined;
  /** Streams for the process; default: the calling process's own stdio. */
  io?: ExecIO | undefined;
  /** Aborting kills the exec'd process (SIGKILL through runc). */
  signal?: AbortSignal | undefined;
}

/** Where an exec session's stdio goes. */
export interface ExecIO { stdin?: NodeJS.ReadableStream | undefined; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }

/** An exec session prepared for `runc exec --process FILE`: the process spec written, the runc to run. */
export interface PreparedExec {
  id: string;
  cfg: ContainerConfig;
  /** The process spec (config.json's process with this session's command, user, env, caps). */
  processFile: string;
  runc: { path: string; root: string };
  /** Remove the process file (and runc's log next to it). */
  dispose(): void;
}

/**
 * Prepare an exec session in a running container: the one place that turns exec options
 * into an OCI process spec (the CLI's exec and the API's exec sessions both start here).
 */
export async function prepareExec(input: string, o: Pick<ExecOptions, 'command' | 'tty' | 'env' | 'envFile' | 'user' | 'workdir' | 'privileged'> & { consoleSize?: { height: number; width: number } | undefined }): Promise<PreparedExec> {
  const store = new ContainerStore();
  const e = syncedState(store.resolve(input));
  if (!can.exec(e.state)) throw new ConflictError(`can only create exec sessions on running containers: container state improper`);
  if (!o.command.length) throw new InvalidArgumentError('exec requires a command to run');
  const cfg = store.readConfig(e.id);
  const rootfs = rootfsPaths(store.ctrDir(e.id)).merged;
  const user = resolveUser(rootfs, o.user ?? cfg.user, cfg.groupAdd);
  const env = mergeEnv(mergeEnv([`HOME=${user.home}`], cfg.env), [...(o.tty ? ['TERM=xterm'] : []), ...parseEnv(o.env, o.envFile)]);
  const { resolveCapabilities } = await import('../../runtime/index.js');
  const caps = resolveCapabilities({ capAdd: cfg.capAdd, capDrop: cfg.capDrop, privileged: cfg.privileged || o.privileged });
  const spec = JSON.parse(fs.readFileSync(path.join(store.userdata(e.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
  const proc = {
    ...spec.process,
    terminal: !!o.tty,
    // the terminal's size from the start: runc would set it only after the process began, so a
    // quick `stty size` could still see 0x0
    ...(o.tty && o.consoleSize ? { consoleSize: o.consoleSize } : {}),
    args: o.command,
    env,
    cwd: o.workdir ?? cfg.workdir ?? '/',
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    capabilities: { bounding: caps, effective: caps, permitted: caps },
  };
  const rt = await runtime();
  const pfile = path.join(paths().runroot, 'containers', e.id, `exec-${process.pid}-${randomHex(6)}.json`);
  fs.mkdirSync(path.dirname(pfile), { recursive: true, mode: 0o700 });
  writeFileAtomic(pfile, JSON.stringify(proc));
  return {
    id: e.id, cfg, processFile: pfile, runc: { path: rt.runc.path, root: rt.runc.root },
    dispose: () => { fs.rmSync(pfile, { force: true }); fs.rmSync(`${pfile}.log`, { force: true }); },
  };
}

export async function execInContainer(input: string, o: ExecOptions): Promise<number> {
  const term = (o.io ? o.io.stdout : process.stdout) as { isTTY?: boolean; rows?: number; columns?: number };
  const consoleSize = o.tty && term.isTTY && term.rows && term.columns ? { height: term.rows, width: term.columns } : undefined;
  const ex = await prepareExec(input, { ...o, consoleSize });
  const { id, cfg, processFile: pfile } = ex;
  const e = { id };
  const rt = { runc: ex.runc };
  try {
    // runc's own errors go to a log file: "executable file not found" must become 127 and
    // "permission denied" 126 (as Podman), not runc's 255 with a logrus line on stderr
    const rlog = `${pfile}.log`;
    const args = ['--root', rt.runc.root, '--log', rlog, '--log-format', 'json', 'exec', '--process', pfile];
    if (o.detach) args.push('--detach');
    if (o.tty) args.push('--tty');
    args.push(e.id);
    const { runInherit, runWithStreams } = await import('../../util/exec.js');
    // detached: runc's stdio is the process's, so it gets /dev/null (holding the caller's
    // stdout open would keep `out=$(tspod exec -d ...)` waiting for the process to end)
    const who = { id: e.id, name: cfg.name, image: cfg.imageName, labels: cfg.labels };
    containerEvent('exec', who);
    const code = o.detach ? await runWithStreams(rt.runc.path, args, process.env, {})
      : o.io ? await runWithStreams(rt.runc.path, args, process.env, { stdin: o.interactive || o.tty ? o.io.stdin : undefined, stdout: o.io.stdout, stderr: o.io.stderr, signal: o.signal })
        : await runInherit(rt.runc.path, args, process.env, o.interactive || o.tty ? 'inherit' : 'no-stdin');
    if (code !== 0) {
      let msgs: string[] = [];
      try {
        msgs = fs.readFileSync(rlog, 'utf8').split('\n').filter(Boolean)
          .map((l) => { try { const j = JSON.parse(l) as { level?: string; msg?: string }; return j.level === 'error' || j.level === 'fatal' ? j.msg ?? '' : ''; } catch { return l; } })
          .filter(Boolean);
      } catch { /* no log: the process itself failed */ }
      const { classifyStartError } = await import('../../runtime/runc.js');
      const msg = msgs.join('; ');
      const cls = msg ? classifyStartError(msg) : undefined;
      if (cls) throw new TspodError(`runc: ${msg}: ${cls === 127 ? 'OCI runtime attempted to invoke a command that was not found' : 'OCI permission denied'}`, 'EEXEC', cls);
      if (msg) (o.io?.stderr ?? process.stderr).write(`Error: runc: ${msg}\n`);
    }
    if (!o.detach) containerEvent('exec_died', who, { exitCode: code });
    return code;
  } finally {
    ex.dispose();
  }
}

