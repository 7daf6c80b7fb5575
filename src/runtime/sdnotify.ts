// sd_notify(3) for `tspod run` and `tspod start` under a Type=notify unit
// (--sdnotify, as Podman's):
// - conmon: once the container runs, tspod tells systemd MAINPID=<conmon> and
//   READY=1. Neither the runtime nor the container sees the socket.
// - container: the container gets its own notify socket (in the runroot: a
//   socket path has at most 107 bytes; bind-mounted at
//   /run/notify/notify.sock, NOTIFY_SOCKET set inside); tspod waits for the
//   container's READY=1, then sends MAINPID=<conmon> and READY=1 (and passes
//   STATUS= lines on). Without a socket from systemd nothing is set up.
// - ignore: nothing is sent.
// In every mode NOTIFY_SOCKET is taken out of tspod's own environment before any
// child starts (src/cli/entry.ts moves it to TSPOD_NOTIFY_SOCKET; captured here):
// runc would otherwise proxy it itself and `runc start` would wait for a READY.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TspodError } from '../util/errors.js';

const captured: string | undefined = (() => {
  const s = process.env['TSPOD_NOTIFY_SOCKET'] || process.env['NOTIFY_SOCKET'] || undefined;
  delete process.env['TSPOD_NOTIFY_SOCKET'];
  delete process.env['NOTIFY_SOCKET'];
  return s;
})();

/** The socket systemd handed tspod (NOTIFY_SOCKET), if any. */
export function notifySocket(): string | undefined { return captured; }

/** Where a socket address names it for connect(2): "@name" is the abstract namespace. */
function socketAddress(s: string): string {
  return s.startsWith('@') ? `\0${s.slice(1)}` : s;
}

type DgramSocket = import('node-unix-socket').DgramSocket;
async function dgram(): Promise<new () => DgramSocket> {
  return (await import('node-unix-socket')).DgramSocket;
}

/** Send one notification (newline-separated VAR=VALUE assignments) to a notify socket. */
export async function sdNotify(socket: string, state: string): Promise<void> {
  const Dgram = await dgram();
  const s = new Dgram();
  const buf = Buffer.from(state);
  try {
    await new Promise<void>((resolve, reject) => s.sendTo(buf, 0, buf.length, socketAddress(socket), (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw new Error(`cannot notify systemd through ${socket}: ${(err as Error).message}`);
  } finally {
    s.close();
  }
}

/** Where a container's notify socket appears inside it (as with runc and Podman). */
export const CONTAINER_NOTIFY_DIR = '/run/notify';
export const CONTAINER_NOTIFY_SOCKET = `${CONTAINER_NOTIFY_DIR}/notify.sock`;

/** The parsed assignments of one notification. */
export function parseNotification(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/**
 * The container's side of --sdnotify=container: a datagram socket in the
 * container's run directory, bind-mounted into it. ready() resolves on the
 * container's READY=1 and fails when the container (conmon) exits first.
 */
export class ContainerNotifyProxy {
  private sock: DgramSocket | undefined;
  private readyFlag = false;
  private waiters: Array<() => void> = [];
  private statusLines: string[] = [];

  private constructor(readonly dir: string) {}

  static async listen(dir: string): Promise<ContainerNotifyProxy> {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const p = new ContainerNotifyProxy(dir);
    const Dgram = await dgram();
    const s = new Dgram();
    const file = path.join(dir, 'notify.sock');
    s.bind(file);
    // any user of the container may notify (a service running as a non-root USER)
    fs.chmodSync(file, 0o777);
    s.on('data', (buf: Buffer) => p.onMessage(buf.toString()));
    s.on('error', () => undefined);
    p.sock = s;
    return p;
  }

  private onMessage(text: string): void {
    const m = parseNotification(text);
    const status = m.get('STATUS');
    if (status !== undefined) this.statusLines.push(status);
    if (m.get('READY') === '1') {
      this.readyFlag = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** STATUS= values the container sent so far (passed on to systemd with READY). */
  get status(): string | undefined { return this.statusLines.at(-1); }

  /** Wait for READY=1; reject if the process `alive` watches ends first. */
  ready(alive: () => boolean, pollMs = 100): Promise<void> {
    if (this.readyFlag) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (this.readyFlag) return;
        if (!alive()) { clearInterval(timer); reject(new TspodError('the container exited before it sent READY=1 (--sdnotify=container)', 'ENOTIFY')); }
      }, pollMs);
      this.waiters.push(() => { clearInterval(timer); resolve(); });
    });
  }

  close(): void {
    try { this.sock?.close(); } catch { /* closed */ }
    this.sock = undefined;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
