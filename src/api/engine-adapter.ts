// The API service's one door into the engine: its public API
// (src/engine/index.ts) and nothing below it. Handlers import the engine from
// here; the few helpers below are shapes the API needs more than once.
import * as engine from '../engine/index.js';
import { NotFoundError, TspodError } from '../engine/index.js';
import type { ContainerConfig, ContainerEntry, ContainerState, LogEntry, PullEvent, StatsReport, TspodEvent } from '../engine/index.js';

export type { ContainerConfig, ContainerEntry, ContainerState, LogEntry, PullEvent, StatsReport, TspodEvent };
export { engine, NotFoundError, TspodError };

/** Every container, state synced, with its configuration (for Docker's list shapes). */
export function allContainers(): Promise<Array<{ entry: ContainerEntry; config: ContainerConfig | undefined }>> {
  return engine.containers.states();
}

