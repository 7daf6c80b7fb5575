// Image references as the containers ecosystem writes them:
//   name, name:tag, name@sha256:..., host[:port]/ns/name:tag[@digest]
// Grammar from the distribution reference spec. Short names (no registry part)
// are qualified by the caller (registries.conf search list, default docker.io).
import { InvalidArgumentError } from '../util/errors.js';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;

export interface Reference {
  /** registry host[:port], or undefined for a short name */
  registry: string | undefined;
  /** repository path without registry, e.g. library/busybox */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function isDigest(s: string): boolean { return SHA256.test(s); }

export function parseReference(input: string): Reference {
  const s = input.trim();
  if (!s) throw new InvalidArgumentError('invalid reference format: empty image name');
  if (s.length > 255 * 4) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}" is too long`);
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}" has an invalid digest`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}": sha256 digests are 64 lowercase hex characters`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}" has an invalid tag "${truncate(tag)}"`);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first;
    parts.shift();
    if (!DOMAIN.test(registry)) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}" has an invalid registry "${registry}"`);
  }
  if (parts.length === 0 || parts.some((p) => !p)) throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}"`);
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      if (p.toLowerCase() !== p && COMPONENT.test(p.toLowerCase())) throw new InvalidArgumentError(`invalid reference format: repository name "${truncate(rest)}" must be lowercase`);
      throw new InvalidArgumentError(`invalid reference format: "${truncate(s)}" is not a valid image name`);
    }
  }
  const path = parts.join('/');
  if (path.length > 255) throw new InvalidArgumentError(`invalid reference format: repository name "${truncate(path)}" is longer than 255 characters`);
  return { registry, path, tag, digest };
}

/** Fill in registry (given) and docker.io's library/ namespace. */
export function qualify(ref: Reference, registry: string): Reference & { registry: string } {
  let path = ref.path;
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  return { ...ref, registry, path };
}

/** A fully qualified reference with a tag defaulted to latest when neither tag nor digest is given. */
export function normalize(ref: Reference & { registry: string }): Reference & { registry: string } {
  if (!ref.tag && !ref.digest) return { ...ref, tag: DEFAULT_TAG };
  return ref;
}

export function repoName(ref: Reference): string {
  return ref.registry ? `${ref.registry}/${ref.path}` : ref.path;
}

export function formatReference(ref: Reference): string {
  let s = repoName(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** Registry host as used for the HTTP API (docker.io -> registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

function truncate(s: string): string { return s.length > 80 ? `${s.slice(0, 77)}...` : s; }
