// The end of a log, read from its end: logs grow (a backend prints a line a second), and a
// status or an error message wants only the last lines.
import fs from 'node:fs';

/** The last `bytes` of a file as text (less at its start), or undefined when it cannot be read. */
export function readTail(file: string, bytes = 64 * 1024): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8').replace(/\r/g, '');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The last lines of a log, labelled, for error messages; undefined when there is nothing. */
export function tailFile(file: string, lines = 15, label = file): string | undefined {
  const text = readTail(file);
  if (text === undefined) return undefined;
  const tail = text.trimEnd().split('\n').slice(-lines);
  if (tail.length === 0 || (tail.length === 1 && tail[0] === '')) return undefined;
  return `--- last ${tail.length} lines of ${label} ---\n${tail.join('\n')}`;
}

/** The last line of a log that holds `text` (from the last 64 KiB), or the last line at all. */
export function lastLineWith(file: string, text = ''): string | null {
  const lines = readTail(file)?.trimEnd().split('\n') ?? [];
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.includes(text)) return lines[i] || null;
  return null;
}
