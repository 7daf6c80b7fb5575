// Durations and byte sizes of Compose files (Specification: "Specifying durations", "Specifying byte values").
// The parsing is the engine's own (the same units as `run --health-interval` and `--shm-size`); this module
// adds Compose's number forms and the Go-style rendering `compose config` prints.
import { parseBytes, parseDuration } from '../container/options.js';
import { ComposeError } from './errors.js';

/** "1m30s" -> 90000 ms; a number is seconds (as a bare number in the engine's flags). */
export function durationMs(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  try { return parseDuration(String(v).trim(), what); } catch (err) { throw new ComposeError((err as Error).message); }
}

/** "1gb", "512m", "2048k", "2b" or a number of bytes -> bytes. */
export function bytes(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const s = String(v).trim();
  if (s === '-1') return -1; // unlimited (memswap_limit)
  try { return parseBytes(s, what); } catch (err) { throw new ComposeError((err as Error).message); }
}

/** 90000 -> "1m30s", as Go prints a duration. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  // Go always prints the seconds after hours or minutes (1h0m0s); below a second it prints ms
  if (out) out += `${Number((rest / 1000).toFixed(9))}s`;
  else out = rest >= 1000 ? `${Number((rest / 1000).toFixed(9))}s` : `${Number(rest.toFixed(6))}ms`;
  return out;
}
