// Streams: attach (hijacked; before start, so no output is lost), logs
// (follow/since/until/tail/timestamps) and exec sessions. Output is framed
// with Docker's 8-byte headers unless the container (or exec) has a TTY.
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest, noSuchExec } from '../errors.js';
import { truthy } from '../filters.js';
import { RAW, Reply, type ApiRequest, type ApiReply, type Router } from '../router.js';
import { hijack, outputSink, type OutputSink } from '../stream.js';
import { parseJsonBody } from '../create-body.js';
import { engine, type LogEntry } from '../engine-adapter.js';
import { resolve } from './containers.js';

// ---------------------------------------------------------------- attach

/** Attaches waiting for their container to start: /start connects them before `runc start`. */
const pending = new Map<string, Array<() => Promise<void>>>();

export function takePendingAttaches(id: string): Array<() => Promise<void>> {
  const list = pending.get(id) ?? [];
  pending.delete(id);
  return list;
}

function writeEntry(sink: OutputSink, e: LogEntry, timestamps: boolean, want: { stdout: boolean; stderr: boolean }): void {
  if (e.stream === 'stderr' ? !want.stderr : !want.stdout) return;
  sink.write(e.stream, timestamps ? `${e.time} ${e.text}` : e.text);
}

async function attach(req: ApiRequest, reply: ApiReply) {
  const { entry, config } = await resolve(req.params['id']!);
  const q = req.query;
  const want = { stdout: truthy(q.get('stdout')), stderr: truthy(q.get('stderr')) };
  const useStdin = truthy(q.get('stdin')) && config.stdin;
  const stream = truthy(q.get('stream'));
  const h = hijack(reply);
  const sink = outputSink(h.out, config.tty);
  if (truthy(q.get('logs')) && config.logPath) for (const e of (await engine.containers.logEntries({ container: entry.id })).entries) writeEntry(sink, e, false, want);
  if (!stream) { sink.end(); return RAW; }

  let session: Awaited<ReturnType<typeof engine.containers.connectAttach>> | undefined;
  let gone = false;
  const input = h.input;
  const connect = async () => {
    if (gone) return;
    session = await engine.containers.connectAttach({ container: entry.id, onOutput: (c) => { if (c.stream === 'stderr' ? want.stderr : want.stdout) sink.write(c.stream, c.data); } });
    void session.ended.then(() => sink.end());
    if (!input) return;
    if (useStdin) {
      let chain = Promise.resolve();
      input.on('data', (d: Buffer) => {
        // pace the client on conmon: it stops reading while the container does not
        input.pause();
        chain = chain.then(() => session!.write(d)).then(() => { input.resume(); });
      });
      // the client's half-close is the container's stdin EOF; its output keeps flowing
      input.on('end', () => { chain = chain.then(() => session!.endInput()); });
    } else {
      input.on('data', () => undefined);
    }
    input.resume();
  };
  void sink.closed.then(() => { gone = true; session?.close(); const l = pending.get(entry.id); if (l) { const i = l.indexOf(connect); if (i >= 0) l.splice(i, 1); } });
  if (entry.state === 'running' || entry.state === 'paused') {
    try { await connect(); } catch (err) { sink.end(); throw err; }
  } else {
    const l = pending.get(entry.id) ?? [];
    l.push(connect);
    pending.set(entry.id, l);
  }
  return RAW;
}

// ---------------------------------------------------------------- logs

/** Docker's since/until: unix seconds, possibly fractional; 0 = unset. */
function unixTime(v: string | null, what: string): Date | undefined {
  if (v === null || v === '' || v === '0') return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return new Date(n * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`invalid ${what}: "${v}"`);
  return new Date(t);
}

