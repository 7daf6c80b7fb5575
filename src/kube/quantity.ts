// Kubernetes resource quantities ("128Mi", "0.5", "500m", "1G", "1e3") as numbers.
import { KubeError } from './errors.js';

const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A quantity's value (`500m` -> 0.5, `128Mi` -> 134217728). */
export function parseQuantity(v: string | number, what: string): number {
  if (typeof v === 'number') return v;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(v.trim());
  if (!m) throw new KubeError(`${what}: invalid quantity ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  return n * SUFFIX[m[3] ?? '']!;
}

/** Bytes as a quantity (binary suffix when it divides evenly: 134217728 -> "128Mi"). */
export function formatBytes(n: number): string {
  for (const [s, f] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (n >= f && n % f === 0) return `${n / f}${s}`;
  return String(n);
}

/** CPUs as a quantity (0.5 -> "500m", 2 -> "2"). */
export function formatCpus(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
