// Platforms (os/arch[/variant]) and picking one entry of a manifest list / image index for
// a platform: for pulls (registry) and for local lists (run or inspect of a list).
import { InvalidArgumentError, RegistryError } from '../util/errors.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', x64: 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', ia32: '386' };

function normArch(a: string): string { return ARCH_ALIASES[a] ?? a; }

/** The platform of this machine: linux/<arch> (linux/amd64 here). */
export function defaultPlatform(): Platform {
  const arch = normArch(process.arch);
  if (arch === 'arm') return { os: 'linux', architecture: 'arm', variant: 'v7' };
  return { os: 'linux', architecture: arch };
}

/** Parse --platform: os/arch[/variant]. */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p || !/^[a-z0-9._-]+$/.test(p))) {
    throw new InvalidArgumentError(`invalid platform "${s}": expected os/arch[/variant], e.g. linux/arm64`);
  }
  const p: Platform = { os: parts[0]!, architecture: normArch(parts[1]!) };
  if (parts[2]) p.variant = parts[2];
  return p;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function normVariant(arch: string, v: string | undefined): string {
  if (arch === 'arm64') return v === undefined || v === '' || v === 'v8' ? 'v8' : v;
  return v ?? '';
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    || (d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown');
}

/** Pick the manifest for a platform from an index; errors list what is available. */
export function selectPlatform(index: ImageIndex, want: Platform, name = 'image'): Descriptor {
  const images = index.manifests.filter((d) => !isAttestation(d) && d.platform);
  const candidates = images.filter((d) => d.platform!.os === want.os && normArch(d.platform!.architecture) === want.architecture);
  let pick: Descriptor | undefined;
  if (want.variant !== undefined) {
    const wv = normVariant(want.architecture, want.variant);
    pick = candidates.find((d) => normVariant(want.architecture, d.platform!.variant) === wv);
  } else {
    const preferred = want.architecture === 'arm64' ? 'v8' : want.architecture === 'arm' ? 'v7' : '';
    pick = candidates.find((d) => normVariant(want.architecture, d.platform!.variant) === preferred) ?? candidates[0];
  }
  if (!pick) {
    const avail = [...new Set(images.map((d) => formatPlatform(d.platform!)))].join(', ') || 'none';
    throw new NoMatchingPlatformError(`no image found in manifest list ${name} for platform ${formatPlatform(want)} (available: ${avail})`);
  }
  return pick;
}

export class NoMatchingPlatformError extends RegistryError {
  constructor(message: string) { super(message); }
}
