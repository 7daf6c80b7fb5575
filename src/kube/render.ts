// kube play's and kube down's output, in Podman's layout.
import type { PlayReport } from './play.js';

export function renderPlay(r: PlayReport): string {
  let out = '';
  for (const p of r.pods) {
    out += `Pod:\n${p.id}\n`;
    if (p.containers.length) out += `${p.containers.length === 1 ? 'Container' : 'Containers'}:\n${p.containers.join('\n')}\n`;
    out += '\n';
  }
  if (r.volumes.length) out += `${r.volumes.length === 1 ? 'Volume' : 'Volumes'}:\n${r.volumes.join('\n')}\n`;
  return out;
}

export function renderDown(r: { stopped: string[]; removed: string[] }): string {
  let out = '';
  if (r.stopped.length) out += `Pods stopped:\n${r.stopped.join('\n')}\n`;
  if (r.removed.length) out += `Pods removed:\n${r.removed.join('\n')}\n`;
  return out;
}
