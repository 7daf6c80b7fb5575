// What the engine records in the events log (src/events/log.ts): one call per
// operation, after it happened. Recording never fails an operation.
import { recordEvent } from '../events/log.js';
import type { EventInput, EventStatus, TspodEvent } from '../events/types.js';
import type { ReadEventsOptions, WatchEventsOptions } from '../events/read.js';

/** A container as its events name it. */
export interface EventContainer { id: string; name?: string | undefined; image?: string | undefined; labels?: Record<string, string> | undefined }

export function containerEvent(status: EventStatus, c: EventContainer, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'container', status, id: c.id, name: c.name, image: c.image, attributes: c.labels, ...extra });
}

export function imageEvent(status: EventStatus, id: string, name?: string, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'image', status, id, name, ...extra });
}

export function volumeEvent(status: EventStatus, name: string, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'volume', status, id: name, name, ...extra });
}

export function networkEvent(status: EventStatus, network: string, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'network', status, network, name: network, ...extra });
}

// Reading and following load the reader and its filters only when asked: every engine verb imports
// this module to record, and most never read.
/** The events log, filtered (src/events/read.ts). */
export async function readEvents(o: ReadEventsOptions = {}): Promise<TspodEvent[]> {
  return (await import('../events/read.js')).readEvents(o);
}

/** The events log, then new events as they are recorded, until `o.signal` aborts. */
export async function* watchEvents(o: WatchEventsOptions = {}): AsyncGenerator<TspodEvent, void, undefined> {
  yield* (await import('../events/read.js')).watchEvents(o);
}

export type { ReadEventsOptions, WatchEventsOptions } from '../events/read.js';
export type { TspodEvent, EventInput, EventType, EventStatus } from '../events/types.js';

export function podEvent(status: EventStatus, id: string, name: string, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'pod', status, id, name, ...extra });
}
