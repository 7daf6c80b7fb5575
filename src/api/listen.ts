// Where the service listens: a unix socket (default $XDG_RUNTIME_DIR/tspod/tspod.sock,
// mode 0600), a socket inherited from systemd (LISTEN_PID/LISTEN_FDS, fd 3), or
// tcp://HOST:PORT, which must be TLS with client certificates unless it is loopback.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { InvalidArgumentError } from '../util/errors.js';

export interface TlsFiles { ca: string; cert: string; key: string }

export type Endpoint =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'fd'; fd: number };

export const SD_LISTEN_FDS_START = 3;

/**
 * The socket systemd (or systemd-socket-activate) passed us, if any.
 * LISTEN_PID names the process meant; tspod's re-exec into its user
 * namespace (rootless/reexec.ts) passes the fds on and says so with
 * TSPOD_LISTEN_FROM_PARENT, as the pid then is its parent's.
 */
export function activationEndpoint(env: NodeJS.ProcessEnv = process.env, pid = process.pid, ppid = process.ppid): Endpoint | undefined {
  const fds = Number(env['LISTEN_FDS'] ?? 0);
  const listenPid = Number(env['LISTEN_PID'] ?? 0);
  if (!fds || !listenPid) return undefined;
  if (listenPid !== pid && !(env['TSPOD_LISTEN_FROM_PARENT'] === '1' && listenPid === ppid)) return undefined;
  if (fds !== 1) throw new InvalidArgumentError(`socket activation passed ${fds} sockets: tspod system service serves exactly one (one ListenStream= in tspod.socket)`);
  return { kind: 'fd', fd: SD_LISTEN_FDS_START };
}

export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const rt = env['XDG_RUNTIME_DIR'];
  const base = rt ? path.join(rt, 'tspod') : path.join(env['TMPDIR'] || '/tmp', `tspod-${process.getuid?.() ?? 0}`);
  return path.join(base, 'tspod.sock');
}

/** Parse the service URI: unix:///path, tcp://host:port (IPv6 as [::1]). */
export function parseEndpoint(uri: string | undefined): Endpoint {
  if (!uri) return { kind: 'unix', path: defaultSocketPath() };
  if (uri.startsWith('unix://')) {
    const p = uri.slice('unix://'.length);
    if (!p.startsWith('/')) throw new InvalidArgumentError(`invalid URI "${uri}": a unix socket path must be absolute (unix:///run/user/1000/tspod/tspod.sock)`);
    return { kind: 'unix', path: p };
  }
  if (uri.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d+)\/?$/.exec(uri);
    const port = Number(m?.[2]);
    if (!m || !(port > 0 && port < 65536)) throw new InvalidArgumentError(`invalid URI "${uri}": use tcp://HOST:PORT`);
    return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port };
  }
  throw new InvalidArgumentError(`invalid URI "${uri}": use unix:///PATH or tcp://HOST:PORT`);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * Plain TCP would serve anyone who can reach the port: only on loopback, and
 * even there with a warning (any local user can then run containers as you).
 * Returns the warning to print, or throws.
 */
export function checkTcpSecurity(ep: Endpoint, tls: TlsFiles | undefined): string | undefined {
  if (ep.kind !== 'tcp' || tls) return undefined;
  if (!isLoopback(ep.host)) {
    throw new InvalidArgumentError(`refusing to serve the API on ${ep.host}:${ep.port} without TLS: anyone who reaches it could run containers as you. Use --tlsverify --tlscacert --tlscert --tlskey, or a loopback address`);
  }
  return `the API on tcp://${ep.host}:${ep.port} has no TLS: every local user can reach it and run containers as you; prefer the unix socket or --tlsverify`;
}

/** Create the unix socket's directory (0700) and replace a stale socket file, never a live one or another file. */
export async function prepareUnixPath(p: string): Promise<void> {
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  let st: fs.Stats;
  try { st = fs.lstatSync(p); } catch { return; }
  if (!st.isSocket()) throw new InvalidArgumentError(`${p} exists and is not a socket: remove it or choose another path`);
  const live = await new Promise<boolean>((resolve) => {
    const c = net.connect(p);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
  if (live) throw new InvalidArgumentError(`${p} is in use by another service: stop it or choose another path`);
  fs.rmSync(p, { force: true });
}
