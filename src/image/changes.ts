// `--change` instructions (import, commit): a subset of Containerfile syntax
// applied to an image config.
import { InvalidArgumentError } from '../util/errors.js';
import type { ContainerConfig } from './types.js';

function parseList(v: string): string[] {
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const a = JSON.parse(t) as unknown;
      if (Array.isArray(a) && a.every((x) => typeof x === 'string')) return a as string[];
    } catch { /* fall through */ }
    throw new InvalidArgumentError(`invalid JSON array in change "${v}"`);
  }
  return ['/bin/sh', '-c', t];
}

export function applyChanges(cfg: ContainerConfig, changes: string[] = []): ContainerConfig {
  const out: ContainerConfig = { ...cfg };
  for (const raw of changes) {
    const m = /^\s*(\w+)\s*(=|\s)\s*([\s\S]*)$/.exec(raw);
    if (!m) throw new InvalidArgumentError(`invalid change "${raw}": expected INSTRUCTION VALUE`);
    const op = m[1]!.toUpperCase();
    const v = m[3]!.trim();
    switch (op) {
      case 'CMD': out.Cmd = parseList(v); break;
      case 'ENTRYPOINT': out.Entrypoint = parseList(v); break;
      case 'ENV': {
        const pairs = v.includes('=') ? v.split(/\s+(?=[^\s=]+=)/) : [v.replace(/\s+/, '=')];
        const env = [...(out.Env ?? [])];
        for (const p of pairs) {
          const k = p.split('=')[0]!;
          const i = env.findIndex((e) => e.startsWith(`${k}=`));
          if (i >= 0) env[i] = p; else env.push(p);
        }
        out.Env = env;
        break;
      }
      case 'WORKDIR': out.WorkingDir = v; break;
      case 'USER': out.User = v; break;
      case 'EXPOSE': {
        out.ExposedPorts = { ...(out.ExposedPorts ?? {}) };
        for (const p of v.split(/\s+/)) out.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      }
      case 'LABEL': {
        out.Labels = { ...(out.Labels ?? {}) };
        for (const p of v.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []) {
          const i = p.indexOf('=');
          if (i <= 0) throw new InvalidArgumentError(`invalid LABEL in change "${raw}"`);
          out.Labels[p.slice(0, i)] = p.slice(i + 1).replace(/^"|"$/g, '');
        }
        break;
      }
      case 'VOLUME': {
        out.Volumes = { ...(out.Volumes ?? {}) };
        for (const p of v.startsWith('[') ? parseList(v) : v.split(/\s+/)) out.Volumes[p] = {};
        break;
      }
      case 'STOPSIGNAL': out.StopSignal = v; break;
      case 'ONBUILD': out.OnBuild = [...(out.OnBuild ?? []), v]; break;
      default: throw new InvalidArgumentError(`invalid change "${raw}": ${op} is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR`);
    }
  }
  return out;
}
