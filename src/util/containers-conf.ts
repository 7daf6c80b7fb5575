// containers.conf(5): the [containers] settings tspod honours for a container's
// /etc/hosts and /etc/resolv.conf (base_hosts_file, host_containers_internal_ip,
// dns_servers, dns_searches, dns_options).
//
// Where it is read, as Podman does: $CONTAINERS_CONF alone when set; otherwise
// /usr/share/containers/containers.conf, /etc/containers/containers.conf, then the
// user's $XDG_CONFIG_HOME/containers/containers.conf (~/.config/...), each with its
// containers.conf.d/*.conf drop-ins in name order; a key set later wins.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InvalidArgumentError, isErrno } from './errors.js';

export interface ContainersConf {
  /** "" (the host's /etc/hosts), "none", "image" or a file */
  baseHostsFile: string;
  /** "" (the host's address), "none" or an IP */
  hostContainersInternalIP: string;
  dnsServers: string[];
  dnsSearches: string[];
  dnsOptions: string[];
}

function configFiles(): string[] {
  const explicit = process.env['CONTAINERS_CONF'];
  if (explicit) return [explicit];
  const user = path.join(process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'containers', 'containers.conf');
  const out: string[] = [];
  for (const f of ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf', user]) {
    out.push(f);
    let dropIns: string[] = [];
    try { dropIns = fs.readdirSync(`${f}.d`).filter((n) => n.endsWith('.conf')).sort(); } catch { /* none */ }
    out.push(...dropIns.map((n) => path.join(`${f}.d`, n)));
  }
  return out;
}

const strings = (v: unknown, key: string, file: string): string[] | undefined => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`${file}: ${key} must be a list of strings`);
  return v as string[];
};
const string = (v: unknown, key: string, file: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`${file}: ${key} must be a string`);
  return v;
};

let cached: { key: string; conf: ContainersConf } | undefined;

/** The merged [containers] settings (read once per set of files). */
export function containersConf(): ContainersConf {
  const files = configFiles();
  const key = files.join('\0');
  if (cached?.key === key) return cached.conf;
  const conf: ContainersConf = { baseHostsFile: '', hostContainersInternalIP: '', dnsServers: [], dnsSearches: [], dnsOptions: [] };
  for (const f of files) {
    let text: string;
    try { text = fs.readFileSync(f, 'utf8'); } catch (err) {
      if (isErrno(err, 'ENOENT') && f !== process.env['CONTAINERS_CONF']) continue;
      throw new InvalidArgumentError(`reading ${f}: ${(err as Error).message}`);
    }
    let doc: Record<string, unknown>;
    try { doc = parseToml(text) as Record<string, unknown>; } catch (err) { throw new InvalidArgumentError(`${f}: ${(err as Error).message.split('\n')[0]}`); }
    const c = (doc['containers'] ?? {}) as Record<string, unknown>;
    conf.baseHostsFile = string(c['base_hosts_file'], 'base_hosts_file', f) ?? conf.baseHostsFile;
    conf.hostContainersInternalIP = string(c['host_containers_internal_ip'], 'host_containers_internal_ip', f) ?? conf.hostContainersInternalIP;
    conf.dnsServers = strings(c['dns_servers'], 'dns_servers', f) ?? conf.dnsServers;
    conf.dnsSearches = strings(c['dns_searches'], 'dns_searches', f) ?? conf.dnsSearches;
    conf.dnsOptions = strings(c['dns_options'], 'dns_options', f) ?? conf.dnsOptions;
  }
  cached = { key, conf };
  return conf;
}
