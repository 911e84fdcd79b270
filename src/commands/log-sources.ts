// Which logs `logs` shows, in order, and what each line is prefixed with (its file's name).
import path from 'node:path';
import type { LogSource } from '../cli/scripting-commands.js';
import type { Config } from '../config/types.js';
import { instancePaths } from '../plan/instance-paths.js';
import { formatToolLogLine } from './format-tool-log.js';

export type LogSpec =
  | {
      kind: 'file';
      label: string;
      file: string;
      /** The previous boot's or run's copy (<file>.1), read before the file when lines are short. */
      rotated?: string;
      render?: (line: string) => string;
    }
  /** The guest lwAFTR's log, read over SSH. */
  | { kind: 'guest'; label: string; file: string };

/** Pure: the logs of one source, or of all, in start order; the tool's own last. */
export function logSources(config: Config, source: LogSource): LogSpec[] {
  const p = instancePaths(config);
  const local = (file: string): LogSpec => ({ kind: 'file', label: path.basename(file), file, rotated: `${file}.1` });
  const bySource: Record<Exclude<LogSource, 'all'>, LogSpec[]> = {
    snabbnfv: [local(p.snabbnfv[1].log), local(p.snabbnfv[2].log)],
    vm: [local(p.qemuLog), local(p.consoleLog)],
    lwaftr: [{ kind: 'guest', label: `guest:${path.posix.basename(p.guest.log)}`, file: p.guest.log }],
    lwaftrctl: [{ kind: 'file', label: path.basename(p.toolLog), file: p.toolLog, render: formatToolLogLine }],
  };
  return source === 'all' ? Object.values(bySource).flat() : bySource[source];
}

/** The widest prefix any line can get (a rotated file's name is longest), for aligned columns. */
export function labelWidth(specs: readonly LogSpec[]): number {
  return Math.max(...specs.map((s) => (s.kind === 'file' && s.rotated ? path.basename(s.rotated) : s.label).length));
}
