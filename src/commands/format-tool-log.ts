// The tool's own log (lwaftrctl.log: pino JSON lines, one per event) as lines for people:
// time, level when not info, the process, the event, then its fields as key=value.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Written on every line of one instance's log: said once by the file's name, not on each line. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'instance', 'hostname', 'v']);

/** Pure: one log line made readable; a line that is not JSON is shown as it is. */
export function formatToolLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '-';
  const level = LEVELS[entry.level as number];
  const fields = Object.entries(entry)
    .filter(([k, v]) => !OMITTED.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`);
  return [time, ...(level ? [level] : []), `[${entry.pid ?? '?'}]`, String(entry.msg ?? ''), ...fields].join(' ');
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}
