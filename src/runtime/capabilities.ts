// Linux capability names and the rules Podman applies to --cap-add/--cap-drop.
import { InvalidArgumentError } from '../util/errors.js';

/** Every capability up to CAP_CHECKPOINT_RESTORE (40), in number order. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** containers.conf `default_capabilities` (containers-common, Debian 12). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

/** `net_raw`, `NET_RAW`, `CAP_NET_RAW` -> `CAP_NET_RAW`; `all` -> `ALL`. Unknown names throw. */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new InvalidArgumentError(`unknown capability "${name}"`);
  return full;
}

/** Capability number (bit) of a normalized name. */
export function capabilityBit(name: string): number {
  const i = ALL_CAPABILITIES.indexOf(name);
  if (i < 0) throw new InvalidArgumentError(`unknown capability "${name}"`);
  return i;
}

/** The /proc/<pid>/status CapEff-style hex mask of a capability set. */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) mask |= 1n << BigInt(capabilityBit(c));
  return mask.toString(16).padStart(16, '0');
}

export interface CapabilityOptions {
  capAdd?: readonly string[] | undefined;
  capDrop?: readonly string[] | undefined;
  privileged?: boolean | undefined;
  /** Base set before add/drop; defaults to DEFAULT_CAPABILITIES. */
  defaults?: readonly string[] | undefined;
}

/**
 * The container's capability set, sorted by name. Podman's rules: privileged gets
 * every capability; `--cap-drop ALL` leaves exactly the added ones; `--cap-add ALL`
 * starts from every capability, otherwise from the defaults plus the added ones;
 * then the dropped ones are removed (a name both added and dropped is dropped).
 */
export function resolveCapabilities(opts: CapabilityOptions): string[] {
  if (opts.privileged) return [...ALL_CAPABILITIES].sort();
  const add = (opts.capAdd ?? []).map(normalizeCapability);
  const drop = (opts.capDrop ?? []).map(normalizeCapability);
  if (drop.includes('ALL')) {
    if (add.includes('ALL')) throw new InvalidArgumentError('adding all capabilities and removing all capabilities is not allowed');
    return [...new Set(add)].sort();
  }
  const set = new Set(add.includes('ALL') ? ALL_CAPABILITIES : (opts.defaults ?? DEFAULT_CAPABILITIES).map(normalizeCapability));
  for (const c of add) if (c !== 'ALL') set.add(c);
  for (const c of drop) set.delete(c);
  return [...set].sort();
}
