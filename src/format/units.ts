// Human-readable sizes and durations the way Podman prints them
// (github.com/docker/go-units: HumanSizeWithPrecision, BytesSize, HumanDuration).

import { formatG } from './value.js';

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${formatG(size, precision)} ${units[i]}`;
}

/** Decimal size with `precision` significant digits: 1987655 -> "1.99 MB" at 3 (Podman's SIZE column). */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  return scaled(bytes, 1000, DECIMAL, precision);
}

/** go-units HumanSize: decimal, 4 significant digits ("1.988 MB"). */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** go-units HumanSize exactly as it prints, unit joined to the number ("12.75MB", "0B"): `system df`, `system prune`. */
export function humanSizeCompact(bytes: number): string {
  return humanSize(bytes).replace(' ', '');
}

/** go-units BytesSize: binary, 4 significant digits ("1.896 MiB"). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY, 4);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** go-units HumanDuration for a duration in milliseconds: "Less than a second", "About an hour", "3 days". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // time.Duration.Round(time.Hour): halves round away from zero.
  const hours = Math.round(ms / HOUR);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / HOUR / 24 / 365)} years`;
}

/** "2 minutes ago" for a time (Date, ISO string or epoch milliseconds), as in Podman's CREATED column. */
export function timeAgo(when: Date | string | number, now: number = Date.now()): string {
  const t = when instanceof Date ? when.getTime() : typeof when === 'number' ? when : Date.parse(when);
  return `${humanDuration(now - t)} ago`;
}
