// What the pod lifecycle commands share: their targets (names, or --all) and printing
// Podman's way: each pod's ID on success, the failures as Error lines, the last thrown.
import { Flags } from '@oclif/core';
import { reportTargets, removalExitCode } from './report.js';
import type { PodReport } from '../engine/pod/types.js';

export const podTargetFlags = {
  all: Flags.boolean({ char: 'a', description: 'Act on all pods' }),
  latest: Flags.boolean({ char: 'l', description: 'Act on the latest pod tspod is aware of' }),
  'pod-id-file': Flags.string({ multiple: true, description: 'Read the pod ID from the file (as pod create --pod-id-file wrote it)' }),
};

/** The pods a verb acts on: the arguments, the latest pod, or (all) none named. */
export async function podTargets(argv0: string[], flags: { all?: boolean | undefined; latest?: boolean | undefined; ignore?: boolean | undefined; 'pod-id-file'?: string[] | undefined }): Promise<string[]> {
  const argv = [...argv0];
  if (flags['pod-id-file']?.length) {
    const fs = await import('node:fs');
    for (const f of flags['pod-id-file']) {
      try { argv.push(fs.readFileSync(f, 'utf8').trim()); } catch {
        if (!flags.ignore) throw Object.assign(new Error(`reading the pod ID file ${f}: no such file`), { exitCode: 125 });
      }
    }
    // --ignore: the ID files are gone, so are the pods
    if (!argv.length && !flags.all) return [];
  }
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
