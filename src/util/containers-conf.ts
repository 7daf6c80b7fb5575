// containers.conf(5): the settings tspod takes from it. Files are read in Podman's order, a later
// file's keys replacing an earlier one's, table by table:
//   /usr/share/containers/containers.conf, /etc/containers/containers.conf, then
//   /etc/containers/containers.conf.d/*.conf, then (rootless) $XDG_CONFIG_HOME/containers/containers.conf
//   and its containers.conf.d/*.conf;
//   $CONTAINERS_CONF instead of all of them when it is set.
// Used: [engine] image_volume_mode; [containers] base_hosts_file, host_containers_internal_ip,
// dns_servers, dns_searches, dns_options.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InvalidArgumentError, isErrno } from './errors.js';
import { isRootless } from './paths.js';

type Table = Record<string, unknown>;
export interface ContainersConfTables { files: string[]; tables: Record<string, Table> }

function dropIns(dir: string): string[] {
  try { return fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort().map((f) => path.join(dir, f)); } catch { return []; }
}

/** The files that apply, in the order they are read. */
export function containersConfFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env['CONTAINERS_CONF']) return [env['CONTAINERS_CONF']];
  const files = ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf', ...dropIns('/etc/containers/containers.conf.d')];
  if (isRootless()) {
    const user = path.join(env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config'), 'containers');
    files.push(path.join(user, 'containers.conf'), ...dropIns(path.join(user, 'containers.conf.d')));
  }
  return files;
}

let cached: { key: string; conf: ContainersConfTables } | undefined;

/** The merged tables ([engine], [containers], ...). A file that does not parse is an error naming it. */
export function containersConfTables(env: NodeJS.ProcessEnv = process.env): ContainersConfTables {
  const files = containersConfFiles(env);
  const key = files.join('\0');
  if (cached?.key === key && env === process.env) return cached.conf;
  const out: ContainersConfTables = { files: [], tables: {} };
  for (const file of files) {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch (err) {
      // an explicit CONTAINERS_CONF that cannot be read is an error, the default places are optional
      if (file === env['CONTAINERS_CONF'] || !isErrno(err, 'ENOENT', 'ENOTDIR')) throw new InvalidArgumentError(`reading containers.conf ${file}: ${(err as Error).message}`);
      continue;
    }
    out.files.push(file);
    // the packaged defaults are all comments: nothing to parse
    if (!/^\s*[^#\s]/m.test(text)) continue;
    // the packaged file is ~700 lines, nearly all comments: blank the whole-line ones first (a
    // regular expression does that many times faster than the parser's own skipping); lines stay
    // where they were, for the parser's messages. Not where a multi-line string could hold a '#' line.
    if (!text.includes('"""') && !text.includes("'''")) text = text.replace(/^[ \t]*#.*$/gm, '');
    let doc: Table;
    try { doc = parseToml(text) as Table; } catch (err) { throw new InvalidArgumentError(`${file}: ${(err as Error).message.split('\n')[0]}`); }
    for (const [k, v] of Object.entries(doc)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) out.tables[k] = { ...out.tables[k], ...(v as Table) };
    }
  }
  if (env === process.env) cached = { key, conf: out };
  return out;
}

export type ImageVolumeMode = 'bind' | 'tmpfs' | 'ignore';

/** [engine] image_volume_mode: what an image's VOLUMEs become when run/create give no --image-volume. */
export function imageVolumeMode(env: NodeJS.ProcessEnv = process.env): ImageVolumeMode {
  const v = containersConfTables(env).tables['engine']?.['image_volume_mode'];
  if (v === undefined || v === '') return 'bind';
  if (v === 'bind' || v === 'tmpfs' || v === 'ignore') return v;
  throw new InvalidArgumentError(`invalid image volume mode "${String(v)}" in containers.conf: use bind, tmpfs or ignore`);
}

/** The [containers] settings for a container's /etc/hosts and /etc/resolv.conf. */
export interface ContainersConf {
  /** "" (the host's /etc/hosts), "none", "image" or a file */
  baseHostsFile: string;
  /** "" (the host's address), "none" or an IP */
  hostContainersInternalIP: string;
  dnsServers: string[];
  dnsSearches: string[];
  dnsOptions: string[];
}

export function containersConf(env: NodeJS.ProcessEnv = process.env): ContainersConf {
  const c = containersConfTables(env).tables['containers'] ?? {};
  const where = 'containers.conf [containers]';
  const string = (key: string): string => {
    const v = c[key];
    if (v === undefined) return '';
    if (typeof v !== 'string') throw new InvalidArgumentError(`${where}: ${key} must be a string`);
    return v;
  };
  const strings = (key: string): string[] => {
    const v = c[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`${where}: ${key} must be a list of strings`);
    return v as string[];
  };
  return {
    baseHostsFile: string('base_hosts_file'), hostContainersInternalIP: string('host_containers_internal_ip'),
    dnsServers: strings('dns_servers'), dnsSearches: strings('dns_searches'), dnsOptions: strings('dns_options'),
  };
}
