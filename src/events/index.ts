// tspod's events: record (recordEvent), read (readEvents), follow (watchEvents).
// The emitters import './log.js' directly to stay light; everything else comes here.
export { recordEvent, eventsLogPath, DEFAULT_MAX_SIZE, type LogOptions } from './log.js';
export { readEvents, watchEvents, type ReadEventsOptions, type WatchEventsOptions } from './read.js';
export { eventFilter, EVENT_FILTERS } from './filter.js';
export { EVENT_TYPES, EVENT_STATUSES, type EventType, type EventStatus, type TspodEvent, type EventInput } from './types.js';
