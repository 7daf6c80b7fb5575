// Minimal leveled logger writing to stderr. The level comes from --log-level
// (propagated through TSPOD_LOG_LEVEL so child tspod processes agree).
// Lines look like Podman's (logrus's text format): on a terminal `WARN[0000] msg`, otherwise
// `time="2026-01-02T03:04:05Z" level=warning msg="msg"`, the form scripts and log collectors parse.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic';
const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'];
/** The values --log-level accepts, in Podman's order ('warning' is 'warn'). */
export const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'];

/** A --log-level value as a level; undefined when it is not one. */
export function parseLogLevel(v: string): LogLevel | undefined {
  const l = v.toLowerCase() === 'warning' ? 'warn' : v.toLowerCase();
  return (ORDER as string[]).includes(l) ? (l as LogLevel) : undefined;
}

/** Podman's refusal of a --log-level value (it exits 1 after it, without "Error:"). */
export function unsupportedLogLevel(v: string): string {
  return `Log Level "${v}" is not supported, choose from: ${LOG_LEVELS.join(', ')}`;
}

let current: LogLevel = parseLogLevel(process.env['TSPOD_LOG_LEVEL'] ?? '') ?? 'warn';

export function setLogLevel(level: LogLevel | string): void {
  current = parseLogLevel(level) ?? 'warn';
  process.env['TSPOD_LOG_LEVEL'] = current;
}

export function logLevel(): LogLevel { return current; }

const START = Date.now();
const LOGRUS_NAME: Record<LogLevel, string> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warning', error: 'error', fatal: 'fatal', panic: 'panic' };

/** RFC 3339 in local time, as Go prints it (`Z` for UTC, else the offset). */
function rfc3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return `${local}${off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`}`;
}

/** One log line; `tty` picks the terminal form; `elapsed` (ms since start) is shown when given. */
export function formatLogLine(level: LogLevel, msg: string, tty: boolean, now = new Date(), elapsed?: number): string {
  if (tty) {
    const secs = String(Math.max(0, Math.floor((now.getTime() - START) / 1000))).padStart(4, '0');
    return `${LOGRUS_NAME[level].slice(0, 4).toUpperCase()}[${secs}] ${elapsed !== undefined ? `+${elapsed.toFixed(0)}ms ` : ''}${msg}`;
  }
  // logrus leaves a plain word unquoted and quotes anything else; extra data are key=value fields after msg
  const value = /^[\w./@^+-]+$/.test(msg) ? msg : JSON.stringify(msg);
  return `time="${rfc3339(now)}" level=${LOGRUS_NAME[level]} msg=${value}${elapsed !== undefined ? ` elapsed=${elapsed.toFixed(0)}ms` : ''}`;
}

function emit(level: LogLevel, msg: string): void {
  if (ORDER.indexOf(level) < ORDER.indexOf(current)) return;
  // debug lines carry the time since this process started, for tracing where time goes
  const elapsed = ORDER.indexOf(current) <= 1 ? performance.now() : undefined;
  process.stderr.write(`${formatLogLine(level, msg, !!process.stderr.isTTY, new Date(), elapsed)}\n`);
}

export const log = {
  trace: (m: string) => emit('trace', m),
  debug: (m: string) => emit('debug', m),
  info: (m: string) => emit('info', m),
  warn: (m: string) => emit('warn', m),
  error: (m: string) => emit('error', m),
};
