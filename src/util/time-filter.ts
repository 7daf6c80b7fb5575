// The one parser for time values users give to --since/--until and to the
// `until=` filters, as Podman reads them (pkg/util ParseInputTime plus the
// shorter layouts Docker's timetype accepts):
//   - RFC 3339 with or without fraction and zone: 2026-12-07T00:21:07.123456789Z,
//     2026-12-07T00:21:07+01:00, 2026-12-07T00:21:07 (no zone: UTC, as Go's time.Parse),
//     2026-12-07T00:21, 2026-12-07T00, 2026-12-07, 2026-12-07+01:00;
//   - unix seconds, with a fraction up to nanoseconds: 1796604067, 1796604067.5;
//   - a Go duration (10m, 1h30m, 1.5h, 300ms, 2us, 2µs, 7ns) relative to now:
//     back in time by default ("10m" = ten minutes ago), forward when asked
//     (Podman's events --until 10s means ten seconds from now).
// Results are nanoseconds since the epoch as a bigint: event times carry
// nanoseconds, and a timestamp copied from `--format '{{.Time}}'`-style
// output must compare exactly, which a float of milliseconds cannot do.
import { InvalidArgumentError } from './errors.js';

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** A whole number of units plus a decimal fraction, in nanoseconds (exact; the fraction rounds down, as Go). */
function scaled(whole: string, frac: string, unit: bigint): bigint {
  let ns = BigInt(whole || '0') * unit;
  if (frac) ns += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  return ns;
}

/** Go's time.ParseDuration, in nanoseconds; undefined when `s` is not a duration. "0" is one; other numbers need a unit. */
export function parseGoDuration(s: string): bigint | undefined {
  const m = /^([+-]?)(.*)$/s.exec(s)!;
  const body = m[2]!;
  if (body === '0') return 0n;
  if (!body) return undefined;
  const re = /(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy;
  let total = 0n, at = 0;
  for (let g = re.exec(body); g; g = re.exec(body)) {
    if (!g[1] && !g[2]) return undefined; // ".s" or "s" alone
    total += scaled(g[1]!, g[2] ?? '', NS_PER_UNIT[g[3]!]!);
    at = re.lastIndex;
  }
  if (at !== body.length) return undefined;
  return m[1] === '-' ? -total : total;
}

// YYYY-MM-DD, then optionally Thh, Thh:mm, Thh:mm:ss[.frac]; then optionally Z or ±hh:mm
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** An RFC 3339-style timestamp (see the header) in nanoseconds; undefined when it is not one. */
export function parseTimestampNs(s: string): bigint | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const nums = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)] as const;
  if (nums[1] < 1 || nums[1] > 12 || nums[2] < 1 || nums[3] > 23 || nums[4] > 59 || nums[5] > 59) return undefined;
  const ms = Date.UTC(nums[0], nums[1] - 1, nums[2], nums[3], nums[4], nums[5]);
  // Date.UTC rolls 2026-02-30 over to March: Go refuses such a day, and so do we
  if (new Date(ms).getUTCDate() !== nums[2]) return undefined;
  let offsetMin = 0;
  if (zone && zone !== 'Z') offsetMin = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
}

/** The current time in nanoseconds since the epoch (millisecond resolution). */
export function nowNs(): bigint {
  // the wall clock in milliseconds (`performance` would load perf_hooks, ~1.5 ms, for digits that
  // the event log's monotonic refinement gives anyway)
  return BigInt(Date.now()) * 1_000_000n;
}

export interface TimeFilterOptions {
  /** Which way a duration points from now: 'ago' (default; since, until= filters) or 'ahead' (events --until). */
  relative?: 'ago' | 'ahead';
  /** "Now" for durations, in nanoseconds (tests). */
  now?: bigint;
}

/**
 * Parse a --since/--until/until= value into nanoseconds since the epoch.
 * `what` names the flag or filter in the error ("--since", "until filter").
 */
export function parseTimeFilter(value: string, what: string, opts: TimeFilterOptions = {}): bigint {
  const v = value.trim();
  const ts = parseTimestampNs(v);
  if (ts !== undefined) return ts;
  const unix = /^(\d+)(?:\.(\d+))?$/.exec(v);
  if (unix) return scaled(unix[1]!, (unix[2] ?? '').slice(0, 9), 1_000_000_000n);
  const d = parseGoDuration(v);
  if (d !== undefined) {
    const now = opts.now ?? nowNs();
    return opts.relative === 'ahead' ? now + d : now - d;
  }
  throw new InvalidArgumentError(`invalid ${what} "${value}": use an RFC 3339 timestamp (2026-12-07T10:00:00Z), a date, unix seconds or a duration like 10m or 1h30m`);
}

/** parseTimeFilter in milliseconds (for comparing with Date.parse of stored RFC 3339 times). */
export function parseTimeFilterMs(value: string, what: string, opts: TimeFilterOptions = {}): number {
  return Number(parseTimeFilter(value, what, opts) / 1_000_000n);
}
