import { Flags } from '../cli/params.js';
import { stringify } from 'yaml';
import { TspodCommand } from '../cli/base.js';
import { renderObjects } from '../cli/output.js';
import { info } from '../engine/system.js';

export default class Info extends TspodCommand {
  static override summary = 'Display tspod related system information';
  static override aliases = ['system:info'];
  static override flags = { format: Flags.string({ char: 'f', description: "Change the output format to JSON or a Go template" }) };
  static override examples = ['<%= config.bin %> info', '<%= config.bin %> info --format "{{.Host.OCIRuntime.Name}}"'];

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(Info);
    const i = await info();
    if (flags.format === 'json') { this.out(JSON.stringify(i, null, 4)); return; }
    if (flags.format) { this.out(renderObjects([goFieldNames(i) as object], flags.format)); return; }
    this.out(stringify(i));
  }
}

// `podman info --format json` uses camelCase keys, its Go templates the Go field
// names ({{.Host.OCIRuntime.Name}}): give templates the Go names.
const SPECIAL: Record<string, string> = { ociRuntime: 'OCIRuntime', idMappings: 'IDMappings', cpus: 'CPUs', apiVersion: 'APIVersion', uidmap: 'UIDMap', gidmap: 'GIDMap', container_id: 'ContainerID', host_id: 'HostID', os: 'OS', cgroupVersion: 'CgroupsVersion' };

export function goFieldNames(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goFieldNames);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const name = SPECIAL[k] ?? (k.includes('.') || k.includes('-') ? k : k.charAt(0).toUpperCase() + k.slice(1));
    out[name] = goFieldNames(x);
  }
  return out;
}
