// Minimal leveled logger writing to stderr. The level comes from --log-level
// (propagated through TSPOD_LOG_LEVEL so child tspod processes agree).

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic';
const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'];
export const LOG_LEVELS: readonly LogLevel[] = ORDER;

let current: LogLevel = (process.env['TSPOD_LOG_LEVEL'] as LogLevel | undefined) ?? 'warn';
if (!ORDER.includes(current)) current = 'warn';

export function setLogLevel(level: LogLevel): void {
  current = level;
  process.env['TSPOD_LOG_LEVEL'] = level;
}

export function logLevel(): LogLevel { return current; }

function emit(level: LogLevel, msg: string): void {
  if (ORDER.indexOf(level) < ORDER.indexOf(current)) return;
  const tag = level === 'warn' ? 'WARN' : level.toUpperCase();
  // debug lines carry the time since this process started, for tracing where time goes
  const t = ORDER.indexOf(current) <= 1 ? ` +${performance.now().toFixed(0)}ms` : '';
  process.stderr.write(`${tag}[0000]${t} ${msg}\n`);
}

export const log = {
  trace: (m: string) => emit('trace', m),
  debug: (m: string) => emit('debug', m),
  info: (m: string) => emit('info', m),
  warn: (m: string) => emit('warn', m),
  error: (m: string) => emit('error', m),
};