async function logs(req: ApiRequest, reply: ApiReply) {
  const { entry, config } = await resolve(req.params['id']!);
  const q = req.query;
  const want = { stdout: truthy(q.get('stdout')), stderr: truthy(q.get('stderr')) };
  if (!want.stdout && !want.stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  if (config.logDriver === 'none' || !config.logPath) throw new ApiError(501, `configured logging driver does not support reading: container ${config.name} uses the "none" log driver`);
  const since = unixTime(q.get('since'), 'since'), until = unixTime(q.get('until'), 'until');
  const tailQ = q.get('tail');
  const tail = tailQ === null || tailQ === '' || tailQ === 'all' ? undefined : Number(tailQ);
  if (tail !== undefined && !Number.isInteger(tail)) throw badRequest(`invalid tail: "${tailQ}"`);
  const timestamps = truthy(q.get('timestamps'));
  const res = reply.res!;
  res.writeHead(200, { 'Content-Type': config.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
  const sink = outputSink(res, config.tty);
  const { entries, offset } = await engine.containers.logEntries({ container: entry.id, since, until, tail: tail !== undefined && tail >= 0 ? tail : undefined });
  for (const e of entries) writeEntry(sink, e, timestamps, want);
  if (truthy(q.get('follow')) && !until) {
    // from where the read ended: a line written in between is neither lost nor sent twice
    const ac = new AbortController();
    void sink.closed.then(() => ac.abort());
    await engine.containers.followLogEntries({ container: entry.id, offset, onEntry: (e) => writeEntry(sink, e, timestamps, want), signal: ac.signal });
  }
  sink.end();
  return RAW;
}

// ---------------------------------------------------------------- exec
// Sessions live in this service process: an exec's id is good while the
// service runs (Docker's daemon keeps them the same way, in memory).

interface ExecSession {
  id: string; containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean;
  env: string[] | undefined; user: string | undefined; workdir: string | undefined; privileged: boolean;
  running: boolean; exitCode: number | null; pid: number; created: number;
}
const sessions = new Map<string, ExecSession>();

async function execCreate(req: ApiRequest) {
  const { entry } = await resolve(req.params['id']!);
  const b = parseJsonBody(req.body);
  const cmd = b['Cmd'];
  if (!Array.isArray(cmd) || !cmd.length || cmd.some((x) => typeof x !== 'string')) throw badRequest('No exec command specified');
  if (entry.state !== 'running') throw new ApiError(409, `Container ${entry.id} is not running`);
  const id = randomBytes(32).toString('hex');
  const strs = (k: string) => (Array.isArray(b[k]) ? (b[k] as unknown[]).map(String) : undefined);
  sessions.set(id, {
    id, containerId: entry.id, cmd: cmd as string[], tty: b['Tty'] === true, stdin: b['AttachStdin'] === true, stdout: b['AttachStdout'] !== false, stderr: b['AttachStderr'] !== false,
    env: strs('Env')?.filter((e) => e.includes('=')), user: typeof b['User'] === 'string' ? b['User'] : undefined, workdir: typeof b['WorkingDir'] === 'string' ? b['WorkingDir'] : undefined,
    privileged: b['Privileged'] === true, running: false, exitCode: null, pid: 0, created: Date.now(),
  });
  return new Reply(201, { Id: id });
}

function session(id: string): ExecSession {
  const s = sessions.get(id);
  if (!s) throw noSuchExec(id);
  return s;
}

async function execStart(req: ApiRequest, reply: ApiReply) {
  const s = session(req.params['id']!);
  const b = parseJsonBody(req.body, false);
  if (s.running || s.exitCode !== null) throw new ApiError(409, `exec session ${s.id} has already run`);
  const tty = b['Tty'] === true || s.tty;
  const p = await engine.containers.execProcess({ container: s.containerId, command: s.cmd, env: s.env, user: s.user, workdir: s.workdir, tty, privileged: s.privileged, stdin: s.stdin });
  s.running = true;
  s.pid = p.pid;
  void p.exit.then((code) => { s.running = false; s.exitCode = code; });
  if (b['Detach'] === true) {
    p.child.stdin?.end();
    p.child.stdout?.resume();
    p.child.stderr?.resume();
    return new Reply(200, undefined);
  }
  const h = hijack(reply);
  const sink = outputSink(h.out, tty);
  p.child.stdout?.on('data', (d: Buffer) => { if (s.stdout) sink.write('stdout', d); });
  p.child.stderr?.on('data', (d: Buffer) => { if (s.stderr) sink.write('stderr', d); });
  const input = h.input;
  if (input && p.child.stdin && s.stdin) {
    input.pipe(p.child.stdin);
    p.child.stdin.on('error', () => undefined);
  } else {
    p.child.stdin?.end();
    input?.on('data', () => undefined);
  }
  input?.resume();
  void sink.closed.then(() => { if (s.running) p.child.kill('SIGKILL'); });
  await p.exit;
  sink.end();
  return RAW;
}

function execInspect(req: ApiRequest) {
  const s = session(req.params['id']!);
  return {
    ID: s.id, Running: s.running, ExitCode: s.exitCode, ProcessConfig: { tty: s.tty, entrypoint: s.cmd[0], arguments: s.cmd.slice(1), privileged: s.privileged, user: s.user ?? '' },
    OpenStdin: s.stdin, OpenStderr: s.stderr, OpenStdout: s.stdout, CanRemove: false, ContainerID: s.containerId, DetachKeys: '', Pid: s.pid,
  };
}

export function streamRoutes(r: Router): void {
  r.add('POST', '/containers/:id/attach', attach);
  r.add('GET', '/containers/:id/logs', logs);
  r.add('POST', '/containers/:id/exec', execCreate);
  r.add('POST', '/exec/:id/start', execStart);
  r.add('GET', '/exec/:id/json', execInspect);
  // the exec's terminal is held by `script`, which sizes it itself; accepted so clients do not fail
  r.add('POST', '/exec/:id/resize', (req) => { session(req.params['id']!); return new Reply(201, ''); });
}
