// Adapter between commands and the one renderer in src/format.
import { render, renderInspect } from '../format/render.js';
import { humanSize, humanSizeCompact, humanDuration, timeAgo } from '../format/units.js';

export interface Column { header: string; field: string | ((x: Record<string, unknown>) => string) }

export function renderList(items: object[], opts: { format?: string | undefined; quiet?: boolean | undefined; quietField?: string; noHeading?: boolean | undefined; noTrunc?: boolean | undefined; columns: Column[]; headers?: Record<string, string> }): string {
  return render(items as Record<string, unknown>[], opts as Parameters<typeof render>[1]);
}

export function renderObjects(objs: object[], format?: string): string {
  return renderInspect(objs as Record<string, unknown>[], format);
}

export { humanSize, humanSizeCompact, humanDuration };

export function since(unixSeconds: number): string {
  return timeAgo(unixSeconds * 1000);
}
