// Local log files read as `tail -n` and followed as `tail -F` does: through renames (the log of
// the previous boot or run becomes <file>.1 and a new file is made) and truncation. Followed by
// polling, not fs.watch: a poll sees a file that is renamed away and made anew under its name
// the same way every time, and the last lines written to the old one are read from its open fd.
import fs from 'node:fs';
import { sleep } from '../util/sleep.js';

const CHUNK = 64 * 1024;
export const FOLLOW_POLL_MS = 250;

export interface Tail {
  /** The last complete lines (\r removed). */
  lines: string[];
  /** A last line not ended by a newline yet. */
  partial: string;
  /** The offset just after the last newline: where following starts. */
  end: number;
}

/** The last n lines of a file, read backwards in chunks (logs grow without end); undefined when it is missing. */
export function lastLines(file: string, n: number): Tail | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let start = size;
    let text = '';
    while (start > 0 && newlines(text) <= n) {
      const from = Math.max(0, start - CHUNK);
      const buf = Buffer.alloc(start - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      text = buf.toString('latin1') + text;
      start = from;
    }
    const cut = text.lastIndexOf('\n') + 1;
    const complete = Buffer.from(text.slice(0, cut), 'latin1').toString('utf8');
    const lines = complete ? complete.replace(/\r/g, '').replace(/\n$/, '').split('\n') : [];
    return {
      lines: n === 0 ? [] : lines.slice(-n),
      partial: Buffer.from(text.slice(cut), 'latin1').toString('utf8').replace(/\r/g, ''),
      end: size - Buffer.byteLength(text.slice(cut), 'latin1'),
    };
  } finally {
    fs.closeSync(fd);
  }
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

export interface FollowHandlers {
  line(text: string): void;
  /** The file was made anew under its name (rotated) or truncated; reading starts over. */
  restarted(how: 'rotated' | 'truncated'): void;
}

/** Complete lines written to `file` from offset `from` on, until `signal` aborts. */
export async function followFile(file: string, from: number, on: FollowHandlers, signal: AbortSignal): Promise<void> {
  let fd: number | undefined;
  let ino: number | undefined;
  let offset = from;
  let pending = '';
  const drain = () => {
    if (fd === undefined) return;
    const size = fs.fstatSync(fd).size;
    if (size < offset) {
      offset = 0;
      pending = '';
      on.restarted('truncated');
    }
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - offset));
      const got = fs.readSync(fd, buf, 0, buf.length, offset);
      if (got === 0) break;
      offset += got;
      const parts = (pending + buf.subarray(0, got).toString('utf8')).split('\n');
      pending = parts.pop()!;
      for (const p of parts) on.line(p.replace(/\r/g, ''));
    }
  };
  try {
    while (!signal.aborted) {
      const now = statOf(file);
      if (now && now.ino !== ino) {
        drain(); // what was written to the old file before it was renamed away
        if (fd !== undefined) {
          fs.closeSync(fd);
          on.restarted('rotated');
          offset = 0;
          pending = '';
        }
        fd = fs.openSync(file, 'r');
        ino = now.ino;
      }
      drain();
      await sleep(FOLLOW_POLL_MS, signal).catch(() => undefined);
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
