// Local log files read as `tail -n` and followed as `tail -F` does: through renames (the log of
// the previous boot or run becomes <file>.1 and a new file is made) and truncation. Followed by
// polling, not fs.watch: a poll sees a file that is renamed away and made anew under its name
// the same way every time, and the last lines written to the old one are read from its open fd.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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

/**
 * The last n lines of a file (of its last `maxBytes` at most), read backwards in chunks (logs grow
 * without end); undefined when it is missing.
 */
export function lastLines(file: string, n: number, maxBytes = Number.POSITIVE_INFINITY): Tail | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const floor = Math.max(0, size - maxBytes);
    let start = size;
    let text = '';
    while (start > floor && newlines(text) <= n) {
      const from = Math.max(floor, start - CHUNK);
      const buf = Buffer.alloc(start - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      text = buf.toString('latin1') + text;
      start = from;
    }
    // Not read from the start of the file: the first line read is only the end of one.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
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
  const lines = lineSplitter(on.line);
  const drain = () => {
    if (fd === undefined) return;
    const size = fs.fstatSync(fd).size;
    if (size < offset) {
      offset = 0;
      lines.reset();
      on.restarted('truncated');
    }
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - offset));
      const got = fs.readSync(fd, buf, 0, buf.length, offset);
      if (got === 0) break;
      offset += got;
      lines.push(buf.subarray(0, got));
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
          lines.reset();
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

/**
 * Chunks in, whole lines out (\r removed); a last line without its newline is held until the next
 * chunk. Bytes go through a StringDecoder, so a character cut between two reads comes out whole.
 */
export function lineSplitter(line: (text: string) => void) {
  let decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (text: string) => {
    const parts = (pending + text).split('\n');
    pending = parts.pop()!;
    for (const p of parts) line(p.replace(/\r/g, ''));
  };
  return {
    push: (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    /** The end of the input: the last line too, without its newline. */
    flush() {
      take(decoder.end());
      if (pending) line(pending.replace(/\r/g, ''));
      pending = '';
    },
    /** Drops what is held: the input starts over (a file truncated or made anew). */
    reset() {
      decoder = new StringDecoder('utf8');
      pending = '';
    },
  };
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
