// --events: every event as one line of JSON (NDJSON), to stdout or a file, for scripts that
// follow a run as it happens. The last line of a run is its result document.
import fs from 'node:fs';
import type { Timestamped } from './events.js';

export interface EventsOutput {
  /** Lifecycle events; a run's result document; status --watch's state changes. */
  write(event: Timestamped | ({ type: 'result' | 'state-change'; ts: string } & Record<string, unknown>)): void;
  close(): void;
}

/** `target` true: standard output; a string: that file, created or appended to. */
export function openEventsOutput(target: true | string): EventsOutput {
  const fd = target === true ? 1 : fs.openSync(target, 'a');
  return {
    // Written synchronously, line by line: a reader sees each event as it happens.
    write: (event) => fs.writeSync(fd, `${JSON.stringify(event)}\n`),
    close: () => {
      if (fd !== 1) fs.closeSync(fd);
    },
  };
}
