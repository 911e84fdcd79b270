import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/io/proc.js';
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
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), (args) => {
        expect(splitWords(quoteArgv(args))).toEqual(args);
      }),
    );
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

describe('the guest scripts, run by a real sh against a fake /proc-less world', () => {
  it('stop script: no pid file → stopped; a pid file of a gone process is removed', async () => {
    const { GUEST_STOP_RECORDED } = await import('../../src/io/guest-process.js');
    const fs = await import('node:fs');
    const dir = fs.mkdtempSync('/tmp/guest-stop-');
    const pidFile = `${dir}/lwaftr.pid`;
    const run = (...args: string[]) =>
      execFileSync('sh', ['-c', GUEST_STOP_RECORDED, 'stop', pidFile, ...args])
        .toString()
        .trim();
    expect(run('TERM')).toBe('stopped');
    fs.writeFileSync(pidFile, '999999 12345\n');
    expect(run('TERM', '0000:00:08.0')).toBe('gone');
    expect(fs.existsSync(pidFile)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  it('stop script: a pid reused by another process (other start time) is never signalled', async () => {
    const { GUEST_STOP_RECORDED } = await import('../../src/io/guest-process.js');
    const fs = await import('node:fs');
    const { spawn } = await import('node:child_process');
    const dir = fs.mkdtempSync('/tmp/guest-stop-');
    const bystander = spawn('sleep', ['30']);
    fs.writeFileSync(`${dir}/lwaftr.pid`, `${bystander.pid} 1\n`);
    const out = execFileSync('sh', ['-c', GUEST_STOP_RECORDED, 'stop', `${dir}/lwaftr.pid`, 'KILL'])
      .toString()
      .trim();
    expect(out).toBe('gone');
    expect(bystander.exitCode).toBeNull();
    // Alive, not merely a zombie that kill -0 would still find.
    expect(isAlive(bystander.pid!)).toBe(true);
    bystander.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true });
  });
});
