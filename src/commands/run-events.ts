// The event stream of a run that changes things (start, stop, restart, backend): the terminal,
// the tool's log in the state folder, and with --events NDJSON; the config's warnings open it.
import fs from 'node:fs';
import type { Config } from '../config/types.js';
import { instancePaths } from '../plan/instance-paths.js';
import { type EventSink, eventFanOut } from '../run/events.js';
import { humanRenderer } from '../run/render-human.js';
import { logRenderer } from '../run/render-log.js';
import type { CommandContext } from './command-context.js';
import { humanStream } from './global-options.js';

export function runEvents(config: Config, cx: CommandContext): EventSink {
  const paths = instancePaths(config);
  fs.mkdirSync(paths.stateDir, { recursive: true, mode: 0o755 });
  const renderers = [humanRenderer(cx.options, humanStream(cx.options)), logRenderer(paths.toolLog, config.name)];
  const events = eventFanOut(cx.events ? [...renderers, (e) => cx.events!.write(e)] : renderers);
  for (const w of config.warnings) events.emit({ type: 'problem', severity: 'warning', ...w });
  return events;
}
