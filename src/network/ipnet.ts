// IPv4 arithmetic for networks: CIDR parsing, subnet membership, overlap,
// address ranges. IPv6 user networks are not supported (yet).
import type * as Net from 'node:net';
import { InvalidArgumentError } from '../util/errors.js';

// node:net (and the streams it loads, ~2 ms) only for the IPv6 error message
const net = (): typeof Net => process.getBuiltinModule('node:net') as typeof Net;

/** A dotted-quad IPv4 address as net.isIPv4 accepts it (0-255, no leading zeros). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
export function isIPv4(ip: string): boolean { return IPV4.test(ip); }

export interface Cidr { base: number; prefix: number }

export function ipToInt(ip: string): number {
  if (!isIPv4(ip)) throw new InvalidArgumentError(`invalid IPv4 address "${ip}"`);
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.89.0.0/24" -> {base, prefix}; the address must be the network address. */
export function parseCidr(s: string, what = 'subnet'): Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) {
    if (net().isIPv6(s.split('/')[0] ?? '')) throw new InvalidArgumentError(`invalid ${what} "${s}": IPv6 networks are not supported by tspod yet`);
    throw new InvalidArgumentError(`invalid ${what} "${s}": use CIDR notation like 10.89.1.0/24`);
  }
  const prefix = Number(m[2]);
  if (!isIPv4(m[1]!) || prefix > 32) throw new InvalidArgumentError(`invalid ${what} "${s}": use CIDR notation like 10.89.1.0/24`);
  const addr = ipToInt(m[1]!);
  const base = (addr & mask(prefix)) >>> 0;
  if (base !== addr) throw new InvalidArgumentError(`invalid ${what} "${s}": host bits are set (did you mean ${intToIp(base)}/${prefix}?)`);
  return { base, prefix };
}

export function cidrString(c: Cidr): string { return `${intToIp(c.base)}/${c.prefix}`; }

export function size(c: Cidr): number { return 2 ** (32 - c.prefix); }

export function contains(c: Cidr, ip: string | number): boolean {
  const n = typeof ip === 'number' ? ip : ipToInt(ip);
  return ((n & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** Usable host addresses [first, last] (network and broadcast excluded for prefixes below /31). */
export function hostRange(c: Cidr): [number, number] {
  if (c.prefix >= 31) return [c.base, c.base + size(c) - 1];
  return [c.base + 1, c.base + size(c) - 2];
}
