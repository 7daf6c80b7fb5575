// Progress for pull and push: per-layer bars (bytes and rate) on a terminal,
// plain podman-like lines when output is piped, nothing with --quiet.
import type { PullEvent } from '../engine/pull.js';
import type { PushEvent } from '../engine/push.js';

export type { PushEvent };
import { humanSize } from '../format/units.js';

export interface ProgressSink { event(e: PullEvent | PushEvent): void; stop(): void }

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export function makeProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream }): ProgressSink {
  if (opts.quiet) return { event: () => undefined, stop: () => undefined };
  // chosen at the first event: a create or run of a local image reports none, and building
  // process.stderr (a pipe or a terminal: node:net and the streams, ~2 ms) is then not needed
  let sink: ProgressSink | undefined;
  const get = (): ProgressSink => {
    if (sink) return sink;
    const out = opts.stream ?? process.stderr;
    return (sink = !out.isTTY || process.env['TERM'] === 'dumb' ? plain(out) : bars(out));
  };
  return { event: (e) => get().event(e), stop: () => sink?.stop() };
}

function plain(out: NodeJS.WriteStream): ProgressSink {
  const w = (s: string) => out.write(`${s}\n`);
  let sigs = false;
  return {
    event(e) {
      switch (e.type) {
        case 'trying': w(`Trying to pull ${e.reference}...`); break;
        case 'push-start': w(`Pushing ${e.reference}...`); break;
        case 'resolved': if (!sigs) { w('Getting image source signatures'); sigs = true; } break;
        case 'layer-skip': w(`Copying blob ${short(e.digest)} skipped: already exists`); break;
        case 'blob-skip': if (!sigs) { w('Getting image source signatures'); sigs = true; } w(`Copying blob ${short(e.digest)} skipped: ${e.reason === 'mounted' ? 'mounted from another repository' : 'already exists'}`); break;
        case 'layer-start': case 'blob-start': if (!sigs) { w('Getting image source signatures'); sigs = true; } w(`Copying ${e.type === 'blob-start' && e.config ? 'config' : 'blob'} ${short(e.digest)}`); break;
        case 'config': w(`Copying config ${short(e.digest)} done`); break;
        case 'done': w('Writing manifest to image destination'); break;
        case 'manifest': w('Writing manifest to image destination'); break;
        default: break;
      }
    },
    stop() { /* nothing */ },
  };
}

function bars(out: NodeJS.WriteStream): ProgressSink {
  // a small self-drawn multi-line display: one line per blob, redrawn in place
  const lines = new Map<string, { label: string; bytes: number; size: number; start: number; done: boolean; note?: string }>();
  const header: string[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  // chalk (and the terminal detection it loads) only once bars are drawn: `create` and `run` import
  // this module for the pull they may need, and most never pull
  let green = (s: string) => s;
  void import('chalk').then((m) => { green = m.default.green; }, () => undefined);
  const render = () => {
    const rows: string[] = [...header];
    for (const [d, l] of lines) {
      const width = 24;
      const frac = l.size > 0 ? Math.min(1, l.bytes / l.size) : l.done ? 1 : 0;
      const fill = Math.round(frac * width);
      const secs = Math.max(0.001, (Date.now() - l.start) / 1000);
      const rate = l.bytes / secs;
      const bar = `[${'='.repeat(Math.max(0, fill - 1))}${fill ? '>' : ''}${' '.repeat(width - fill)}]`;
      const status = l.note ?? (l.done ? green('done') : `${humanSize(l.bytes)} / ${humanSize(l.size)} ${humanSize(rate)}/s`);
      rows.push(`${l.label} ${short(d)} ${l.note ? '' : `${bar} `}${status}`);
    }
    if (drawn) out.write(`\x1b[${drawn}A`);
    for (const r of rows) out.write(`\x1b[2K${r}\n`);
    drawn = rows.length;
  };
  const schedule = () => { if (!timer) timer = setTimeout(() => { timer = undefined; render(); }, 100); };
  return {
    event(e) {
      switch (e.type) {
        case 'trying': header.push(`Trying to pull ${e.reference}...`); break;
        case 'push-start': header.push(`Pushing ${e.reference}...`); break;
        case 'layer-skip': lines.set(e.digest, { label: 'Copying blob', bytes: 0, size: 0, start: Date.now(), done: true, note: 'skipped: already exists' }); break;
        case 'blob-skip': lines.set(e.digest, { label: 'Copying blob', bytes: 0, size: 0, start: Date.now(), done: true, note: e.reason === 'mounted' ? 'skipped: mounted' : 'skipped: already exists' }); break;
        case 'layer-start': case 'blob-start': lines.set(e.digest, { label: 'Copying blob', bytes: 0, size: e.size, start: Date.now(), done: false }); break;
        case 'layer-progress': case 'blob-progress': { const l = lines.get(e.digest); if (l) l.bytes = e.bytes; break; }
        case 'layer-done': case 'blob-done': { const l = lines.get(e.digest); if (l) { l.done = true; l.bytes = l.size; } break; }
        case 'config': lines.set(e.digest, { label: 'Copying config', bytes: 0, size: 0, start: Date.now(), done: true }); break;
        case 'done': case 'manifest': render(); out.write('Writing manifest to image destination\n'); drawn = 0; return;
        default: break;
      }
      schedule();
    },
    stop() { if (timer) { clearTimeout(timer); timer = undefined; } },
  };
}
