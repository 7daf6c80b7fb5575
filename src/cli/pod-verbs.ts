// What the pod lifecycle commands share: their targets (names, or --all) and printing
// Podman's way: each pod's ID on success, the failures as Error lines, the last thrown.
import { Flags } from '@oclif/core';
import { reportTargets, removalExitCode } from './report.js';
import type { PodReport } from '../engine/pod/types.js';

export const podTargetFlags = {
  all: Flags.boolean({ char: 'a', description: 'Act on all pods' }),
  latest: Flags.boolean({ char: 'l', description: 'Act on the latest pod tspod is aware of' }),
};

/** The pods a verb acts on: the arguments, the latest pod, or (all) none named. */
export async function podTargets(argv: string[], flags: { all?: boolean | undefined; latest?: boolean | undefined }): Promise<string[]> {
  if (flags.latest) {
    const { listPods } = await import('../engine/pod/index.js');
    const latest = (await listPods())[0];
    if (!latest) throw Object.assign(new Error('no pods to act on with --latest'), { exitCode: 125 });
    return [latest.Id];
  }
  if (!argv.length && !flags.all) throw Object.assign(new Error('you must provide at least one pod name or ID, or --all'), { exitCode: 125 });
  if (argv.length && flags.all) throw Object.assign(new Error('--all and pod names cannot be used together'), { exitCode: 125 });
  return argv;
}

/** Print pod reports; a pod's member failures each get their own Error line. */
export function reportPods(reps: PodReport[], o: { removal?: boolean } = {}): void {
  for (const r of reps) {
    for (const e of (r.errors ?? []).slice(1)) process.stderr.write(`Error: ${e.error.message}\n`);
  }
  reportTargets(reps, (r) => (r.error ? undefined : r.id), o.removal ? { exitCode: removalExitCode } : {});
}
