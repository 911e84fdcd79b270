// Local logs read as tail -n and followed as tail -F: lines come out whole, whatever the reads
// cut (a line, or a UTF-8 character, written in two appends).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followFile, lastLines, lineSplitter } from '../../src/io/log-files.js';
import { lastLineWith, tailFile } from '../../src/io/tail-file.js';
import { eventually } from '../helpers/eventually.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-logs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('followFile', () => {
  it('a character split between two appends (é = C3 A9) comes out whole', async () => {
    const file = path.join(dir, 'split.log');
    fs.writeFileSync(file, '');
    const lines: string[] = [];
    const abort = new AbortController();
    const following = followFile(file, 0, { line: (l) => lines.push(l), restarted: () => undefined }, abort.signal);
    try {
      fs.appendFileSync(file, Buffer.from([0x61, 0x0a, 0x63, 0xc3])); // "a\nc" and the first byte of é
      await eventually('the first line', () => lines.length > 0, { every: 20 }); // read with the half é
      fs.appendFileSync(file, Buffer.from([0xa9, 0x0a]));
      await eventually('the second line', () => lines.length > 1, { every: 20 });
    } finally {
      abort.abort();
      await following;
    }
    expect(lines).toEqual(['a', 'cé']);
  });
});

describe('lineSplitter', () => {
  it('bytes cut anywhere, even inside a character, come out as the same lines', () => {
    const text = Buffer.from('première\r\nligne deux\nfin sans retour', 'utf8');
    for (let cut = 0; cut <= text.length; cut++) {
      const lines: string[] = [];
      const split = lineSplitter((l) => lines.push(l));
      split.push(text.subarray(0, cut));
      split.push(text.subarray(cut));
      expect(lines).toEqual(['première', 'ligne deux']);
      split.flush();
      expect(lines).toEqual(['première', 'ligne deux', 'fin sans retour']);
    }
  });

  it('reset drops the line and the bytes held: the input started over', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.push(Buffer.from([0x61, 0xc3]));
    split.reset();
    split.push('b\n');
    expect(lines).toEqual(['b']);
  });
});

describe('the tail of a log (tailFile, lastLineWith, on lastLines)', () => {
  const file = (name: string, content: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('the last lines, labelled; carriage returns and trailing blank lines left out', () => {
    const f = file('crlf.log', 'one\r\ntwo\r\nthree\r\n\n\n');
    expect(tailFile(f, 2, 'the log')).toBe('--- last 2 lines of the log ---\ntwo\nthree');
    expect(lastLineWith(f)).toBe('three');
    expect(lastLineWith(f, 'tw')).toBe('two');
    expect(lastLineWith(f, 'nowhere')).toBeNull();
  });

  it('nothing for an empty or missing file', () => {
    expect(tailFile(file('empty.log', ''))).toBeUndefined();
    expect(tailFile(path.join(dir, 'missing.log'))).toBeUndefined();
    expect(lastLineWith(path.join(dir, 'missing.log'))).toBeNull();
  });

  it('only the last 64 KiB: the line cut there is left out, a character cut there too', () => {
    const line = `${'é'.repeat(49)}\n`; // 99 bytes: 64 KiB before the end is inside an é
    const f = file('big.log', `${'needle\n'}${line.repeat(1000)}last!`);
    expect(lastLineWith(f, 'needle')).toBeNull();
    const tail = lastLines(f, Number.POSITIVE_INFINITY, 64 * 1024)!;
    expect(tail.lines.length).toBe(Math.floor((64 * 1024 - 5) / 99));
    expect(tail.lines.every((l) => l === 'é'.repeat(49))).toBe(true);
    expect(tail.partial).toBe('last!');
    expect(tail.end).toBe(fs.statSync(f).size - 5);
  });

  it('the last n lines, read back in chunks past 64 KiB when n asks for it', () => {
    const f = file('long.log', Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join(''));
    expect(lastLines(f, 3)).toEqual({
      lines: ['line 19997', 'line 19998', 'line 19999'],
      partial: '',
      end: fs.statSync(f).size,
    });
    expect(lastLines(f, 19_000)!.lines[0]).toBe('line 1000');
  });
});
