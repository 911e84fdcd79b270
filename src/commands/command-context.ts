// What every command is handed: the options of its words, the report it fills for --json, and
// where --events go.
import type { EventsOutput } from '../run/render-ndjson.js';
import type { GlobalOptions } from './global-options.js';
import type { Report } from './report.js';

export interface CommandContext<O extends GlobalOptions = GlobalOptions> {
  options: O;
  report: Report;
  events?: EventsOutput;
}
