// Kubernetes' name rules (the API server's validation, k8s.io/apimachinery/pkg/util/validation), as
// predicates returning why a value is invalid (undefined when valid), and the sanitizers the generator uses
// to turn Podman-style names (underscores, dots, capitals, any length) into ones a cluster accepts.

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export type Check = (v: string) => string | undefined;

/** RFC 1123 label: container, volume and port-less object names (63 characters, lowercase). */
export const dns1123Label: Check = (v) => {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!DNS1123_LABEL.test(v)) return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  return undefined;
};

/** RFC 1123 subdomain: Pod, Deployment, ConfigMap, Secret, PVC names (253 characters). */
export const dns1123Subdomain: Check = (v) => {
  if (v.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(v)) return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

/** RFC 1035 label: Service names (must start with a letter). */
export const dns1035Label: Check = (v) => {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!DNS1035_LABEL.test(v)) return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  return undefined;
};

/** Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of 63 characters. */
export const qualifiedName: Check = (v) => {
  const parts = v.split('/');
  let name = v;
  if (parts.length > 2) return "a qualified name must consist of an optional DNS subdomain prefix and '/' followed by a name";
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (!prefix) return 'prefix part must be non-empty';
    const p = dns1123Subdomain(prefix);
    if (p) return `prefix part ${p}`;
  }
  if (!name) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME_PART.test(name)) return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

/** Label values: empty, or 63 characters of alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
export const labelValue: Check = (v) => {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!LABEL_VALUE.test(v)) return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
};

/** ConfigMap and Secret data keys. */
export const configMapKey: Check = (v) => {
  if (v.length > 253) return 'must be no more than 253 characters';
  if (!CONFIG_KEY.test(v)) return "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
  if (v === '.' || v === '..' || v.startsWith('..')) return "must not be '.' or '..' or start with '..'";
  return undefined;
};

/** Environment variable names. */
export const envVarName: Check = (v) => (ENV_NAME.test(v) ? undefined : "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit");

/** IANA service names (port names): 15 characters, lowercase alphanumerics and '-', at least one letter. */
export const portName: Check = (v) => {
  if (v.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(v)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (v.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(v)) return 'must contain at least one letter (a-z)';
  if (v.startsWith('-') || v.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
};

// ---------------------------------------------------------------------------------------------
// Sanitizers: a name a cluster accepts, as close to the original as possible

/** Lowercase, every run of other characters to one '-', trimmed to alphanumerics at both ends, at most `max`. */
function squash(v: string, max: number, allowed: RegExp): string {
  let s = v.toLowerCase().replace(allowed, '-').replace(/-+/g, '-');
  s = s.slice(0, max).replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '');
  return s;
}

/** A DNS-1123 label made of `v` (`my_app.1` -> `my-app-1`); `fallback` when nothing is left. */
export function toDns1123Label(v: string, fallback = 'unnamed'): string {
  return squash(v, 63, /[^a-z0-9-]/g) || fallback;
}

/** A DNS-1123 subdomain made of `v` (dots kept between labels). */
export function toDns1123Subdomain(v: string, fallback = 'unnamed'): string {
  const labels = v.toLowerCase().split('.').map((l) => squash(l, 63, /[^a-z0-9-]/g)).filter(Boolean);
  let s = labels.join('.').slice(0, 253).replace(/[^a-z0-9]+$/, '');
  if (!s) s = fallback;
  return s;
}

/** A DNS-1035 label (a Service name): a DNS-1123 label that starts with a letter. */
export function toDns1035Label(v: string, fallback = 'unnamed'): string {
  let s = toDns1123Label(v, fallback);
  if (!/^[a-z]/.test(s)) s = toDns1123Label(`x-${s}`, fallback);
  return s;
}

/** A qualified name (label or annotation key) made of `v`, or undefined when no sensible one exists. */
export function toQualifiedName(v: string): string | undefined {
  if (!qualifiedName(v)) return v;
  const i = v.lastIndexOf('/');
  const prefix = i >= 0 ? toDns1123Subdomain(v.slice(0, i), '') : '';
  const name = v.slice(i + 1).replace(/[^-A-Za-z0-9_.]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  if (!name) return undefined;
  const out = prefix ? `${prefix}/${name}` : name;
  return qualifiedName(out) ? undefined : out;
}

/** A label value made of `v` (63 characters, alphanumeric at both ends). */
export function toLabelValue(v: string): string {
  return v.replace(/[^-A-Za-z0-9_.]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** Make `name` unique among `taken` (adds it): `web`, `web-2`, `web-3`... within `max` characters. */
export function uniqueName(name: string, taken: Set<string>, max = 63): string {
  let n = name, i = 2;
  while (taken.has(n)) { const suffix = `-${i++}`; n = `${name.slice(0, max - suffix.length).replace(/[^a-z0-9]+$/, '')}${suffix}`; }
  taken.add(n);
  return n;
}
