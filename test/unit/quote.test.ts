import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteArg, quoteArgv, quoteRemoteArgv } from '../../src/shell/quote.js';
import { splitWords } from '../../src/shell/split-words.js';

// Any string a process can receive: no NUL.
const arg = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0'));

describe('POSIX quoting', () => {
  it('quoting any string and running it through sh -c printf gives the string back', () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 4 }), (args) => {
        const out = execFileSync('sh', ['-c', `printf '%s\\0' ${quoteArgv(args)}`]);
        expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });

  it('splitting quoted words gives the words back', () => {
    fc.assert(fc.property(fc.array(arg, { maxLength: 6 }), (args) => {
        expect(splitWords(quoteArgv(args))).toEqual(args);
      }));
  });

  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteArg('/tmp/vh1a.sock')).toBe('/tmp/vh1a.sock');
    expect(quoteArg("it's; $(x)")).toBe("'it'\\''s; $(x)'");
    expect(quoteArg('')).toBe("''");
  });

  it('a guest ~/ path stays expandable by the guest shell', () => {
    expect(quoteRemoteArgv(['~/run lwaftr.sh', '~x'])).toBe("~/'run lwaftr.sh' '~x'");
  });
});
