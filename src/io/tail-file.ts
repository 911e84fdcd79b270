import fs from 'node:fs';

/** The last lines of a log, labelled, for error messages; undefined when there is nothing. */
export function tailFile(file: string, lines = 15, label = file): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const tail = text.replace(/\r/g, '').trimEnd().split('\n').slice(-lines);
  if (tail.length === 0 || (tail.length === 1 && tail[0] === '')) return undefined;
  return `--- last ${tail.length} lines of ${label} ---\n${tail.join('\n')}`;
}
