// -l/--latest (inspect, rm): the container created last stands for the names.
import { InvalidArgumentError } from '../util/errors.js';

export async function inspectTargets(names: string[], latest: boolean | undefined): Promise<string[]> {
  if (!latest && !names.length) throw new InvalidArgumentError('you must provide at least one name or ID');
  return latestTargets(names, latest);
}

/** The names, or with --latest (and no names) the ID of the container created last. */
export async function latestTargets(names: string[], latest: boolean | undefined): Promise<string[]> {
  if (!latest) return names;
  if (names.length) throw new InvalidArgumentError('--latest and containers cannot be used together');
  const { listContainers } = await import('../engine/container/state.js');
  const rows = await listContainers({ latest: true });
  if (!rows[0]) throw new InvalidArgumentError('no containers to act on with --latest');
  return [rows[0].Id];
}
