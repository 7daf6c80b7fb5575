// The shape of one event, with Podman's field names (libpod/events Event, as
// `podman events --format json` prints it), and the types and statuses tspod
// records. Kept free of imports: the emitters load this on their fast paths.

export const EVENT_TYPES = ['container', 'image', 'volume', 'network', 'pod', 'system'] as const;
export type EventType = typeof EVENT_TYPES[number];

/** Every status Podman documents for any type; filters accept these. */
export const EVENT_STATUSES = [
  'attach', 'build', 'checkpoint', 'cleanup', 'commit', 'connect', 'create', 'died', 'disconnect', 'exec', 'exec_died',
  'exited', 'export', 'health_status', 'import', 'init', 'kill', 'loadfromarchive', 'mount', 'pause', 'prune', 'pull',
  'pull-error', 'push', 'refresh', 'remove', 'rename', 'renumber', 'restart', 'restore', 'rotate', 'save', 'start', 'stop',
  'sync', 'tag', 'unmount', 'unpause', 'untag', 'update',
] as const;
export type EventStatus = typeof EVENT_STATUSES[number];

/** One event as read back from the log. Optional fields are absent when empty (as Podman's omitempty). */
export interface TspodEvent {
  /** container, image, volume, network, pod or system. */
  Type: EventType;
  /** What happened: create, start, died, pull, ... */
  Status: EventStatus;
  /** When, RFC 3339 with nanoseconds, UTC (2026-12-07T00:21:07.123456789Z). */
  Time: string;
  /** The same instant in nanoseconds since the epoch (exact). */
  timeNano: bigint;
  /** Container, image, pod, volume or network ID (for network connect/disconnect: the container's). */
  ID?: string;
  /** Container, image reference, pod, volume or network name. */
  Name?: string;
  /** The container's image (container events). */
  Image?: string;
  /** The network's name (network events). */
  Network?: string;
  /** The pod of a container event. */
  PodID?: string;
  /** The exit code (container died, exec_died). */
  ContainerExitCode?: number;
  /** healthy, unhealthy, starting (health_status). */
  HealthStatus?: string;
  /** Why an operation failed (e.g. pull-error). */
  Error?: string;
  /** Container labels and event-specific details (network driver, ...). */
  Attributes: Record<string, string>;
}

/** What an emitter passes to recordEvent. */
export interface EventInput {
  type: EventType;
  status: EventStatus;
  id?: string | undefined;
  name?: string | undefined;
  image?: string | undefined;
  network?: string | undefined;
  podId?: string | undefined;
  exitCode?: number | undefined;
  healthStatus?: string | undefined;
  error?: string | undefined;
  /** Labels (container events) and details; copied as is. */
  attributes?: Record<string, string> | undefined;
  /** The event's time (default: now); nanoseconds since the epoch or a Date. */
  time?: bigint | Date | undefined;
}
