// Waiting for a file another process writes (conmon's sync file and exit files, slirp4netns's ready
// file). A poll with a growing sleep finds the write up to a whole sleep late: on `start`, ~5 ms
// after runc create and again after slirp4netns. An inotify watch (fs.watch) wakes the waiter as the
// file changes; the sleep stays as the bound, for what inotify does not report (a process that
// died without writing, a file system without inotify).
import * as fs from 'node:fs';

export interface Wake {
  /** Resolves after `ms`, or sooner when the watched path changed since the last call. */
  sleep(ms: number): Promise<void>;
  close(): void;
}

/** Watches the targets (files, or directories for the entries made in them) until close(). */
export function watchForWrites(...targets: string[]): Wake {
  let changed = false;
  let wake: (() => void) | undefined;
  const watchers: fs.FSWatcher[] = [];
  for (const target of targets) {
    try {
      const w = fs.watch(target, { persistent: false }, () => {
        changed = true;
        wake?.();
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch { /* not watchable: the sleeps alone */ }
  }
  return {
    sleep(ms: number): Promise<void> {
      if (changed) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          wake = undefined;
          changed = false;
          resolve();
        }
        wake = done;
      });
    },
    close(): void {
      for (const w of watchers.splice(0)) w.close();
      wake = undefined;
    },
  };
}
