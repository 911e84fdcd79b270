// Waiting for another lwaftrctl's lock: said at once, naming the holder; Ctrl-C or SIGTERM end
// the wait at once (130, 143), not after TIMEOUT_LOCK.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/io/instance-lock.js';
import { readProcStat } from '../../src/io/proc.js';
import { eventually } from '../helpers/eventually.js';
import { CLI } from '../helpers/run-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-lock-'));
const conf = path.join(dir, 'l.conf');
fs.writeFileSync(
  conf,
  `SNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bz\nSTATE_DIR=${dir}/state\nTIMEOUT_LOCK=30\n`,
);
/** A live process holds the lock, as another lwaftrctl would. */
const holder: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
fs.mkdirSync(`${dir}/state`);
fs.writeFileSync(
  `${dir}/state/lock`,
  JSON.stringify({ pid: holder.pid, startTime: readProcStat(holder.pid!)!.startTime }),
);
afterAll(() => {
  holder.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('waiting for the instance lock', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s ends it at once with %i, after a line naming the holder',
    async (signal, code) => {
      const run = execa('node', [CLI, '-f', conf, 'vm', 'stop'], { reject: false, stdin: 'ignore', all: true });
      let seen = '';
      await new Promise<void>((resolve) =>
        run.all!.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.includes('waiting for another lwaftrctl')) resolve();
        }),
      );
      expect(seen).toContain(`waiting for another lwaftrctl (pid ${holder.pid}: sleep 60) to finish with instance`);
      const began = Date.now();
      run.kill(signal);
      const r = await run;
      expect(r.exitCode).toBe(code);
      expect(Date.now() - began).toBeLessThan(2000);
      expect(r.all).toContain(`interrupted (${signal}) while waiting for the lock of instance`);
    },
    20_000,
  );
});

describe('a lock whose holder has exited but is not reaped yet (a zombie)', () => {
  it('is taken over at once', async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(`${d}`))));
    try {
      await eventually('the child to be a zombie', () => readProcStat(zombie)?.state === 'Z', { ms: 5000, every: 20 });
      const file = path.join(dir, 'zombie.lock');
      fs.writeFileSync(file, JSON.stringify({ pid: zombie, startTime: readProcStat(zombie)!.startTime }));
      const began = Date.now();
      const lock = await acquireLock(file, { timeoutMs: 5000, instance: 'z' });
      expect(Date.now() - began).toBeLessThan(1000);
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
