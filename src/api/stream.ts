// Docker's stream formats: the 8-byte multiplexed frame header (stream type,
// 3 zero bytes, big-endian payload length) used unless the container has a
// TTY, and the hijacked connection itself (101 UPGRADED, then raw bytes).
import type { Writable, Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { COMMON_HEADERS } from './server.js';
import type { ApiReply } from './router.js';

export const STDIN = 0, STDOUT = 1, STDERR = 2;

export function frame(stream: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

/** Split a multiplexed byte stream back into frames (tests, and clients of our own). */
export function demux(buf: Buffer): Array<{ stream: number; data: Buffer }> {
  const out: Array<{ stream: number; data: Buffer }> = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    if (i + 8 + len > buf.length) break;
    out.push({ stream: buf[i]!, data: buf.subarray(i + 8, i + 8 + len) });
    i += 8 + len;
  }
  return out;
}

/** Where a stream's output goes, framed or raw. */
export interface OutputSink {
  write(stream: 'stdout' | 'stderr', data: Buffer | string): void;
  end(): void;
  /** The client went away. */
  closed: Promise<void>;
}

export function outputSink(out: Writable, tty: boolean): OutputSink {
  let ended = false;
  const closed = new Promise<void>((r) => { out.once('close', () => r()); out.once('error', () => r()); });
  return {
    write(stream, data) {
      if (ended || out.destroyed) return;
      const b = typeof data === 'string' ? Buffer.from(data) : data;
      if (!b.length) return;
      out.write(tty ? b : frame(stream === 'stderr' ? STDERR : STDOUT, b));
    },
    end() { if (!ended) { ended = true; out.end(); } },
    closed,
  };
}

export interface Hijacked {
  /** Output to the client. */
  out: Writable;
  /** Input from the client (stdin), when the connection was upgraded. */
  input: Duplex | undefined;
}

/**
 * Take over the connection: an upgraded request gets `101 UPGRADED` and the
 * raw socket both ways; a plain request (clients that do not ask for an
 * upgrade) gets a 200 with the stream as its body, output only.
 */
export function hijack(reply: ApiReply, contentType = 'application/vnd.docker.raw-stream'): Hijacked {
  if (reply.socket) {
    const head = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp',
      ...Object.entries(COMMON_HEADERS).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    reply.socket.write(head);
    return { out: reply.socket, input: reply.socket };
  }
  const res = reply.res as ServerResponse;
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  return { out: res, input: undefined };
}
