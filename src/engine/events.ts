// What the engine records in the events log (src/events/log.ts): one call per
// operation, after it happened. Recording never fails an operation.
import { recordEvent } from '../events/log.js';
import type { EventInput, EventStatus } from '../events/types.js';

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

export { readEvents, watchEvents, type ReadEventsOptions, type WatchEventsOptions } from '../events/read.js';
export type { TspodEvent, EventInput, EventType, EventStatus } from '../events/types.js';

export function podEvent(status: EventStatus, id: string, name: string, extra: Partial<EventInput> = {}): void {
  void recordEvent({ type: 'pod', status, id, name, ...extra });
}
