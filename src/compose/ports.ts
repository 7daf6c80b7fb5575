// Service ports: the short syntax [[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTOCOL] (ranges on either side,
// IPv6 host addresses in brackets) and the long syntax, both to ServicePort entries. A container range
// expands to one entry per port; a host range with one container port stays one entry ("any port of").
import { isIP } from 'node:net';
import { ComposeError } from './errors.js';
import { isTree } from './yaml.js';
import type { ServicePort } from './types.js';

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

interface Range { start: number; end: number }

function range(s: string, spec: string, what: string, allowZero = false): Range {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  const min = allowZero ? 0 : 1;
  if (!m || start < min || end > 65535 || end < start) throw new ComposeError(`invalid port "${spec}": invalid ${what} "${s}"`);
  return { start, end };
}

/** Parse one `ports` entry (string, number or long-form mapping). */
export function parsePortSpec(spec: unknown): ServicePort[] {
  if (typeof spec === 'number') return parsePortSpec(String(spec));
  if (isTree(spec)) return [longPort(spec)];
  if (typeof spec !== 'string') throw new ComposeError(`invalid port ${JSON.stringify(spec)}`);
  let rest = spec.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) { protocol = rest.slice(slash + 1).toLowerCase(); rest = rest.slice(0, slash); }
  if (!PROTOCOLS.includes(protocol)) throw new ComposeError(`invalid port "${spec}": unknown protocol "${protocol}" (use tcp, udp or sctp)`);
  let hostIp: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) { hostIp = v6[1]; rest = v6[2]!; }
  const parts = rest.split(':');
  if (v6 && parts.length !== 2) throw new ComposeError(`invalid port "${spec}": expected [IP]:HOST_PORT:CONTAINER_PORT`);
  if (parts.length > 3) throw new ComposeError(`invalid port "${spec}": too many colons (write IPv6 addresses in brackets: [::1]:8080:80)`);
  if (parts.length === 3) hostIp = parts.shift()!;
  const container = range(parts.pop()!, spec, 'container port');
  const hostPart = parts.pop();
  if (hostIp !== undefined && hostIp !== '' && !isIP(hostIp)) throw new ComposeError(`invalid port "${spec}": invalid host IP "${hostIp}"`);
  const base = { protocol: protocol as ServicePort['protocol'], mode: 'ingress' as const, ...(hostIp ? { host_ip: hostIp } : {}) };
  const count = container.end - container.start + 1;
  if (hostPart === undefined || hostPart === '') {
    return Array.from({ length: count }, (_, i) => ({ target: container.start + i, ...base }));
  }
  const host = range(hostPart, spec, 'host port', true);
  const hostCount = host.end - host.start + 1;
  if (count === 1) return [{ target: container.start, published: hostCount === 1 ? String(host.start) : `${host.start}-${host.end}`, ...base }];
  if (hostCount !== count) throw new ComposeError(`invalid port "${spec}": the host and container ranges differ in length`);
  return Array.from({ length: count }, (_, i) => ({ target: container.start + i, published: String(host.start + i), ...base }));
}

function longPort(p: Record<string, unknown>): ServicePort {
  const target = Number(p['target']);
  if (!Number.isInteger(target) || target < 1 || target > 65535) throw new ComposeError(`invalid port target ${JSON.stringify(p['target'])}`);
  const protocol = String(p['protocol'] ?? 'tcp').toLowerCase();
  if (!PROTOCOLS.includes(protocol)) throw new ComposeError(`invalid port protocol "${protocol}" (use tcp, udp or sctp)`);
  const mode = String(p['mode'] ?? 'ingress');
  if (mode !== 'ingress' && mode !== 'host') throw new ComposeError(`invalid port mode "${mode}" (use ingress or host)`);
  const out: ServicePort = { target, protocol: protocol as ServicePort['protocol'], mode };
  if (p['published'] !== undefined && p['published'] !== null && p['published'] !== '') {
    const pub = String(p['published']);
    range(pub, pub, 'published port', true);
    out.published = pub;
  }
  if (typeof p['host_ip'] === 'string' && p['host_ip']) out.host_ip = p['host_ip'];
  if (typeof p['name'] === 'string') out.name = p['name'];
  if (typeof p['app_protocol'] === 'string') out.app_protocol = p['app_protocol'];
  return out;
}
