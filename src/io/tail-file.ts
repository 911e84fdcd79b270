// The end of a log for status and error messages: the lines of its last 64 KiB (logs grow: a
// backend prints a line a second), read as `logs` reads them (log-files.ts).
import { lastLines } from './log-files.js';

const TAIL_BYTES = 64 * 1024;

/** The lines of the last 64 KiB of a file, trailing blank lines left out; undefined when it cannot be read. */
function tailLines(file: string): string[] | undefined {
  try {
    const tail = lastLines(file, Number.POSITIVE_INFINITY, TAIL_BYTES);
    return tail && [...tail.lines, tail.partial].join('\n').trimEnd().split('\n');
  } catch {
    // Read for an error message or a status: a log that cannot be read is only missing there.
    return undefined;
  }
}

/** The last lines of a log, labelled, for error messages; undefined when there is nothing. */
export function tailFile(file: string, lines = 15, label = file): string | undefined {
  const tail = tailLines(file)?.slice(-lines);
  if (tail === undefined || tail.length === 0 || (tail.length === 1 && tail[0] === '')) return undefined;
  return `--- last ${tail.length} lines of ${label} ---\n${tail.join('\n')}`;
}

/** The last line of a log that holds `text` (from the last 64 KiB), or the last line at all. */
export function lastLineWith(file: string, text = ''): string | null {
  const lines = tailLines(file) ?? [];
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.includes(text)) return lines[i] || null;
  return null;
}
